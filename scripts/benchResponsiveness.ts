/* eslint-disable no-console */
/**
 * Responsiveness during runs (issue 12): while the engine runs, 50 keep-alive
 * clients (a worker thread) hammer GET /rules/:id over real HTTP; reports
 * p50 / p99 / max latency and failed requests during (a) a full run of the
 * 10 bench rules and (b) the change-driven runs after re-sending every
 * customer through POST /data/customers, with the engine's slicing off (as
 * before it existed) and on, in the same bench run.
 *
 *   npm run bench -- --only responsiveness [--customers 60000] [--runs 3] [--clients 50] [--db pg,sqlite]
 */
import { randomBytes } from 'crypto';
import os from 'os';
import path from 'path';
import { monitorEventLoopDelay } from 'perf_hooks';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { segmentsPlugin } from '../plugins/segments-backend/src/plugin';
import { PersonalDataCodec } from '../plugins/segments-backend/src/crypto/PersonalDataCodec';
import { generateDemoBatches } from '../plugins/segments-backend/src/demo/generateDemoData';
import { bulkLoad } from '../plugins/segments-backend/src/demo/bulkInsert';
import { DatabaseExecutionStore } from '../plugins/segments-backend/src/database/ExecutionStore';
import { DatabaseRuleStore } from '../plugins/segments-backend/src/database/RuleStore';
import { ExecutionQueue } from '../plugins/segments-backend/src/engine/ExecutionQueue';
import { SegmentEngine } from '../plugins/segments-backend/src/engine/SegmentEngine';
import { configureSlicing } from '../plugins/segments-backend/src/engine/slicing';
import { ChangeTracker } from '../plugins/segments-backend/src/incremental/ChangeTracker';
import { IncrementalRunner } from '../plugins/segments-backend/src/incremental/IncrementalRunner';
import { hammerFigures, HammerFigures, startHammer } from './benchHammer';
import { fullRunRules } from './lib/benchRules';
import { engineLogger } from './lib/engineLogger';
import { migrate, openPg, openSqlite } from './lib/databases';
import { fmtInt, fmtMs } from './lib/progress';
import { summarize } from './lib/stats';

const DATA_NOW = Date.UTC(2026, 0, 1);
const SEED = 42;
const DAY = 86_400_000;
const TARGET_P99_MS = 200;
const PHASE_LABEL: Record<Phase, string> = {
  idle: '(0) no run, for reference (3 s)',
  full: '(a) full run of 10 rules',
  changes: '(b) change-driven runs after re-sending every customer',
};

type DbKind = 'pg' | 'sqlite';
type Phase = 'idle' | 'full' | 'changes';

/** One measured window: a run (or runs) with the hammer going. */
interface Window extends HammerFigures {
  phase: Phase;
  slicing: boolean;
  runMs: number;
  /** Longest event-loop delay of the server's process in the window. */
  loopMaxMs: number;
}

/** Everything measured on one database. */
export interface ResponsivenessResult {
  db: DbKind;
  engineLabel: string;
  windows: Window[];
  error?: string;
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
const epochNow = () => performance.timeOrigin + performance.now();

/** Measures one database; appends to `result.windows`. */
export async function benchResponsiveness(
  kind: DbKind,
  result: ResponsivenessResult,
  options: { customers: number; runs: number; clients: number },
) {
  const tag = `[${kind} responsiveness]`;
  const knex =
    kind === 'pg'
      ? await openPg({
          database: 'segments_bench_responsiveness',
          fresh: true,
          // Knex's default, which Backstage gives each plugin's database.
          poolMax: 10,
        })
      : openSqlite(
          path.join(
            os.tmpdir(),
            'segments-bench',
            'segments-bench-responsiveness.sqlite',
          ),
          { fresh: true },
        );
  const encryptionKey = {
    id: 'bench',
    secret: randomBytes(32).toString('base64'),
  };
  const personalData = PersonalDataCodec.create({ keys: [encryptionKey] });
  try {
    await migrate(knex, personalData);
    const batches = () =>
      generateDemoBatches({
        customers: options.customers,
        seed: SEED,
        now: DATA_NOW,
        batchSize: 10_000,
      });
    const load = await bulkLoad(knex, batches(), {
      personalData,
      deferIndexes: true,
    });
    if (kind === 'pg') await knex.raw('VACUUM (ANALYZE) customers, orders');
    console.log(
      `${tag} loaded ${fmtInt(load.customers)} customers, ${fmtInt(
        load.orders,
      )} orders`,
    );
    const backend = await startTestBackend({
      features: [
        segmentsPlugin,
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({
          data: {
            segments: {
              demoData: { enabled: false },
              encryption: { keys: [encryptionKey] },
              execution: { timeoutSeconds: 900, maxAttempts: 1 },
              // The bench starts the change-driven runs itself (below), not the scheduler.
              incremental: { intervalSeconds: 3600 },
            },
          },
        }),
      ],
    });
    const base = `http://127.0.0.1:${backend.server.port()}/api/segments`;
    const api = async (method: string, route: string, body?: unknown) => {
      const res = await fetch(`${base}${route}`, {
        method,
        headers:
          body === undefined
            ? undefined
            : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok)
        throw new Error(
          `${method} ${route}: ${res.status} ${text.slice(0, 300)}`,
        );
      return text ? JSON.parse(text) : undefined;
    };
    // The plugin's own incremental runner waits an hour: the same classes, on the same database, run the change-driven runs.
    const rules = DatabaseRuleStore.create({ database: knex });
    const executions = DatabaseExecutionStore.create({ database: knex });
    const engine = SegmentEngine.create({
      database: knex,
      rules,
      executions,
      logger: engineLogger,
    });
    const queue = ExecutionQueue.create({
      engine,
      executions,
      logger: engineLogger,
      policy: { maxAttempts: 1, timeoutMs: 900_000 },
    });
    const incremental = IncrementalRunner.create({
      changes: ChangeTracker.create({ database: knex }),
      queue,
      delayMs: 0,
    });
    try {
      const ids = new Map<string, string>();
      for (const r of fullRunRules(DATA_NOW)) {
        const { parent, ...input } = r;
        const created = await api('POST', '/rules', {
          ...input,
          ...(parent ? { parentSegmentId: ids.get(parent) } : {}),
        });
        ids.set(r.name, created.id);
      }
      const url = `${base}/rules/${ids.get('Bench: gold and platinum APAC')}`;
      const fullRun = async (asOf: number) => {
        const { executionId } = await api('POST', '/execute', {
          asOf: new Date(asOf).toISOString(),
        });
        for (;;) {
          await sleep(100);
          const e = await executions.getExecution(executionId);
          if (e && ['success', 'partial', 'failed'].includes(e.status)) {
            if (e.status !== 'success')
              throw new Error(`full run ${e.status}: ${e.error}`);
            return;
          }
        }
      };
      await fullRun(DATA_NOW); // every member new; not measured
      let runNo = 0;
      for (let r = 0; r < options.runs; r++) {
        // Alternate which mode goes first, so that neither always meets a warmer cache.
        // Slicing is for SQLite only: on PostgreSQL both settings run the same statements.
        const modes =
          kind === 'pg' ? [true] : r % 2 ? [true, false] : [false, true];
        for (const slicing of modes) {
          // 'idle': the same clients with no run, for reference (once a run, with slicing on).
          const phases: Phase[] = slicing
            ? ['idle', 'full', 'changes']
            : ['full', 'changes'];
          for (const phase of phases) {
            if (phase === 'changes') {
              // Re-send every customer (unchanged data, as a nightly sync would): all are marked as changed.
              for (const batch of batches())
                await api('POST', '/data/customers', {
                  items: batch.customers,
                });
            }
            configureSlicing({ enabled: slicing });
            const hammer = startHammer(url, options.clients);
            const loop = monitorEventLoopDelay({ resolution: 10 });
            await sleep(300);
            loop.enable();
            const from = epochNow();
            if (phase === 'idle') {
              await sleep(3000);
            } else if (phase === 'full') {
              await fullRun(DATA_NOW - (++runNo % 2) * 7 * DAY);
            } else {
              while (await incremental.tick(Date.now() + 1, DATA_NOW))
                await queue.idle();
            }
            const to = epochNow();
            loop.disable();
            const samples = await hammer.stop();
            configureSlicing({ enabled: true });
            const w: Window = {
              phase,
              slicing,
              runMs: to - from,
              loopMaxMs: loop.max / 1e6,
              ...hammerFigures(samples, from, to),
            };
            result.windows.push(w);
            console.log(
              `${tag} run ${r + 1} ${PHASE_LABEL[phase]}, slicing ${
                slicing ? 'on' : 'off'
              }: ` +
                `${fmtMs(w.runMs)}; ${fmtInt(w.requests)} requests, p50 ${fmtMs(
                  w.p50,
                )}, p99 ${fmtMs(w.p99)}, max ${fmtMs(w.max)}, ` +
                `failed ${w.failed}${
                  w.failed ? ` ${JSON.stringify(w.failures)}` : ''
                }; event loop max ${fmtMs(w.loopMaxMs)}`,
            );
          }
        }
      }
    } finally {
      queue.stop();
      await backend.stop();
    }
  } finally {
    configureSlicing({ enabled: true });
    await knex.destroy();
  }
}

function slicingLabel(phase: Phase, slicing: boolean) {
  if (phase === 'idle') return '—';
  return slicing ? 'on' : 'off (before)';
}

/** The markdown table of the figures (medians over runs). */
export function renderResponsivenessTable(
  results: ResponsivenessResult[],
  clients: number,
): string {
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const lines = [
    row([
      'Window (median of runs)',
      'Slicing',
      ...results.map(r => r.engineLabel),
    ]),
    row(['---', '---', ...results.map(() => '---')]),
  ];
  const pick = (r: ResponsivenessResult, phase: Phase, slicing: boolean) =>
    r.windows.filter(w => w.phase === phase && w.slicing === slicing);
  const med = (ws: Window[], f: (w: Window) => number) =>
    ws.length ? summarize(ws.map(f)).median : NaN;
  for (const phase of ['idle', 'full', 'changes'] as Phase[]) {
    const label = PHASE_LABEL[phase];
    for (const slicing of phase === 'idle' ? [true] : [false, true]) {
      lines.push(
        row([
          label,
          slicingLabel(phase, slicing),
          ...results.map(r => {
            const ws = pick(r, phase, slicing);
            if (!ws.length) return 'n/a';
            const failed = ws.reduce((s, w) => s + w.failed, 0);
            return (
              `run ${fmtMs(med(ws, w => w.runMs))}; p50 ${fmtMs(
                med(ws, w => w.p50),
              )} / p99 ${fmtMs(med(ws, w => w.p99))} / ` +
              `max ${fmtMs(med(ws, w => w.max))}; event loop max ${fmtMs(
                med(ws, w => w.loopMaxMs),
              )}; ` +
              `${fmtInt(
                med(ws, w => w.requests),
              )} requests, ${failed} failed in ${ws.length} runs`
            );
          }),
        ]),
      );
    }
    if (phase === 'idle') continue;
    lines.push(
      row([
        label,
        'p99 off / on',
        ...results.map(r => {
          const off = med(pick(r, phase, false), w => w.p99);
          const on = med(pick(r, phase, true), w => w.p99);
          const verdict = `target p99 < ${TARGET_P99_MS} ms: **${
            on < TARGET_P99_MS ? 'met' : 'missed'
          }**`;
          if (!Number.isFinite(on)) return 'n/a';
          return Number.isFinite(off / on)
            ? `${(off / on).toFixed(1)}x (${verdict})`
            : verdict;
        }),
      ]),
    );
  }
  lines.push(
    '',
    `${clients} keep-alive clients sending GET /rules/:id back to back during each window.`,
  );
  for (const r of results)
    if (r.error)
      lines.push('', `${r.engineLabel} FAILED: ${r.error.split('\n')[0]}`);
  return lines.join('\n');
}
