import { createApiRef } from '@backstage/core-plugin-api';
import type {
  SegmentExecution,
  SegmentFieldInfo,
  SegmentResult,
  SegmentRule,
  SegmentRuleInput,
} from '@internal/plugin-segments-common';
import type {
  ChangeType,
  CustomerSample,
  DataStats,
  ExecuteResponse,
  ListRulesRequest,
  Page,
  PreviewRequest,
  PreviewResponse,
  SaveRuleOptions,
  SegmentResultDetail,
  SegmentRuleWithResult,
} from './types';
import type {
  AuditRecord,
  CustomerExplanation,
  ListAuditRequest,
  OverlapResponse,
  PreviewChangeRequest,
  PreviewChangeResponse,
} from './insightTypes';

/**
 * Options every request accepts.
 * @public
 */
export interface RequestOptions {
  /** Aborts the request, e.g. when a newer preview supersedes it. */
  signal?: AbortSignal;
}

/**
 * Client of the Segments REST API (`/api/segments`).
 * @public
 */
export interface SegmentsApi {
  /** Fields conditions can use, with their operators and known values. */
  getFields(options?: RequestOptions): Promise<SegmentFieldInfo[]>;
  listRules(
    request?: ListRulesRequest,
    options?: RequestOptions,
  ): Promise<Page<SegmentRuleWithResult>>;
  getRule(id: string, options?: RequestOptions): Promise<SegmentRuleWithResult>;
  /** Creates a rule; 400 for a contradiction, 409 for an equivalent segment, unless forced. */
  createRule(
    input: SegmentRuleInput,
    options?: SaveRuleOptions,
  ): Promise<SegmentRule>;
  /** Replaces a rule; the same checks as {@link SegmentsApi.createRule}. */
  updateRule(
    id: string,
    input: SegmentRuleInput,
    options?: SaveRuleOptions,
  ): Promise<SegmentRule>;
  deleteRule(
    id: string,
    request?: { children?: 'reparent' | 'delete' },
  ): Promise<{ deleted: string[]; reparented: string[] }>;
  /** Counts and samples the customers a (possibly unsaved) rule selects. */
  previewRule(
    request: PreviewRequest,
    options?: RequestOptions,
  ): Promise<PreviewResponse>;
  /** Queues a run of one segment; 409 (ResponseError) when one is already going. */
  executeRule(
    id: string,
    request?: { asOf?: string },
  ): Promise<ExecuteResponse>;
  /** Queues a run of every active segment; 409 when one is already going. */
  executeAll(request?: { asOf?: string }): Promise<ExecuteResponse>;
  listExecutions(
    request?: { segmentRuleId?: string; limit?: number },
    options?: RequestOptions,
  ): Promise<SegmentExecution[]>;
  getExecution(id: string, options?: RequestOptions): Promise<SegmentExecution>;
  /** Results, newest first. */
  listResults(
    request?: { segmentRuleId?: string; limit?: number; offset?: number },
    options?: RequestOptions,
  ): Promise<Page<SegmentResult>>;
  getResult(id: string, options?: RequestOptions): Promise<SegmentResultDetail>;
  /** Customer ids of one list of a result's change report. */
  listChanges(
    resultId: string,
    request: { type: ChangeType; limit?: number; offset?: number },
    options?: RequestOptions,
  ): Promise<Page<string>>;
  /** Members of a result, searchable by customer id or name. */
  listMembers(
    resultId: string,
    request?: { search?: string; limit?: number; offset?: number },
    options?: RequestOptions,
  ): Promise<Page<CustomerSample>>;
  getDataStats(options?: RequestOptions): Promise<DataStats>;
  /** How the members of a stored rule would change with `request.rule`. */
  previewChange(
    id: string,
    request: PreviewChangeRequest,
    options?: RequestOptions,
  ): Promise<PreviewChangeResponse>;
  /** Why a customer is, or is not, in a segment. */
  explainCustomer(
    customerId: string,
    request: { ruleId: string; asOf?: string },
    options?: RequestOptions,
  ): Promise<CustomerExplanation>;
  /** The audit trail, newest first. */
  listAudit(
    request?: ListAuditRequest,
    options?: RequestOptions,
  ): Promise<Page<AuditRecord>>;
  /** Pairwise member overlap of 2 to 50 segments. */
  getOverlap(ids: string[], options?: RequestOptions): Promise<OverlapResponse>;
}

/**
 * Reference of the {@link SegmentsApi}.
 * @public
 */
export const segmentsApiRef = createApiRef<SegmentsApi>({
  id: 'plugin.segments.service',
});
