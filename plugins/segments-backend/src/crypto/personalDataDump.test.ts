import { execFileSync } from 'child_process';
import { Knex } from 'knex';
import request from 'supertest';
import { Customer } from '@internal/plugin-segments-common';
import { createRule, execute, ingest, leaf } from '../__testUtils__/api';
import { databases, startSegmentsBackend } from '../__testUtils__/testBackend';
import { generateDemoBatches } from '../demo/generateDemoData';

jest.setTimeout(180_000);

const DEMO_CUSTOMERS = 300;
const ASOF = '2025-06-15T12:00:00.000Z';

/** Customers ingested through the API, with values easy to spot in a dump. */
const CUSTOMERS: Customer[] = Array.from({ length: 40 }, (_, i) => ({
  id: `dump-${i}`,
  name: `Zebulon Quartermaine ${i}`,
  email: `Zebulon.Q${i}@Dump-Test.example`,
  phone: `+886 955 ${String(100000 + i)}`,
  birthDate: `19${50 + i}-0${(i % 9) + 1}-1${i % 10}`,
  country: 'TW',
  createdAt: '2024-01-01T00:00:00Z',
  ...(i % 5 === 0 ? { marketingOptOut: true } : {}),
}));

/** Every clear personal value of the API customers and the demo data, and how it could be written. */
function needles(customers: Customer[]): string[] {
  const out = new Set<string>();
  for (const c of customers) {
    for (const v of [c.name, c.email, c.phone, c.birthDate]) {
      if (!v) continue;
      out.add(v);
      out.add(v.toLowerCase());
    }
    if (c.email) out.add(c.email.split('@')[0].toLowerCase());
    if (c.phone) out.add(c.phone.replace(/\D/g, ''));
  }
  return [...out];
}

/** Every row of every table of the database, as text. */
async function allRows(knex: Knex): Promise<string> {
  const pg = knex.client.config.client === 'pg';
  const tables: string[] = pg
    ? (
        await knex.raw(
          `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
        )
      ).rows.map((r: any) => r.name)
    : (await knex.raw(`SELECT name FROM sqlite_master WHERE type = 'table'`)).map((r: any) => r.name);
  expect(tables).toEqual(expect.arrayContaining(['customers', 'orders', 'segment_memberships', 'segment_results']));
  const parts: string[] = [];
  for (const table of tables) {
    parts.push(`-- ${table}\n${JSON.stringify(await knex(table).select())}`);
  }
  return parts.join('\n');
}

/** `pg_dump` of the test database (schema and data), or undefined when pg_dump is not installed. */
function pgDump(knex: Knex): string | undefined {
  const c: any = knex.client.config.connection;
  const url =
    typeof c === 'string'
      ? c
      : `postgresql://${encodeURIComponent(c.user)}${c.password ? `:${encodeURIComponent(c.password)}` : ''}@${c.host}:${c.port ?? 5432}/${c.database}`;
  try {
    return execFileSync('pg_dump', ['--no-owner', '--no-privileges', '-d', url], {
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function found(text: string, values: string[]): string[] {
  return values.filter(v => text.includes(v));
}

describe.each(databases.eachSupportedId())('a raw dump of the %s database', databaseId => {
  it('contains no clear name, email, phone or birth date, after demo data, ingestion, runs, previews, export and erase', async () => {
    const { server, knex } = await startSegmentsBackend(databaseId, {
      segments: { demoData: { enabled: true, customers: DEMO_CUSTOMERS } },
    });
    const demo = [...generateDemoBatches({ customers: DEMO_CUSTOMERS })].flatMap(b => b.customers);
    expect(Number((await knex('customers').count({ n: '*' }))[0].n)).toBe(DEMO_CUSTOMERS);
    // The demo data really is the data we check for.
    const stored = await knex('customers').whereIn('id', demo.slice(0, 5).map(c => c.id)).select('id');
    expect(stored).toHaveLength(5);

    await ingest(server, {
      customers: CUSTOMERS,
      orders: CUSTOMERS.map((c, i) => ({
        id: `dump-o${i}`,
        customerId: c.id,
        orderedAt: '2025-01-10T00:00:00Z',
        amount: 10 + i,
        status: 'completed',
      })),
    });
    await createRule(server, { name: 'Adults', conditions: [leaf('age', 'gte', 18, 'number')] });
    await createRule(server, { name: 'Taiwan', priority: 1, conditions: [leaf('country', 'eq', 'TW', 'string')] });
    expect((await execute(server, { asOf: ASOF })).status).toBe('success');
    const preview = await request(server)
      .post('/api/segments/rules/preview')
      .send({ rule: { name: 'p', logicalOperator: 'AND', conditions: [leaf('country', 'eq', 'TW', 'string')] } });
    expect(preview.body.sample.some((s: { name?: string }) => s.name)).toBe(true);
    const exported = await request(server).get(`/api/segments/data/customers/${CUSTOMERS[1].id}/export`);
    expect(exported.body.customer.email).toBe(CUSTOMERS[1].email);
    expect(
      (await request(server).post('/api/segments/data/customers/lookup').send({ email: CUSTOMERS[2].email })).body,
    ).toEqual({ items: [{ id: CUSTOMERS[2].id }] });
    expect((await request(server).delete(`/api/segments/data/customers/${CUSTOMERS[3].id}`)).status).toBe(204);

    const values = needles([...CUSTOMERS, ...demo]);
    expect(values.length).toBeGreaterThan(500);
    // Sanity: the check can see values at all (the API still serves them).
    const served = await request(server).get(`/api/segments/data/customers/${CUSTOMERS[0].id}`);
    expect(found(JSON.stringify(served.body), values)).toEqual(expect.arrayContaining([CUSTOMERS[0].email!]));

    const rows = await allRows(knex);
    expect(rows).toContain('v1:test-a:');
    expect(found(rows, values)).toEqual([]);

    // PostgreSQL: also the output of pg_dump (schema and data), when pg_dump is installed.
    const dump = knex.client.config.client === 'pg' ? pgDump(knex) : undefined;
    if (knex.client.config.client === 'pg' && dump === undefined) {
      // eslint-disable-next-line no-console
      console.warn('pg_dump is not installed: checked every table instead');
    }
    for (const text of dump === undefined ? [] : [dump]) {
      expect(text).toContain('v1:test-a:');
      expect(text).toContain('COPY');
      expect(found(text, values)).toEqual([]);
    }

    // What stays in clear for age conditions: the day-exact birth date as an integer (see README).
    const ymd = Number(CUSTOMERS[0].birthDate!.replace(/-/g, ''));
    expect(Number((await knex('customers').where({ id: CUSTOMERS[0].id }).first()).birth_ymd)).toBe(ymd);
  });

  it('at month precision, not even the day-exact birth date is stored', async () => {
    const { server, knex } = await startSegmentsBackend(databaseId, {
      segments: { personalData: { agePrecision: 'month' } },
    });
    await ingest(server, { customers: CUSTOMERS });
    const text = knex.client.config.client === 'pg' ? pgDump(knex) ?? (await allRows(knex)) : await allRows(knex);
    const days = CUSTOMERS.map(c => new RegExp(`\\b${c.birthDate!.replace(/-/g, '')}\\b`));
    expect(days.filter(re => re.test(text)).map(String)).toEqual([]);
    expect(found(text, needles(CUSTOMERS))).toEqual([]);
    expect(text).toMatch(/\b19500199\b/);
  });
});
