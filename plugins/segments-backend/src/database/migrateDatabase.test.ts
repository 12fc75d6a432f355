import { Knex } from 'knex';
import { databases } from '../__testUtils__/testBackend';
import { migrateDatabase, rollbackDatabase } from './migrateDatabase';

jest.setTimeout(60_000);

const TABLES = [
  'customers',
  'orders',
  'segment_rules',
  'segment_executions',
  'segment_execution_logs',
  'segment_results',
  'segment_memberships',
  'segment_run_members',
  'segment_run_features',
  'customer_primary_segments',
];

async function existing(knex: Knex) {
  const out: string[] = [];
  for (const table of TABLES) {
    if (await knex.schema.hasTable(table)) out.push(table);
  }
  return out;
}

/** Every table in the database, except Knex's own bookkeeping. */
async function allTables(knex: Knex): Promise<string[]> {
  const rows =
    knex.client.config.client === 'pg'
      ? (await knex.raw(`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()`)).rows
      : await knex.raw(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`);
  return rows
    .map((r: { name: string }) => r.name)
    .filter((n: string) => !n.startsWith('knex_migrations'))
    .sort();
}

describe.each(databases.eachSupportedId())('migrations on %s', databaseId => {
  it('creates every table, drops them all on rollback, and migrates up again', async () => {
    const knex = await databases.init(databaseId);
    expect(await allTables(knex)).toEqual([]);

    await migrateDatabase(knex);
    expect(await existing(knex)).toEqual(TABLES);
    // The schema is usable: a customer with an order, cascading delete.
    await knex('customers').insert({ id: 'c1', created_at: 1, updated_at: 1 });
    await knex('orders').insert({
      id: 'o1',
      customer_id: 'c1',
      ordered_at: 2,
      amount: 10,
      status: 'completed',
      updated_at: 2,
    });
    expect(await knex('orders').count({ n: '*' })).toEqual([{ n: expect.anything() }]);

    // Running latest again is a no-op.
    await migrateDatabase(knex);
    expect(await existing(knex)).toEqual(TABLES);

    await rollbackDatabase(knex);
    expect(await existing(knex)).toEqual([]);
    // Later migrations' tables are gone too, and Knex records nothing applied.
    expect(await allTables(knex)).toEqual([]);
    expect(Number((await knex('knex_migrations').count({ n: '*' }))[0].n)).toBe(0);

    await migrateDatabase(knex);
    expect(await existing(knex)).toEqual(TABLES);
    expect(Number((await knex('customers').count({ n: '*' }))[0].n)).toBe(0);
    await rollbackDatabase(knex);
    expect(await existing(knex)).toEqual([]);
  });
});
