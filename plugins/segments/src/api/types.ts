import type {
  LintIssue,
  PreviewEstimate,
  RuleValidationError,
  SegmentResult,
  SegmentRule,
} from '@internal/plugin-segments-common';

/**
 * A page of a server-side list.
 * @public
 */
export interface Page<T> {
  items: T[];
  totalCount: number;
}

/**
 * Summary of a segment's latest run, as listed with each rule.
 * @public
 */
export interface LatestResultSummary {
  resultId: string;
  customerCount: number;
  added: number;
  removed: number;
  executedAt: string;
  status: string;
}

/**
 * A segment rule as the API returns it, with its latest run when it has one.
 * @public
 */
export type SegmentRuleWithResult = SegmentRule & {
  latestResult?: LatestResultSummary;
};

/**
 * Filters of `GET /rules`.
 * @public
 */
export interface ListRulesRequest {
  status?: SegmentRule['status'];
  search?: string;
  limit?: number;
  offset?: number;
}

/**
 * A customer as shown in previews and member lists.
 * @public
 */
export interface CustomerSample {
  id: string;
  name?: string;
  country?: string;
  tier?: string;
  totalSpent: number;
}

/**
 * Body of `POST /rules/preview`. `rule` may be incomplete or invalid: the
 * answer then carries the validation errors instead of a count.
 * @public
 */
export interface PreviewRequest {
  rule: unknown;
  /** ISO timestamp; defaults to now on the server. */
  asOf?: string;
  /** The stored rule being edited: not reported as a duplicate of itself. */
  ruleId?: string;
  /** Count every customer even where the server would estimate from a sample. */
  exact?: boolean;
}

/**
 * The count part of a preview of a valid rule.
 * @public
 */
export interface PreviewCount {
  /** Exact, or estimated from a sample when `exact` is false. */
  estimatedCount: number;
  /** False when the count is an estimate (large customer bases); see `estimate`. */
  exact?: boolean;
  estimate?: PreviewEstimate;
  totalCustomers: number;
  /** The first customers by id, at most 20. */
  sample: CustomerSample[];
  durationMs: number;
  /**
   * Findings about the rule: contradictions, always-true or redundant
   * conditions, stored segments selecting the same customers, and why
   * nothing matches. Errors block saving unless forced.
   */
  lint?: LintIssue[];
}

/**
 * Answer of `POST /rules/preview`: a count for a valid rule, validation
 * errors (with paths) for an invalid one.
 * @public
 */
export type PreviewResponse =
  | { validation: { valid: false; errors: RuleValidationError[] } }
  | (PreviewCount & { validation: { valid: true; errors: [] } });

/**
 * Options of saving a rule.
 * @public
 */
export interface SaveRuleOptions {
  /** Save even when the rule contradicts itself or duplicates a stored segment. */
  force?: boolean;
}

/**
 * Answer of the execute endpoints (202).
 * @public
 */
export interface ExecuteResponse {
  executionId: string;
}

/**
 * A result with its sequence number and evaluation time, as `GET /results/:id` returns it.
 * @public
 */
export type SegmentResultDetail = SegmentResult & { seq: number; asOf: string };

/**
 * Which list of a change report.
 * @public
 */
export type ChangeType = 'added' | 'removed' | 'maintained';

/**
 * Counts of the customer and order data, from `GET /data/stats`.
 * @public
 */
export interface DataStats {
  customers: number;
  orders: number;
  ordersByStatus: Record<string, number>;
  firstOrderAt?: string;
  lastOrderAt?: string;
}
