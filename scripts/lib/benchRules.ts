import { DAY_MS, SegmentCondition, SegmentRuleInput, toYmd } from '@internal/plugin-segments-common';

const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const APAC = ['TW', 'JP', 'SG', 'HK', 'KR'];
const PREVIEW_CATEGORIES = ['electronics', 'home', 'beauty'];

/**
 * The benchmark's 12-condition rule: a root AND with a nested OR holding an
 * AND group, windows (90 days), purchased categories, age, custom attributes
 * of three types and a negated leaf.
 */
export function twelveConditionRule(asOf: number): SegmentRuleInput {
  const conditions: SegmentCondition[] = [
    { field: 'country', operator: 'in', value: APAC, dataType: 'string' },
    { field: 'tier', operator: 'in', value: ['silver', 'gold', 'platinum'], dataType: 'string' },
    {
      logicalOperator: 'OR',
      subConditions: [
        { field: 'totalSpent', operator: 'gt', value: 15000, dataType: 'number' },
        {
          logicalOperator: 'AND',
          subConditions: [
            { field: 'ordersLast90d', operator: 'gte', value: 2, dataType: 'number' },
            { field: 'spentLast90d', operator: 'gt', value: 3000, dataType: 'number' },
          ],
        },
      ],
    },
    { field: 'daysSinceLastOrder', operator: 'lte', value: 180, dataType: 'number' },
    { field: 'categories', operator: 'in', value: PREVIEW_CATEGORIES, dataType: 'array' },
    { field: 'age', operator: 'between', value: [25, 60], dataType: 'number' },
    {
      logicalOperator: 'OR',
      subConditions: [
        { field: 'attributes.newsletter', operator: 'eq', value: true, dataType: 'boolean' },
        { field: 'attributes.loyaltyPoints', operator: 'gte', value: 5000, dataType: 'number' },
      ],
    },
    { field: 'createdAt', operator: 'lt', value: ymd(asOf - 90 * DAY_MS), dataType: 'date' },
    { field: 'attributes.source', operator: 'eq', value: 'ads', dataType: 'string', not: true },
  ];
  return {
    name: 'Bench: engaged APAC mid/high tier (12 conditions)',
    description: 'benchmark rule',
    status: 'active',
    priority: 10,
    logicalOperator: 'AND',
    conditions,
  };
}

/**
 * The same count as {@link twelveConditionRule}, written by hand as one SQL
 * statement: one pass over the completed orders computing only the
 * aggregates the rule needs (categories included), joined to the customers
 * with the customer-side filters written directly. Semantics are the engine's
 * (two-valued leaves, integer days and ages, windows `asOf - N days < t <= asOf`).
 */
export function handWrittenCount(dialect: 'pg' | 'sqlite', asOf: number): { sql: string; bindings: unknown[] } {
  const t90 = asOf - 90 * DAY_MS;
  // daysSinceLastOrder <= 180  <=>  floor((asOf - last) / day) <= 180  <=>  last > asOf - 181 days
  const t181 = asOf - 181 * DAY_MS;
  const today = toYmd(asOf);
  const created = Date.parse(`${ymd(asOf - 90 * DAY_MS)}T00:00:00Z`);
  const list = (values: string[]) => values.map(v => `'${v}'`).join(', ');
  if (dialect === 'pg') {
    return {
      sql: `SELECT COUNT(*) AS n
FROM customers c
JOIN (
  SELECT customer_id,
         SUM(amount) AS total_spent,
         COUNT(*) FILTER (WHERE ordered_at > ${t90}) AS orders_90d,
         SUM(amount) FILTER (WHERE ordered_at > ${t90}) AS spent_90d,
         MAX(ordered_at) AS last_order_at,
         bool_or(category IN (${list(PREVIEW_CATEGORIES)})) AS has_category
  FROM orders
  WHERE status = 'completed' AND ordered_at <= ${asOf}
  GROUP BY customer_id
) o ON o.customer_id = c.id
WHERE c.country IN (${list(APAC)})
  AND c.tier IN ('silver', 'gold', 'platinum')
  AND (o.total_spent > 15000 OR (o.orders_90d >= 2 AND o.spent_90d > 3000))
  AND o.last_order_at > ${t181}
  AND o.has_category
  AND c.birth_ymd <= ${today - 250000} AND c.birth_ymd > ${today - 610000}
  AND (c.attributes @> '{"newsletter": true}'
       OR (jsonb_typeof(c.attributes -> 'loyaltyPoints') = 'number' AND (c.attributes ->> 'loyaltyPoints')::numeric >= 5000))
  AND c.created_at < ${created}
  AND NOT COALESCE(c.attributes @> '{"source": "ads"}', false)`,
      bindings: [],
    };
  }
  return {
    sql: `SELECT COUNT(*) AS n
FROM customers c
JOIN (
  SELECT customer_id,
         SUM(amount) AS total_spent,
         SUM(ordered_at > ${t90}) AS orders_90d,
         SUM(CASE WHEN ordered_at > ${t90} THEN amount END) AS spent_90d,
         MAX(ordered_at) AS last_order_at,
         MAX(category IN (${list(PREVIEW_CATEGORIES)})) AS has_category
  FROM orders
  WHERE status = 'completed' AND ordered_at <= ${asOf}
  GROUP BY customer_id
) o ON o.customer_id = c.id
WHERE c.country IN (${list(APAC)})
  AND c.tier IN ('silver', 'gold', 'platinum')
  AND (o.total_spent > 15000 OR (o.orders_90d >= 2 AND o.spent_90d > 3000))
  AND o.last_order_at > ${t181}
  AND o.has_category = 1
  AND c.birth_ymd <= ${today - 250000} AND c.birth_ymd > ${today - 610000}
  AND (json_type(c.attributes, '$.newsletter') = 'true'
       OR (json_type(c.attributes, '$.loyaltyPoints') IN ('integer', 'real') AND json_extract(c.attributes, '$.loyaltyPoints') >= 5000))
  AND c.created_at < ${created}
  AND NOT COALESCE(json_type(c.attributes, '$.source') = 'text' AND json_extract(c.attributes, '$.source') = 'ads', 0)`,
    bindings: [],
  };
}

/** Counts the leaves of a rule (the "conditions" of the benchmark's name). */
export function countLeaves(conditions: SegmentCondition[]): number {
  return conditions.reduce(
    (n, c) => n + ('subConditions' in c && c.subConditions ? countLeaves(c.subConditions) : 1),
    0,
  );
}

/**
 * Ten active rules for the full run: the PRD's VIP rule, windows, churn risk,
 * new and never-buying customers, categories, attributes, a parent with a
 * child segment (hierarchy) and the 12-condition rule. `parent` marks the one
 * whose `parentSegmentId` is set to the rule named by it.
 */
export function fullRunRules(asOf: number): Array<SegmentRuleInput & { parent?: string }> {
  const rule = (
    name: string,
    priority: number,
    logicalOperator: 'AND' | 'OR',
    conditions: SegmentCondition[],
    parent?: string,
  ): SegmentRuleInput & { parent?: string } => ({
    name,
    description: 'benchmark rule',
    status: 'active',
    priority,
    logicalOperator,
    conditions,
    ...(parent ? { parent } : {}),
  });
  return [
    rule('Bench: VIP', 1, 'AND', [
      { field: 'totalSpent', operator: 'gt', value: 100000, dataType: 'number' },
      { field: 'daysSinceLastOrder', operator: 'lte', value: 30, dataType: 'number' },
    ]),
    rule('Bench: high value last year', 2, 'AND', [
      { field: 'spentLast365d', operator: 'gte', value: 30000, dataType: 'number' },
    ]),
    rule('Bench: churn risk', 3, 'AND', [
      { field: 'orderCount', operator: 'gte', value: 3, dataType: 'number' },
      { field: 'daysSinceLastOrder', operator: 'between', value: [90, 365], dataType: 'number' },
    ]),
    rule('Bench: new customers', 4, 'AND', [
      { field: 'createdAt', operator: 'gte', value: ymd(asOf - 90 * DAY_MS), dataType: 'date' },
    ]),
    rule('Bench: never bought', 5, 'OR', [
      { field: 'orderCount', operator: 'eq', value: 0, dataType: 'number' },
      { field: 'categories', operator: 'isEmpty', dataType: 'array' },
    ]),
    rule('Bench: active electronics buyers', 6, 'AND', [
      { field: 'categories', operator: 'in', value: ['electronics'], dataType: 'array' },
      { field: 'ordersLast90d', operator: 'gte', value: 1, dataType: 'number' },
    ]),
    rule('Bench: TW newsletter', 7, 'AND', [
      { field: 'country', operator: 'eq', value: 'TW', dataType: 'string' },
      { field: 'attributes.newsletter', operator: 'eq', value: true, dataType: 'boolean' },
    ]),
    rule('Bench: gold and platinum APAC', 8, 'AND', [
      { field: 'tier', operator: 'in', value: ['gold', 'platinum'], dataType: 'string' },
      { field: 'country', operator: 'in', value: APAC, dataType: 'string' },
    ]),
    rule(
      'Bench: loyal gold and platinum APAC (child)',
      9,
      'OR',
      [
        { field: 'ordersLast365d', operator: 'gte', value: 5, dataType: 'number' },
        { field: 'attributes.loyaltyPoints', operator: 'gte', value: 10000, dataType: 'number' },
      ],
      'Bench: gold and platinum APAC',
    ),
    { ...twelveConditionRule(asOf), priority: 10 },
  ];
}
