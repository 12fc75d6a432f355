/* eslint-disable no-console */
/**
 * Loads deterministic demo customers and orders fast (bulk statements, not the
 * HTTP API), into the dev portal's SQLite file or the PostgreSQL database the
 * backend uses for the segments plugin.
 *
 *   npm run seed -- --customers 1000000 [--db sqlite|pg] [--file data/segments.sqlite]
 *                   [--database backstage_plugin_segments] [--seed 42] [--reset]
 *                   [--batch 2000] [--concurrency 2] [--now 2026-01-01] [--config a.yaml,b.yaml]
 *
 * Personal data (name, email, phone, birth date) is encrypted with the keys of
 * `segments.encryption.keys` read from the backend's config files:
 * app-config.yaml (+ app-config.local.yaml when present), plus
 * app-config.production.yaml with --db pg; --config replaces the list.
 *
 * Without --reset, rows with existing ids are replaced (upsert, as the
 * ingestion API does): the same seed run twice leaves the same data. With
 * --reset, the customers and every row about them (each table with a
 * customer_id: orders, memberships, primary segments, run scratch tables,
 * change marks) are deleted first and the load runs with indexes deferred
 * (rebuilt at the end), which is several times faster; a load into empty
 * tables does the same.
 * Segment rules, executions and results are kept. Rows loaded here bypass the
 * ingestion API, so they are not marked for incremental runs: run all segments
 * (POST /api/segments/execute, or the UI) after seeding.
 */
import fs from 'fs';
import path from 'path';
import { Knex } from 'knex';
import { DAY_MS } from '@internal/plugin-segments-common';
import { generateDemoBatches } from '../plugins/segments-backend/src/demo/generateDemoData';
import { bulkLoad } from '../plugins/segments-backend/src/demo/bulkInsert';
import { intOption, parseArgs } from './lib/args';
import { migrate, openPg, openSqlite, pgConnectionFromEnv } from './lib/databases';
import { personalDataCodecFromConfig } from './lib/personalData';
import { verifyStoredKeys } from '../plugins/segments-backend/src/crypto/verifyStoredKeys';
import { fmtInt, fmtMs, loadProgressPrinter } from './lib/progress';

const ROOT = path.resolve(__dirname, '..');

const USAGE = `Usage: npm run seed -- --customers N [--db sqlite|pg] [--file data/segments.sqlite]
       [--database backstage_plugin_segments] [--seed 42] [--reset] [--batch N] [--concurrency N] [--now YYYY-MM-DD]
       [--config app-config.yaml,app-config.production.yaml]`;

/**
 * Tables with rows about customers (a `customer_id` column: orders,
 * memberships, primary segments, run scratch tables, change marks, ...),
 * emptied by --reset together with the customers. Read from the schema so
 * that tables of later migrations are included.
 */
async function customerTables(knex: Knex, pg: boolean): Promise<string[]> {
  if (pg) {
    const { rows } = await knex.raw(
      `SELECT table_name AS t FROM information_schema.columns
       WHERE table_schema = current_schema() AND column_name = 'customer_id' ORDER BY table_name`,
    );
    return rows.map((r: any) => r.t);
  }
  const rows = await knex.raw(
    `SELECT m.name AS t FROM sqlite_master m JOIN pragma_table_info(m.name) c
     WHERE m.type = 'table' AND c.name = 'customer_id' ORDER BY m.name`,
  );
  return rows.map((r: any) => r.t);
}

async function main() {
  let args: Record<string, string | boolean>;
  try {
    args = parseArgs(process.argv.slice(2), {
      flags: ['reset', 'help'],
      values: ['customers', 'db', 'file', 'database', 'seed', 'batch', 'concurrency', 'now', 'config'],
    });
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const customers = intOption(args.customers, 'customers', 20_000);
  const seed = intOption(args.seed, 'seed', 42);
  const dbKind = (args.db as string | undefined) ?? 'sqlite';
  if (dbKind !== 'sqlite' && dbKind !== 'pg') throw new Error(`--db must be sqlite or pg, got ${dbKind}`);
  const batchSize = intOption(args.batch, 'batch', dbKind === 'pg' ? 2000 : 1000);
  const now = args.now ? Date.parse(`${args.now}`) : Math.floor(Date.now() / DAY_MS) * DAY_MS;
  if (!Number.isFinite(now)) throw new Error(`--now must be a date, got ${args.now}`);

  const configFiles = args.config
    ? String(args.config).split(',')
    : [
        'app-config.yaml',
        ...(fs.existsSync(path.join(ROOT, 'app-config.local.yaml')) ? ['app-config.local.yaml'] : []),
        ...(dbKind === 'pg' ? ['app-config.production.yaml'] : []),
      ];
  const { codec: personalData } = await personalDataCodecFromConfig({ rootDir: ROOT, files: configFiles });
  console.log(`Encrypting personal data with key "${personalData.cipher.activeKeyId}" from ${configFiles.join(', ')}`);

  let knex: Knex;
  let target: string;
  if (dbKind === 'pg') {
    const database = (args.database as string | undefined) ?? 'backstage_plugin_segments';
    const c = pgConnectionFromEnv();
    target = `postgresql://${c.user}@${c.host}:${c.port}/${database}`;
    knex = await openPg({ database, create: true, poolMax: 4 });
  } else {
    const file = path.resolve(ROOT, (args.file as string | undefined) ?? 'data/segments.sqlite');
    target = file;
    knex = openSqlite(file);
  }
  try {
    await migrate(knex, personalData);
    const [{ n: existing }] = await knex('customers').count({ n: '*' });
    // Upserting next to rows of another key would leave data the backend cannot read.
    if (!args.reset && Number(existing) > 0) await verifyStoredKeys({ database: knex, codec: personalData });
    if (args.reset) {
      const tables = [...(await customerTables(knex, dbKind === 'pg')), 'customers'];
      console.log(`Deleting ${fmtInt(Number(existing))} customers and their rows in ${tables.join(', ')} of ${target}`);
      if (dbKind === 'pg') {
        await knex.raw(`TRUNCATE ${tables.map(t => `"${t}"`).join(', ')}`);
      } else {
        await knex.transaction(async tx => {
          for (const t of tables) await tx(t).delete();
        });
        await knex.raw('VACUUM');
      }
    }
    const fresh = Boolean(args.reset) || Number(existing) === 0;
    console.log(
      `Seeding ${fmtInt(customers)} customers (seed ${seed}, data up to ${new Date(now).toISOString().slice(0, 10)}) into ${target}` +
        (fresh ? ' (empty tables: plain inserts, indexes rebuilt at the end)' : ` (upsert over ${fmtInt(Number(existing))} existing customers)`),
    );
    const result = await bulkLoad(knex, generateDemoBatches({ customers, seed, now, batchSize }), {
      personalData,
      upsert: !fresh,
      deferIndexes: fresh,
      concurrency: args.concurrency ? intOption(args.concurrency, 'concurrency', 2) : undefined,
      onProgress: loadProgressPrinter({ total: customers, label: 'seed' }),
    });
    if (dbKind === 'pg') {
      // Sets the visibility map so that index-only scans work right away.
      const t0 = Date.now();
      await knex.raw('VACUUM (ANALYZE) customers, orders');
      console.log(`[seed] VACUUM ANALYZE in ${fmtMs(Date.now() - t0)}`);
    }
    const counted = await knex.raw('SELECT (SELECT COUNT(*) FROM customers) AS c, (SELECT COUNT(*) FROM orders) AS o');
    const [{ c, o }] = Array.isArray(counted) ? counted : counted.rows;
    const rows = result.customers + result.orders;
    console.log(
      `Loaded ${fmtInt(result.customers)} customers and ${fmtInt(result.orders)} orders in ${fmtMs(result.elapsedMs)} ` +
        `(${fmtInt((rows / result.elapsedMs) * 1000)} rows/s). The database now holds ${fmtInt(Number(c))} customers and ${fmtInt(Number(o))} orders.`,
    );
  } finally {
    await knex.destroy();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
