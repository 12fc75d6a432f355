import { Knex } from 'knex';
import { randomUUID } from 'crypto';
import { ExecutionLogEntry, ExecutionStatus, SegmentExecution } from '@internal/plugin-segments-common';
import { num, optIso } from './util';

/** Storage of executions and their logs. */
export interface ExecutionStore {
  createExecution(options: { segmentRuleId?: string; asOf: number; createdBy: string }): Promise<string>;
  getExecution(id: string): Promise<SegmentExecution | undefined>;
  listExecutions(options: { segmentRuleId?: string; limit: number }): Promise<SegmentExecution[]>;
  /** The queued or running execution that covers this rule, if any. */
  findActive(segmentRuleId: string | undefined): Promise<string | undefined>;
  setStatus(id: string, status: ExecutionStatus, fields?: { error?: string; total?: number }): Promise<void>;
  setProgress(id: string, processed: number): Promise<void>;
  log(id: string, entry: Omit<ExecutionLogEntry, 'at'>): Promise<void>;
  /** Marks executions left running by a stopped process as failed; returns their ids. */
  failInterrupted(reason: string): Promise<string[]>;
}

/** Knex implementation of {@link ExecutionStore}. */
export class DatabaseExecutionStore implements ExecutionStore {
  private constructor(private readonly db: Knex) {}

  static create(options: { database: Knex }) {
    return new DatabaseExecutionStore(options.database);
  }

  async createExecution(options: { segmentRuleId?: string; asOf: number; createdBy: string }) {
    const id = randomUUID();
    await this.db('segment_executions').insert({
      id,
      segment_rule_id: options.segmentRuleId ?? null,
      status: 'queued',
      as_of: options.asOf,
      created_by: options.createdBy,
      created_at: Date.now(),
    });
    return id;
  }

  async getExecution(id: string) {
    const row = await this.db('segment_executions').where({ id }).first();
    if (!row) return undefined;
    const logs = await this.db('segment_execution_logs').where({ execution_id: id }).orderBy('id');
    return rowToExecution(row, logs);
  }

  async listExecutions(options: { segmentRuleId?: string; limit: number }) {
    const q = this.db('segment_executions').orderBy('created_at', 'desc').limit(options.limit);
    if (options.segmentRuleId) q.where({ segment_rule_id: options.segmentRuleId });
    return (await q).map(r => rowToExecution(r, []));
  }

  async findActive(segmentRuleId: string | undefined) {
    const row = await this.db('segment_executions')
      .whereIn('status', ['queued', 'running'])
      .where(q => (segmentRuleId ? q.where({ segment_rule_id: segmentRuleId }).orWhereNull('segment_rule_id') : q))
      .orderBy('created_at')
      .first('id');
    return row?.id;
  }

  async setStatus(id: string, status: ExecutionStatus, fields: { error?: string; total?: number } = {}) {
    const now = Date.now();
    await this.db('segment_executions')
      .where({ id })
      .update({
        status,
        ...(status === 'running' ? { started_at: now } : {}),
        ...(['success', 'partial', 'failed'].includes(status) ? { finished_at: now } : {}),
        ...(fields.error !== undefined ? { error: fields.error } : {}),
        ...(fields.total !== undefined ? { total: fields.total } : {}),
      });
  }

  async setProgress(id: string, processed: number) {
    await this.db('segment_executions').where({ id }).update({ processed });
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

  async failInterrupted(reason: string) {
    const rows = await this.db('segment_executions').whereIn('status', ['queued', 'running']).select('id');
    for (const { id } of rows) {
      await this.setStatus(id, 'failed', { error: reason });
      await this.log(id, { level: 'error', message: reason });
    }
    return rows.map(r => r.id);
  }
}

function rowToExecution(row: any, logs: any[]): SegmentExecution {
  const e: SegmentExecution = {
    id: row.id,
    status: row.status,
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
  if (row.error) e.error = row.error;
  return e;
}
