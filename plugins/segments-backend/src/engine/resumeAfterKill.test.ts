import { mockServices, TestDatabaseId } from '@backstage/backend-test-utils';
import { SegmentRuleInput } from '@internal/plugin-segments-common';
import { spawn } from 'child_process';
import fs from 'fs';
import knexFactory, { Knex } from 'knex';
import os from 'os';
import path from 'path';
import { testPersonalDataCodec } from '../crypto/testKeys';
import { DatabaseCustomerStore } from '../database/CustomerStore';
import { DatabaseExecutionStore } from '../database/ExecutionStore';
import { migrateDatabase } from '../database/migrateDatabase';
import { DatabaseRuleStore } from '../database/RuleStore';
import { generateDemoBatches } from '../demo/generateDemoData';
import { databases } from '../__testUtils__/testBackend';
import { waitFor } from '../__testUtils__/engineHelpers';
import { ExecutionQueue } from './ExecutionQueue';
import { SegmentEngine } from './SegmentEngine';

jest.setTimeout(180_000);

const NOW = Date.parse('2026-06-01T00:00:00Z');
const AS_OF_1 = NOW - 10 * 86_400_000;
const AS_OF_2 = NOW;
const n = (field: string, operator: string, value: unknown, dataType = 'number') => ({ field, operator, value, dataType }) as any;
const RULES: SegmentRuleInput[] = [
  { name: 'big spenders', priority: 1, status: 'active', logicalOperator: 'AND', conditions: [n('totalSpent', 'gt', 30000)] },
  { name: 'recent', priority: 2, status: 'active', logicalOperator: 'AND', conditions: [n('daysSinceLastOrder', 'lte', 30)] },
  { name: 'taiwan', priority: 3, status: 'active', logicalOperator: 'OR', conditions: [n('country', 'eq', 'TW', 'string'), n('city', 'eq', 'Tokyo', 'string')] },
  { name: 'young', priority: 4, status: 'active', logicalOperator: 'AND', conditions: [n('age', 'lt', 35)] },
  { name: 'newsletter', priority: 5, status: 'active', logicalOperator: 'AND', conditions: [n('attributes.newsletter', 'eq', true, 'boolean')] },
  { name: 'electronics', priority: 6, status: 'active', logicalOperator: 'AND', conditions: [n('categories', 'in', ['electronics'], 'array')] },
];

/** A database that a child process can open too: a SQLite file, or a fresh PostgreSQL database. */
async function openDatabase(id: TestDatabaseId): Promise<{ knex: Knex; config: Knex.Config }> {
  if (id === 'SQLITE_3') {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'segments-kill-')), 'segments.sqlite');
    const config = { client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true };
    return { knex: knexFactory(config), config };
  }
  const knex = await databases.init(id);
  return { knex, config: { client: 'pg', connection: knex.client.config.connection } };
}

async function prepare(knex: Knex) {
  await migrateDatabase(knex);
  const customers = DatabaseCustomerStore.create({ database: knex, personalData: testPersonalDataCodec() });
  for (const batch of generateDemoBatches({ customers: 1500, seed: 7, now: NOW })) {
    await customers.insertRaw(batch.customers, batch.orders);
  }
  const rules = DatabaseRuleStore.create({ database: knex });
  for (const r of RULES) await rules.createRule(r, 'user:default/test');
  const parent = (await rules.listRules({ limit: 10, offset: 0, search: 'taiwan' })).items[0];
  await rules.createRule(
    { name: 'taiwan spenders', priority: 7, status: 'active', logicalOperator: 'AND', parentSegmentId: parent.id, conditions: [n('totalSpent', 'gte', 5000)] },
    'user:default/test',
  );
  return customers;
}

function engineFor(knex: Knex) {
  const executions = DatabaseExecutionStore.create({ database: knex });
  const engine = SegmentEngine.create({
    database: knex,
    rules: DatabaseRuleStore.create({ database: knex }),
    executions,
    logger: mockServices.logger.mock(),
  });
  return { engine, executions };
}

/** Memberships and results by segment name, without ids and times. */
async function snapshot(knex: Knex) {
  const names = new Map((await knex('segment_rules').select('id', 'name')).map(r => [r.id, r.name]));
  const memberships = (await knex('segment_memberships').select()).map(
    m => `${names.get(m.segment_rule_id)} ${m.customer_id} ${m.from_seq} ${m.to_seq ?? '-'}`,
  );
  const results = (await knex('segment_results').select()).map(r =>
    [names.get(r.segment_rule_id), r.seq, r.customer_count, r.added, r.removed, r.maintained, Number(r.total_revenue).toFixed(2), r.order_count, Number(r.churn_rate ?? -1).toFixed(6)].join(' '),
  );
  const primary = (await knex('customer_primary_segments').select()).map(p => `${p.customer_id} ${names.get(p.segment_rule_id)}`);
  return { memberships: memberships.sort(), results: results.sort(), primary: primary.sort() };
}

/** New orders after the first run, so the second run adds and removes members. */
const LATER_ORDERS = Array.from({ length: 40 }, (_, i) => ({
  id: `later-${i}`,
  customerId: `c${String(i * 31 + 5).padStart(7, '0')}`,
  orderedAt: new Date(NOW - (i % 5) * 86_400_000).toISOString(),
  amount: 20000 + i * 500,
  status: 'completed' as const,
  category: 'electronics',
}));

describe.each(databases.eachSupportedId())('an execution killed with SIGKILL on %s', databaseId => {
  it('resumes from its checkpoint and ends exactly like an uninterrupted run', async () => {
    const killed = await openDatabase(databaseId);
    const reference = await openDatabase(databaseId);
    for (const db of [killed, reference]) {
      const customers = await prepare(db.knex);
      const { engine, executions } = engineFor(db.knex);
      const first = await executions.createExecution({ asOf: AS_OF_1, createdBy: 'test' });
      expect(await engine.runExecution(first)).toBe('success');
      await customers.insertRaw([], LATER_ORDERS);
    }

    // Reference: the second run, uninterrupted.
    const ref = engineFor(reference.knex);
    expect(await ref.engine.runExecution(await ref.executions.createExecution({ asOf: AS_OF_2, createdBy: 'test' }))).toBe('success');

    // The same run in a child process, killed after its second committed segment.
    const { executions } = engineFor(killed.knex);
    const id = await executions.createExecution({ asOf: AS_OF_2, createdBy: 'test' });
    // One process (node with tsx's loader), so SIGKILL really stops the worker.
    const script = path.join(__dirname, '../__testUtils__/executionChild.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(killed.config), id], {
      cwd: path.resolve(__dirname, '../../../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', d => (output += d));
    child.stderr.on('data', d => (output += d));
    let exited = false;
    child.once('exit', () => (exited = true));
    await waitFor(async () => (/progress 2/.test(output) || exited ? true : undefined), 90_000).catch(e => {
      throw new Error(`${e.message}; child said: ${output}`);
    });
    expect(exited).toBe(false);
    child.kill('SIGKILL');
    await waitFor(async () => (exited ? true : undefined));
    expect(output).not.toMatch(/finished/);

    const interrupted = await executions.getExecution(id);
    expect(interrupted!.status).toBe('running');
    const done = await killed.knex('segment_results').where({ execution_id: id }).count({ c: '*' });
    expect(Number(done[0].c)).toBeGreaterThanOrEqual(2);
    expect(Number(done[0].c)).toBeLessThan(RULES.length + 1);

    // Next start: the orphan is picked up (its heartbeat is stale) and resumed.
    const { engine } = engineFor(killed.knex);
    const queue = ExecutionQueue.create({ engine, executions, logger: mockServices.logger.mock(), policy: { maxAttempts: 1 } });
    expect(await queue.resumeOrphans(Date.now() + 10 * 60_000)).toEqual([id]);
    await queue.idle();
    queue.stop();
    const resumed = await executions.getExecution(id);
    expect(resumed!.status).toBe('success');
    expect(resumed!.log.some(l => /resumed \(attempt 1\): [2-6] of 7 segment\(s\) already done/.test(l.message))).toBe(true);

    expect(await snapshot(killed.knex)).toEqual(await snapshot(reference.knex));
    expect(Number((await killed.knex('segment_run_features').count({ c: '*' }))[0].c)).toBe(0);
    if (databaseId === 'SQLITE_3') {
      await killed.knex.destroy();
      await reference.knex.destroy();
    }
  });
});
