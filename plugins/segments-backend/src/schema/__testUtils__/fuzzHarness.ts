import {
  coreServices,
  createServiceFactory,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { createHash } from 'crypto';
import { Knex } from 'knex';
import { Pool } from './fuzzGenerator';

/** Every log line of the backend (message and metadata), in order. */
export const capturedLogs: string[] = [];

function serialize(meta: unknown): string {
  if (meta === undefined) return '';
  return (
    JSON.stringify(meta, (_k, v) =>
      v instanceof Error ? { ...v, message: v.message, stack: v.stack } : v,
    ) ?? ''
  );
}

class CapturingLogger implements LoggerService {
  constructor(private readonly labels: Record<string, unknown>) {}
  private log(level: string, message: string, meta?: unknown) {
    capturedLogs.push(
      `${level} ${serialize(this.labels)} ${message} ${serialize(meta)}`,
    );
  }
  error = (m: string, meta?: unknown) => this.log('error', m, meta);
  warn = (m: string, meta?: unknown) => this.log('warn', m, meta);
  info = (m: string, meta?: unknown) => this.log('info', m, meta);
  debug = (m: string, meta?: unknown) => this.log('debug', m, meta);
  child = (labels: Record<string, unknown>) =>
    new CapturingLogger({ ...this.labels, ...labels });
}

/** A root logger that keeps every line, at every level, in `capturedLogs`. */
export const capturingRootLogger = createServiceFactory({
  service: coreServices.rootLogger,
  deps: {},
  factory: () => new CapturingLogger({}),
});

/** Synthetic personal data of the seeded customers c1..c4 (ASCII, unlike any generated value). */
export const PII = {
  name: [
    'Zephyrine Quackenbush',
    'Bartholomew Oyelaran',
    'Isolde Vantongeren',
    'Octavian Pemberley',
  ],
  email: [
    'zephyrine.q@pii-fuzz.example',
    'bart.oyelaran@pii-fuzz.example',
    'isolde.v@pii-fuzz.example',
    'octavian.p@pii-fuzz.example',
  ],
  phone: [
    '+886 955 301 771',
    '+81 90 4417 2093',
    '+49 151 2207 8814',
    '+1 415 555 0187',
  ],
  birthDate: ['1931-07-29', '1944-11-03', '1952-02-17', '1938-05-21'],
};

/** Which personal-data values occur in a text (case-insensitive). */
export function piiIn(text: string): string[] {
  const lower = text.toLowerCase();
  return Object.values(PII)
    .flat()
    .filter(v => lower.includes(v.toLowerCase()));
}

/** Seed customers c1..c4 (with PII) and their orders. */
export function seedData() {
  const customers = PII.name.map((name, i) => ({
    id: `c${i + 1}`,
    name,
    email: PII.email[i],
    phone: PII.phone[i],
    birthDate: PII.birthDate[i],
    country: i % 2 ? 'JP' : 'TW',
    tier: i < 2 ? 'gold' : 'silver',
    createdAt: '2024-01-01T00:00:00Z',
    attributes: { vip: i === 0, score: i * 10 },
  }));
  const orders = customers.flatMap((c, i) =>
    [0, 1].map(k => ({
      id: `o${i + 1}-${k}`,
      customerId: c.id,
      orderedAt: `2024-0${3 + k}-01T10:00:00Z`,
      amount: 100 * (i + 1) + k,
      status: 'completed',
      category: k ? 'books' : 'toys',
    })),
  );
  return { customers, orders };
}

/** Row counts and a hash of the rows of every plugin table but the audit trail. */
export async function snapshot(knex: Knex): Promise<Record<string, string>> {
  const isPg = knex.client.config.client === 'pg';
  const tables: string[] = isPg
    ? (
        await knex('information_schema.tables')
          .where({
            table_schema: knex.raw('current_schema()'),
            table_type: 'BASE TABLE',
          })
          .select('table_name')
      ).map((r: any) => r.table_name)
    : (
        await knex('sqlite_master')
          .where('type', 'table')
          .andWhereNot('name', 'like', 'sqlite_%')
          .select('name')
      ).map((r: any) => r.name);
  const out: Record<string, string> = {};
  for (const table of tables.sort()) {
    if (table.startsWith('knex_') || table === 'segment_audit_events') continue;
    const rows = (await knex(table).select('*'))
      .map(r => JSON.stringify(r))
      .sort();
    out[table] = `${rows.length} rows ${createHash('sha256')
      .update(rows.join('\n'))
      .digest('hex')
      .slice(0, 16)}`;
  }
  return out;
}

/** Waits until no execution is queued or running. */
export async function waitForIdle(
  knex: Knex,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [{ n }] = await knex('segment_executions')
      .whereIn('status', ['queued', 'running'])
      .count({ n: '*' });
    if (Number(n) === 0) return;
    if (Date.now() > deadline) throw new Error('executions did not finish');
    await new Promise(r => setTimeout(r, 10));
  }
}

/** Ids that exist now, newest first, for the generator's id references. */
export async function idPools(knex: Knex): Promise<Record<Pool, string[]>> {
  const ids = async (table: string, column: string) =>
    (
      await knex(table)
        .orderBy(column, 'desc')
        .orderBy('id')
        .limit(50)
        .select('id')
    ).map((r: any) => String(r.id));
  return {
    rule: await ids('segment_rules', 'created_at'),
    result: await ids('segment_results', 'executed_at'),
    execution: await ids('segment_executions', 'created_at'),
    customer: (
      await knex('customers').orderBy('id').limit(20).select('id')
    ).map((r: any) => String(r.id)),
  };
}
