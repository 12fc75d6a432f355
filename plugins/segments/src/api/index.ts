export { segmentsApiRef } from './SegmentsApi';
export type { SegmentsApi, RequestOptions } from './SegmentsApi';
export { SegmentsClient } from './SegmentsClient';
export type {
  ChangeType,
  CustomerSample,
  DataStats,
  ExecuteResponse,
  LatestResultSummary,
  ListRulesRequest,
  Page,
  PreviewCount,
  PreviewRequest,
  SaveRuleOptions,
  PreviewResponse,
  SegmentResultDetail,
  SegmentRuleWithResult,
} from './types';
export type {
  AuditRecord,
  ChangeSide,
  CustomerExplanation,
  ExplainedCondition,
  ExplainedGroup,
  ExplainedLevel,
  ExplainedNode,
  ListAuditRequest,
  MissedCondition,
  OverlapPair,
  OverlapResponse,
  PreviewChangeRequest,
  PreviewChangeResponse,
} from './insightTypes';
