import { useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import type { SegmentExecution } from '@internal/plugin-segments-common';
import { segmentsApiRef } from '../../api';

/** True while an execution is queued or running. */
export function isExecutionActive(execution: SegmentExecution | undefined) {
  return execution?.status === 'queued' || execution?.status === 'running';
}

/**
 * Follows an execution: fetches it, then again every `intervalMs` while it is
 * queued or running, and calls `onFinished` once when it ends.
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

  useEffect(() => {
    if (!executionId) return undefined;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();
    let failures = 0;
    const tick = async () => {
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
    tick();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
      controller.abort();
    };
  }, [api, executionId, intervalMs]);

  return state.id === executionId && executionId
    ? { execution: state.execution, error: state.error }
    : {};
}
