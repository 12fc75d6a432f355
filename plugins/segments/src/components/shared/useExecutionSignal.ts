import { useSignal } from '@backstage/plugin-signals-react';
import {
  SEGMENTS_EXECUTION_SIGNAL_CHANNEL,
  SegmentExecution,
} from '@internal/plugin-segments-common';

/**
 * A live progress message of the `segments:execution` signals channel.
 * @public
 */
export interface ExecutionSignal {
  executionId: string;
  segmentRuleId?: string;
  status: SegmentExecution['status'];
  processed: number;
  total: number;
}

/**
 * The latest progress pushed over signals for one execution, if the portal
 * has the signals plugin; REST polling stays the source of truth.
 */
export function useExecutionSignal(
  executionId: string | undefined,
): ExecutionSignal | undefined {
  const { lastSignal } = useSignal<ExecutionSignal & Record<string, any>>(
    SEGMENTS_EXECUTION_SIGNAL_CHANNEL,
  );
  return executionId && lastSignal?.executionId === executionId
    ? lastSignal
    : undefined;
}

/**
 * An execution as polled, with newer progress from a signal applied while
 * it is still queued or running.
 */
export function mergeExecutionSignal(
  execution: SegmentExecution | undefined,
  signal: ExecutionSignal | undefined,
): SegmentExecution | undefined {
  if (!execution || !signal) return execution;
  const polledActive =
    execution.status === 'queued' || execution.status === 'running';
  if (!polledActive || signal.processed < execution.progress.processed) {
    return execution;
  }
  const signalActive =
    signal.status === 'queued' || signal.status === 'running';
  return {
    ...execution,
    // A finished status waits for the REST answer (results, errors).
    status: signalActive ? signal.status : execution.status,
    progress: { processed: signal.processed, total: signal.total },
  };
}
