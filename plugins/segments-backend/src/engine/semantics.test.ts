import { mockServices } from '@backstage/backend-test-utils';
import { Customer, DAY_MS, Order, SegmentCondition } from '@internal/plugin-segments-common';
import { Knex } from 'knex';
import { testPersonalDataCodec } from '../crypto/testKeys';
import { DatabaseCustomerStore } from '../database/CustomerStore';
import { DatabaseExecutionStore } from '../database/ExecutionStore';
import { migrateDatabase } from '../database/migrateDatabase';
import { DatabaseRuleStore } from '../database/RuleStore';
import { sqlMembers, tsFeatures, tsMembers } from '../__testUtils__/engineHelpers';
import { databases } from '../__testUtils__/testBackend';
import { SegmentEngine } from './SegmentEngine';

jest.setTimeout(120_000);

/** Evaluation time of every case: mid-day, so day boundaries and window boundaries differ. */
const AS_OF = Date.parse('2025-06-15T12:00:00Z');
const HOUR = 3_600_000;
const at = (offsetMs: number) => new Date(AS_OF + offsetMs).toISOString();

// ---------------------------------------------------------------------------
// A hand-made data set whose features are worked out by hand:
//
// id | country city       tier   gender age | total count avg  days | s30 o30 s90 o90 s365 o365 | categories
// a  | TW      Taipei     gold   F      35  | 600   3     200  0    | 500 2   600 3   600  3    | books, electronics
// b  | JP      Tokyo      silver M      34  | 1500  2     750  89   | 0   0   500 1   1500 2    | books, toys
// c  | US      -          gold   -      -   | 50    1     50   400  | 0   0   0   0   0    0    | books
// d  | -       -          -      -      -   | 0     0     -    -    | 0   0   0   0   0    0    | -
// e  | TW      Kaohsiung  bronze F      25  | 0     0     -    -    | 0   0   0   0   0    0    | -
// f  | tw      -          -      -      -   | 80    2     40   364  | 0   0   0   0   0    1    | garden
//
// attributes: a {vip: true, points: 10, code: 'alpha'}, b {vip: false, points: 20.5, code: 'beta'},
// c {vip: 'yes', points: '7', code: 3} (every one of the wrong type), d none, e {code: 'alphabet', points: 0}, f {}.
// ---------------------------------------------------------------------------
const CUSTOMERS: Customer[] = [
  {
    id: 'a',
    name: 'Ann',
    country: 'TW',
    city: 'Taipei',
    tier: 'gold',
    gender: 'F',
    birthDate: '1990-06-15', // 35 on the day of AS_OF
    createdAt: '2020-01-01T00:00:00Z',
    attributes: { vip: true, points: 10, code: 'alpha' },
  },
  {
    id: 'b',
    country: 'JP',
    city: 'Tokyo',
    tier: 'silver',
    gender: 'M',
    birthDate: '1990-06-16', // 35 tomorrow, so 34
    createdAt: '2021-06-01T00:00:00Z',
    attributes: { vip: false, points: 20.5, code: 'beta' },
  },
  {
    id: 'c',
    country: 'US',
    tier: 'gold',
    createdAt: '2022-01-01T00:00:00Z',
    attributes: { vip: 'yes', points: '7', code: 3 },
  },
  { id: 'd', createdAt: '2023-01-01T00:00:00Z' },
  {
    id: 'e',
    country: 'TW',
    city: 'Kaohsiung',
    tier: 'bronze',
    gender: 'F',
    birthDate: '2000-02-29', // 25
    createdAt: at(0),
    attributes: { code: 'alphabet', points: 0 },
  },
  { id: 'f', country: 'tw', birthDate: '2030-01-01', createdAt: '2024-12-31T23:59:59.999Z', attributes: {} },
];

const order = (
  id: string,
  customerId: string,
  offsetMs: number,
  amount: number,
  status: Order['status'],
  category?: string,
): Order => ({ id, customerId, orderedAt: at(offsetMs), amount, status, ...(category ? { category } : {}) });

const ORDERS: Order[] = [
  order('a1', 'a', -10 * DAY_MS, 300, 'completed', 'electronics'),
  order('a2', 'a', -30 * DAY_MS, 100, 'completed', 'books'), // exactly 30 days: outside the 30-day window
  order('a3', 'a', -1 * DAY_MS, 5000, 'refunded', 'toys'),
  order('a4', 'a', 1, 700, 'completed', 'garden'), // 1 ms after asOf: does not count
  order('a5', 'a', 0, 200, 'completed'), // exactly at asOf: counts, no category
  order('b1', 'b', -90 * DAY_MS, 1000, 'completed', 'books'), // exactly 90 days: outside the 90-day window
  order('b2', 'b', -90 * DAY_MS + 1, 500, 'completed', 'toys'), // 89.99999 days ago
  order('b3', 'b', -5 * DAY_MS, 10, 'cancelled', 'garden'),
  order('c1', 'c', -400 * DAY_MS, 50, 'completed', 'books'),
  order('e1', 'e', -1 * DAY_MS, 100, 'refunded'),
  order('f1', 'f', -365 * DAY_MS + HOUR, 0, 'completed', 'garden'), // inside the 365-day window, 364.96 days ago
  order('f2', 'f', -366 * DAY_MS, 80, 'completed'),
];

const L = (field: string, operator: string, value: unknown, dataType: string, not?: boolean) =>
  ({ field, operator, dataType, ...(value === undefined ? {} : { value }), ...(not ? { not } : {}) }) as SegmentCondition;
const NOT = (c: SegmentCondition) => ({ ...c, not: true }) as SegmentCondition;
const AND = (...subConditions: SegmentCondition[]) => ({ logicalOperator: 'AND', subConditions }) as SegmentCondition;
const OR = (...subConditions: SegmentCondition[]) => ({ logicalOperator: 'OR', subConditions }) as SegmentCondition;

type Case = [name: string, condition: SegmentCondition, expected: string];

/** Every operator × data type × missing value, with the members worked out by hand. */
const CASES: Case[] = [
  // strings (customer columns)
  ['country eq', L('country', 'eq', 'TW', 'string'), 'a e'],
  ['country ne (missing is false)', L('country', 'ne', 'TW', 'string'), 'b c f'],
  ['NOT country eq (missing is true)', NOT(L('country', 'eq', 'TW', 'string')), 'b c d f'],
  ['NOT country ne', NOT(L('country', 'ne', 'TW', 'string')), 'a d e'],
  ['country in', L('country', 'in', ['TW', 'JP'], 'string'), 'a b e'],
  ['country notIn (missing is false)', L('country', 'notIn', ['TW', 'JP'], 'string'), 'c f'],
  ['NOT country notIn', NOT(L('country', 'notIn', ['TW', 'JP'], 'string')), 'a b d e'],
  ['country contains is case-sensitive', L('country', 'contains', 'T', 'string'), 'a e'],
  ['country contains lower case', L('country', 'contains', 'w', 'string'), 'f'],
  ['country startsWith', L('country', 'startsWith', 'J', 'string'), 'b'],
  ['country isEmpty', L('country', 'isEmpty', undefined, 'string'), 'd'],
  ['country isNotEmpty', L('country', 'isNotEmpty', undefined, 'string'), 'a b c e f'],
  ['NOT country isEmpty', NOT(L('country', 'isEmpty', undefined, 'string')), 'a b c e f'],
  ['city isEmpty', L('city', 'isEmpty', undefined, 'string'), 'c d f'],
  ['city startsWith', L('city', 'startsWith', 'Ka', 'string'), 'e'],
  ['city contains', L('city', 'contains', 'o', 'string'), 'b e'],
  ['tier in', L('tier', 'in', ['gold'], 'string'), 'a c'],
  ['gender eq', L('gender', 'eq', 'F', 'string'), 'a e'],
  ['gender ne', L('gender', 'ne', 'F', 'string'), 'b'],
  ['NOT gender startsWith', NOT(L('gender', 'startsWith', 'M', 'string')), 'a c d e f'],

  // numbers: order aggregates (never missing)
  ['totalSpent eq 0', L('totalSpent', 'eq', 0, 'number'), 'd e'],
  ['totalSpent gt', L('totalSpent', 'gt', 600, 'number'), 'b'],
  ['totalSpent gte', L('totalSpent', 'gte', 600, 'number'), 'a b'],
  ['totalSpent lt', L('totalSpent', 'lt', 50, 'number'), 'd e'],
  ['totalSpent lte', L('totalSpent', 'lte', 50, 'number'), 'c d e'],
  ['totalSpent ne', L('totalSpent', 'ne', 600, 'number'), 'b c d e f'],
  ['totalSpent between (inclusive)', L('totalSpent', 'between', [50, 600], 'number'), 'a c f'],
  ['totalSpent notBetween', L('totalSpent', 'notBetween', [50, 600], 'number'), 'b d e'],
  ['totalSpent in', L('totalSpent', 'in', [0, 80], 'number'), 'd e f'],
  ['totalSpent notIn', L('totalSpent', 'notIn', [0, 80], 'number'), 'a b c'],
  ['totalSpent isEmpty (0 is a value)', L('totalSpent', 'isEmpty', undefined, 'number'), ''],
  ['orderCount eq 0', L('orderCount', 'eq', 0, 'number'), 'd e'],
  ['orderCount eq 2', L('orderCount', 'eq', 2, 'number'), 'b f'],
  ['orderCount gt', L('orderCount', 'gt', 2, 'number'), 'a'],
  ['spentLast30d (boundary excluded, asOf included)', L('spentLast30d', 'eq', 500, 'number'), 'a'],
  ['ordersLast30d', L('ordersLast30d', 'eq', 2, 'number'), 'a'],
  ['ordersLast30d gt 0', L('ordersLast30d', 'gt', 0, 'number'), 'a'],
  ['spentLast90d a', L('spentLast90d', 'eq', 600, 'number'), 'a'],
  ['spentLast90d b (boundary)', L('spentLast90d', 'eq', 500, 'number'), 'b'],
  ['ordersLast90d', L('ordersLast90d', 'eq', 1, 'number'), 'b'],
  ['ordersLast90d all', L('ordersLast90d', 'eq', 3, 'number'), 'a'],
  ['spentLast365d', L('spentLast365d', 'eq', 1500, 'number'), 'b'],
  ['spentLast365d zero', L('spentLast365d', 'eq', 0, 'number'), 'c d e f'],
  ['ordersLast365d (boundary)', L('ordersLast365d', 'eq', 1, 'number'), 'f'],

  // numbers that may be missing
  ['avgOrderValue isEmpty', L('avgOrderValue', 'isEmpty', undefined, 'number'), 'd e'],
  ['avgOrderValue isNotEmpty', L('avgOrderValue', 'isNotEmpty', undefined, 'number'), 'a b c f'],
  ['avgOrderValue eq', L('avgOrderValue', 'eq', 750, 'number'), 'b'],
  ['avgOrderValue ne (missing is false)', L('avgOrderValue', 'ne', 200, 'number'), 'b c f'],
  ['NOT avgOrderValue ne', NOT(L('avgOrderValue', 'ne', 200, 'number')), 'a d e'],
  ['avgOrderValue lt', L('avgOrderValue', 'lt', 100, 'number'), 'c f'],
  ['avgOrderValue gte 0', L('avgOrderValue', 'gte', 0, 'number'), 'a b c f'],
  ['NOT avgOrderValue gte 0', NOT(L('avgOrderValue', 'gte', 0, 'number')), 'd e'],
  ['avgOrderValue notIn (missing is false)', L('avgOrderValue', 'notIn', [200], 'number'), 'b c f'],
  ['avgOrderValue notBetween (missing is false)', L('avgOrderValue', 'notBetween', [40, 200], 'number'), 'b'],
  ['daysSinceLastOrder lte 0', L('daysSinceLastOrder', 'lte', 0, 'number'), 'a'],
  ['daysSinceLastOrder rounds down (89.99 days)', L('daysSinceLastOrder', 'eq', 89, 'number'), 'b'],
  ['daysSinceLastOrder rounds down (364.96 days)', L('daysSinceLastOrder', 'eq', 364, 'number'), 'f'],
  ['daysSinceLastOrder between', L('daysSinceLastOrder', 'between', [89, 364], 'number'), 'b f'],
  ['daysSinceLastOrder lte 89', L('daysSinceLastOrder', 'lte', 89, 'number'), 'a b'],
  ['daysSinceLastOrder gt 364', L('daysSinceLastOrder', 'gt', 364, 'number'), 'c'],
  ['daysSinceLastOrder isEmpty', L('daysSinceLastOrder', 'isEmpty', undefined, 'number'), 'd e'],
  ['NOT daysSinceLastOrder lt', NOT(L('daysSinceLastOrder', 'lt', 100, 'number')), 'c d e f'],
  ['age eq (birthday today)', L('age', 'eq', 35, 'number'), 'a'],
  ['age eq (birthday tomorrow)', L('age', 'eq', 34, 'number'), 'b'],
  ['age eq (born 29 February)', L('age', 'eq', 25, 'number'), 'e'],
  ['age gte', L('age', 'gte', 30, 'number'), 'a b'],
  ['age lt (unknown and future births are missing)', L('age', 'lt', 100, 'number'), 'a b e'],
  ['age isEmpty', L('age', 'isEmpty', undefined, 'number'), 'c d f'],
  ['NOT age gte', NOT(L('age', 'gte', 30, 'number')), 'c d e f'],
  ['age between', L('age', 'between', [25, 34], 'number'), 'b e'],
  ['age in', L('age', 'in', [34, 35], 'number'), 'a b'],

  // number attributes (wrong JSON types are missing)
  ['attributes number eq', L('attributes.points', 'eq', 10, 'number'), 'a'],
  ['attributes number gt (decimal)', L('attributes.points', 'gt', 10, 'number'), 'b'],
  ['attributes number lte', L('attributes.points', 'lte', 10, 'number'), 'a e'],
  ['attributes number ne', L('attributes.points', 'ne', 10, 'number'), 'b e'],
  ['NOT attributes number ne', NOT(L('attributes.points', 'ne', 10, 'number')), 'a c d f'],
  ['attributes number between', L('attributes.points', 'between', [0, 10], 'number'), 'a e'],
  ['attributes number in', L('attributes.points', 'in', [0, 20.5], 'number'), 'b e'],
  ['attributes number notIn', L('attributes.points', 'notIn', [10], 'number'), 'b e'],
  ['attributes number isEmpty', L('attributes.points', 'isEmpty', undefined, 'number'), 'c d f'],
  ['attributes number isNotEmpty', L('attributes.points', 'isNotEmpty', undefined, 'number'), 'a b e'],
  ['attributes number read as string', L('attributes.points', 'eq', '7', 'string'), 'c'],

  // string attributes
  ['attributes string eq', L('attributes.code', 'eq', 'alpha', 'string'), 'a'],
  ['attributes string startsWith', L('attributes.code', 'startsWith', 'alpha', 'string'), 'a e'],
  ['attributes string contains', L('attributes.code', 'contains', 'ph', 'string'), 'a e'],
  ['attributes string ne', L('attributes.code', 'ne', 'alpha', 'string'), 'b e'],
  ['attributes string in', L('attributes.code', 'in', ['beta', 'alphabet'], 'string'), 'b e'],
  ['attributes string notIn', L('attributes.code', 'notIn', ['alpha'], 'string'), 'b e'],
  ['attributes string isEmpty', L('attributes.code', 'isEmpty', undefined, 'string'), 'c d f'],
  ['NOT attributes string eq', NOT(L('attributes.code', 'eq', 'alpha', 'string')), 'b c d e f'],
  ['attributes string read as number', L('attributes.code', 'eq', 3, 'number'), 'c'],
  ['unknown attribute eq', L('attributes.nothing', 'eq', 'x', 'string'), ''],
  ['unknown attribute isEmpty', L('attributes.nothing', 'isEmpty', undefined, 'string'), 'a b c d e f'],
  ['NOT unknown attribute eq', NOT(L('attributes.nothing', 'eq', 'x', 'string')), 'a b c d e f'],

  // boolean attributes
  ['attributes boolean eq true', L('attributes.vip', 'eq', true, 'boolean'), 'a'],
  ['attributes boolean eq false', L('attributes.vip', 'eq', false, 'boolean'), 'b'],
  ['attributes boolean ne true', L('attributes.vip', 'ne', true, 'boolean'), 'b'],
  ['attributes boolean ne false', L('attributes.vip', 'ne', false, 'boolean'), 'a'],
  ['attributes boolean isEmpty', L('attributes.vip', 'isEmpty', undefined, 'boolean'), 'c d e f'],
  ['attributes boolean isNotEmpty', L('attributes.vip', 'isNotEmpty', undefined, 'boolean'), 'a b'],
  ['NOT attributes boolean eq', NOT(L('attributes.vip', 'eq', true, 'boolean')), 'b c d e f'],
  ['NOT attributes boolean ne', NOT(L('attributes.vip', 'ne', true, 'boolean')), 'a c d e f'],
  ['attributes boolean read as string', L('attributes.vip', 'eq', 'yes', 'string'), 'c'],

  // dates ("YYYY-MM-DD" is midnight UTC)
  ['createdAt gt', L('createdAt', 'gt', '2022-01-01', 'date'), 'd e f'],
  ['createdAt gte', L('createdAt', 'gte', '2022-01-01', 'date'), 'c d e f'],
  ['createdAt eq', L('createdAt', 'eq', '2022-01-01', 'date'), 'c'],
  ['createdAt eq with offset', L('createdAt', 'eq', '2025-06-15T20:00:00+08:00', 'date'), 'e'],
  ['createdAt lt', L('createdAt', 'lt', '2025-01-01', 'date'), 'a b c d f'],
  ['createdAt lte', L('createdAt', 'lte', '2021-06-01', 'date'), 'a b'],
  ['createdAt ne', L('createdAt', 'ne', '2020-01-01', 'date'), 'b c d e f'],
  ['createdAt between (inclusive)', L('createdAt', 'between', ['2021-06-01', '2023-01-01'], 'date'), 'b c d'],
  ['createdAt notBetween', L('createdAt', 'notBetween', ['2021-06-01', '2023-01-01'], 'date'), 'a e f'],
  ['createdAt isEmpty', L('createdAt', 'isEmpty', undefined, 'date'), ''],
  ['lastOrderAt eq asOf', L('lastOrderAt', 'eq', at(0), 'date'), 'a'],
  ['lastOrderAt isEmpty', L('lastOrderAt', 'isEmpty', undefined, 'date'), 'd e'],
  ['lastOrderAt gt', L('lastOrderAt', 'gt', '2025-01-01', 'date'), 'a b'],
  ['lastOrderAt ne (missing is false)', L('lastOrderAt', 'ne', at(0), 'date'), 'b c f'],
  ['NOT lastOrderAt ne', NOT(L('lastOrderAt', 'ne', at(0), 'date')), 'a d e'],
  ['lastOrderAt between', L('lastOrderAt', 'between', [at(-90 * DAY_MS + 1), at(0)], 'date'), 'a b'],
  ['firstOrderAt lt', L('firstOrderAt', 'lt', at(-366 * DAY_MS), 'date'), 'c'],
  ['firstOrderAt lte', L('firstOrderAt', 'lte', at(-366 * DAY_MS), 'date'), 'c f'],
  ['firstOrderAt gte (missing is false)', L('firstOrderAt', 'gte', '2000-01-01', 'date'), 'a b c f'],

  // categories (only completed orders at or before asOf)
  ['categories in', L('categories', 'in', ['books'], 'array'), 'a b c'],
  ['categories in (refunded and future orders do not count)', L('categories', 'in', ['toys'], 'array'), 'b'],
  ['categories in any', L('categories', 'in', ['toys', 'garden'], 'array'), 'b f'],
  ['categories notIn (no categories is true)', L('categories', 'notIn', ['books'], 'array'), 'd e f'],
  ['categories containsAll', L('categories', 'containsAll', ['books', 'electronics'], 'array'), 'a'],
  ['categories containsAll one', L('categories', 'containsAll', ['books'], 'array'), 'a b c'],
  ['categories containsAll duplicates', L('categories', 'containsAll', ['books', 'books'], 'array'), 'a b c'],
  ['categories containsAll none', L('categories', 'containsAll', ['books', 'toys', 'garden'], 'array'), ''],
  ['categories isEmpty', L('categories', 'isEmpty', undefined, 'array'), 'd e'],
  ['categories isNotEmpty', L('categories', 'isNotEmpty', undefined, 'array'), 'a b c f'],
  ['NOT categories in', NOT(L('categories', 'in', ['books'], 'array')), 'd e f'],
  ['NOT categories containsAll', NOT(L('categories', 'containsAll', ['books', 'toys'], 'array')), 'a c d e f'],

  // groups and not
  ['OR group', OR(L('country', 'eq', 'JP', 'string'), L('totalSpent', 'eq', 0, 'number')), 'b d e'],
  ['NOT AND group', NOT(AND(L('country', 'eq', 'TW', 'string'), L('tier', 'eq', 'gold', 'string'))), 'b c d e f'],
  ['NOT group over a missing value', NOT(AND(L('avgOrderValue', 'gt', 0, 'number'))), 'd e'],
  ['double NOT', NOT(AND(NOT(L('country', 'eq', 'TW', 'string')))), 'a e'],
  [
    'nested NOT OR inside AND',
    AND(
      L('country', 'in', ['TW', 'JP'], 'string'),
      NOT(OR(L('tier', 'eq', 'gold', 'string'), L('age', 'lt', 30, 'number'))),
    ),
    'b',
  ],
  [
    'OR of ANDs with NOT leaves',
    OR(
      AND(L('categories', 'in', ['books'], 'array'), NOT(L('daysSinceLastOrder', 'gt', 100, 'number'))),
      AND(L('categories', 'isEmpty', undefined, 'array'), L('country', 'eq', 'TW', 'string')),
    ),
    'a b e',
  ],
  [
    'NOT over OR of missing values',
    NOT(OR(L('gender', 'eq', 'X', 'string'), L('attributes.vip', 'eq', true, 'boolean'), L('age', 'gt', 200, 'number'))),
    'b c d e f',
  ],
];

const ids = (s: string) => s.split(' ').filter(Boolean);

describe('the hand-made data set', () => {
  it('has the features the table above says (TypeScript reference)', () => {
    const f = tsFeatures(CUSTOMERS, ORDERS, AS_OF);
    expect(f.get('a')).toMatchObject({
      age: 35,
      totalSpent: 600,
      orderCount: 3,
      avgOrderValue: 200,
      daysSinceLastOrder: 0,
      spentLast30d: 500,
      ordersLast30d: 2,
      spentLast90d: 600,
      spentLast365d: 600,
      categories: ['books', 'electronics'],
    });
    expect(f.get('b')).toMatchObject({ age: 34, totalSpent: 1500, daysSinceLastOrder: 89, spentLast90d: 500 });
    expect(f.get('d')).toEqual(
      expect.objectContaining({ totalSpent: 0, orderCount: 0, categories: [], spentLast30d: 0, ordersLast365d: 0 }),
    );
    expect(f.get('d')!.avgOrderValue).toBeUndefined();
    expect(f.get('d')!.lastOrderAt).toBeUndefined();
    expect(f.get('d')!.daysSinceLastOrder).toBeUndefined();
    expect(f.get('e')!.age).toBe(25);
    expect(f.get('f')).toMatchObject({ totalSpent: 80, avgOrderValue: 40, daysSinceLastOrder: 364, ordersLast365d: 1 });
    expect(f.get('f')!.age).toBeUndefined();
  });

  it.each(CASES)('TypeScript evaluator: %s', (_name, condition, expected) => {
    const features = tsFeatures(CUSTOMERS, ORDERS, AS_OF);
    expect(tsMembers(features, [{ conditions: [condition], logicalOperator: 'AND' }])).toEqual(ids(expected));
  });
});

describe.each(databases.eachSupportedId())('engine semantics on %s', databaseId => {
  let knex: Knex;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    await migrateDatabase(knex);
    await DatabaseCustomerStore.create({ database: knex, personalData: testPersonalDataCodec() }).insertRaw(CUSTOMERS, ORDERS);
  });

  it.each(CASES)('SQL preview path: %s', async (_name, condition, expected) => {
    expect(await sqlMembers(knex, [{ conditions: [condition], logicalOperator: 'AND' }], AS_OF)).toEqual(
      ids(expected),
    );
  });

  it('the PRD VIP rule: totalSpent > 100000 AND daysSinceLastOrder <= 30', async () => {
    const db = await databases.init(databaseId);
    await migrateDatabase(db);
    const D = DAY_MS;
    const vipCustomers: Customer[] = ['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8'].map(id => ({
      id,
      createdAt: '2020-01-01T00:00:00Z',
    }));
    const vipOrders: Order[] = [
      // v1: 150,050 spent, last order 10 days ago → VIP
      order('v1a', 'v1', -10 * D, 150_000, 'completed'),
      order('v1b', 'v1', -200 * D, 50, 'completed'),
      // v2: big spender, but the last order was 40 days ago
      order('v2a', 'v2', -40 * D, 200_000, 'completed'),
      // v3: exactly 100,000 is not more than 100,000
      order('v3a', 'v3', -5 * D, 100_000, 'completed'),
      // v4: a big refunded order does not count
      order('v4a', 'v4', -3 * D, 60_000, 'completed'),
      order('v4b', 'v4', -2 * D, 90_000, 'refunded'),
      // v5: a big order after asOf does not count
      order('v5a', 'v5', -5 * D, 50_000, 'completed'),
      order('v5b', 'v5', 2 * D, 80_000, 'completed'),
      // v6: last order 30.96 days ago is 30 whole days → VIP
      order('v6a', 'v6', -31 * D + HOUR, 100_001, 'completed'),
      // v7: a recent cancelled order does not matter; 29 days → VIP
      order('v7a', 'v7', -29 * D, 100_001, 'completed'),
      order('v7b', 'v7', -1 * D, 500_000, 'cancelled'),
      // v8: 31 days → not VIP, although it would be with the future order
      order('v8a', 'v8', -31 * D, 300_000, 'completed'),
      order('v8b', 'v8', 1 * D, 1, 'completed'),
    ];
    await DatabaseCustomerStore.create({ database: db, personalData: testPersonalDataCodec() }).insertRaw(vipCustomers, vipOrders);
    const levels = [
      {
        logicalOperator: 'AND' as const,
        conditions: [
          L('totalSpent', 'gt', 100000, 'number'),
          L('daysSinceLastOrder', 'lte', 30, 'number'),
        ],
      },
    ];
    expect(await sqlMembers(db, levels, AS_OF)).toEqual(['v1', 'v6', 'v7']);
    expect(tsMembers(tsFeatures(vipCustomers, vipOrders, AS_OF), levels)).toEqual(['v1', 'v6', 'v7']);

    // The engine's preview answers the same count and sample.
    const rules = DatabaseRuleStore.create({ database: db });
    const executions = DatabaseExecutionStore.create({ database: db });
    const engine = SegmentEngine.create({ database: db, rules, executions, logger: mockServices.logger.mock() });
    const preview = await engine.preview({ levels, asOf: AS_OF });
    expect(preview.estimatedCount).toBe(3);
    expect(preview.totalCustomers).toBe(8);
    expect(preview.sample.map(s => [s.id, s.totalSpent])).toEqual([
      ['v1', 150_050],
      ['v6', 100_001],
      ['v7', 100_001],
    ]);
  });

  it('the execution path (features materialized once) gives the same members for every case', async () => {
    const rules = DatabaseRuleStore.create({ database: knex });
    const executions = DatabaseExecutionStore.create({ database: knex });
    const engine = SegmentEngine.create({ database: knex, rules, executions, logger: mockServices.logger.mock() });
    const ruleIds: string[] = [];
    for (const [name, condition] of CASES) {
      const rule = await rules.createRule(
        { name, status: 'active', logicalOperator: 'AND', conditions: [condition] },
        'user:default/test',
      );
      ruleIds.push(rule.id);
    }
    const executionId = await executions.createExecution({ asOf: AS_OF, createdBy: 'user:default/test' });
    await engine.runExecution(executionId);
    const execution = await executions.getExecution(executionId);
    expect(execution?.log.filter(l => l.level === 'error')).toEqual([]);
    expect(execution?.status).toBe('success');

    const rows = await knex('segment_memberships').whereNull('to_seq').select('segment_rule_id', 'customer_id');
    const mismatches: string[] = [];
    CASES.forEach(([name, , expected], i) => {
      const actual = rows
        .filter(r => r.segment_rule_id === ruleIds[i])
        .map(r => r.customer_id)
        .sort()
        .join(' ');
      if (actual !== ids(expected).join(' ')) mismatches.push(`${name}: expected [${expected}], got [${actual}]`);
    });
    expect(mismatches).toEqual([]);
    // Scratch tables are emptied after the run.
    expect(Number((await knex('segment_run_features').count({ n: '*' }))[0].n)).toBe(0);
    expect(Number((await knex('segment_run_members').count({ n: '*' }))[0].n)).toBe(0);
  });
});
