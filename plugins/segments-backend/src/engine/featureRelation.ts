import { DAY_MS } from '@internal/plugin-segments-common';
import { sampleFilter } from './sampleBucket';
import { KeyRange, rangeFilter } from './slicing';
import { Aggregate, ALL_AGGREGATES, Dialect, SqlFragment } from './types';

/** Customer columns every feature relation carries. */
export const CUSTOMER_COLUMNS = [
  'country',
  'city',
  'tier',
  'gender',
  'created_at',
  'birth_ymd',
  'attributes',
];

/**
 * Builds the per-customer feature relation at `asOf`: the customer's own
 * columns plus the order aggregates asked for, over completed orders placed at
 * or before `asOf`. Customers without such orders get 0 for sums and counts and
 * NULL for first/last order.
 */
export function featureRelation(options: {
  dialect: Dialect;
  asOf: number;
  aggregates: Iterable<Aggregate>;
  /** Restricts the relation to these customer ids (incremental runs, explanations). */
  customerIds?: string[];
  /** Restricts the relation to the customers of sample buckets below this (sampled previews). */
  sampleBuckets?: number;
  /** Restricts the relation to a range of customer ids (a slice of a run). */
  range?: KeyRange;
}): SqlFragment {
  const { dialect, asOf } = options;
  const wanted = new Set(options.aggregates);
  const big = (sql: string) =>
    dialect === 'pg' ? `CAST(${sql} AS bigint)` : sql;
  const cols = CUSTOMER_COLUMNS.map(c => `c.${c}`);
  const bindings: any[] = [];
  const aggExprs: string[] = [];
  const aggBindings: any[] = [];
  for (const agg of ALL_AGGREGATES.filter(a => wanted.has(a))) {
    const zero =
      agg.startsWith('spent') ||
      agg === 'total_spent' ||
      agg.startsWith('orders') ||
      agg === 'order_count';
    cols.push(zero ? `COALESCE(a.${agg}, 0) AS ${agg}` : `a.${agg}`);
    const m = /^(spent|orders)_(\d+)d$/.exec(agg);
    if (m) {
      const value = m[1] === 'spent' ? 'o.amount' : '1';
      aggExprs.push(
        `SUM(CASE WHEN o.ordered_at > ${big(
          '?',
        )} THEN ${value} ELSE 0 END) AS ${agg}`,
      );
      aggBindings.push(asOf - Number(m[2]) * DAY_MS);
    } else {
      const expression = {
        total_spent: 'SUM(o.amount)',
        order_count: 'COUNT(*)',
        first_order_at: 'MIN(o.ordered_at)',
        last_order_at: 'MAX(o.ordered_at)',
      }[agg as 'total_spent'];
      aggExprs.push(`${expression} AS ${agg}`);
    }
  }
  const { customerIds, sampleBuckets } = options;
  const range = (alias: 'c' | 'o') =>
    rangeFilter(alias === 'o' ? 'o.customer_id' : 'c.id', options.range ?? {});
  const idFilter = (alias: 'c' | 'o') => {
    const filter = sampleFilter(alias, sampleBuckets) + range(alias).sql;
    if (!customerIds) return filter;
    if (customerIds.length === 0) return `${filter} AND 1 = 0`;
    const column = alias === 'o' ? 'o.customer_id' : 'c.id';
    return `${filter} AND ${column} IN (${customerIds
      .map(() => '?')
      .join(', ')})`;
  };
  const idBindings = (alias: 'c' | 'o') => [
    ...range(alias).bindings,
    ...(customerIds ?? []),
  ];
  const restricted =
    customerIds !== undefined ||
    sampleBuckets !== undefined ||
    options.range !== undefined;
  let sql = `SELECT c.id AS customer_id, ${cols.join(', ')} FROM customers c`;
  if (aggExprs.length) {
    sql +=
      ` LEFT JOIN (SELECT o.customer_id, ${aggExprs.join(', ')} FROM orders o` +
      ` WHERE o.status = 'completed' AND o.ordered_at <= ${big('?')}${idFilter(
        'o',
      )}` +
      ` GROUP BY o.customer_id) a ON a.customer_id = c.id`;
    bindings.push(...aggBindings, asOf, ...idBindings('o'));
  }
  if (restricted) {
    sql += ` WHERE 1 = 1${idFilter('c')}`;
    bindings.push(...idBindings('c'));
  }
  return { sql, bindings };
}
