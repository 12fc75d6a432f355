import { JsonObject } from '@backstage/types';
import { Knex } from 'knex';
import { num } from '../database/util';

/** How an audited request ended. @public */
export type AuditOutcome = 'success' | 'denied' | 'failure';

/** One audited request, as stored and served by `GET /audit`. No personal data values. @public */
export interface AuditRecord {
  id: string;
  /** ISO timestamp. */
  at: string;
  /** User entity ref or service subject (e.g. `segments-api-client` for the static API token). */
  actor: string;
  actorType: 'user' | 'service' | 'none';
  /** Auditor event id, e.g. `rule-update`, `members-read`. */
  action: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  /** `rule`, `result`, `customer`, `execution`, ... */
  targetType?: string;
  targetId?: string;
  outcome: AuditOutcome;
  /** HTTP status of a refused or failed request (absent for successes). */
  status?: number;
  requestId: string;
  method?: string;
  /** Request path without the query string. */
  path?: string;
  /** Counts and options (never personal data values). */
  meta?: JsonObject;
}

/** A record to store; `id` is assigned by the store. */
export type NewAuditRecord = Omit<AuditRecord, 'id' | 'at'> & { at: number };

/** Filters of {@link AuditStore.list}. */
export interface ListAuditOptions {
  actor?: string;
  action?: string[];
  outcome?: AuditOutcome;
  targetType?: string;
  targetId?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  limit: number;
  offset: number;
}

/** Storage of the plugin's audit trail. */
export interface AuditStore {
  record(record: NewAuditRecord): Promise<void>;
  list(options: ListAuditOptions): Promise<{ items: AuditRecord[]; totalCount: number }>;
  /** Deletes records older than `before` (epoch ms); returns how many. */
  prune(before: number): Promise<number>;
}

const MAX_META_CHARS = 2000;

/** Knex implementation of {@link AuditStore} over `segment_audit_events`. */
export class DatabaseAuditStore implements AuditStore {
  private constructor(private readonly db: Knex) {}

  static create(options: { database: Knex }) {
    return new DatabaseAuditStore(options.database);
  }

  async record(r: NewAuditRecord): Promise<void> {
    let meta = r.meta && Object.keys(r.meta).length ? JSON.stringify(r.meta) : null;
    if (meta && meta.length > MAX_META_CHARS) meta = JSON.stringify({ truncated: true });
    await this.db('segment_audit_events').insert({
      at: r.at,
      actor: clip(r.actor, 255) || 'unknown',
      actor_type: r.actorType,
      action: clip(r.action, 100),
      severity: r.severity,
      target_type: clip(r.targetType, 50) ?? null,
      target_id: clip(r.targetId, 255) ?? null,
      outcome: r.outcome,
      status: r.status ?? null,
      request_id: clip(r.requestId, 100),
      method: clip(r.method, 10) ?? null,
      path: clip(r.path, 500) ?? null,
      meta: meta ? clean(meta) : null,
    });
  }

  async list(options: ListAuditOptions) {
    const filtered = () => {
      const q = this.db('segment_audit_events');
      if (options.actor) q.where('actor', options.actor);
      if (options.action?.length) q.whereIn('action', options.action);
      if (options.outcome) q.where('outcome', options.outcome);
      if (options.targetType) q.where('target_type', options.targetType);
      if (options.targetId) q.where('target_id', options.targetId);
      if (options.from !== undefined) q.where('at', '>=', options.from);
      if (options.to !== undefined) q.where('at', '<', options.to);
      return q;
    };
    const [{ n }] = await filtered().count({ n: '*' });
    const rows = await filtered()
      .orderBy([{ column: 'at', order: 'desc' }, { column: 'id', order: 'desc' }])
      .limit(options.limit)
      .offset(options.offset)
      .select('*');
    return { items: rows.map(rowToRecord), totalCount: num(n) };
  }

  async prune(before: number): Promise<number> {
    return this.db('segment_audit_events').where('at', '<', before).delete();
  }
}

/** Shortens to `max` characters and drops NUL characters (PostgreSQL text cannot hold them). */
function clip<T extends string | undefined>(value: T, max: number): T {
  if (value === undefined) return value;
  return clean(value).slice(0, max) as T;
}

function clean(value: string) {
  return value.split('\u0000').join('');
}

function rowToRecord(row: any): AuditRecord {
  const record: AuditRecord = {
    id: String(row.id),
    at: new Date(num(row.at)).toISOString(),
    actor: row.actor,
    actorType: row.actor_type,
    action: row.action,
    severity: row.severity,
    outcome: row.outcome,
    requestId: row.request_id,
  };
  if (row.target_type) record.targetType = row.target_type;
  if (row.target_id) record.targetId = row.target_id;
  if (row.status !== null && row.status !== undefined) record.status = num(row.status);
  if (row.method) record.method = row.method;
  if (row.path) record.path = row.path;
  if (row.meta) {
    try {
      record.meta = JSON.parse(row.meta);
    } catch {
      // Stored by this class as JSON; ignore anything else.
    }
  }
  return record;
}
