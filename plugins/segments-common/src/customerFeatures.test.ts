import { ageAt, computeCustomerFeatures } from './customerFeatures';
import { DAY_MS, parseDateValue, toYmd } from './dates';
import { evaluateCondition, evaluateLeaf } from './evaluateRule';
import { Order, SegmentCondition, SegmentLeafCondition } from './types';

const AS_OF = Date.parse('2025-06-15T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const order = (offsetMs: number, amount: number, status: Order['status'] = 'completed', category?: string): Order => ({
  id: `o${offsetMs}`,
  customerId: 'c',
  orderedAt: iso(AS_OF + offsetMs),
  amount,
  status,
  ...(category ? { category } : {}),
});

describe('parseDateValue', () => {
  it('reads dates as midnight UTC and timestamps with their offset', () => {
    expect(parseDateValue('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(parseDateValue('2024-03-01T08:00:00+08:00')).toBe(Date.UTC(2024, 2, 1));
    expect(parseDateValue('2024-03-01T00:00:00.5Z')).toBe(Date.UTC(2024, 2, 1) + 500);
  });

  it('refuses impossible dates, missing offsets and non-strings', () => {
    for (const v of ['2023-02-29', '2024-13-01', '2024-04-31', '2024-03-01T08:00:00', '01/03/2024', '', 20240301, null]) {
      expect(parseDateValue(v)).toBeUndefined();
    }
  });

  it('converts epoch ms to the UTC calendar day', () => {
    expect(toYmd(Date.parse('2024-12-31T23:59:59.999Z'))).toBe(20241231);
    expect(toYmd(Date.parse('2025-01-01T07:00:00+08:00'))).toBe(20241231);
  });
});

describe('ageAt', () => {
  it('counts whole years on the UTC calendar', () => {
    expect(ageAt('1990-06-15', AS_OF)).toBe(35);
    expect(ageAt('1990-06-16', AS_OF)).toBe(34);
    expect(ageAt('2025-06-15', AS_OF)).toBe(0);
  });

  it('makes people born on 29 February a year older on 1 March in common years', () => {
    expect(ageAt('2000-02-29', Date.parse('2025-02-28T23:59:59Z'))).toBe(24);
    expect(ageAt('2000-02-29', Date.parse('2025-03-01T00:00:00Z'))).toBe(25);
    expect(ageAt('2000-02-29', Date.parse('2024-02-29T00:00:00Z'))).toBe(24);
  });

  it('is missing for unknown, invalid and future birth dates', () => {
    expect(ageAt(undefined, AS_OF)).toBeUndefined();
    expect(ageAt('1990-02-30', AS_OF)).toBeUndefined();
    expect(ageAt('2025-06-16', AS_OF)).toBeUndefined();
  });
});

describe('computeCustomerFeatures', () => {
  const customer = { id: 'c', createdAt: '2020-01-01T00:00:00Z' };

  it('gives a customer without counted orders zeros and no order dates', () => {
    const f = computeCustomerFeatures(customer, [order(-DAY_MS, 50, 'refunded'), order(1, 70)], AS_OF);
    expect(f).toEqual({
      createdAt: Date.parse('2020-01-01T00:00:00Z'),
      totalSpent: 0,
      orderCount: 0,
      spentLast30d: 0,
      spentLast90d: 0,
      spentLast365d: 0,
      ordersLast30d: 0,
      ordersLast90d: 0,
      ordersLast365d: 0,
      categories: [],
      attributes: {},
    });
  });

  it('counts completed orders up to asOf, windows as asOf - N days < orderedAt <= asOf', () => {
    const f = computeCustomerFeatures(
      customer,
      [
        order(0, 10, 'completed', 'b'),
        order(-30 * DAY_MS, 20, 'completed', 'a'),
        order(-30 * DAY_MS + 1, 40),
        order(-90 * DAY_MS, 80, 'completed', 'b'),
        order(-365 * DAY_MS + 1, 160),
        order(-365 * DAY_MS, 320),
        order(-2 * DAY_MS, 1000, 'cancelled', 'z'),
        order(1, 2000, 'completed', 'z'),
      ],
      AS_OF,
    );
    expect(f).toMatchObject({
      totalSpent: 630,
      orderCount: 6,
      avgOrderValue: 105,
      spentLast30d: 50,
      ordersLast30d: 2,
      spentLast90d: 70,
      ordersLast90d: 3,
      spentLast365d: 310,
      ordersLast365d: 5,
      firstOrderAt: AS_OF - 365 * DAY_MS,
      lastOrderAt: AS_OF,
      daysSinceLastOrder: 0,
      categories: ['a', 'b'],
    });
  });

  it('rounds days since the last order down', () => {
    const f = computeCustomerFeatures(customer, [order(-31 * DAY_MS + 1, 1)], AS_OF);
    expect(f.daysSinceLastOrder).toBe(30);
  });
});

describe('evaluateLeaf and evaluateCondition', () => {
  const features = computeCustomerFeatures(
    { id: 'c', createdAt: '2020-01-01T00:00:00Z', country: 'TW', attributes: { vip: true, n: '5' } },
    [order(-DAY_MS, 100, 'completed', 'books')],
    AS_OF,
  );
  const leaf = (field: string, operator: string, value: unknown, dataType: string) =>
    ({ field, operator, value, dataType }) as SegmentLeafCondition;

  it('treats a missing value, or one of the wrong type, as false for every comparison', () => {
    for (const op of ['eq', 'ne', 'in', 'notIn', 'contains', 'startsWith']) {
      const value = ['in', 'notIn'].includes(op) ? ['x'] : 'x';
      expect([op, evaluateLeaf(leaf('city', op, value, 'string'), features)]).toEqual([op, false]);
    }
    expect(evaluateLeaf(leaf('attributes.n', 'ne', 1, 'number'), features)).toBe(false);
    expect(evaluateLeaf(leaf('attributes.n', 'isEmpty', undefined, 'number'), features)).toBe(true);
    expect(evaluateLeaf(leaf('avgOrderValue', 'notBetween', [0, 1], 'number'), features)).toBe(true);
    expect(evaluateLeaf(leaf('age', 'notBetween', [0, 1], 'number'), features)).toBe(false);
  });

  it('applies not on leaves and groups', () => {
    const missing = { ...leaf('city', 'eq', 'x', 'string'), not: true } as SegmentCondition;
    expect(evaluateCondition(missing, features)).toBe(true);
    const group: SegmentCondition = {
      logicalOperator: 'OR',
      not: true,
      subConditions: [leaf('country', 'eq', 'JP', 'string'), leaf('categories', 'in', ['books'], 'array')],
    };
    expect(evaluateCondition(group, features)).toBe(false);
  });
});
