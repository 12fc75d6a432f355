import type {
  LintIssue,
  SegmentRuleInput,
} from '@internal/plugin-segments-common';
import type { CustomerSample } from './types';

/**
 * Body of `POST /rules/:id/preview-change`.
 * @public
 */
export interface PreviewChangeRequest {
  rule: SegmentRuleInput;
  /** ISO timestamp; defaults to now on the server. */
  asOf?: string;
}

/**
 * Customers a rule change would add or remove, with a sample of them.
 * @public
 */
export interface ChangeSide {
  count: number;
  sample: CustomerSample[];
}

/**
 * How membership would change if a stored rule were replaced, against its
 * current members (`POST /rules/:id/preview-change`).
 * @public
 */
export interface PreviewChangeResponse {
  added: ChangeSide;
  removed: ChangeSide;
  unchanged: number;
  currentCount: number;
  proposedCount: number;
  asOf?: string;
  /** The latest run the current members come from. */
  basedOn?: { resultId: string; executedAt: string };
  lint?: LintIssue[];
}

/**
 * A condition of an explained rule tree with the customer's value.
 * @public
 */
export interface ExplainedCondition {
  type: 'condition';
  path: string;
  field: string;
  operator: string;
  value?: unknown;
  not?: boolean;
  /** The customer's value; absent when missing. */
  actual?: unknown;
  /** The engine treats the value as missing (so the comparison fails). */
  missing: boolean;
  /** The comparison before `not`. */
  holds: boolean;
  /** The node's outcome (after `not`). */
  passed: boolean;
  /** Readable condition, e.g. `totalSpent > 100000`. */
  text: string;
}

/**
 * A group of an explained rule tree.
 * @public
 */
export interface ExplainedGroup {
  type: 'group';
  path: string;
  logicalOperator: 'AND' | 'OR';
  not?: boolean;
  passed: boolean;
  children: ExplainedNode[];
}

/**
 * A node of an explained rule tree.
 * @public
 */
export type ExplainedNode = ExplainedCondition | ExplainedGroup;

/**
 * One level of an explanation: an ancestor segment, or the segment itself (last).
 * @public
 */
export interface ExplainedLevel {
  ruleId?: string;
  name?: string;
  logicalOperator: 'AND' | 'OR';
  passed: boolean;
  conditions: ExplainedNode[];
}

/**
 * A single condition whose outcome alone keeps the customer out.
 * @public
 */
export interface MissedCondition {
  level: number;
  ruleId?: string;
  path: string;
  text: string;
  actual?: unknown;
  missing: boolean;
  message: string;
}

/**
 * Why a customer is, or is not, in a segment
 * (`GET /customers/:id/explain?ruleId=`).
 * @public
 */
export interface CustomerExplanation {
  ruleId: string;
  customerId: string;
  asOf: string;
  /** The evaluator's answer at `asOf`. */
  member: boolean;
  levels: ExplainedLevel[];
  missedByOneCondition: MissedCondition[];
  summary: string;
  /** Membership in the latest stored run, if the segment ran. */
  latestRun?: { resultId: string; asOf: string; member: boolean };
}

/**
 * One audited request (`GET /audit`).
 * @public
 */
export interface AuditRecord {
  id: string;
  at: string;
  actor: string;
  actorType: 'user' | 'service' | 'none';
  action: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  targetType?: string;
  targetId?: string;
  outcome: 'success' | 'denied' | 'failure';
  /** HTTP status of the answer. */
  status?: number;
  requestId: string;
  method?: string;
  path?: string;
  /** Counts and options, never personal data values. */
  meta?: Record<string, unknown>;
}

/**
 * Filters and page of `GET /audit`.
 * @public
 */
export interface ListAuditRequest {
  actor?: string;
  /** Event id(s), comma-separated. */
  action?: string;
  outcome?: AuditRecord['outcome'];
  targetType?: string;
  targetId?: string;
  /** ISO timestamp, inclusive. */
  from?: string;
  /** ISO timestamp, exclusive. */
  to?: string;
  limit?: number;
  offset?: number;
}

/**
 * Member overlap of two segments from their latest results.
 * @public
 */
export interface OverlapPair {
  a: string;
  b: string;
  both: number;
  onlyA: number;
  onlyB: number;
  jaccard: number;
  /** Decided from the rules: every member of A is in B (or the reverse). */
  aContainsB?: boolean;
  bContainsA?: boolean;
}

/**
 * Answer of `GET /overlap?ids=`.
 * @public
 */
export interface OverlapResponse {
  segments: Array<{
    id: string;
    name: string;
    memberCount: number;
    latestResultId?: string;
  }>;
  pairs: OverlapPair[];
}
