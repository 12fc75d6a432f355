import { Knex } from 'knex';
import {
  Customer,
  Order,
  SegmentCondition,
} from '@internal/plugin-segments-common';
import { dialectOf, num, optIso, parseJson } from '../database/util';
import { compileRule, CompiledPredicate, RuleLevel } from './compileRule';
import { featureRelation } from './featureRelation';
import { rowsOf } from './rowsOf';
import { CustomerSample, SegmentEngine } from './SegmentEngine';
import { Aggregate, Dialect } from './types';

const SAMPLE_SIZE = 20;

/** Pairwise member counts of current memberships. */
export interface OverlapCount {
  a: string;
  b: string;
  count: number;
}

/** How a rule edit would change a segment's current members. */
export interface MembershipChange {
  added: { count: number; sample: CustomerSample[] };
  removed: { count: number; sample: CustomerSample[] };
  unchanged: number;
  /** Members now (open memberships of the latest runs). */
  currentCount: number;
  /** Members under the edited rule at `asOf`. */
  proposedCount: number;
}

/** For a preview without matches: how many customers each top-level condition lets through. */
export interface NoMatchBreakdown {
  /** Customers meeting the ancestors' conditions (child segments only). */
  parentCount?: number;
  conditions: Array<{
    /** `conditions[i]` of the rule. */
    path: string;
    /** Customers meeting this condition (and the ancestors') on its own. */
    alone: number;
    /** Customers meeting every other condition (AND rules with several conditions). */
    without?: number;
  }>;
}

/**
 * Set-based analyses of segments in SQL, next to the engine: overlaps of
 * current memberships, the effect of a rule edit on the current members, which
 * conditions eliminate everybody, and a customer's own data for explanations.
 */
export class SegmentAnalysis {
  private readonly dialect: Dialect;

  private constructor(
    private readonly db: Knex,
    private readonly engine: SegmentEngine,
  ) {
    this.dialect = dialectOf(db);
  }

  static create(options: { database: Knex; engine: SegmentEngine }) {
    return new SegmentAnalysis(options.database, options.engine);
  }

  /**
   * Member counts of every pair (a <= b, including a = b: the segment's size)
   * among `ids`, from current memberships, in one query.
   */
  async overlap(ids: string[]): Promise<OverlapCount[]> {
    if (!ids.length) return [];
    const list = ids.map(() => '?').join(', ');
    const rows = rowsOf(
      await this.db.raw(
        `SELECT a.segment_rule_id AS a, b.segment_rule_id AS b, COUNT(*) AS n
         FROM segment_memberships a
         JOIN segment_memberships b ON b.customer_id = a.customer_id AND b.to_seq IS NULL
           AND b.segment_rule_id IN (${list}) AND b.segment_rule_id >= a.segment_rule_id
         WHERE a.to_seq IS NULL AND a.segment_rule_id IN (${list})
         GROUP BY a.segment_rule_id, b.segment_rule_id`,
        [...ids, ...ids],
      ),
    );
    return rows.map(r => ({ a: String(r.a), b: String(r.b), count: num(r.n) }));
  }

  /**
   * Compares the members of a rule edit (its levels evaluated at `asOf`) with
   * the segment's current members, in one query: counts of added, removed and
   * unchanged customers and the first customers (by id) added and removed.
   */
  async previewChange(options: {
    ruleId: string;
    levels: RuleLevel[];
    asOf: number;
  }): Promise<MembershipChange> {
    const pred = compileRule({
      dialect: this.dialect,
      asOf: options.asOf,
      levels: options.levels,
    });
    const rel = featureRelation({
      dialect: this.dialect,
      asOf: options.asOf,
      aggregates: pred.aggregates,
    });
    const rows = rowsOf(
      await this.db.raw(
        `WITH proposed AS (SELECT f.customer_id FROM (${rel.sql}) f WHERE ${pred.sql}),
         current_members AS (
           SELECT m.customer_id FROM segment_memberships m WHERE m.segment_rule_id = ? AND m.to_seq IS NULL
         ),
         diff AS (
           SELECT p.customer_id, CASE WHEN c.customer_id IS NULL THEN 'added' ELSE 'unchanged' END AS change
           FROM proposed p LEFT JOIN current_members c ON c.customer_id = p.customer_id
           UNION ALL
           SELECT c.customer_id, 'removed' AS change
           FROM current_members c LEFT JOIN proposed p ON p.customer_id = c.customer_id
           WHERE p.customer_id IS NULL
         ),
         ranked AS (
           SELECT customer_id, change,
             ROW_NUMBER() OVER (PARTITION BY change ORDER BY customer_id) AS rn,
             COUNT(*) OVER (PARTITION BY change) AS total
           FROM diff
         )
         SELECT customer_id, change, total FROM ranked
         WHERE rn <= ${SAMPLE_SIZE} AND (change <> 'unchanged' OR rn = 1)
         ORDER BY change, customer_id`,
        [...rel.bindings, ...pred.bindings, options.ruleId],
      ),
    );
    const total = (change: string) =>
      num(rows.find(r => r.change === change)?.total ?? 0);
    const ids = (change: string) =>
      rows.filter(r => r.change === change).map(r => String(r.customer_id));
    const [addedSample, removedSample] = await Promise.all([
      this.engine.describeCustomers(ids('added'), options.asOf),
      this.engine.describeCustomers(ids('removed'), options.asOf),
    ]);
    const added = total('added');
    const removed = total('removed');
    const unchanged = total('unchanged');
    return {
      added: { count: added, sample: addedSample },
      removed: { count: removed, sample: removedSample },
      unchanged,
      currentCount: removed + unchanged,
      proposedCount: added + unchanged,
    };
  }

  /**
   * For a rule that matches nobody: per top-level condition, how many
   * customers it lets through on its own and how many would match without it,
   * in one scan.
   */
  async noMatchBreakdown(options: {
    levels: RuleLevel[];
    asOf: number;
  }): Promise<NoMatchBreakdown> {
    const { asOf } = options;
    const parents = options.levels.slice(0, -1);
    const own = options.levels[options.levels.length - 1];
    const compile = (levels: RuleLevel[]) =>
      compileRule({ dialect: this.dialect, asOf, levels });
    const parts: Array<{ key: string; pred: CompiledPredicate }> = [];
    if (parents.length) parts.push({ key: 'parent', pred: compile(parents) });
    own.conditions.forEach((c: SegmentCondition, i: number) => {
      parts.push({
        key: `alone${i}`,
        pred: compile([
          ...parents,
          { conditions: [c], logicalOperator: 'AND' },
        ]),
      });
      if (own.logicalOperator === 'AND' && own.conditions.length > 1) {
        const others = own.conditions.filter((_, j) => j !== i);
        parts.push({
          key: `without${i}`,
          pred: compile([
            ...parents,
            { conditions: others, logicalOperator: 'AND' },
          ]),
        });
      }
    });
    const aggregates = new Set<Aggregate>(
      parts.flatMap(p => [...p.pred.aggregates]),
    );
    const rel = featureRelation({ dialect: this.dialect, asOf, aggregates });
    const sums = parts
      .map((p, i) => `SUM(CASE WHEN ${p.pred.sql} THEN 1 ELSE 0 END) AS c${i}`)
      .join(', ');
    const [row] = rowsOf(
      await this.db.raw(`SELECT ${sums} FROM (${rel.sql}) f`, [
        ...parts.flatMap(p => p.pred.bindings),
        ...rel.bindings,
      ]),
    );
    const value = (key: string) => {
      const i = parts.findIndex(p => p.key === key);
      return i < 0 ? undefined : num(row?.[`c${i}`] ?? 0);
    };
    return {
      ...(parents.length ? { parentCount: value('parent') } : {}),
      conditions: own.conditions.map((_, i) => {
        const without = value(`without${i}`);
        return {
          path: `conditions[${i}]`,
          alone: value(`alone${i}`)!,
          ...(without === undefined ? {} : { without }),
        };
      }),
    };
  }

  /**
   * A customer's segment-relevant data and all of its orders. No personal
   * data is decrypted: instead of the (encrypted) birth date it returns the
   * clear `birth_ymd` from which SQL computes ages (at day or month precision).
   */
  async loadCustomerData(
    id: string,
  ): Promise<
    { customer: Customer; orders: Order[]; birthYmd?: number } | undefined
  > {
    const row = await this.db('customers')
      .where({ id })
      .first(
        'id',
        'country',
        'city',
        'tier',
        'gender',
        'birth_ymd',
        'created_at',
        'attributes',
      );
    if (!row) return undefined;
    const customer: Customer = {
      id: row.id,
      createdAt: optIso(row.created_at)!,
    };
    for (const key of ['country', 'city', 'tier', 'gender'] as const) {
      if (row[key] !== null && row[key] !== undefined) customer[key] = row[key];
    }
    const attributes = parseJson<Customer['attributes']>(row.attributes);
    if (attributes) customer.attributes = attributes;
    const orders: Order[] = (
      await this.db('orders')
        .where({ customer_id: id })
        .select('id', 'ordered_at', 'amount', 'status', 'category')
    ).map(o => ({
      id: o.id,
      customerId: id,
      orderedAt: optIso(o.ordered_at)!,
      amount: num(o.amount),
      status: o.status,
      ...(o.category !== null && o.category !== undefined
        ? { category: o.category }
        : {}),
    }));
    const birthYmd =
      row.birth_ymd === null || row.birth_ymd === undefined
        ? undefined
        : num(row.birth_ymd);
    return {
      customer,
      orders,
      ...(birthYmd === undefined ? {} : { birthYmd }),
    };
  }

  /** Whether a customer is a current member of a segment (open membership). */
  async isMember(ruleId: string, customerId: string): Promise<boolean> {
    const row = await this.db('segment_memberships')
      .where({ segment_rule_id: ruleId, customer_id: customerId })
      .whereNull('to_seq')
      .first('customer_id');
    return !!row;
  }
}
