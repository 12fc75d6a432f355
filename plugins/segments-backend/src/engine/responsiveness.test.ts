import { monitorEventLoopDelay } from 'perf_hooks';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { testPersonalDataCodec } from '../crypto/testKeys';
import { DatabaseCustomerStore } from '../database/CustomerStore';
import { DatabaseExecutionStore } from '../database/ExecutionStore';
import { migrateDatabase } from '../database/migrateDatabase';
import { DatabaseRuleStore } from '../database/RuleStore';
import { generateDemoBatches } from '../demo/generateDemoData';
import { ChangeTracker } from '../incremental/ChangeTracker';
import { IncrementalRunner } from '../incremental/IncrementalRunner';
import { ExecutionQueue } from './ExecutionQueue';
import { SegmentEngine } from './SegmentEngine';
import { configureSlicing } from './slicing';

jest.setTimeout(180_000);

const NOW = Date.parse('2026-06-01T00:00:00Z');
const leaf = (
  field: string,
  operator: string,
  value: unknown,
  dataType = 'number',
) => ({ field, operator, value, dataType } as any);

// better-sqlite3 blocks the event loop while a statement runs: the engine cuts its heavy
// (9,000 customers: one incremental run takes them all, see MAX_INCREMENTAL_CUSTOMERS)
// statements into slices. Bounds are generous (shared CI machines); the statement counts are not.
describe('runs on SQLite keep the event loop responsive', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('slices the heavy statements of full and incremental runs, with the same results as whole statements', async () => {
    const knex = await databases.init('SQLITE_3');
    await migrateDatabase(knex);
    const customers = DatabaseCustomerStore.create({
      database: knex,
      personalData: testPersonalDataCodec(),
    });
    for (const batch of generateDemoBatches({
      customers: 9000,
      seed: 5,
      now: NOW,
      batchSize: 2000,
    })) {
      await customers.insertRaw(batch.customers, batch.orders);
    }
    const rules = DatabaseRuleStore.create({ database: knex });
    const owner = 'user:default/a';
    const spenders = await rules.createRule(
      {
        name: 'spenders',
        status: 'active',
        priority: 1,
        logicalOperator: 'AND',
        conditions: [leaf('totalSpent', 'gt', 5000)],
      },
      owner,
    );
    await rules.createRule(
      {
        name: 'recent',
        status: 'active',
        priority: 2,
        logicalOperator: 'AND',
        parentSegmentId: spenders.id,
        conditions: [leaf('daysSinceLastOrder', 'lte', 90)],
      },
      owner,
    );
    await rules.createRule(
      {
        name: 'gold',
        status: 'active',
        priority: 3,
        logicalOperator: 'OR',
        conditions: [
          leaf('tier', 'eq', 'gold', 'string'),
          leaf('age', 'gte', 50),
        ],
      },
      owner,
    );
    const executions = DatabaseExecutionStore.create({ database: knex });
    const engine = SegmentEngine.create({
      database: knex,
      rules,
      executions,
      logger: mockServices.logger.mock(),
    });
    const queue = ExecutionQueue.create({
      engine,
      executions,
      logger: mockServices.logger.mock(),
      policy: { maxAttempts: 1 },
    });
    const changes = ChangeTracker.create({ database: knex });
    const incremental = IncrementalRunner.create({
      changes,
      queue,
      delayMs: 0,
    });

    // A first run loads what is loaded lazily (modules, statements): not what this test watches.
    await queue.request({ asOf: NOW - 60 * 86_400_000, createdBy: 'test' });
    await queue.idle();
    let featureInserts = 0;
    knex.on('query', (q: { sql: string }) => {
      if (q.sql.startsWith('INSERT INTO segment_run_features'))
        featureInserts++;
    });
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const full = await queue.request({ asOf: NOW, createdBy: 'test' });
    await queue.idle();
    await changes.mark(await knex('customers').pluck('id'));
    const inc = await incremental.tick(Date.now() + 1, NOW - 30 * 86_400_000);
    await queue.idle();
    loop.disable();
    expect((await executions.getExecution(full))!.status).toBe('success');
    expect((await executions.getExecution(inc!))!.status).toBe('success');
    expect(featureInserts).toBeGreaterThan(2);
    expect(loop.max / 1e6).toBeLessThan(1000);

    // Whole statements at the same asOf find nothing left to change: slicing changed no result.
    const members = await knex('segment_memberships')
      .whereNull('to_seq')
      .orderBy(['segment_rule_id', 'customer_id'])
      .select('segment_rule_id', 'customer_id');
    const primaries = await knex('customer_primary_segments')
      .orderBy('customer_id')
      .select('customer_id', 'segment_rule_id');
    const previous = configureSlicing({ enabled: false });
    try {
      featureInserts = 0;
      const whole = await queue.request({
        asOf: NOW - 30 * 86_400_000,
        createdBy: 'test',
      });
      await queue.idle();
      expect(featureInserts).toBe(1);
      expect((await executions.getExecution(whole))!.status).toBe('success');
      const results = await knex('segment_results').where({
        execution_id: whole,
      });
      expect(results.map(r => [Number(r.added), Number(r.removed)])).toEqual(
        results.map(() => [0, 0]),
      );
      // The incremental run's statistics (members it did not touch read in slices beforehand,
      // the others from its staged rows) equal those of whole statements over the same members.
      const stats = (r: any) => [
        r.segment_rule_id,
        Number(r.customer_count),
        Number(r.total_revenue),
        Number(r.order_count),
        Number(r.churn_rate),
      ];
      const incResults = await knex('segment_results').where({
        execution_id: inc,
      });
      const wholeBySegment = new Map(results.map(r => [r.segment_rule_id, r]));
      expect(incResults.length).toBeGreaterThan(0);
      expect(incResults.map(stats)).toEqual(
        incResults.map(r => stats(wholeBySegment.get(r.segment_rule_id))),
      );
    } finally {
      configureSlicing(previous);
    }
    expect(
      await knex('segment_memberships')
        .whereNull('to_seq')
        .orderBy(['segment_rule_id', 'customer_id'])
        .select('segment_rule_id', 'customer_id'),
    ).toEqual(members);
    expect(
      await knex('customer_primary_segments')
        .orderBy('customer_id')
        .select('customer_id', 'segment_rule_id'),
    ).toEqual(primaries);
    queue.stop();
  });
});
