/* eslint-disable jest/no-conditional-expect -- each fault and its evidence differ by database */
import { mockServices, TestDatabaseId } from '@backstage/backend-test-utils';
import {
  SegmentExecution,
  SegmentRuleInput,
} from '@internal/plugin-segments-common';
import knexFactory, { Knex } from 'knex';
import { testPersonalDataCodec } from '../crypto/testKeys';
import { DatabaseCustomerStore } from '../database/CustomerStore';
import { DatabaseExecutionStore } from '../database/ExecutionStore';
import { migrateDatabase } from '../database/migrateDatabase';
import { DatabaseRuleStore } from '../database/RuleStore';
import { generateDemoBatches } from '../demo/generateDemoData';
import { ChangeTracker } from '../incremental/ChangeTracker';
import { IncrementalRunner } from '../incremental/IncrementalRunner';
import { createRule, ingest, leaf } from '../__testUtils__/api';
import { waitFor } from '../__testUtils__/engineHelpers';
import { databases, startSegmentsBackend } from '../__testUtils__/testBackend';
import { ExecutionObserver } from './ExecutionObserver';
import { ExecutionPolicy, ExecutionQueue } from './ExecutionQueue';
import { SegmentEngine } from './SegmentEngine';

// Faults a production database throws at a run (a dropped connection, a
// statement timeout, customers changing under a full run), on both engines.
// Each disturbed run is compared with the same run, undisturbed, on a second
// database with the same data (the control).

jest.setTimeout(60_000);

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T00:00:00Z');
const AS_OF_1 = NOW - 10 * DAY;
const AS_OF_2 = NOW;
const RETRYING: Partial<ExecutionPolicy> = { maxAttempts: 3, retryBaseMs: 300 };

const n = (
  field: string,
  operator: string,
  value: unknown,
  dataType = 'number',
) => ({ field, operator, value, dataType } as any);
const RULES: SegmentRuleInput[] = [
  {
    name: 'big spenders',
    priority: 1,
    status: 'active',
    logicalOperator: 'AND',
    conditions: [n('totalSpent', 'gt', 30000)],
  },
  {
    name: 'recent',
    priority: 2,
    status: 'active',
    logicalOperator: 'AND',
    conditions: [n('daysSinceLastOrder', 'lte', 30)],
  },
  {
    name: 'taiwan',
    priority: 3,
    status: 'active',
    logicalOperator: 'OR',
    conditions: [
      n('country', 'eq', 'TW', 'string'),
      n('city', 'eq', 'Tokyo', 'string'),
    ],
  },
  {
    name: 'gold',
    priority: 4,
    status: 'active',
    logicalOperator: 'AND',
    conditions: [n('tier', 'eq', 'gold', 'string')],
  },
  {
    name: 'electronics',
    priority: 5,
    status: 'active',
    logicalOperator: 'AND',
    conditions: [n('categories', 'in', ['electronics'], 'array')],
  },
];

/** Demo customers, the rules (with a child of "taiwan") and the change tracker, on a migrated database. */
async function prepare(knex: Knex) {
  await migrateDatabase(knex);
  const customers = DatabaseCustomerStore.create({
    database: knex,
    personalData: testPersonalDataCodec(),
  });
  for (const batch of generateDemoBatches({
    customers: 600,
    seed: 11,
    now: NOW,
  })) {
    await customers.insertRaw(batch.customers, batch.orders);
  }
  const rules = DatabaseRuleStore.create({ database: knex });
  for (const r of RULES) await rules.createRule(r, 'user:default/test');
  const parent = (
    await rules.listRules({ limit: 10, offset: 0, search: 'taiwan' })
  ).items[0];
  await rules.createRule(
    {
      name: 'taiwan spenders',
      priority: 6,
      status: 'active',
      logicalOperator: 'AND',
      parentSegmentId: parent.id,
      conditions: [n('totalSpent', 'gte', 5000)],
    },
    'user:default/test',
  );
  return customers;
}

/** An engine and its queue on `knex`, with an observer that can disturb the run. */
function stack(
  knex: Knex,
  policy: Partial<ExecutionPolicy> = {},
  observer?: ExecutionObserver,
) {
  const executions = DatabaseExecutionStore.create({ database: knex });
  const engine = SegmentEngine.create({
    database: knex,
    rules: DatabaseRuleStore.create({ database: knex }),
    executions,
    logger: mockServices.logger.mock(),
  });
  if (observer) engine.addObserver(observer);
  const queue = ExecutionQueue.create({
    engine,
    executions,
    logger: mockServices.logger.mock(),
    policy,
  });
  /** Runs every active segment at `asOf` through the queue, retries included, and returns the execution. */
  const run = async (asOf: number) => {
    const id = await queue.request({ asOf, createdBy: 'test' });
    await queue.idle();
    return (await executions.getExecution(id))!;
  };
  return { executions, engine, queue, run };
}

/** New orders after the first run, so the second run adds and removes members. */
const LATER_ORDERS = Array.from({ length: 30 }, (_, i) => ({
  id: `later-${i}`,
  customerId: `c${String(i * 17 + 3).padStart(7, '0')}`,
  orderedAt: new Date(NOW - (i % 5) * DAY).toISOString(),
  amount: 20000 + i * 500,
  status: 'completed' as const,
  category: 'electronics',
}));

/** The data and a first, undisturbed run at AS_OF_1; the run under test is the second one. */
async function firstRun(knex: Knex) {
  const customers = await prepare(knex);
  expect((await stack(knex).run(AS_OF_1)).status).toBe('success');
  await customers.insertRaw([], LATER_ORDERS);
}

/** Memberships (with their spells), results (the change reports) and primary segments, by segment name. */
async function snapshot(knex: Knex) {
  const names = new Map(
    (await knex('segment_rules').select('id', 'name')).map(r => [r.id, r.name]),
  );
  const memberships = (await knex('segment_memberships').select()).map(
    m =>
      `${names.get(m.segment_rule_id)} ${m.customer_id} ${m.from_seq} ${
        m.to_seq ?? '-'
      }`,
  );
  const results = (await knex('segment_results').select()).map(r =>
    [
      names.get(r.segment_rule_id),
      r.kind,
      r.seq,
      r.customer_count,
      r.added,
      r.removed,
      r.maintained,
      Number(r.total_revenue).toFixed(2),
      r.order_count,
      Number(r.churn_rate ?? -1).toFixed(6),
    ].join(' '),
  );
  const primary = (await knex('customer_primary_segments').select()).map(
    p => `${p.customer_id} ${names.get(p.segment_rule_id)}`,
  );
  return {
    memberships: memberships.sort(),
    results: results.sort(),
    primary: primary.sort(),
  };
}

/** The control: the second run, undisturbed, on its own database with the same data. */
async function control(id: TestDatabaseId) {
  const knex = await databases.init(id);
  await firstRun(knex);
  expect((await stack(knex).run(AS_OF_2)).status).toBe('success');
  return snapshot(knex);
}

/** A pool of its own on the test database (PostgreSQL), whose idle connections close soon. */
function ownPool(knex: Knex) {
  return knexFactory({
    client: 'pg',
    connection: knex.client.config.connection,
    pool: { min: 0, max: 4, idleTimeoutMillis: 100, reapIntervalMillis: 50 },
    // Knex warns about each connection it finds terminated.
    log: { warn: () => {} },
  });
}

/**
 * Takes an exclusive lock on `table` from a connection of `admin`; once a
 * statement of another connection waits for it, terminates every other
 * connection to the database (pg_terminate_backend), then lets the lock go.
 * Resolves once the lock is held; `terminated` then resolves with the number
 * of connections terminated.
 */
async function terminateConnectionsWhenBlocked(
  admin: Knex,
  table: string,
): Promise<{ terminated: Promise<number> }> {
  const trx = await admin.transaction();
  await trx.raw(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  const others = `FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`;
  // pg_stat_activity is read once per transaction unless its snapshot is cleared.
  const count = async (where: string, bindings: unknown[] = []) => {
    await trx.raw('SELECT pg_stat_clear_snapshot()');
    return Number(
      (
        await trx.raw(
          `SELECT count(*) AS n ${others} ${where}`,
          bindings as any,
        )
      ).rows[0].n,
    );
  };
  const terminated = (async () => {
    try {
      await waitFor(async () =>
        (await count(`AND wait_event_type = 'Lock'`)) > 0 ? true : undefined,
      );
      const pids = (
        await trx.raw(`SELECT pid, pg_terminate_backend(pid) ${others}`)
      ).rows.map((r: any) => r.pid);
      await waitFor(async () =>
        (await count(`AND pid = ANY(?)`, [pids])) === 0 ? true : undefined,
      );
      return pids.length;
    } finally {
      await trx.rollback();
    }
  })();
  return { terminated };
}

/**
 * Makes the `nth` statement matching `pattern` on the (single) connection of
 * a SQLite database fail once, with the error better-sqlite3 throws for a
 * failing disk.
 */
async function failSqliteStatementOnce(
  knex: Knex,
  pattern: RegExp,
  nth: number,
) {
  const connection = await knex.client.acquireConnection();
  knex.client.releaseConnection(connection);
  const original = connection.prepare.bind(connection);
  let seen = 0;
  let failed = false;
  connection.prepare = (sql: string) => {
    if (!failed && pattern.test(sql) && ++seen === nth) {
      failed = true;
      const { SqliteError } = require('better-sqlite3');
      throw new SqliteError('disk I/O error', 'SQLITE_IOERR');
    }
    return original(sql);
  };
  return () => failed;
}

/** Every message recorded on an execution: its log and its error. */
const recorded = (e: SegmentExecution) => [
  ...e.log.map(l => l.message),
  ...(e.error ? [e.error] : []),
];

/** No statement text, no bound value (customer ids, the execution's own id, times) in what a run recorded. */
function expectNoSqlOrData(e: SegmentExecution) {
  for (const message of recorded(e)) {
    expect(message).not.toMatch(/\b(select|insert into|update|delete from)\b/i);
    expect(message).not.toMatch(/c\d{7}|segment_run_|\$\d/);
    expect(message).not.toContain(e.id);
    expect(message).not.toContain(String(AS_OF_2));
  }
}

/** The first attempt failed with `error`, was retried, and the run then succeeded. */
function expectFailedThenRetried(e: SegmentExecution, error: RegExp) {
  expect(e.status).toBe('success');
  expect(e.attempt).toBe(2);
  const messages = e.log.map(l => l.message);
  const failedAt = messages.findIndex(m => /^finished: failed/.test(m));
  expect(messages[failedAt]).toMatch(error);
  expect(
    messages
      .slice(failedAt + 1)
      .some(m => /^retrying in \d+ s \(attempt 2 of 3\)$/.test(m)),
  ).toBe(true);
  expect(messages[messages.length - 1]).toBe('finished: success');
  expectNoSqlOrData(e);
}

describe.each(databases.eachSupportedId())(
  'faults during a run on %s',
  databaseId => {
    const pg = databaseId === 'POSTGRES_15';

    it('retries a run whose database connection drops mid-run and ends like an undisturbed one', async () => {
      const expected = await control(databaseId);
      const knex = await databases.init(databaseId);
      await firstRun(knex);

      let fault: { terminated: Promise<number> } | undefined;
      let injected = () => fault !== undefined;
      const runKnex = pg ? ownPool(knex) : knex;
      if (!pg)
        injected = await failSqliteStatementOnce(
          runKnex,
          /^INSERT INTO segment_run_members/,
          3,
        );
      let committed = 0;
      const { run } = stack(runKnex, RETRYING, {
        // PostgreSQL: after the second segment's commit, the third segment's statements wait
        // for a lock, and the connections are terminated while they do.
        onSegmentResult: async () => {
          if (pg && ++committed === 2)
            fault = await terminateConnectionsWhenBlocked(
              knex,
              'segment_results',
            );
        },
      });
      const done = await run(AS_OF_2);
      if (fault) expect(await fault.terminated).toBeGreaterThan(0);
      expect(injected()).toBe(true);

      expectFailedThenRetried(
        done,
        pg ? /terminat|connection/i : /disk I\/O error|SQLITE_IOERR/,
      );
      expect(
        done.log.some(l =>
          /^resumed \(attempt 2\): 2 of 6 segment\(s\) already done/.test(
            l.message,
          ),
        ),
      ).toBe(true);
      expect(await snapshot(knex)).toEqual(expected);
      if (pg) await runKnex.destroy();
    });
    it('retries a run whose first attempt times out and ends like an undisturbed one', async () => {
      const expected = await control(databaseId);
      const knex = await databases.init(databaseId);
      await firstRun(knex);

      if (pg) {
        // statement_timeout for new sessions of the test database; the features statement of the
        // first attempt waits for a lock on orders past it and is cancelled.
        const { database } = knex.client.config.connection;
        const lock = await knex.transaction();
        await lock.raw('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
        await knex.raw(`ALTER DATABASE ?? SET statement_timeout = '400ms'`, [
          database,
        ]);
        const runKnex = ownPool(knex);
        const timeouts: string[] = [];
        const { queue, executions } = stack(
          runKnex,
          { ...RETRYING, retryBaseMs: 1000 },
          {
            onProgress: async ({ processed }) => {
              if (processed === 0)
                timeouts.push(
                  (await runKnex.raw('SHOW statement_timeout')).rows[0]
                    .statement_timeout,
                );
            },
          },
        );
        const id = await queue.request({ asOf: AS_OF_2, createdBy: 'test' });
        // Lifted once the failed attempt is recorded: the retry's new sessions have no timeout.
        await waitFor(async () =>
          (await executions.getExecution(id))!.log.some(l =>
            l.message.startsWith('retrying'),
          )
            ? true
            : undefined,
        );
        await knex.raw('ALTER DATABASE ?? RESET statement_timeout', [database]);
        await lock.rollback();
        await queue.idle();
        const done = (await executions.getExecution(id))!;
        expect(timeouts).toEqual(['400ms', '0']);
        expectFailedThenRetried(done, /57014.*statement timeout/);
        expect(
          done.log.some(l => /^resumed|^started \(attempt 2\)/.test(l.message)),
        ).toBe(true);
        await runKnex.destroy();
      } else {
        // SQLite cannot cancel a statement: a synchronous statement past the deadline (here a busy
        // wait after the first segment) is caught by the deadline check between steps.
        let slowed = false;
        const { run } = stack(
          knex,
          { ...RETRYING, timeoutMs: 1000 },
          {
            onSegmentResult: async () => {
              if (slowed) return;
              slowed = true;
              const until = Date.now() + 1100;
              while (Date.now() < until);
            },
          },
        );
        const done = await run(AS_OF_2);
        expectFailedThenRetried(done, /aborted: timed out/);
        expect(
          done.log.some(l =>
            /^resumed \(attempt 2\): 1 of 6 segment\(s\) already done/.test(
              l.message,
            ),
          ),
        ).toBe(true);
      }
      expect(await snapshot(knex)).toEqual(expected);
    });
  },
);

// k00..k39: country TW/JP/US in turn, every fourth gold, one order of 100 × i each.
const customer = (i: number, changes: object = {}) => ({
  id: `k${String(i).padStart(2, '0')}`,
  createdAt: '2024-01-01T00:00:00Z',
  country: ['TW', 'JP', 'US'][i % 3],
  tier: i % 4 === 0 ? 'gold' : 'silver',
  ...changes,
});
const order = (
  id: string,
  customerId: string,
  amount: number,
  status = 'completed',
) => ({
  id,
  customerId,
  orderedAt: new Date(NOW - 3 * DAY).toISOString(),
  amount,
  status,
});
const START = {
  customers: Array.from({ length: 40 }, (_, i) => customer(i)),
  orders: Array.from({ length: 40 }, (_, i) =>
    order(`o${i}`, customer(i).id, 100 * i),
  ),
};
/** Changed versions of five customers, each of which changes segment. */
const CHANGES = {
  customers: [
    customer(1, { country: 'TW' }), // joins taiwan
    customer(4, { tier: 'silver' }), // leaves gold
    {
      id: 'k99',
      createdAt: '2026-05-01T00:00:00Z',
      country: 'TW',
      tier: 'gold',
    }, // new: joins all four
  ],
  orders: [
    order('o5b', 'k05', 5000), // joins spenders
    order('o30', 'k30', 3000, 'refunded'), // leaves spenders
    order('o99', 'k99', 9000),
  ],
};

/** Open memberships as "segment customer". */
async function openMemberships(knex: Knex) {
  const names = new Map(
    (await knex('segment_rules').select('id', 'name')).map(r => [r.id, r.name]),
  );
  const rows = await knex('segment_memberships')
    .whereNull('to_seq')
    .select('segment_rule_id', 'customer_id');
  return rows
    .map(m => `${names.get(m.segment_rule_id)} ${m.customer_id}`)
    .sort();
}

describe.each(databases.eachSupportedId())(
  'a full run racing an ingestion on %s',
  databaseId => {
    it.each([
      ['after the full run', false],
      ['while the full run still runs', true],
    ])(
      'loses no change mark: an incremental run started %s catches up',
      async (_, tickDuringRun) => {
        const { server, knex } = await startSegmentsBackend(databaseId, {
          // The backend's own incremental task stays out of the way: this test ticks itself.
          segments: { incremental: { intervalSeconds: 3600 } },
        });
        await ingest(server, START);
        await createRule(server, {
          name: 'spenders',
          priority: 1,
          conditions: [leaf('totalSpent', 'gt', 2000, 'number')],
        });
        const taiwan = await createRule(server, {
          name: 'taiwan',
          priority: 2,
          conditions: [leaf('country', 'eq', 'TW', 'string')],
        });
        await createRule(server, {
          name: 'gold',
          priority: 3,
          conditions: [leaf('tier', 'eq', 'gold', 'string')],
        });
        await createRule(server, {
          name: 'taiwan spenders',
          priority: 4,
          parentSegmentId: taiwan.id,
          conditions: [leaf('totalSpent', 'gte', 1000, 'number')],
        });

        const changes = ChangeTracker.create({ database: knex });
        await changes.clear(await changes.pending(Date.now() + 1, 100_000)); // the initial load is not a change
        let racingIncremental: string | undefined;
        let armed = false;
        let raced = false;
        let racingId: string | undefined = undefined;
        const { queue, executions, run } = stack(
          knex,
          { maxAttempts: 1 },
          {
            // After the first segment's commit the features are computed: the changed customers'
            // are stale for the rest of this run.
            onProgress: async ({ processed, executionId }) => {
              if (
                !armed ||
                raced ||
                processed !== 1 ||
                executionId !== racingId
              )
                return;
              raced = true;
              await ingest(server, CHANGES);
              if (tickDuringRun)
                // eslint-disable-next-line @typescript-eslint/no-use-before-define -- called during the run, after it is created
                racingIncremental = await incremental.tick(
                  Date.now() + 1,
                  AS_OF_2,
                );
            },
          },
        );
        const incremental = IncrementalRunner.create({
          changes,
          queue,
          delayMs: 0,
        });
        expect((await run(AS_OF_2)).status).toBe('success');
        const before = await openMemberships(knex);

        armed = true;
        racingId = await queue.request({ asOf: AS_OF_2, createdBy: 'test' });
        await queue.idle();
        const racing = (await executions.getExecution(racingId))!;
        expect(raced).toBe(true);
        expect(racing).toMatchObject({ kind: 'full', status: 'success' });
        const changed = ['k01', 'k04', 'k05', 'k30', 'k99'];
        if (!tickDuringRun) {
          // The full run used the data of before the ingestion, and the marks are still there.
          expect(await openMemberships(knex)).toEqual(before);
          expect(
            (await changes.pending(Date.now() + 1, 100)).map(c => c.id).sort(),
          ).toEqual(changed);
          racingIncremental = await incremental.tick(Date.now() + 1, AS_OF_2);
          await queue.idle();
        }
        expect(
          (await executions.getExecution(racingIncremental!))!,
        ).toMatchObject({
          kind: 'incremental',
          status: 'success',
          customerCount: changed.length,
        });
        expect(await changes.pending(Date.now() + 1, 100)).toEqual([]);
        const caughtUp = await openMemberships(knex);
        expect(caughtUp).toEqual(
          expect.arrayContaining([
            'spenders k05',
            'spenders k99',
            'taiwan k01',
            'taiwan k99',
            'gold k99',
            'taiwan spenders k99',
          ]),
        );
        expect(caughtUp).not.toEqual(expect.arrayContaining(['gold k04']));
        expect(caughtUp).not.toEqual(expect.arrayContaining(['spenders k30']));
        const primaries = await knex('customer_primary_segments')
          .orderBy('customer_id')
          .select('customer_id', 'segment_rule_id');

        // A fresh full run on the final data changes nothing.
        const fresh = await run(AS_OF_2);
        expect(fresh.status).toBe('success');
        const freshResults = await knex('segment_results').where({
          execution_id: fresh.id,
        });
        expect(freshResults).toHaveLength(4);
        expect(
          freshResults.map(r => [Number(r.added), Number(r.removed)]),
        ).toEqual(freshResults.map(() => [0, 0]));
        expect(await openMemberships(knex)).toEqual(caughtUp);
        expect(
          await knex('customer_primary_segments')
            .orderBy('customer_id')
            .select('customer_id', 'segment_rule_id'),
        ).toEqual(primaries);
        queue.stop();
      },
    );
  },
);
