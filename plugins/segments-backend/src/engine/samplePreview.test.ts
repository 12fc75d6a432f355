import { mockServices } from '@backstage/backend-test-utils';
import { Customer, DAY_MS, Order } from '@internal/plugin-segments-common';
import { Knex } from 'knex';
import { testPersonalDataCodec } from '../crypto/testKeys';
import { DatabaseCustomerStore } from '../database/CustomerStore';
import { DatabaseExecutionStore } from '../database/ExecutionStore';
import { fillSampleBuckets } from '../database/fillSampleBuckets';
import { migrateDatabase } from '../database/migrateDatabase';
import { DatabaseRuleStore } from '../database/RuleStore';
import { generateDemoBatches } from '../demo/generateDemoData';
import { sqlMembers } from '../__testUtils__/engineHelpers';
import { databases } from '../__testUtils__/testBackend';
import { RuleLevel } from './compileRule';
import { SAMPLE_BUCKETS, sampleBucket } from './sampleBucket';
import { estimateCount, SegmentEngine } from './SegmentEngine';

jest.setTimeout(120_000);

const NOW = Date.UTC(2026, 0, 1);
const CUSTOMERS = 3000;

const and = (...conditions: RuleLevel['conditions']): RuleLevel[] => [{ logicalOperator: 'AND', conditions }];

/** Rules of different sizes, one with categories (an order lookup). */
const RULES: Array<[string, RuleLevel[]]> = [
  ['country TW', and({ field: 'country', operator: 'eq', value: 'TW', dataType: 'string' })],
  [
    'spent over 5,000 and bought in the last 90 days',
    and(
      { field: 'totalSpent', operator: 'gt', value: 5000, dataType: 'number' },
      { field: 'ordersLast90d', operator: 'gte', value: 1, dataType: 'number' },
    ),
  ],
  [
    'electronics buyers',
    and({ field: 'categories', operator: 'in', value: ['electronics'], dataType: 'array' }),
  ],
  ['never bought', and({ field: 'orderCount', operator: 'eq', value: 0, dataType: 'number' })],
];

describe('sampleBucket', () => {
  it('is stable, in range and spreads ids evenly', () => {
    expect(sampleBucket('c0000001')).toBe(sampleBucket('c0000001'));
    const counts = new Array(16).fill(0);
    const outOfRange: number[] = [];
    for (let i = 0; i < 64_000; i++) {
      const b = sampleBucket(`c${String(i).padStart(7, '0')}`);
      if (!(b >= 0 && b < SAMPLE_BUCKETS && Number.isInteger(b))) outOfRange.push(b);
      counts[Math.floor(b / (SAMPLE_BUCKETS / 16))]++;
    }
    expect(outOfRange).toEqual([]);
    // 4,000 expected per sixteenth; a poor hash of sequential ids would be far off.
    for (const n of counts) expect(Math.abs(n - 4000)).toBeLessThan(400);
  });
});

describe('estimateCount', () => {
  it('brackets the scaled share and never reports fewer than were seen', () => {
    const e = estimateCount(200, 2000, 100_000);
    expect(e.low).toBeLessThan(10_000);
    expect(e.high).toBeGreaterThan(10_000);
    expect(e.high - e.low).toBeGreaterThan(2000);
    expect(e.high - e.low).toBeLessThan(3000);
    // One match in a 2% sample: about 50, but anywhere from a few to a few hundred.
    const few = estimateCount(1, 2000, 100_000);
    expect(few.low).toBeGreaterThanOrEqual(1);
    expect(few.low).toBeLessThan(50);
    expect(few.high).toBeGreaterThan(50);
    expect(estimateCount(3, 2000, 2001).low).toBe(3);
    // A sample that is the whole population leaves no doubt.
    const all = estimateCount(30, 100, 100);
    expect([all.low, all.high]).toEqual([30, 30]);
  });
});

describe.each(databases.eachSupportedId())('sampled previews on %s', databaseId => {
  let knex: Knex;
  let customers: Customer[];
  let orders: Order[];

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    await migrateDatabase(knex);
    customers = [];
    orders = [];
    for (const batch of generateDemoBatches({ customers: CUSTOMERS, seed: 7, now: NOW })) {
      customers.push(...batch.customers);
      orders.push(...batch.orders);
    }
    await DatabaseCustomerStore.create({ database: knex, personalData: testPersonalDataCodec() }).insertRaw(
      customers,
      orders,
    );
  });

  const engineWith = (sampling?: { above?: number; size?: number }) =>
    SegmentEngine.create({
      database: knex,
      rules: DatabaseRuleStore.create({ database: knex }),
      executions: DatabaseExecutionStore.create({ database: knex }),
      logger: mockServices.logger.mock(),
      sampling,
    });

  it('stores every customer and order with its customer bucket', async () => {
    const rows = await knex('customers').select('id', 'sample_bucket');
    expect(rows).toHaveLength(CUSTOMERS);
    expect(rows.every(r => r.sample_bucket === sampleBucket(r.id))).toBe(true);
    const [{ n }] = await knex('orders as o')
      .join('customers as c', 'c.id', 'o.customer_id')
      .whereRaw('o.sample_bucket <> c.sample_bucket OR o.sample_bucket IS NULL')
      .count({ n: '*' });
    expect(Number(n)).toBe(0);
  });

  it.each(RULES)('estimates %s from a sample, within its interval of the exact count', async (_name, levels) => {
    // 3,000 customers, sampling above 1,000 with about 600: buckets below 205 of 1,024.
    const engine = engineWith({ above: 1000, size: 600 });
    const exact = await engine.preview({ levels, asOf: NOW, exact: true });
    const members = await sqlMembers(knex, levels, NOW);
    expect(exact.exact).toBe(true);
    expect(exact.estimatedCount).toBe(members.length);

    const sampled = await engine.preview({ levels, asOf: NOW });
    // Common rules, all with members in the sample (the next test covers none).
    const inSample = members.filter(id => sampleBucket(id) < 205);
    expect(inSample.length).toBeGreaterThan(0);
    const sampledCustomers = customers.filter(c => sampleBucket(c.id) < 205).length;
    expect(sampled.exact).toBe(false);
    expect(sampled.estimate).toMatchObject({ sampledCustomers, matchedInSample: inSample.length, confidence: 0.95 });
    expect(sampled.estimatedCount).toBe(Math.round((inSample.length / sampledCustomers) * CUSTOMERS));
    expect(sampled.estimate!.low).toBeLessThanOrEqual(members.length);
    expect(sampled.estimate!.high).toBeGreaterThanOrEqual(members.length);
    // The sample customers are real members, the first of the sample by id.
    expect(sampled.sample.map(s => s.id)).toEqual([...inSample].sort().slice(0, 20));
  });

  it('matches nobody in the sample: counts exactly', async () => {
    const levels = and({ field: 'totalSpent', operator: 'gt', value: 1e12, dataType: 'number' });
    const preview = await engineWith({ above: 1000, size: 600 }).preview({ levels, asOf: NOW });
    expect(preview).toMatchObject({ exact: true, estimatedCount: 0, sample: [] });
  });

  it('counts exactly up to the threshold (the default is 200,000 customers)', async () => {
    const [, levels] = RULES[0];
    const preview = await engineWith().preview({ levels, asOf: NOW });
    expect(preview.exact).toBe(true);
    expect(preview.estimate).toBeUndefined();
    expect(preview.estimatedCount).toBe((await sqlMembers(knex, levels, NOW)).length);
  });

  it('windows move with asOf in sampled previews too', async () => {
    const levels = and({ field: 'ordersLast30d', operator: 'gte', value: 1, dataType: 'number' });
    const engine = engineWith({ above: 1000, size: 600 });
    const later = NOW + 400 * DAY_MS;
    const preview = await engine.preview({ levels, asOf: later });
    // No order is placed after NOW: nobody bought in the 30 days before a date 400 days later.
    expect(preview).toMatchObject({ exact: true, estimatedCount: 0 });
  });
});

describe.each(databases.eachSupportedId())('fillSampleBuckets on %s', databaseId => {
  it('gives rows stored without a bucket the bucket of their customer, once', async () => {
    const knex = await databases.init(databaseId);
    await migrateDatabase(knex);
    await DatabaseCustomerStore.create({ database: knex, personalData: testPersonalDataCodec() }).insertRaw(
      [
        { id: 'old-1', createdAt: '2024-01-01T00:00:00Z' },
        { id: 'old-2', createdAt: '2024-01-01T00:00:00Z' },
      ],
      [{ id: 'o1', customerId: 'old-2', orderedAt: '2025-01-01T00:00:00Z', amount: 5, status: 'completed' }],
    );
    await knex('customers').update({ sample_bucket: null });
    await knex('orders').update({ sample_bucket: null });

    expect(await fillSampleBuckets(knex)).toEqual({ customers: 2, orders: 1 });
    const rows = await knex('customers').orderBy('id').select('id', 'sample_bucket');
    expect(rows).toEqual([
      { id: 'old-1', sample_bucket: sampleBucket('old-1') },
      { id: 'old-2', sample_bucket: sampleBucket('old-2') },
    ]);
    expect(await knex('orders').pluck('sample_bucket')).toEqual([sampleBucket('old-2')]);
    expect(await fillSampleBuckets(knex)).toEqual({ customers: 0, orders: 0 });
  });
});
