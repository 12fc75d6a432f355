/** Data types a segment field can have. @public */
export type SegmentDataType = 'string' | 'number' | 'date' | 'boolean' | 'array';

/** Comparison operators of a leaf condition. @public */
export type SegmentOperator =
  | 'eq'
  | 'ne'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'in'
  | 'notIn'
  | 'between'
  | 'notBetween'
  | 'contains'
  | 'startsWith'
  | 'containsAll'
  | 'isEmpty'
  | 'isNotEmpty';

/** A single comparison, e.g. `totalSpent gt 100000`. @public */
export interface SegmentLeafCondition {
  id?: string;
  field: string;
  operator: SegmentOperator;
  /** Omitted for `isEmpty` / `isNotEmpty`; a list for `in`, `notIn`, `containsAll`, `between`. */
  value?: unknown;
  dataType: SegmentDataType;
  not?: boolean;
}

/** A nested group of conditions joined by one logical operator. @public */
export interface SegmentGroupCondition {
  id?: string;
  logicalOperator: 'AND' | 'OR';
  subConditions: SegmentCondition[];
  not?: boolean;
}

/** A node of a rule tree. @public */
export type SegmentCondition = SegmentLeafCondition | SegmentGroupCondition;

/** When a segment runs on its own. @public */
export interface SegmentSchedule {
  frequency: 'daily' | 'weekly' | 'monthly';
  /** Wall-clock time `HH:mm` in `timezone`. */
  time: string;
  /** IANA zone, e.g. `Asia/Taipei`. */
  timezone: string;
  /** 1 (Monday) to 7 (Sunday), for weekly schedules. */
  dayOfWeek?: number;
  /** 1 to 31, for monthly schedules. */
  dayOfMonth?: number;
}

/** Lifecycle status of a segment rule. @public */
export type SegmentStatus = 'active' | 'inactive' | 'draft';

/** A stored segment definition (PRD §4.1). @public */
export interface SegmentRule {
  id: string;
  name: string;
  description: string;
  status: SegmentStatus;
  /** 1 is the highest priority. */
  priority: number;
  conditions: SegmentCondition[];
  logicalOperator: 'AND' | 'OR';
  parentSegmentId?: string;
  childSegments?: string[];
  schedule?: SegmentSchedule;
  /**
   * Groups (or users) the segment is shared with, as entity refs, e.g.
   * `group:default/marketing`; a permission policy may let them read it.
   */
  visibility?: string[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  lastExecutedAt?: string;
}

/** The fields a client sends to create or replace a rule. @public */
export type SegmentRuleInput = Pick<
  SegmentRule,
  'name' | 'conditions' | 'logicalOperator'
> &
  Partial<
    Pick<
      SegmentRule,
      'description' | 'status' | 'priority' | 'parentSegmentId' | 'schedule' | 'visibility'
    >
  >;

/** A problem found in a rule, with the path of the offending node. @public */
export interface RuleValidationError {
  /** e.g. `conditions[1].subConditions[0].value` */
  path: string;
  message: string;
}

/** Status of an execution. @public */
export type ExecutionStatus =
  | 'queued'
  | 'running'
  | 'success'
  | 'partial'
  | 'failed';

/** One line of an execution's log. @public */
export interface ExecutionLogEntry {
  at: string;
  level: 'info' | 'warn' | 'error';
  message: string;
  segmentRuleId?: string;
}

/** A run of one segment or of every active segment. @public */
export interface SegmentExecution {
  id: string;
  segmentRuleId?: string;
  /** `full` evaluates every customer; `incremental` only customers whose data changed. */
  kind: 'full' | 'incremental';
  status: ExecutionStatus;
  /** Attempt number (1-based) and how many attempts are allowed before the run stays failed. */
  attempt: number;
  maxAttempts: number;
  /** When the next attempt of a failed run starts (retry with exponential backoff). */
  nextAttemptAt?: string;
  /** Customers re-evaluated by an incremental run. */
  customerCount?: number;
  asOf: string;
  progress: { processed: number; total: number };
  startedAt?: string;
  finishedAt?: string;
  error?: string;
  createdBy: string;
  log: ExecutionLogEntry[];
}

/** The outcome of one segment in one execution (PRD §4.1 SegmentResult). @public */
export interface SegmentResult {
  id: string;
  segmentRuleId: string;
  executionId: string;
  customerCount: number;
  executedAt: string;
  /** Milliseconds. */
  executionTime: number;
  status: 'success' | 'partial' | 'failed';
  changes: { added: number; removed: number; maintained: number };
  statistics: {
    avgOrderValue: number | null;
    totalRevenue: number;
    orderCount: number;
    /** Share of members (0..1) without a completed order in the 90 days before the run's `asOf`. */
    churnRate: number | null;
  };
}

/** A customer as ingested. Optional fields stay absent when unknown. @public */
export interface Customer {
  id: string;
  name?: string;
  email?: string;
  phone?: string;
  country?: string;
  city?: string;
  tier?: string;
  gender?: string;
  /** YYYY-MM-DD */
  birthDate?: string;
  /** ISO timestamp */
  createdAt: string;
  attributes?: Record<string, string | number | boolean>;
  /**
   * The customer objected to marketing (GDPR art. 21, PDPA art. 20): left out
   * of member lists read `forMarketing` and of syncs. Absent: never stated
   * (not opted out); an upsert without it keeps the stored choice.
   */
  marketingOptOut?: boolean;
}

/**
 * Everything stored about one customer (`GET /data/customers/:id/export`),
 * for GDPR art. 15 / PDPA art. 3 access requests. @public
 */
export interface CustomerDataExport {
  exportedAt: string;
  /** The profile with personal data decrypted; `marketingOptOut` always present. */
  customer: Customer;
  orders: Order[];
  segments: {
    /** The customer's highest-priority segment of the last run. */
    primarySegment?: { segmentId: string; segmentName?: string; executionId: string };
    /**
     * Every spell of membership, current and past: joined in run `joinedRun`
     * of the segment, left in `leftRun` (dates while those results are kept).
     */
    memberships: Array<{
      segmentId: string;
      segmentName?: string;
      current: boolean;
      joinedRun: number;
      joinedAt?: string;
      leftRun?: number;
      leftAt?: string;
    }>;
  };
  /** How the data is stored and what is derived from it. */
  processing: {
    /** Fields stored encrypted (AES-256-GCM). */
    storedEncrypted: Array<'name' | 'email' | 'phone' | 'birthDate'>;
    encryptionKeyId?: string;
    /** Whether a keyed hash of the email is stored for lookups. */
    emailLookupHash: boolean;
    /** The clear value derived from the birth date for age conditions (YYYYMMDD, or YYYYMM99 at month precision). */
    ageIndex?: { value: number; precision: 'day' | 'month' };
    createdAt: string;
    updatedAt: string;
    /** Executions in progress that hold working rows about the customer. */
    runsInProgress: string[];
    /** The customer's data changed since this time and awaits an incremental run. */
    pendingChangeSince?: string;
  };
}

/** Order status; only completed orders count for segment features. @public */
export type OrderStatus = 'completed' | 'refunded' | 'cancelled';

/** An order as ingested. @public */
export interface Order {
  id: string;
  customerId: string;
  /** ISO timestamp */
  orderedAt: string;
  amount: number;
  currency?: string;
  status: OrderStatus;
  category?: string;
  channel?: string;
}

/** Answer of the bulk ingestion endpoints. @public */
export interface IngestResponse {
  accepted: number;
  rejected: Array<{
    index: number;
    id?: string;
    errors: Array<{ field: string; message: string }>;
  }>;
}

/** A field a condition can use, as listed by `GET /fields`. @public */
export interface SegmentFieldInfo {
  name: string;
  label: string;
  dataType: SegmentDataType;
  operators: SegmentOperator[];
  group: 'customer' | 'orders' | 'attributes';
  description?: string;
  /** Known values for enumerations (country, tier, categories, ...). */
  values?: string[];
}

/**
 * How a sampled preview estimated its count (`POST /rules/preview` above
 * `segments.preview.sampleAbove` customers): the rule ran on
 * `sampledCustomers` customers (a fixed hash sample), `matchedInSample` of
 * them matched, and the count over all customers lies in [low, high] with the
 * given confidence (0.95).
 * @public
 */
export interface PreviewEstimate {
  sampledCustomers: number;
  matchedInSample: number;
  low: number;
  high: number;
  confidence: number;
}
