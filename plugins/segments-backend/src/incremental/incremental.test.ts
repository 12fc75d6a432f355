import { mockServices } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { testPersonalDataCodec } from '../crypto/testKeys';
import { DatabaseCustomerStore } from '../database/CustomerStore';
import { DatabaseExecutionStore } from '../database/ExecutionStore';
import { migrateDatabase } from '../database/migrateDatabase';
import { DatabaseRuleStore } from '../database/RuleStore';
import { generateDemoBatches } from '../demo/generateDemoData';
import { ExecutionQueue } from '../engine/ExecutionQueue';
import { SegmentEngine } from '../engine/SegmentEngine';
import { databases } from '../__testUtils__/testBackend';
import { ChangeTracker } from './ChangeTracker';
import { IncrementalRunner } from './IncrementalRunner';
import { trackChanges } from './trackChanges';

jest.setTimeout(120_000);

const NOW = Date.parse('2026-06-01T00:00:00Z');
const leaf = (field: string, operator: string, value: unknown, dataType = 'number') => ({ field, operator, value, dataType }) as any;

async function setup(knex: Knex) {
  await migrateDatabase(knex);
  const changes = ChangeTracker.create({ database: knex });
  const customers = trackChanges(DatabaseCustomerStore.create({ database: knex, personalData: testPersonalDataCodec() }), changes);
  for (const batch of generateDemoBatches({ customers: 800, seed: 3, now: NOW })) {
    await customers.insertRaw(batch.customers, batch.orders);
  }
  const rules = DatabaseRuleStore.create({ database: knex });
  const spenders = await rules.createRule(
    { name: 'spenders', status: 'active', priority: 1, logicalOperator: 'AND', conditions: [leaf('totalSpent', 'gt', 20000)] },
    'user:default/a',
  );
  await rules.createRule(
    { name: 'tw recent', status: 'active', priority: 2, logicalOperator: 'AND', parentSegmentId: spenders.id, conditions: [leaf('country', 'eq', 'TW', 'string'), leaf('daysSinceLastOrder', 'lte', 60)] },
    'user:default/a',
  );
  await rules.createRule(
    { name: 'gold or vip', status: 'active', priority: 3, logicalOperator: 'OR', conditions: [leaf('tier', 'eq', 'gold', 'string'), leaf('attributes.vip', 'eq', true, 'boolean')] },
    'user:default/a',
  );
  const executions = DatabaseExecutionStore.create({ database: knex });
  const engine = SegmentEngine.create({ database: knex, rules, executions, logger: mockServices.logger.mock() });
  const queue = ExecutionQueue.create({ engine, executions, logger: mockServices.logger.mock(), policy: { maxAttempts: 1 } });
  const incremental = IncrementalRunner.create({ changes, queue, delayMs: 0 });
  return { customers, executions, queue, incremental, changes };
}

const memberships = async (knex: Knex) =>
  (await knex('segment_memberships').whereNull('to_seq').select('segment_rule_id', 'customer_id'))
    .map(m => `${m.segment_rule_id} ${m.customer_id}`)
    .sort();
const primaries = async (knex: Knex) =>
  (await knex('customer_primary_segments').select()).map(p => `${p.customer_id} ${p.segment_rule_id}`).sort();

describe.each(databases.eachSupportedId())('incremental runs on %s', databaseId => {
  it('re-evaluate only changed customers and end equal to a full run', async () => {
    const knex = await databases.init(databaseId);
    const { customers, executions, queue, incremental, changes } = await setup(knex);
    await changes.clear(await changes.pending(Date.now() + 1, 100_000)); // demo load is not a change
    const full1 = await queue.request({ asOf: NOW, createdBy: 'test' });
    await queue.idle();
    expect((await executions.getExecution(full1))!.status).toBe('success');

    // Changes: new big orders, a customer becomes gold, one becomes a VIP by attribute, a new customer.
    const ingestedCustomers = await customers.ingestCustomers([
      { id: 'c0000003', createdAt: '2024-01-01T00:00:00Z', country: 'TW', tier: 'gold' },
      { id: 'c0000010', createdAt: '2024-01-01T00:00:00Z', attributes: { vip: true } },
      { id: 'new-1', createdAt: '2026-05-01T00:00:00Z', country: 'TW', tier: 'silver' },
    ]);
    expect(ingestedCustomers.accepted).toBe(3);
    const ingestedOrders = await customers.ingestOrders([
      { id: 'x1', customerId: 'new-1', orderedAt: '2026-05-30T00:00:00Z', amount: 50000, status: 'completed' },
      { id: 'x2', customerId: 'c0000003', orderedAt: '2026-05-29T00:00:00Z', amount: 40000, status: 'completed' },
      { id: 'x3', customerId: 'nobody', orderedAt: '2026-05-29T00:00:00Z', amount: 1, status: 'completed' },
    ]);
    expect(ingestedOrders.rejected.map(r => r.id)).toEqual(['x3']);
    expect((await changes.pending(Date.now() + 1, 100)).map(c => c.id).sort()).toEqual(['c0000003', 'c0000010', 'new-1']);

    const incId = await incremental.tick(Date.now() + 1, NOW);
    await queue.idle();
    const inc = (await executions.getExecution(incId!))!;
    expect(inc).toMatchObject({ kind: 'incremental', status: 'success', customerCount: 3 });
    expect(await changes.pending(Date.now() + 1, 100)).toEqual([]);
    expect(await incremental.tick(Date.now() + 1, NOW)).toBeUndefined();
    const afterIncremental = await memberships(knex);
    const primaryAfterIncremental = await primaries(knex);
    const incResults = await knex('segment_results').where({ execution_id: incId });
    expect(incResults.length).toBeGreaterThan(0);
    expect(incResults.every(r => r.kind === 'incremental' && Number(r.added) + Number(r.removed) > 0)).toBe(true);

    // A full run at the same asOf finds nothing left to change.
    const full2 = await queue.request({ asOf: NOW, createdBy: 'test' });
    await queue.idle();
    expect((await executions.getExecution(full2))!.status).toBe('success');
    const full2Results = await knex('segment_results').where({ execution_id: full2 });
    expect(full2Results.map(r => [Number(r.added), Number(r.removed)])).toEqual(full2Results.map(() => [0, 0]));
    expect(await memberships(knex)).toEqual(afterIncremental);
    expect(await primaries(knex)).toEqual(primaryAfterIncremental);
    queue.stop();
  });
});
