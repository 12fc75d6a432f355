/* eslint-disable @backstage/no-undeclared-imports */
// (Test-only code: its dev dependencies are used by the fuzz tests alone.)
import { TestDatabaseId } from '@backstage/backend-test-utils';
import fc from 'fast-check';
import { Knex } from 'knex';
import request from 'supertest';
import {
  as,
  startSecuredBackend,
} from '../../permissions/__testUtils__/securedBackend';
import { GenContext, Operation, operations, Pool } from './fuzzGenerator';
import {
  capturedLogs,
  capturingRootLogger,
  idPools,
  PII,
  piiIn,
  seedData,
  snapshot,
  waitForIdle,
} from './fuzzHarness';
import { requestsFor, resolve, ResolvedRequest } from './fuzzRequests';

/** The generator's seed: SEGMENTS_FUZZ_SEED, fixed in CI. */
export const SEED = Number(process.env.SEGMENTS_FUZZ_SEED ?? 20261205);
const SQLITE_RUNS = Number(process.env.SEGMENTS_FUZZ_RUNS ?? 4000);
/** Requests per database: SEGMENTS_FUZZ_RUNS on SQLite (4,000), a quarter of it on PostgreSQL unless SEGMENTS_FUZZ_RUNS_PG says. */
export const RUNS: Record<string, number> = {
  SQLITE_3: SQLITE_RUNS,
  POSTGRES_15: Number(
    process.env.SEGMENTS_FUZZ_RUNS_PG ?? Math.ceil(SQLITE_RUNS / 4),
  ),
};

/** Routes documented to answer personal data, to principals who may read it. */
const PII_ROUTES = new Set([
  'GET /data/customers/{id}',
  'GET /data/customers/{id}/export',
  'GET /results/{id}/customers',
  'GET /customers/{id}/explain',
  'POST /rules/preview',
  'POST /rules/{id}/preview-change',
]);
/** Routes that must never change stored state, whatever they answer. */
const READ_ONLY = (op: Operation) =>
  op.method === 'get' ||
  [
    'POST /rules/preview',
    'POST /rules/{id}/preview-change',
    'POST /data/customers/lookup',
  ].includes(op.key);

interface Finding {
  kind: string;
  count: number;
  example: string;
}

async function send(
  server: any,
  r: ResolvedRequest,
): Promise<request.Response> {
  let t = (request(server) as any)[r.method](r.url).timeout(30_000);
  for (const [k, v] of Object.entries<string>(as[r.role])) t = t.set(k, v);
  if (r.requestId && /^[\x20-\x7e]*$/.test(r.requestId))
    t = t.set('x-request-id', r.requestId);
  if (r.body && 'json' in r.body)
    t = t
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(r.body.json) ?? '');
  else if (r.body)
    t = t
      .set('Content-Type', r.body.type)
      .send(
        typeof r.body.raw === 'string' ? r.body.raw : Buffer.from(r.body.raw),
      );
  return t;
}

async function seed(server: any) {
  const { customers, orders } = seedData();
  for (const [p, items] of [
    ['customers', customers],
    ['orders', orders],
  ] as const) {
    const res = await request(server)
      .post(`/api/segments/data/${p}`)
      .set(as.service)
      .send({ items });
    expect([res.status, res.body.rejected]).toEqual([200, []]);
  }
  const rule = (name: string, value: number, visibility: string[] = []) => ({
    name,
    status: 'active',
    logicalOperator: 'AND',
    conditions: [
      { field: 'totalSpent', operator: 'gte', value, dataType: 'number' },
    ],
    visibility,
  });
  for (const [who, body] of [
    [as.admin, rule('fuzz gte 0', 0, ['group:default/marketing'])],
    [as.admin, rule('fuzz gte 100', 100)],
    [as.admin, rule('fuzz gte 300', 300)],
    [as.editor, rule('fuzz gte 200', 200)],
  ] as const) {
    expect(
      (await request(server).post('/api/segments/rules').set(who).send(body))
        .status,
    ).toBe(201);
  }
  expect(
    (await request(server).post('/api/segments/execute').set(as.admin).send({}))
      .status,
  ).toBe(202);
}

/**
 * Sends RUNS[databaseId] generated requests to a fresh secured backend on the
 * database and asserts no undocumented 5xx, no personal data of the seeded
 * customers in answers (outside the routes that serve it) or in any log line,
 * no change to the stored state by a refused request (or a read), and that
 * every operation of openapi.yaml got its share of requests and a success.
 * Needs capturingRootLogger in the backend (see fuzz.sqlite.test.ts).
 */
export async function fuzzDatabase(databaseId: TestDatabaseId): Promise<void> {
  const { server, knex } = await startSecuredBackend(databaseId, {}, [
    capturingRootLogger,
  ]);
  await seed(server);
  await waitForIdle(knex);
  // The checks see what they look for: logs are captured, seeded personal data is recognised.
  expect(capturedLogs.length).toBeGreaterThan(0);
  expect(
    piiIn(
      (
        await request(server)
          .get('/api/segments/data/customers/c1')
          .set(as.admin)
      ).text,
    ),
  ).toHaveLength(4);
  const fields = (
    await request(server).get('/api/segments/fields').set(as.admin)
  ).body.items;
  const ctx: GenContext = { fields, pii: PII };
  const ops = operations();
  const byKey = new Map(ops.map(o => [o.key, o]));
  // Creations weigh more, so that deletions do not use up the rules.
  const arb = fc.oneof(
    ...ops.map(o => ({
      weight: o.key === 'POST /rules' ? 3 : 1,
      arbitrary: requestsFor(o, ctx),
    })),
  );

  const findings = new Map<string, Finding>();
  const sent = new Map<string, number>(ops.map(o => [o.key, 0]));
  const succeeded = new Map<string, number>(ops.map(o => [o.key, 0]));
  let pools: Record<Pool, string[]> = await idPools(knex);
  let baseline = await snapshot(knex);
  let unchecked: string[] = [];
  let run = 0;
  const started = Date.now();

  const note = (kind: string, example: object) => {
    const f = findings.get(kind) ?? {
      kind,
      count: 0,
      example: JSON.stringify({ seed: SEED, run, ...example }),
    };
    f.count++;
    findings.set(kind, f);
  };
  // Refused requests (and reads) since the last change must have left the tables as they were.
  const checkUnchanged = async (k: Knex) => {
    if (!unchecked.length) return;
    const now = await snapshot(k);
    if (JSON.stringify(now) !== JSON.stringify(baseline)) {
      const diff = Object.keys(now).filter(t => now[t] !== baseline[t]);
      note(`state changed by refused/read requests (${diff.join(', ')})`, {
        requests: unchecked.slice(-5),
      });
      baseline = now;
    }
    unchecked = [];
  };

  await fc.assert(
    fc.asyncProperty(arb, async req => {
      run++;
      const op = byKey.get(req.op)!;
      const r = resolve(req, op, pools);
      if (!READ_ONLY(op)) await checkUnchanged(knex);
      const logMark = capturedLogs.length;
      let res: request.Response;
      try {
        res = await send(server, r);
      } catch (e) {
        note(`${op.key}: no answer (${String(e).slice(0, 80)})`, {
          request: r,
        });
        return;
      }
      sent.set(op.key, sent.get(op.key)! + 1);
      const shown = {
        request: r,
        status: res.status,
        body: res.text?.slice(0, 300),
      };
      if (res.status >= 500 && !op.documented5xx.includes(res.status))
        note(`${op.key}: ${res.status}`, shown);
      const ok = res.status >= 200 && res.status < 300;
      if (ok) succeeded.set(op.key, succeeded.get(op.key)! + 1);
      const mayReadPii =
        ok &&
        PII_ROUTES.has(op.key) &&
        ['admin', 'editor', 'service'].includes(r.role);
      const leaked = mayReadPii ? [] : piiIn(res.text ?? '');
      if (leaked.length)
        note(`${op.key}: ${res.status} answer has personal data`, {
          ...shown,
          leaked,
        });

      if (ok && !READ_ONLY(op)) {
        await waitForIdle(knex);
        pools = await idPools(knex);
        baseline = await snapshot(knex);
      } else if (res.status >= 400 || READ_ONLY(op)) {
        unchecked.push(
          JSON.stringify({ run, status: res.status, ...r }).slice(0, 1000),
        );
      }
      const logged = capturedLogs.slice(logMark).filter(l => piiIn(l).length);
      if (logged.length)
        note(`${op.key}: ${res.status} personal data in a log line`, {
          ...shown,
          log: logged[0].slice(0, 500),
        });
    }),
    { seed: SEED, numRuns: RUNS[databaseId], endOnFailure: true },
  );
  await checkUnchanged(knex);

  const seconds = (Date.now() - started) / 1000;
  // eslint-disable-next-line no-console
  console.log(
    `fuzz ${databaseId}: ${run} requests in ${seconds.toFixed(
      1,
    )} s, seed ${SEED}; 2xx per route: ${JSON.stringify(
      Object.fromEntries(succeeded),
    )}`,
  );
  // Replay a finding: npm run fuzz -- --seed <seed> --runs <run> (the state builds up from run 1).
  expect(
    [...findings.values()].map(
      f => `${f.kind} (×${f.count}) e.g. ${f.example.slice(0, 1500)}`,
    ),
  ).toEqual([]);

  // Coverage: every operation in the spec got its share of requests and at least one success.
  const minimum = Math.floor(RUNS[databaseId] / ops.length / 3);
  expect([...sent].filter(([, n]) => n < minimum)).toEqual([]);
  if (RUNS[databaseId] >= 1000)
    expect([...succeeded].filter(([, n]) => n === 0)).toEqual([]);
}

/**
 * The fuzz test of one database, one test file each so that Jest runs them side
 * by side. Skipped only where that database is not available to the test run
 * (e.g. no PostgreSQL connection string): CI always has both.
 */
export function describeFuzz(
  databaseId: TestDatabaseId,
  supported: TestDatabaseId[],
) {
  jest.setTimeout(120_000 + RUNS[databaseId] * 100);
  describe(`schema-driven fuzzing on ${databaseId}`, () => {
    const run = supported.includes(databaseId) ? it : it.skip;
    run(
      'answers every generated request without a 5xx, a personal-data leak or a change by a refused request',
      () => fuzzDatabase(databaseId),
    );
  });
}
