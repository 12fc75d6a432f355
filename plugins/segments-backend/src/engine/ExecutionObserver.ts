import { ExecutionStatus, SegmentRule } from '@internal/plugin-segments-common';
import { SegmentStepResult } from './MembershipWriter';

/**
 * Hears about a run as it goes: live progress, each segment's change, the end.
 * Implementations are best effort: their errors are logged, never fail a run.
 */
export interface ExecutionObserver {
  onProgress?(event: {
    executionId: string;
    segmentRuleId?: string;
    status: ExecutionStatus;
    processed: number;
    total: number;
  }): Promise<void>;
  onSegmentResult?(event: { executionId: string; rule: SegmentRule; step: SegmentStepResult }): Promise<void>;
  onFinished?(event: {
    executionId: string;
    status: ExecutionStatus;
    error?: string;
    segments: SegmentRule[];
    /** More attempts will follow. */
    willRetry: boolean;
  }): Promise<void>;
}
