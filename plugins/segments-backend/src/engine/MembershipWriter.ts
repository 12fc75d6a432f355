import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import { SegmentRule } from '@internal/plugin-segments-common';
import { affectedRows, num } from '../database/util';
import { CompiledPredicate } from './compileRule';
import { rowsOf } from './rowsOf';
import {
  deleteSliced,
  forEachKeyRange,
  KeyRange,
  rangeFilter,
  slicingOptions,
} from './slicing';

/** Revenue, orders and churned members of a segment's members. */
interface Stats {
  revenue: number;
  orders: number;
  churned: number;
}

/** What one segment's step of a run changed. */
export interface SegmentStepResult {
  resultId?: string;
  seq: number;
  customerCount: number;
  previousCount: number;
  added: number;
  removed: number;
}

/**
 * Writes a segment's members for one run: stages the members the predicate
 * selects from the run's features, then merges them into membership spells
 * with set-based diffs, records the result and prunes history, all in one
 * transaction, so a reader never sees a half-written segment and a crash
 * leaves either the whole step or none of it.
 */
export class MembershipWriter {
  constructor(
    private readonly db: Knex,
    private readonly retention: number,
    private readonly isPg: boolean,
  ) {}

  async writeSegment(options: {
    executionId: string;
    rule: SegmentRule;
    pred: CompiledPredicate;
    asOf: number;
    /** Incremental runs only touch the customers in the run's features. */
    incremental: boolean;
    /** Cancels the SQL when the run's deadline passes (PostgreSQL). */
    timeoutMs?: number;
  }): Promise<SegmentStepResult> {
    const { executionId, rule, pred } = options;
    const started = Date.now();
    const timed = (q: Knex.Raw) =>
      this.isPg && options.timeoutMs !== undefined
        ? q.timeout(Math.max(1, options.timeoutMs), { cancel: true })
        : q;
    const staged = { execution_id: executionId, segment_rule_id: rule.id };
    const stage = (db: Knex, range: KeyRange) => {
      const r = rangeFilter('f.customer_id', range);
      return timed(
        db.raw(
          `INSERT INTO segment_run_members (execution_id, segment_rule_id, customer_id, total_spent, order_count, orders_90d)
           SELECT ?, ?, f.customer_id, f.total_spent, f.order_count, f.orders_90d
           FROM segment_run_features f WHERE f.execution_id = ?${r.sql} AND ${pred.sql}`,
          [executionId, rule.id, executionId, ...r.bindings, ...pred.bindings],
        ),
      );
    };
    if (!this.isPg && slicingOptions().enabled) {
      // better-sqlite3: stage a slice at a time outside the transaction (staged rows are the run's
      // own, redone if it is resumed), so the transaction that readers wait for only merges.
      await deleteSliced(this.db, 'segment_run_members', staged);
      const keys = {
        sql: 'SELECT customer_id AS k FROM segment_run_features WHERE execution_id = ?',
        bindings: [executionId],
      };
      await forEachKeyRange(
        this.db,
        keys,
        async range => void (await stage(this.db, range)),
      );
      // An incremental run's statistics read every member's orders: the members it does not
      // touch are read here, in slices, so that the merge transaction only adds the staged ones.
      const untouched = options.incremental
        ? await this.untouchedStats(executionId, rule.id, options.asOf)
        : undefined;
      const step = await this.db.transaction(tx =>
        this.merge(tx, { ...options, started, untouched }, false),
      );
      await deleteSliced(this.db, 'segment_run_members', staged);
      return step;
    }
    return this.db.transaction(async tx => {
      await tx('segment_run_members').where(staged).delete();
      await stage(tx, {});
      return this.merge(tx, { ...options, started }, true);
    });
  }

  /** Merges the staged members into membership spells and records the result. */
  private async merge(
    tx: Knex.Transaction,
    options: {
      executionId: string;
      rule: SegmentRule;
      asOf: number;
      incremental: boolean;
      timeoutMs?: number;
      started: number;
      /** Incremental runs: statistics of the members outside the run's customers, read beforehand. */
      untouched?: Stats & { members: number };
    },
    deleteStaged: boolean,
  ): Promise<SegmentStepResult> {
    const { executionId, rule, asOf, incremental, started } = options;
    const timed = (q: Knex.Raw) =>
      this.isPg && options.timeoutMs !== undefined
        ? q.timeout(Math.max(1, options.timeoutMs), { cancel: true })
        : q;
    const staged = { execution_id: executionId, segment_rule_id: rule.id };
    const [{ seq: lastSeq }] = await tx('segment_results')
      .where({ segment_rule_id: rule.id })
      .max({ seq: 'seq' });
    const seq =
      (lastSeq === null || lastSeq === undefined ? 0 : num(lastSeq)) + 1;
    const [{ n: previousCount }] = await tx('segment_memberships')
      .where({ segment_rule_id: rule.id })
      .whereNull('to_seq')
      .count({ n: '*' });
    // Without fresh statistics (autovacuum lags behind a run that fills
    // these tables) PostgreSQL plans the anti-joins as nested loops, which
    // are quadratic; hash anti-joins are linear whatever the estimates.
    if (this.isPg && !incremental)
      await tx.raw('SET LOCAL enable_nestloop = off');
    const scope = incremental
      ? `AND segment_memberships.customer_id IN (SELECT f.customer_id FROM segment_run_features f WHERE f.execution_id = ?)`
      : '';
    const removed = affectedRows(
      await timed(
        tx.raw(
          `UPDATE segment_memberships SET to_seq = ? WHERE segment_rule_id = ? AND to_seq IS NULL ${scope}
             AND NOT EXISTS (SELECT 1 FROM segment_run_members s WHERE s.execution_id = ? AND s.segment_rule_id = ? AND s.customer_id = segment_memberships.customer_id)`,
          [
            seq,
            rule.id,
            ...(incremental ? [executionId] : []),
            executionId,
            rule.id,
          ],
        ),
      ),
    );
    const added = affectedRows(
      await timed(
        tx.raw(
          `INSERT INTO segment_memberships (segment_rule_id, customer_id, from_seq)
             SELECT ?, s.customer_id, ? FROM segment_run_members s WHERE s.execution_id = ? AND s.segment_rule_id = ?
             AND NOT EXISTS (SELECT 1 FROM segment_memberships m WHERE m.segment_rule_id = ? AND m.to_seq IS NULL AND m.customer_id = s.customer_id)`,
          [rule.id, seq, executionId, rule.id, rule.id],
        ),
      ),
    );
    const step: SegmentStepResult = {
      seq,
      customerCount: num(previousCount) - removed + added,
      previousCount: num(previousCount),
      added,
      removed,
    };
    // A full run's staged members are exactly the segment's members now; an incremental
    // run's are its members among the run's customers.
    let stats: Stats | undefined;
    if (!incremental)
      stats = await this.statsFromStaged(tx, executionId, rule.id);
    else if (options.untouched) {
      const touched = await this.statsFromStaged(tx, executionId, rule.id);
      const u = options.untouched;
      stats = {
        revenue: u.revenue + touched.revenue,
        orders: u.orders + touched.orders,
        churned: u.churned + touched.churned,
      };
    }
    if (deleteStaged) await tx('segment_run_members').where(staged).delete();
    // An incremental step that changed nothing leaves no result behind.
    if (incremental && step.added === 0 && step.removed === 0) return step;

    const { revenue, orders, churned } =
      stats ?? (await this.statsFromOrders(tx, rule.id, asOf));
    const resultId = randomUUID();
    const now = Date.now();
    await tx('segment_results').insert({
      id: resultId,
      segment_rule_id: rule.id,
      execution_id: executionId,
      seq,
      kind: incremental ? 'incremental' : 'full',
      customer_count: step.customerCount,
      executed_at: now,
      as_of: asOf,
      execution_time_ms: now - started,
      status: 'success',
      added: step.added,
      removed: step.removed,
      maintained: step.customerCount - step.added,
      total_revenue: round2(revenue),
      order_count: orders,
      avg_order_value: orders > 0 ? revenue / orders : null,
      churn_rate: step.customerCount > 0 ? churned / step.customerCount : null,
    });
    await tx('segment_rules')
      .where({ id: rule.id })
      .update({ latest_result_id: resultId, last_executed_at: now });
    await this.prune(tx, rule.id, seq);
    return { ...step, resultId };
  }

  /** Revenue, orders and churned members from the staged members (full runs). */
  private async statsFromStaged(
    tx: Knex.Transaction,
    executionId: string,
    ruleId: string,
  ) {
    const [row] = rowsOf(
      await tx.raw(
        `SELECT SUM(total_spent) AS revenue, SUM(order_count) AS orders,
           SUM(CASE WHEN orders_90d = 0 THEN 1 ELSE 0 END) AS churned
         FROM segment_run_members WHERE execution_id = ? AND segment_rule_id = ?`,
        [executionId, ruleId],
      ),
    );
    return {
      revenue: num(row.revenue ?? 0),
      orders: num(row.orders ?? 0),
      churned: num(row.churned ?? 0),
    };
  }

  /**
   * Statistics from orders of the segment's current members that are not
   * among an incremental run's customers, a slice of customers at a time and
   * outside any transaction (SQLite). The merge leaves these members as they
   * are, so the numbers still hold after it.
   */
  private async untouchedStats(
    executionId: string,
    ruleId: string,
    asOf: number,
  ) {
    const total = { revenue: 0, orders: 0, churned: 0, members: 0 };
    const keys = {
      sql: 'SELECT customer_id AS k FROM segment_memberships WHERE segment_rule_id = ? AND to_seq IS NULL',
      bindings: [ruleId],
    };
    await forEachKeyRange(this.db, keys, async range => {
      const r = rangeFilter('m.customer_id', range);
      const [row] = rowsOf(
        await this.db.raw(
          `SELECT SUM(o.amount) AS revenue, COUNT(o.id) AS orders, COUNT(DISTINCT m.customer_id) AS members,
             COUNT(DISTINCT CASE WHEN o.ordered_at > CAST(? AS INTEGER) THEN m.customer_id END) AS active
           FROM segment_memberships m LEFT JOIN orders o
             ON o.customer_id = m.customer_id AND o.status = 'completed' AND o.ordered_at <= CAST(? AS INTEGER)
           WHERE m.segment_rule_id = ? AND m.to_seq IS NULL${r.sql}
             AND m.customer_id NOT IN (SELECT f.customer_id FROM segment_run_features f WHERE f.execution_id = ?)`,
          [asOf - 90 * 86_400_000, asOf, ruleId, ...r.bindings, executionId],
        ),
      );
      total.revenue += num(row.revenue ?? 0);
      total.orders += num(row.orders ?? 0);
      total.members += num(row.members ?? 0);
      total.churned += num(row.members ?? 0) - num(row.active ?? 0);
    });
    return total;
  }

  /** The same statistics from orders, for incremental runs that only have some customers' features. */
  private async statsFromOrders(
    tx: Knex.Transaction,
    ruleId: string,
    asOf: number,
  ) {
    const big = this.isPg ? 'CAST(? AS bigint)' : 'CAST(? AS INTEGER)';
    const [row] = rowsOf(
      await tx.raw(
        `SELECT SUM(o.amount) AS revenue, COUNT(o.id) AS orders,
           COUNT(DISTINCT CASE WHEN o.ordered_at > ${big} THEN m.customer_id END) AS active
         FROM segment_memberships m LEFT JOIN orders o
           ON o.customer_id = m.customer_id AND o.status = 'completed' AND o.ordered_at <= ${big}
         WHERE m.segment_rule_id = ? AND m.to_seq IS NULL`,
        [asOf - 90 * 86_400_000, asOf, ruleId],
      ),
    );
    const [{ n }] = await tx('segment_memberships')
      .where({ segment_rule_id: ruleId })
      .whereNull('to_seq')
      .count({ n: '*' });
    return {
      revenue: num(row.revenue ?? 0),
      orders: num(row.orders ?? 0),
      churned: num(n) - num(row.active ?? 0),
    };
  }

  /** Keeps the newest `retention` results of a segment and the spells they need. */
  private async prune(tx: Knex.Transaction, ruleId: string, seq: number) {
    const oldestKept = seq - this.retention + 1;
    if (oldestKept <= 1) return;
    await tx('segment_results')
      .where({ segment_rule_id: ruleId })
      .where('seq', '<', oldestKept)
      .delete();
    await tx('segment_memberships')
      .where({ segment_rule_id: ruleId })
      .where('to_seq', '<', oldestKept)
      .delete();
  }

  /**
   * Gives every customer one primary segment: among the active root segments
   * it belongs to, the lowest priority number, ties to the earlier-created.
   * Only rows that change are written (a run every minute would otherwise
   * rewrite a row per customer each time); `execution_id` names the run that
   * last changed a customer's primary segment.
   */
  async assignPrimarySegments(executionId: string) {
    const sliced = !this.isPg && slicingOptions().enabled;
    // better-sqlite3: a transaction per range of customers (a customer's rows never span two), so
    // readers wait for one slice at most; each customer's primary segment still changes atomically.
    await forEachKeyRange(
      this.db,
      { sql: 'SELECT id AS k FROM customers', bindings: [] },
      range =>
        this.db.transaction(async tx => {
          const m = rangeFilter('m.customer_id', range);
          const p = rangeFilter('customer_primary_segments.customer_id', range);
          const rootMembers = `FROM segment_memberships m JOIN segment_rules r ON r.id = m.segment_rule_id
            WHERE m.to_seq IS NULL AND r.parent_segment_id IS NULL AND r.status = 'active'${m.sql}`;
          // Both statements read every open membership: hash joins, whatever the statistics say.
          if (this.isPg) await tx.raw('SET LOCAL enable_nestloop = off');
          await tx.raw(
            `DELETE FROM customer_primary_segments WHERE 1 = 1${p.sql}
             AND NOT EXISTS (SELECT 1 ${rootMembers} AND m.customer_id = customer_primary_segments.customer_id)`,
            [...p.bindings, ...m.bindings],
          );
          await tx.raw(
            `INSERT INTO customer_primary_segments (customer_id, segment_rule_id, execution_id)
             SELECT customer_id, segment_rule_id, ? FROM (
               SELECT m.customer_id, m.segment_rule_id,
                 ROW_NUMBER() OVER (PARTITION BY m.customer_id ORDER BY r.priority, r.created_at, r.id) AS rn
               ${rootMembers}
             ) ranked WHERE rn = 1
             ON CONFLICT (customer_id) DO UPDATE SET segment_rule_id = excluded.segment_rule_id, execution_id = excluded.execution_id
             WHERE customer_primary_segments.segment_rule_id <> excluded.segment_rule_id`,
            [executionId, ...m.bindings],
          );
        }),
      sliced,
    );
  }
}

/** Money rounded to cents: sums of doubles pick up noise in the last bits. */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
