import { Knex } from 'knex';
import { randomUUID } from 'crypto';
import { LoggerService } from '@backstage/backend-plugin-api';
import { SegmentRule } from '@internal/plugin-segments-common';
import { ExecutionStore } from '../database/ExecutionStore';
import { RuleStore } from '../database/RuleStore';
import { dialectOf, num } from '../database/util';
import { compileRule, CompiledPredicate, RuleLevel } from './compileRule';
import { CUSTOMER_COLUMNS, featureRelation } from './featureRelation';
import { ancestry } from './hierarchy';
import { ALL_AGGREGATES, Dialect } from './types';

/** A customer shown in previews and member lists. */
export interface CustomerSample {
  id: string;
  name?: string;
  country?: string;
  tier?: string;
  totalSpent: number;
}

/** Answer of a preview. */
export interface PreviewResult {
  estimatedCount: number;
  totalCustomers: number;
  sample: CustomerSample[];
  durationMs: number;
}

const SAMPLE_SIZE = 20;

/**
 * Evaluates segments inside the database: previews, and executions that
 * compute features once, evaluate every segment of the run against them and
 * merge the members into memberships with set-based diffs.
 */
export class SegmentEngine {
  private readonly dialect: Dialect;

  private constructor(
    private readonly db: Knex,
    private readonly rules: RuleStore,
    private readonly executions: ExecutionStore,
    private readonly logger: LoggerService,
    private readonly retention: number,
  ) {
    this.dialect = dialectOf(db);
  }

  static create(options: {
    database: Knex;
    rules: RuleStore;
    executions: ExecutionStore;
    logger: LoggerService;
    /** Results kept per segment. */
    retention?: number;
  }) {
    return new SegmentEngine(
      options.database,
      options.rules,
      options.executions,
      options.logger,
      options.retention ?? 50,
    );
  }

  /** The hierarchy levels (root first) whose conditions a rule's members must meet. */
  async levelsFor(rule: RuleLevel & { parentSegmentId?: string }): Promise<RuleLevel[]> {
    if (!rule.parentSegmentId) return [rule];
    const parents = await this.rules.getParents();
    const chain = ancestry(rule.parentSegmentId, parents);
    const byId = new Map((await this.rules.getRules(chain)).map(r => [r.id, r]));
    return [...chain.map(id => byId.get(id)!).filter(Boolean), rule];
  }

  /** Counts and samples the customers a rule would select at `asOf`. */
  async preview(options: { levels: RuleLevel[]; asOf: number }): Promise<PreviewResult> {
    const started = Date.now();
    const pred = compileRule({ dialect: this.dialect, asOf: options.asOf, levels: options.levels });
    const rel = featureRelation({ dialect: this.dialect, asOf: options.asOf, aggregates: pred.aggregates });
    const rows = await this.db.raw(
      `SELECT f.customer_id, COUNT(*) OVER () AS total FROM (${rel.sql}) f WHERE ${pred.sql} ORDER BY f.customer_id LIMIT ${SAMPLE_SIZE}`,
      [...rel.bindings, ...pred.bindings],
    );
    const list = rowsOf(rows);
    const [{ n }] = await this.db('customers').count({ n: '*' });
    return {
      estimatedCount: list.length ? num(list[0].total) : 0,
      totalCustomers: num(n),
      sample: await this.describeCustomers(list.map(r => r.customer_id), options.asOf),
      durationMs: Date.now() - started,
    };
  }

  /** Name, country, tier and total spent of a few customers, in the given order. */
  async describeCustomers(ids: string[], asOf: number): Promise<CustomerSample[]> {
    if (!ids.length) return [];
    const rel = featureRelation({ dialect: this.dialect, asOf, aggregates: ['total_spent'], customerIds: ids });
    const rows = rowsOf(
      await this.db.raw(
        `SELECT f.customer_id, c.name, f.country, f.tier, f.total_spent FROM (${rel.sql}) f JOIN customers c ON c.id = f.customer_id`,
        rel.bindings,
      ),
    );
    const byId = new Map(rows.map(r => [r.customer_id, r]));
    return ids
      .filter(id => byId.has(id))
      .map(id => {
        const r = byId.get(id);
        const s: CustomerSample = { id, totalSpent: num(r.total_spent) };
        if (r.name !== null) s.name = r.name;
        if (r.country !== null) s.country = r.country;
        if (r.tier !== null) s.tier = r.tier;
        return s;
      });
  }

  /**
   * Runs a queued execution to the end. Errors of one segment are recorded on
   * the execution and do not stop the others (the run ends `partial`).
   */
  async runExecution(executionId: string): Promise<void> {
    const execution = await this.executions.getExecution(executionId);
    if (!execution) return;
    const asOf = Date.parse(execution.asOf);
    const log = (level: 'info' | 'warn' | 'error', message: string, segmentRuleId?: string) =>
      this.executions.log(executionId, { level, message, segmentRuleId });
    try {
      const segments = execution.segmentRuleId
        ? await this.rules.getRules([execution.segmentRuleId])
        : await this.rules.listActiveRules();
      await this.executions.setStatus(executionId, 'running', { total: segments.length });
      await log('info', `started: ${segments.length} segment(s) as of ${execution.asOf}`);
      const compiled = new Map<string, CompiledPredicate>();
      for (const rule of segments) {
        compiled.set(rule.id, compileRule({ dialect: this.dialect, asOf, levels: await this.levelsFor(rule) }));
      }
      const featureStart = Date.now();
      await this.materializeFeatures(executionId, asOf);
      await log('info', `computed customer features in ${Date.now() - featureStart} ms`);
      let failed = 0;
      for (const [i, rule] of segments.entries()) {
        try {
          const summary = await this.runSegment(executionId, rule, compiled.get(rule.id)!, asOf);
          await log('info', `${rule.name}: ${summary}`, rule.id);
        } catch (error) {
          failed++;
          this.logger.error(`Segment ${rule.id} failed in execution ${executionId}`, error as Error);
          await log('error', `${rule.name}: failed: ${(error as Error).message}`, rule.id);
        }
        await this.executions.setProgress(executionId, i + 1);
      }
      await this.assignPrimarySegments(executionId);
      const status = failed === 0 ? 'success' : failed === segments.length ? 'failed' : 'partial';
      await log(status === 'success' ? 'info' : 'error', `finished: ${status}`);
      await this.executions.setStatus(executionId, status, failed ? { error: `${failed} segment(s) failed` } : {});
    } catch (error) {
      this.logger.error(`Execution ${executionId} failed`, error as Error);
      await log('error', `failed: ${(error as Error).message}`);
      await this.executions.setStatus(executionId, 'failed', { error: (error as Error).message });
    } finally {
      await this.db('segment_run_features').where({ execution_id: executionId }).delete();
      await this.db('segment_run_members').where({ execution_id: executionId }).delete();
    }
  }

  /** One scan of customers and orders for the whole run. */
  private async materializeFeatures(executionId: string, asOf: number) {
    const rel = featureRelation({ dialect: this.dialect, asOf, aggregates: ALL_AGGREGATES });
    const columns = ['customer_id', ...CUSTOMER_COLUMNS, ...ALL_AGGREGATES];
    await this.db.transaction(async tx => {
      await tx('segment_run_features').where({ execution_id: executionId }).delete();
      await tx.raw(
        `INSERT INTO segment_run_features (execution_id, ${columns.join(', ')}) SELECT ?, ${columns
          .map(c => `f.${c}`)
          .join(', ')} FROM (${rel.sql}) f`,
        [executionId, ...rel.bindings],
      );
    });
  }

  /** Evaluates one segment and merges its members in one transaction. */
  private async runSegment(executionId: string, rule: SegmentRule, pred: CompiledPredicate, asOf: number) {
    const started = Date.now();
    return this.db.transaction(async tx => {
      const staged = { execution_id: executionId, segment_rule_id: rule.id };
      await tx('segment_run_members').where(staged).delete();
      await tx.raw(
        `INSERT INTO segment_run_members (execution_id, segment_rule_id, customer_id)
         SELECT ?, ?, f.customer_id FROM segment_run_features f WHERE f.execution_id = ? AND ${pred.sql}`,
        [executionId, rule.id, executionId, ...pred.bindings],
      );
      const [{ seq: lastSeq }] = await tx('segment_results').where({ segment_rule_id: rule.id }).max({ seq: 'seq' });
      const seq = (lastSeq === null || lastSeq === undefined ? 0 : num(lastSeq)) + 1;
      await tx.raw(
        `UPDATE segment_memberships SET to_seq = ? WHERE segment_rule_id = ? AND to_seq IS NULL
         AND NOT EXISTS (SELECT 1 FROM segment_run_members s WHERE s.execution_id = ? AND s.segment_rule_id = ? AND s.customer_id = segment_memberships.customer_id)`,
        [seq, rule.id, executionId, rule.id],
      );
      await tx.raw(
        `INSERT INTO segment_memberships (segment_rule_id, customer_id, from_seq)
         SELECT ?, s.customer_id, ? FROM segment_run_members s WHERE s.execution_id = ? AND s.segment_rule_id = ?
         AND NOT EXISTS (SELECT 1 FROM segment_memberships m WHERE m.segment_rule_id = ? AND m.to_seq IS NULL AND m.customer_id = s.customer_id)`,
        [rule.id, seq, executionId, rule.id, rule.id],
      );
      const [counts] = rowsOf(
        await tx.raw(
          `SELECT COUNT(*) AS members, SUM(CASE WHEN from_seq = ? THEN 1 ELSE 0 END) AS added
           FROM segment_memberships WHERE segment_rule_id = ? AND to_seq IS NULL`,
          [seq, rule.id],
        ),
      );
      const [{ removed }] = await tx('segment_memberships')
        .where({ segment_rule_id: rule.id, to_seq: seq })
        .count({ removed: '*' });
      const [stats] = rowsOf(
        await tx.raw(
          `SELECT SUM(f.total_spent) AS revenue, SUM(f.order_count) AS orders,
             SUM(CASE WHEN f.orders_90d = 0 THEN 1 ELSE 0 END) AS churned
           FROM segment_run_members s JOIN segment_run_features f
             ON f.execution_id = s.execution_id AND f.customer_id = s.customer_id
           WHERE s.execution_id = ? AND s.segment_rule_id = ?`,
          [executionId, rule.id],
        ),
      );
      const members = num(counts.members);
      const added = num(counts.added ?? 0);
      const revenue = num(stats.revenue ?? 0);
      const orders = num(stats.orders ?? 0);
      const resultId = randomUUID();
      const now = Date.now();
      await tx('segment_results').insert({
        id: resultId,
        segment_rule_id: rule.id,
        execution_id: executionId,
        seq,
        customer_count: members,
        executed_at: now,
        as_of: asOf,
        execution_time_ms: now - started,
        status: 'success',
        added,
        removed: num(removed),
        maintained: members - added,
        total_revenue: revenue,
        order_count: orders,
        avg_order_value: orders > 0 ? revenue / orders : null,
        churn_rate: members > 0 ? num(stats.churned) / members : null,
      });
      await tx('segment_rules').where({ id: rule.id }).update({ latest_result_id: resultId, last_executed_at: now });
      await tx('segment_run_members').where(staged).delete();
      await this.prune(tx, rule.id, seq);
      return `${members} members (+${added} / -${num(removed)}) in ${now - started} ms`;
    });
  }

  /** Keeps the newest `retention` results of a segment and the spells they need. */
  private async prune(tx: Knex.Transaction, ruleId: string, seq: number) {
    const oldestKept = seq - this.retention + 1;
    if (oldestKept <= 1) return;
    await tx('segment_results').where({ segment_rule_id: ruleId }).where('seq', '<', oldestKept).delete();
    await tx('segment_memberships').where({ segment_rule_id: ruleId }).where('to_seq', '<', oldestKept).delete();
  }

  /**
   * Gives every customer one primary segment: among the active root segments
   * it belongs to, the lowest priority number, ties to the earlier-created.
   */
  private async assignPrimarySegments(executionId: string) {
    await this.db.transaction(async tx => {
      await tx('customer_primary_segments').delete();
      await tx.raw(
        `INSERT INTO customer_primary_segments (customer_id, segment_rule_id, execution_id)
         SELECT customer_id, segment_rule_id, ? FROM (
           SELECT m.customer_id, m.segment_rule_id,
             ROW_NUMBER() OVER (PARTITION BY m.customer_id ORDER BY r.priority, r.created_at, r.id) AS rn
           FROM segment_memberships m JOIN segment_rules r ON r.id = m.segment_rule_id
           WHERE m.to_seq IS NULL AND r.parent_segment_id IS NULL AND r.status = 'active'
         ) ranked WHERE rn = 1`,
        [executionId],
      );
    });
  }
}

/** Rows of a raw query on either driver. */
export function rowsOf(result: any): any[] {
  return Array.isArray(result) ? result : result.rows;
}
