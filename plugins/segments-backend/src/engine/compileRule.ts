import {
  comparable,
  DAY_MS,
  getFieldDefinition,
  isGroupCondition,
  SegmentCondition,
  SegmentLeafCondition,
  toYmd,
} from '@internal/plugin-segments-common';
import { sampleFilter } from './sampleBucket';
import { joinSql, Param, sql } from './sqlFragment';
import { Aggregate, Dialect, SqlFragment } from './types';

/** A compiled predicate over the feature relation aliased `f`. */
export interface CompiledPredicate extends SqlFragment {
  /** Order aggregates the predicate reads from `f`. */
  aggregates: Set<Aggregate>;
}

/** One level of a segment hierarchy: its own conditions and how they join. */
export interface RuleLevel {
  conditions: SegmentCondition[];
  logicalOperator: 'AND' | 'OR';
}

type ScalarType = 'string' | 'number' | 'date' | 'boolean';

interface Ctx {
  dialect: Dialect;
  asOf: number;
  aggregates: Set<Aggregate>;
  sampleBuckets?: number;
}

const SIMPLE_COLUMNS: Record<string, string> = {
  country: 'country',
  city: 'city',
  tier: 'tier',
  gender: 'gender',
  createdAt: 'created_at',
};

const AGGREGATE_FIELDS: Record<string, Aggregate> = {
  totalSpent: 'total_spent',
  orderCount: 'order_count',
  firstOrderAt: 'first_order_at',
  lastOrderAt: 'last_order_at',
  spentLast30d: 'spent_30d',
  spentLast90d: 'spent_90d',
  spentLast365d: 'spent_365d',
  ordersLast30d: 'orders_30d',
  ordersLast90d: 'orders_90d',
  ordersLast365d: 'orders_365d',
};

const PG_TYPES: Record<ScalarType, string> = {
  string: 'text',
  number: 'double precision',
  date: 'bigint',
  boolean: 'boolean',
};

/**
 * Compiles a segment's conditions, and those of its ancestors (a child's
 * members are its parent's members that also meet its own conditions), into
 * one parameterized predicate over the feature relation `f`. Every leaf is
 * two-valued (`x IS NOT NULL AND x op ?`), so `NOT` never meets SQL's NULL.
 */
export function compileRule(options: {
  dialect: Dialect;
  asOf: number;
  levels: RuleLevel[];
  /** The feature relation holds only these sample buckets: order lookups may say so too. */
  sampleBuckets?: number;
}): CompiledPredicate {
  const { dialect, asOf, sampleBuckets } = options;
  const ctx: Ctx = { dialect, asOf, aggregates: new Set(), sampleBuckets };
  const parts = options.levels.map(l => compileList(l.conditions, l.logicalOperator, ctx));
  return { ...joinSql(parts, ' AND '), aggregates: ctx.aggregates };
}

function compileList(conditions: SegmentCondition[], op: 'AND' | 'OR', ctx: Ctx): SqlFragment {
  const inner = joinSql(conditions.map(c => compileNode(c, ctx)), ` ${op} `);
  return sql`(${inner})`;
}

function compileNode(c: SegmentCondition, ctx: Ctx): SqlFragment {
  const inner = isGroupCondition(c)
    ? compileList(c.subConditions, c.logicalOperator, ctx)
    : compileLeaf(c, ctx);
  return c.not ? sql`(NOT ${inner})` : inner;
}

function param(ctx: Ctx, value: unknown, type: ScalarType): Param {
  if (ctx.dialect === 'sqlite') {
    // better-sqlite3 cannot bind booleans, and binds every JS number as REAL:
    // epoch ms and YYYYMMDD values must be INTEGER so that day and age
    // divisions round down as in TypeScript and PostgreSQL.
    if (type === 'date') return new Param(value, 'INTEGER');
    return new Param(typeof value === 'boolean' ? Number(value) : value);
  }
  return new Param(value, PG_TYPES[type]);
}

/** The SQL expression of a scalar field; NULL when the customer has no value. */
function fieldExpression(c: SegmentLeafCondition, ctx: Ctx): SqlFragment {
  const { field } = c;
  if (SIMPLE_COLUMNS[field]) return sql`f.${SIMPLE_COLUMNS[field]}`;
  if (AGGREGATE_FIELDS[field]) {
    ctx.aggregates.add(AGGREGATE_FIELDS[field]);
    return sql`f.${AGGREGATE_FIELDS[field]}`;
  }
  if (field === 'age') {
    const ymd = param(ctx, toYmd(ctx.asOf), 'date');
    return sql`(CASE WHEN f.birth_ymd <= ${ymd} THEN (${ymd} - f.birth_ymd) / 10000 END)`;
  }
  if (field === 'avgOrderValue') {
    ctx.aggregates.add('total_spent').add('order_count');
    return sql`(CASE WHEN f.order_count > 0 THEN f.total_spent / f.order_count END)`;
  }
  if (field === 'daysSinceLastOrder') {
    ctx.aggregates.add('last_order_at');
    return sql`((${param(ctx, ctx.asOf, 'date')} - f.last_order_at) / ${DAY_MS})`;
  }
  const key = field.slice('attributes.'.length);
  return attributeExpression(key, c.dataType as 'string' | 'number' | 'boolean', ctx);
}

function attributeExpression(key: string, type: 'string' | 'number' | 'boolean', ctx: Ctx): SqlFragment {
  if (ctx.dialect === 'sqlite') {
    const path = param(ctx, `$."${key}"`, 'string');
    const jsonTypes = { string: `('text')`, number: `('integer', 'real')`, boolean: `('true', 'false')` }[type];
    const value =
      type === 'boolean'
        ? sql`(json_type(f.attributes, ${path}) = 'true')`
        : sql`json_extract(f.attributes, ${path})`;
    return sql`(CASE WHEN json_type(f.attributes, ${path}) IN ${jsonTypes} THEN ${value} END)`;
  }
  const k = param(ctx, key, 'string');
  const jsonType = { string: 'string', number: 'number', boolean: 'boolean' }[type];
  return sql`(CASE WHEN jsonb_typeof(f.attributes -> ${k}) = '${jsonType}' THEN CAST(f.attributes ->> ${k} AS ${PG_TYPES[type]}) END)`;
}

function compileLeaf(c: SegmentLeafCondition, ctx: Ctx): SqlFragment {
  const def = getFieldDefinition(c.field, c.dataType)!;
  if (def.dataType === 'array') return compileCategories(c, ctx);
  const type = def.dataType as ScalarType;
  const x = fieldExpression(c, ctx);
  if (c.operator === 'isEmpty') return sql`(${x} IS NULL)`;
  if (c.operator === 'isNotEmpty') return sql`(${x} IS NOT NULL)`;
  const v = (value: unknown) => param(ctx, comparable(value, type), type);
  const list = () => joinSql((c.value as unknown[]).map(i => sql`${v(i)}`), ', ');
  let test: SqlFragment;
  switch (c.operator) {
    case 'eq': test = sql`${x} = ${v(c.value)}`; break;
    case 'ne': test = sql`${x} <> ${v(c.value)}`; break;
    case 'gt': test = sql`${x} > ${v(c.value)}`; break;
    case 'gte': test = sql`${x} >= ${v(c.value)}`; break;
    case 'lt': test = sql`${x} < ${v(c.value)}`; break;
    case 'lte': test = sql`${x} <= ${v(c.value)}`; break;
    case 'in': test = sql`${x} IN (${list()})`; break;
    case 'notIn': test = sql`${x} NOT IN (${list()})`; break;
    case 'between':
    case 'notBetween': {
      const [lo, hi] = c.value as unknown[];
      const inside = sql`(${x} >= ${v(lo)} AND ${x} <= ${v(hi)})`;
      test = c.operator === 'between' ? inside : sql`NOT ${inside}`;
      break;
    }
    case 'contains':
      test = ctx.dialect === 'pg' ? sql`strpos(${x}, ${v(c.value)}) > 0` : sql`instr(${x}, ${v(c.value)}) > 0`;
      break;
    case 'startsWith':
      test =
        ctx.dialect === 'pg'
          ? sql`starts_with(${x}, ${v(c.value)})`
          : sql`substr(${x}, 1, length(${v(c.value)})) = ${v(c.value)}`;
      break;
    default:
      throw new Error(`Unsupported operator ${c.operator}`);
  }
  return sql`(${x} IS NOT NULL AND ${test})`;
}

function compileCategories(c: SegmentLeafCondition, ctx: Ctx): SqlFragment {
  const asOf = param(ctx, ctx.asOf, 'date');
  // A sampled customer's orders are in its sample bucket: saying so lets the lookup use the sample index.
  const counted = sql`FROM orders o WHERE o.customer_id = f.customer_id AND o.status = 'completed' AND o.ordered_at <= ${asOf} AND o.category IS NOT NULL${sampleFilter('o', ctx.sampleBuckets)}`;
  const values = [...new Set((c.value as string[] | undefined) ?? [])];
  const list = joinSql(values.map(v => sql`${param(ctx, v, 'string')}`), ', ');
  switch (c.operator) {
    case 'in': return sql`EXISTS (SELECT 1 ${counted} AND o.category IN (${list}))`;
    case 'notIn': return sql`(NOT EXISTS (SELECT 1 ${counted} AND o.category IN (${list})))`;
    case 'containsAll':
      return sql`((SELECT COUNT(DISTINCT o.category) ${counted} AND o.category IN (${list})) = ${values.length})`;
    case 'isEmpty': return sql`(NOT EXISTS (SELECT 1 ${counted}))`;
    case 'isNotEmpty': return sql`EXISTS (SELECT 1 ${counted})`;
    default: throw new Error(`Unsupported operator ${c.operator}`);
  }
}
