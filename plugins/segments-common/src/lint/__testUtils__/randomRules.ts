import { DAY_MS } from '../../dates';
import {
  Customer,
  Order,
  SegmentCondition,
  SegmentOperator,
} from '../../types';
import { LintRuleInput } from '../types';
import { c } from './builders';

/** A small seedable PRNG (mulberry32). */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) =>
      min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)],
    chance: (p: number) => next() < p,
  };
}
export type Rng = ReturnType<typeof rng>;

/** The evaluation time of the random data sets. */
export const AS_OF = Date.UTC(2025, 5, 15, 12);
const day = (d: number) => new Date(AS_OF - d * DAY_MS).toISOString();
const dayDate = (d: number) => day(d).slice(0, 10);

const COUNTRIES = ['TW', 'JP', 'US'];
const TIERS = ['gold', 'silver'];
const CATS = ['books', 'toys', 'home', 'sports'];
const PLANS = ['free', 'pro', 'pro-plus'];

/** Value pools are small and close together, so random rules often conflict. */
const NUMBER_FIELDS: Record<string, number[]> = {
  orderCount: [0, 1, 2, 3, 5],
  ordersLast30d: [0, 1, 2],
  ordersLast90d: [0, 1, 2, 3],
  ordersLast365d: [0, 1, 3],
  totalSpent: [0, 50, 100, 250, 500],
  spentLast30d: [0, 50, 100],
  spentLast90d: [0, 100, 200],
  spentLast365d: [0, 100, 300],
  avgOrderValue: [0, 50, 100, 150],
  daysSinceLastOrder: [0, 10, 29, 30, 89, 90, 364, 365, 400],
  age: [18, 25, 30, 31, 40, 65],
  'attributes.points:number': [0, 5, 10],
};
const DATE_FIELDS: Record<string, string[]> = {
  createdAt: [dayDate(700), dayDate(300), dayDate(30), day(100)],
  firstOrderAt: [dayDate(400), dayDate(200), dayDate(60), day(10)],
  lastOrderAt: [dayDate(400), dayDate(90), dayDate(30), day(5)],
};
const STRING_FIELDS: Record<string, string[]> = {
  country: COUNTRIES,
  tier: TIERS,
  'attributes.plan:string': PLANS,
  'attributes.vip:string': ['yes', 'no'],
};
const BOOL_FIELDS = ['attributes.vip:boolean', 'attributes.newsletter:boolean'];

function randomLeaf(r: Rng, fields: string[]): SegmentCondition {
  const field = r.pick(fields);
  const negate = r.chance(0.2);
  if (field in NUMBER_FIELDS || field in DATE_FIELDS) {
    const pool: unknown[] = NUMBER_FIELDS[field] ?? DATE_FIELDS[field];
    const isDate = field in DATE_FIELDS;
    const ops: SegmentOperator[] = isDate
      ? [
          'eq',
          'ne',
          'gt',
          'gte',
          'lt',
          'lte',
          'between',
          'notBetween',
          'isEmpty',
          'isNotEmpty',
        ]
      : [
          'eq',
          'ne',
          'gt',
          'gte',
          'lt',
          'lte',
          'between',
          'notBetween',
          'in',
          'notIn',
          'isEmpty',
          'isNotEmpty',
        ];
    const op = r.pick(ops);
    if (op === 'isEmpty' || op === 'isNotEmpty')
      return c(field, op, undefined, negate);
    if (op === 'between' || op === 'notBetween') {
      const key = (v: any) => (isDate ? Date.parse(v) : v);
      const sorted = [...pool].sort((a: any, b: any) => key(a) - key(b));
      const i = r.int(0, sorted.length - 1);
      const j = r.int(i, sorted.length - 1);
      return c(field, op, [sorted[i], sorted[j]], negate);
    }
    if (op === 'in' || op === 'notIn')
      return c(field, op, [r.pick(pool), r.pick(pool)], negate);
    const v = r.pick(pool);
    // Now and then a fraction on a whole-number field.
    const odd = !isDate && r.chance(0.1);
    return c(field, op, odd ? (v as number) + 0.5 : v, negate);
  }
  if (field in STRING_FIELDS) {
    const pool = STRING_FIELDS[field];
    const op = r.pick<SegmentOperator>([
      'eq',
      'ne',
      'in',
      'notIn',
      'contains',
      'startsWith',
      'isEmpty',
      'isNotEmpty',
    ]);
    if (op === 'isEmpty' || op === 'isNotEmpty')
      return c(field, op, undefined, negate);
    if (op === 'in' || op === 'notIn')
      return c(field, op, [r.pick(pool), r.pick(pool)], negate);
    if (op === 'contains' || op === 'startsWith') {
      const v = r.pick(pool);
      return c(field, op, v.slice(0, r.int(0, v.length)), negate);
    }
    return c(field, op, r.pick(pool), negate);
  }
  if (BOOL_FIELDS.includes(field)) {
    const op = r.pick<SegmentOperator>(['eq', 'ne', 'isEmpty', 'isNotEmpty']);
    return c(
      field,
      op,
      op === 'eq' || op === 'ne' ? r.chance(0.5) : undefined,
      negate,
    );
  }
  const op = r.pick<SegmentOperator>([
    'in',
    'notIn',
    'containsAll',
    'isEmpty',
    'isNotEmpty',
  ]);
  if (op === 'isEmpty' || op === 'isNotEmpty')
    return c('categories', op, undefined, negate);
  return c(
    'categories',
    op,
    [...new Set([r.pick(CATS), r.pick(CATS)])],
    negate,
  );
}

const ALL_FIELDS = [
  ...Object.keys(NUMBER_FIELDS),
  ...Object.keys(DATE_FIELDS),
  ...Object.keys(STRING_FIELDS),
  ...BOOL_FIELDS,
  'categories',
];

/** A random valid rule over a few fields (few fields make conflicts likely). */
export function randomRule(
  r: Rng,
  options: { maxDepth?: number } = {},
): LintRuleInput {
  const fields = Array.from({ length: r.int(1, 3) }, () => r.pick(ALL_FIELDS));
  // Linked order fields conflict in interesting ways.
  if (r.chance(0.3))
    fields.push(
      r.pick([
        'orderCount',
        'daysSinceLastOrder',
        'ordersLast30d',
        'totalSpent',
      ]),
    );
  const node = (depth: number): SegmentCondition => {
    if (depth >= (options.maxDepth ?? 3) || r.chance(0.6))
      return randomLeaf(r, fields);
    const kids = Array.from({ length: r.int(1, 3) }, () => node(depth + 1));
    return {
      logicalOperator: r.chance(0.6) ? 'AND' : 'OR',
      subConditions: kids,
      ...(r.chance(0.2) ? { not: true } : {}),
    };
  };
  return {
    logicalOperator: r.chance(0.7) ? 'AND' : 'OR',
    conditions: Array.from({ length: r.int(1, 4) }, () => node(1)),
  };
}

/** A random customer with orders around {@link AS_OF}, covering missing values and boundaries. */
export function randomCustomer(
  r: Rng,
  id: string,
): { customer: Customer; orders: Order[] } {
  const customer: Customer = {
    id,
    createdAt: day(r.pick([700, 300, 30, 100, 5, -3])),
  };
  if (r.chance(0.8)) customer.country = r.pick(COUNTRIES);
  if (r.chance(0.7)) customer.tier = r.pick(TIERS);
  if (r.chance(0.7)) {
    const age = r.pick([18, 25, 30, 31, 40, 65, 0]);
    const birth = new Date(AS_OF);
    customer.birthDate = `${
      birth.getUTCFullYear() - age - (r.chance(0.5) ? 1 : 0)
    }-${r.pick(['01-15', '06-15', '06-16', '12-31'])}`;
  }
  const attributes: Record<string, string | number | boolean> = {};
  if (r.chance(0.5)) attributes.points = r.pick([0, 5, 10, 7.5]);
  if (r.chance(0.5)) attributes.plan = r.pick(PLANS);
  if (r.chance(0.6))
    attributes.vip = r.chance(0.5) ? r.chance(0.5) : r.pick(['yes', 'no']);
  if (r.chance(0.4)) attributes.newsletter = r.chance(0.5);
  if (Object.keys(attributes).length) customer.attributes = attributes;
  const orders: Order[] = [];
  const count = r.pick([0, 0, 1, 1, 2, 3, 5, 6]);
  for (let i = 0; i < count; i++) {
    orders.push({
      id: `${id}-o${i}`,
      customerId: id,
      orderedAt: day(
        r.pick([
          0, 5, 10, 29.5, 30, 31, 60, 89.5, 90, 91, 200, 364.5, 365, 366, 400,
          -2,
        ]),
      ),
      amount: r.pick([0, 25, 50, 100, 150, 250]),
      status: r.chance(0.85)
        ? 'completed'
        : r.pick(['refunded', 'cancelled'] as const),
      ...(r.chance(0.8) ? { category: r.pick(CATS) } : {}),
    });
  }
  return { customer, orders };
}
