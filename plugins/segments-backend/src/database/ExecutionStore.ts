import { Knex } from 'knex';
import { randomUUID } from 'crypto';
import {
  ExecutionLogEntry,
  ExecutionStatus,
  SegmentExecution,
} from '@internal/plugin-segments-common';
import { num, optIso, parseJson } from './util';

/** What starts an execution. */
export interface NewExecution {
  segmentRuleId?: string;
  asOf: number;
  createdBy: string;
  maxAttempts?: number;
  /** Incremental runs re-evaluate only these customers, for every active rule. */
  customerIds?: string[];
}

/** Storage of executions, their checkpoints and logs. */
export interface ExecutionStore {
  createExecution(options: NewExecution): Promise<string>;
  getExecution(id: string): Promise<SegmentExecution | undefined>;
  /** The customers of an incremental run. */
  getCustomerIds(id: string): Promise<string[] | undefined>;
  listExecutions(options: {
    segmentRuleId?: string;
    limit: number;
  }): Promise<SegmentExecution[]>;
  /** The queued or running execution that covers this rule, if any. */
  findActive(segmentRuleId: string | undefined): Promise<string | undefined>;
  setStatus(
    id: string,
    status: ExecutionStatus,
    fields?: { error?: string | null; total?: number },
  ): Promise<void>;
  setProgress(id: string, processed: number): Promise<void>;
  log(id: string, entry: Omit<ExecutionLogEntry, 'at'>): Promise<void>;
  /** Marks executions as alive; a run whose heartbeat goes stale was orphaned by a dead process. */
  heartbeat(ids: string[]): Promise<void>;
  /** Queued or running executions whose heartbeat is older than `staleBefore`. */
  findOrphaned(staleBefore: number): Promise<string[]>;
  /** Queues the next attempt of a failed run. */
  scheduleRetry(id: string, nextAttemptAt: number): Promise<void>;
  /** When the run's features were computed (its first checkpoint), if they were. */
  getFeaturesAt(id: string): Promise<number | undefined>;
  setFeaturesAt(
    tx: Knex.Transaction,
    id: string,
    at: number | null,
  ): Promise<void>;
}

/** Knex implementation of {@link ExecutionStore}. */
export class DatabaseExecutionStore implements ExecutionStore {
  private constructor(private readonly db: Knex) {}

  static create(options: { database: Knex }) {
    return new DatabaseExecutionStore(options.database);
  }

  async createExecution(options: NewExecution) {
    const id = randomUUID();
    const now = Date.now();
    await this.db('segment_executions').insert({
      id,
      segment_rule_id: options.segmentRuleId ?? null,
      kind: options.customerIds ? 'incremental' : 'full',
      status: 'queued',
      as_of: options.asOf,
      created_by: options.createdBy,
      created_at: now,
      heartbeat_at: now,
      max_attempts: options.maxAttempts ?? 1,
      customer_ids: options.customerIds
        ? JSON.stringify(options.customerIds)
        : null,
    });
    return id;
  }

  async getExecution(id: string) {
    const row = await this.db('segment_executions').where({ id }).first();
    if (!row) return undefined;
    const logs = await this.db('segment_execution_logs')
      .where({ execution_id: id })
      .orderBy('id');
    return rowToExecution(row, logs);
  }

  async getCustomerIds(id: string) {
    const row = await this.db('segment_executions')
      .where({ id })
      .first('customer_ids');
    return parseJson<string[]>(row?.customer_ids);
  }

  async listExecutions(options: { segmentRuleId?: string; limit: number }) {
    const q = this.db('segment_executions')
      .orderBy('created_at', 'desc')
      .limit(options.limit);
    if (options.segmentRuleId) {
      // Runs of all segments cover this one too.
      q.where(w =>
        w
          .where({ segment_rule_id: options.segmentRuleId })
          .orWhereNull('segment_rule_id'),
      );
    }
    return (await q).map(r => rowToExecution(r, []));
  }

  async findActive(segmentRuleId: string | undefined) {
    const row = await this.db('segment_executions')
      .whereIn('status', ['queued', 'running'])
      .where('kind', 'full')
      .where(q =>
        segmentRuleId
          ? q
              .where({ segment_rule_id: segmentRuleId })
              .orWhereNull('segment_rule_id')
          : q,
      )
      .orderBy('created_at')
      .first('id');
    return row?.id;
  }

  async setStatus(
    id: string,
    status: ExecutionStatus,
    fields: { error?: string | null; total?: number } = {},
  ) {
    const now = Date.now();
    await this.db('segment_executions')
      .where({ id })
      .update({
        status,
        heartbeat_at: now,
        ...(status === 'running'
          ? { started_at: now, next_attempt_at: null }
          : {}),
        ...(['success', 'partial', 'failed'].includes(status)
          ? { finished_at: now }
          : {}),
        ...(fields.error !== undefined ? { error: fields.error } : {}),
        ...(fields.total !== undefined ? { total: fields.total } : {}),
      });
  }

  async setProgress(id: string, processed: number) {
    await this.db('segment_executions')
      .where({ id })
      .update({ processed, heartbeat_at: Date.now() });
  }

  async log(id: string, entry: Omit<ExecutionLogEntry, 'at'>) {
    await this.db('segment_execution_logs').insert({
      execution_id: id,
      at: Date.now(),
      level: entry.level,
      message: entry.message,
      segment_rule_id: entry.segmentRuleId ?? null,
    });
  }

  async heartbeat(ids: string[]) {
    // Only unfinished executions: a finished one is left as it ended.
    if (ids.length)
      await this.db('segment_executions')
        .whereIn('id', ids)
        .whereIn('status', ['queued', 'running'])
        .update({ heartbeat_at: Date.now() });
  }

  async findOrphaned(staleBefore: number) {
    const rows = await this.db('segment_executions')
      .whereIn('status', ['queued', 'running'])
      .where(q =>
        q.whereNull('heartbeat_at').orWhere('heartbeat_at', '<', staleBefore),
      )
      .orderBy('created_at')
      .select('id');
    return rows.map(r => r.id);
  }

  async scheduleRetry(id: string, nextAttemptAt: number) {
    await this.db('segment_executions')
      .where({ id })
      .update({
        status: 'queued',
        attempt: this.db.raw('attempt + 1'),
        next_attempt_at: nextAttemptAt,
        finished_at: null,
        heartbeat_at: Date.now(),
      });
  }

  async getFeaturesAt(id: string) {
    const row = await this.db('segment_executions')
      .where({ id })
      .first('features_at');
    return row?.features_at === null || row?.features_at === undefined
      ? undefined
      : num(row.features_at);
  }

  async setFeaturesAt(tx: Knex.Transaction, id: string, at: number | null) {
    await tx('segment_executions').where({ id }).update({ features_at: at });
  }
}

function rowToExecution(row: any, logs: any[]): SegmentExecution {
  const e: SegmentExecution = {
    id: row.id,
    kind: row.kind ?? 'full',
    status: row.status,
    attempt: num(row.attempt ?? 1),
    maxAttempts: num(row.max_attempts ?? 1),
    asOf: optIso(row.as_of)!,
    progress: { processed: num(row.processed), total: num(row.total) },
    createdBy: row.created_by,
    log: logs.map(l => ({
      at: optIso(l.at)!,
      level: l.level,
      message: l.message,
      ...(l.segment_rule_id ? { segmentRuleId: l.segment_rule_id } : {}),
    })),
  };
  if (row.segment_rule_id) e.segmentRuleId = row.segment_rule_id;
  if (row.started_at) e.startedAt = optIso(row.started_at);
  if (row.finished_at) e.finishedAt = optIso(row.finished_at);
  if (row.next_attempt_at) e.nextAttemptAt = optIso(row.next_attempt_at);
  if (row.error) e.error = row.error;
  const ids = parseJson<string[]>(row.customer_ids);
  if (ids) e.customerCount = ids.length;
  return e;
}
