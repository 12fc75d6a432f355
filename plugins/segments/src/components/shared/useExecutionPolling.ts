import { useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import type { SegmentExecution } from '@internal/plugin-segments-common';
import { segmentsApiRef } from '../../api';
import { mergeExecutionSignal, useExecutionSignal } from './useExecutionSignal';

/** True while an execution is queued or running. */
export function isExecutionActive(execution: SegmentExecution | undefined) {
  return execution?.status === 'queued' || execution?.status === 'running';
}

/**
 * Follows an execution: fetches it, then again every `intervalMs` while it is
 * queued or running, and calls `onFinished` once when it ends. Progress
 * pushed over signals shows in between; a signal that the run ended asks
 * again at once.
 */
export function useExecutionPolling(
  executionId: string | undefined,
  options: {
    intervalMs?: number;
    onFinished?: (execution: SegmentExecution) => void;
  } = {},
): { execution?: SegmentExecution; error?: Error } {
  const api = useApi(segmentsApiRef);
  const intervalMs = options.intervalMs ?? 1000;
  const onFinished = useRef(options.onFinished);
  onFinished.current = options.onFinished;
  const [state, setState] = useState<{
    id?: string;
    execution?: SegmentExecution;
    error?: Error;
  }>({});
  const pollNow = useRef<() => void>();
  const signal = useExecutionSignal(executionId);
  const signalEnded =
    signal && signal.status !== 'queued' && signal.status !== 'running';
  useEffect(() => {
    if (signalEnded) pollNow.current?.();
  }, [signalEnded]);

  useEffect(() => {
    if (!executionId) return undefined;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();
    let failures = 0;
    const tick = async () => {
      timer = undefined;
      try {
        const execution = await api.getExecution(executionId, {
          signal: controller.signal,
        });
        if (cancelled) return;
        failures = 0;
        setState({ id: executionId, execution });
        if (isExecutionActive(execution)) {
          timer = setTimeout(tick, intervalMs);
        } else {
          onFinished.current?.(execution);
        }
      } catch (error) {
        if (cancelled) return;
        // A dropped request should not end the progress display; give up after a few.
        failures += 1;
        if (failures < 5) {
          timer = setTimeout(tick, intervalMs);
        } else {
          setState(s => ({ ...s, id: executionId, error: error as Error }));
        }
      }
    };
    pollNow.current = () => {
      if (!timer || cancelled) return;
      clearTimeout(timer);
      timer = undefined;
      tick();
    };
    tick();
    return () => {
      cancelled = true;
      pollNow.current = undefined;
      if (timer) clearTimeout(timer);
      controller.abort();
    };
  }, [api, executionId, intervalMs]);

  return state.id === executionId && executionId
    ? {
        execution: mergeExecutionSignal(state.execution, signal),
        error: state.error,
      }
    : {};
}
