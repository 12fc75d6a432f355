import { ResponseError } from '@backstage/errors';
import type { SegmentsApi } from '../../api';

const RUNNING_ID = /already running:\s*([0-9a-f-]{8,})/i;

/**
 * Starts a run of one segment (or of all active ones). When a run covering it
 * is already going (409), answers that run's id instead of failing.
 */
export async function startExecution(
  api: SegmentsApi,
  segmentRuleId?: string,
): Promise<{ executionId: string; alreadyRunning: boolean }> {
  try {
    const { executionId } = segmentRuleId
      ? await api.executeRule(segmentRuleId)
      : await api.executeAll();
    return { executionId, alreadyRunning: false };
  } catch (error) {
    if (error instanceof ResponseError && error.response.status === 409) {
      const match = RUNNING_ID.exec(
        error.body?.error?.message ?? error.message,
      );
      if (match) return { executionId: match[1], alreadyRunning: true };
    }
    throw error;
  }
}
