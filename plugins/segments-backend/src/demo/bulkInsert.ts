import { Knex } from 'knex';
import { Customer, Order } from '@internal/plugin-segments-common';
import { PersonalDataCodec } from '../crypto/PersonalDataCodec';
import { customerToRow, orderToRow } from '../database/CustomerStore';
import { dialectOf } from '../database/util';

/** Customers and their orders, in the ingestion API's shapes. */
export interface BulkBatch {
  customers: Customer[];
  orders: Order[];
}

/** Options of {@link bulkInsertBatch} and {@link bulkLoad}. */
export interface BulkInsertOptions {
  /**
   * Encrypts personal data exactly as the ingestion API does: use the
   * backend's codec (same `segments.encryption.keys`) or it cannot read the
   * rows back.
   */
  personalData: PersonalDataCodec;
  /**
   * Replace rows whose id already exists (the ingestion API's upsert), last
   * one wins within a batch. Default false: plain inserts, which fail on a
   * duplicate id and are the fastest.
   */
  upsert?: boolean;
}

/** Progress of {@link bulkLoad}. */
export interface BulkLoadProgress {
  customers: number;
  orders: number;
  elapsedMs: number;
}

/** Options of {@link bulkLoad}. */
export interface BulkLoadOptions extends BulkInsertOptions {
  /**
   * Drop the secondary indexes (and on PostgreSQL the foreign keys) of
   * `customers` and `orders` before loading and rebuild them afterwards:
   * several times faster for large loads. Only for loads with exclusive use of
   * the tables (seeding, benchmarks); readers see no indexes meanwhile.
   */
  deferIndexes?: boolean;
  /** PostgreSQL: batches in flight on separate connections (default 2). */
  concurrency?: number;
  /** SQLite: customers per transaction (default 50,000). */
  transactionSize?: number;
  /** Refresh planner statistics when done (default true). */
  analyze?: boolean;
  /** Called after each batch is stored and at phase changes. */
  onProgress?: (progress: BulkLoadProgress & { phase: 'load' | 'indexes' | 'analyze' | 'done' }) => void;
}

type Row = Record<string, unknown>;

/**
 * Inserts one batch of trusted (already valid) customers and orders, mapped
 * exactly as the ingestion API maps them (`customerToRow` / `orderToRow`).
 * PostgreSQL: one statement per batch, `INSERT ... SELECT FROM unnest(typed
 * arrays)` for each table, chained with a data-modifying CTE. SQLite:
 * prepared statements on the raw better-sqlite3 connection in one transaction.
 */
export async function bulkInsertBatch(knex: Knex, batch: BulkBatch, options: BulkInsertOptions): Promise<void> {
  const prepared = prepareBatch(batch, options);
  if (dialectOf(knex) === 'pg') {
    await insertPg(knex, prepared, options);
  } else {
    await withSqliteConnection(knex, conn => {
      const stmts = sqliteStatements(conn, prepared.customers[0], prepared.orders[0], options);
      conn.transaction(() => insertSqlite(stmts, prepared))();
    });
  }
}

/**
 * Loads a stream of batches (e.g. `generateDemoBatches`) as fast as the
 * database allows. PostgreSQL keeps `concurrency` batches in flight so that
 * generating and sending overlap; SQLite groups batches into large
 * transactions. See {@link BulkLoadOptions.deferIndexes} for fresh loads.
 */
export async function bulkLoad(
  knex: Knex,
  batches: Iterable<BulkBatch> | AsyncIterable<BulkBatch>,
  options: BulkLoadOptions,
): Promise<BulkLoadProgress> {
  const started = Date.now();
  const totals = { customers: 0, orders: 0 };
  const progress = (phase: 'load' | 'indexes' | 'analyze' | 'done') =>
    options.onProgress?.({ ...totals, elapsedMs: Date.now() - started, phase });
  const pg = dialectOf(knex) === 'pg';
  const deferred = options.deferIndexes ? await dropSecondaryIndexes(knex) : undefined;
  try {
    if (pg) {
      await loadPg(knex, batches, options, totals, () => progress('load'));
    } else {
      await loadSqlite(knex, batches, options, totals, () => progress('load'));
    }
  } finally {
    if (deferred) {
      progress('indexes');
      await deferred.restore();
    }
  }
  if (options.analyze ?? true) {
    progress('analyze');
    await knex.raw(pg ? 'ANALYZE customers, orders' : 'ANALYZE');
  }
  progress('done');
  return { ...totals, elapsedMs: Date.now() - started };
}

// ---------------------------------------------------------------------------
// Row preparation (shared)

interface PreparedBatch {
  customers: Row[];
  orders: Row[];
}

function prepareBatch(batch: BulkBatch, options: BulkInsertOptions): PreparedBatch {
  const customers = batch.customers.map(c => customerToRow(c, options.personalData)) as Row[];
  const orders = batch.orders.map(orderToRow) as Row[];
  return options.upsert
    ? { customers: lastById(customers), orders: lastById(orders) }
    : { customers, orders };
}

/**
 * `SET` list of an upsert: every column but the id from the new row, except
 * that a customer's marketing opt-out is kept when the new row does not state
 * one (as the ingestion API does).
 */
function upsertSet(table: string, quoted: string[], excluded: string): string {
  return quoted
    .filter(c => c !== '"id"')
    .map(c =>
      table === 'customers' && c === '"marketing_opt_out"'
        ? `${c} = COALESCE(${excluded}.${c}, "${table}".${c})`
        : `${c} = ${excluded}.${c}`,
    )
    .join(', ');
}

/** Within one batch the last row with an id wins, as sequential upserts would. */
function lastById(rows: Row[]): Row[] {
  return [...new Map(rows.map(r => [r.id, r])).values()];
}

// ---------------------------------------------------------------------------
// PostgreSQL

const PG_ARRAY_TYPES: Record<string, string> = {
  text: 'text[]',
  varchar: 'text[]',
  bpchar: 'text[]',
  int2: 'int2[]',
  int4: 'int4[]',
  int8: 'int8[]',
  float4: 'float4[]',
  float8: 'float8[]',
  numeric: 'numeric[]',
  bool: 'bool[]',
  jsonb: 'jsonb[]',
  json: 'json[]',
};

/** Column name → PostgreSQL array type to bind it as, per table and Knex instance. */
const columnTypeCache = new WeakMap<Knex, Map<string, Promise<Map<string, string>>>>();

function pgColumnTypes(knex: Knex, table: string): Promise<Map<string, string>> {
  let perKnex = columnTypeCache.get(knex);
  if (!perKnex) columnTypeCache.set(knex, (perKnex = new Map()));
  let types = perKnex.get(table);
  if (!types) {
    types = knex
      .raw(
        `SELECT column_name, udt_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = ?`,
        [table],
      )
      .then((result: any) => {
        const map = new Map<string, string>();
        for (const r of result.rows) {
          const arrayType = PG_ARRAY_TYPES[r.udt_name];
          if (arrayType) map.set(r.column_name, arrayType);
        }
        return map;
      });
    perKnex.set(table, types);
  }
  return types;
}

const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;

/** PostgreSQL array literal of one column; NULL for null/undefined. */
function pgArrayLiteral(rows: Row[], column: string, json: boolean): string {
  const parts = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const v = rows[i][column];
    if (v === null || v === undefined) {
      parts[i] = 'NULL';
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new Error(`bulkInsert: ${column} is not a finite number: ${v}`);
      parts[i] = String(v);
    } else if (typeof v === 'boolean') {
      parts[i] = v ? 't' : 'f';
    } else {
      let s: string;
      if (typeof v === 'string') s = v;
      else s = json ? JSON.stringify(v) : String(v);
      parts[i] = `"${NEEDS_ESCAPE.test(s) ? s.replace(ESCAPED, '\\$&') : s}"`;
    }
  }
  return `{${parts.join(',')}}`;
}

/** One `INSERT ... SELECT * FROM unnest($1::t1[], $2::t2[], ...)` for a table. */
async function pgInsertStatement(
  knex: Knex,
  table: string,
  rows: Row[],
  options: BulkInsertOptions,
): Promise<{ sql: string; bindings: string[] } | undefined> {
  if (!rows.length) return undefined;
  const types = await pgColumnTypes(knex, table);
  const columns = Object.keys(rows[0]);
  for (const c of columns) {
    if (!types.has(c)) throw new Error(`bulkInsert: ${table}.${c} is not a column of a supported type`);
  }
  const bindings = columns.map(c => pgArrayLiteral(rows, c, types.get(c)!.startsWith('json')));
  const quoted = columns.map(c => `"${c}"`);
  let sql =
    `INSERT INTO "${table}" (${quoted.join(', ')}) SELECT * FROM unnest(` +
    `${columns.map(c => `?::${types.get(c)}`).join(', ')})`;
  if (options.upsert) {
    sql += ` ON CONFLICT ("id") DO UPDATE SET ${upsertSet(table, quoted, 'EXCLUDED')}`;
  }
  return { sql, bindings };
}

/**
 * Both tables in ONE statement (`WITH c AS (INSERT INTO customers ...)
 * INSERT INTO orders ...`): one round trip, atomic without BEGIN/COMMIT, and
 * the orders' foreign key checks run at the end of the statement, after the
 * customers are in.
 */
async function insertPg(knex: Knex, batch: PreparedBatch, options: BulkInsertOptions) {
  const customers = await pgInsertStatement(knex, 'customers', batch.customers, options);
  const orders = await pgInsertStatement(knex, 'orders', batch.orders, options);
  if (customers && orders) {
    await knex.raw(`WITH c AS (${customers.sql}) ${orders.sql}`, [
      ...customers.bindings,
      ...orders.bindings,
    ]);
  } else if (customers || orders) {
    const only = (customers ?? orders)!;
    await knex.raw(only.sql, only.bindings);
  }
}

async function loadPg(
  knex: Knex,
  batches: Iterable<BulkBatch> | AsyncIterable<BulkBatch>,
  options: BulkLoadOptions,
  totals: { customers: number; orders: number },
  onBatch: () => void,
) {
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const inFlight = new Set<Promise<void>>();
  const state: { failure?: unknown } = {};
  const start = (prepared: PreparedBatch) => {
    const p: Promise<void> = insertPg(knex, prepared, options).then(
      () => {
        totals.customers += prepared.customers.length;
        totals.orders += prepared.orders.length;
        inFlight.delete(p);
        onBatch();
      },
      error => {
        state.failure ??= error;
        inFlight.delete(p);
      },
    );
    inFlight.add(p);
  };
  for await (const batch of batches) {
    if (state.failure) break;
    start(prepareBatch(batch, options));
    // Let the driver send the statement before generating the next batch
    // synchronously, so that Node and PostgreSQL work at the same time.
    await new Promise(resolve => setImmediate(resolve));
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (state.failure) throw state.failure;
}

// ---------------------------------------------------------------------------
// SQLite (better-sqlite3)

interface SqliteStatement {
  run(...params: unknown[]): unknown;
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
  transaction(fn: () => void): () => void;
  pragma(sql: string, options?: { simple?: boolean }): unknown;
}

async function withSqliteConnection<T>(knex: Knex, fn: (conn: SqliteConnection) => T | Promise<T>): Promise<T> {
  const conn = (await knex.client.acquireConnection()) as SqliteConnection;
  if (typeof conn?.prepare !== 'function' || typeof conn?.transaction !== 'function') {
    await knex.client.releaseConnection(conn);
    throw new Error('bulkInsert: SQLite bulk loading needs the better-sqlite3 client');
  }
  try {
    return await fn(conn);
  } finally {
    await knex.client.releaseConnection(conn);
  }
}

interface SqliteStatements {
  customers?: { stmt: SqliteStatement; columns: string[] };
  orders?: { stmt: SqliteStatement; columns: string[] };
}

function sqliteStatement(conn: SqliteConnection, table: string, sample: Row | undefined, options: BulkInsertOptions) {
  if (!sample) return undefined;
  const columns = Object.keys(sample);
  const quoted = columns.map(c => `"${c}"`);
  let sql = `INSERT INTO "${table}" (${quoted.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
  if (options.upsert) {
    sql += ` ON CONFLICT ("id") DO UPDATE SET ${upsertSet(table, quoted, 'excluded')}`;
  }
  return { stmt: conn.prepare(sql), columns };
}

function sqliteStatements(
  conn: SqliteConnection,
  customer: Row | undefined,
  order: Row | undefined,
  options: BulkInsertOptions,
): SqliteStatements {
  return {
    customers: sqliteStatement(
      conn,
      'customers',
      customer ?? customerToRow({ id: '', createdAt: '1970-01-01T00:00:00Z' }, options.personalData),
      options,
    ),
    orders: sqliteStatement(
      conn,
      'orders',
      order ?? orderToRow({ id: '', customerId: '', orderedAt: '1970-01-01T00:00:00Z', amount: 0, status: 'completed' }),
      options,
    ),
  };
}

function sqliteValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}

function insertSqlite(stmts: SqliteStatements, batch: PreparedBatch) {
  for (const [target, rows] of [
    [stmts.customers, batch.customers],
    [stmts.orders, batch.orders],
  ] as const) {
    if (!target || !rows.length) continue;
    const { stmt, columns } = target;
    const values = new Array<unknown>(columns.length);
    for (const row of rows) {
      for (let i = 0; i < columns.length; i++) values[i] = sqliteValue(row[columns[i]]);
      stmt.run(...values);
    }
  }
}

async function loadSqlite(
  knex: Knex,
  batches: Iterable<BulkBatch> | AsyncIterable<BulkBatch>,
  options: BulkLoadOptions,
  totals: { customers: number; orders: number },
  onBatch: () => void,
) {
  const perTransaction = options.transactionSize ?? 50_000;
  await withSqliteConnection(knex, async conn => {
    // A larger page cache keeps index updates of big loads in memory.
    const cacheSize = conn.pragma('cache_size', { simple: true });
    conn.pragma('cache_size = -262144');
    try {
      const stmts = sqliteStatements(conn, undefined, undefined, options);
      let pending: PreparedBatch[] = [];
      let pendingCustomers = 0;
      const flush = () => {
        const work = pending;
        pending = [];
        pendingCustomers = 0;
        conn.transaction(() => {
          for (const b of work) insertSqlite(stmts, b);
        })();
        for (const b of work) {
          totals.customers += b.customers.length;
          totals.orders += b.orders.length;
        }
        onBatch();
      };
      for await (const batch of batches) {
        const prepared = prepareBatch(batch, options);
        pending.push(prepared);
        pendingCustomers += prepared.customers.length;
        if (pendingCustomers >= perTransaction) flush();
      }
      if (pending.length) flush();
    } finally {
      conn.pragma(`cache_size = ${Number(cacheSize)}`);
    }
  });
}

// ---------------------------------------------------------------------------
// Deferred indexes

/**
 * Drops the secondary indexes of customers and orders (and on PostgreSQL the
 * foreign keys touching them) and returns how to recreate them exactly as
 * they were, read from the database's own definitions so that migrations
 * stay the single source of truth.
 */
async function dropSecondaryIndexes(knex: Knex): Promise<{ restore(): Promise<void> }> {
  if (dialectOf(knex) === 'pg') {
    const indexes = (
      await knex.raw(
        `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
         FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
         WHERE t.relname IN ('customers', 'orders') AND t.relnamespace = current_schema()::regnamespace
           AND NOT i.indisprimary
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
      )
    ).rows as Array<{ name: string; def: string }>;
    const foreignKeys = (
      await knex.raw(
        `SELECT c.conname AS name, c.conrelid::regclass::text AS tbl, pg_get_constraintdef(c.oid) AS def
         FROM pg_constraint c
         WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
           AND (c.conrelid::regclass::text IN ('customers', 'orders') OR c.confrelid::regclass::text IN ('customers', 'orders'))`,
      )
    ).rows as Array<{ name: string; tbl: string; def: string }>;
    await knex.transaction(async tx => {
      for (const fk of foreignKeys) await tx.raw(`ALTER TABLE ${fk.tbl} DROP CONSTRAINT "${fk.name}"`);
      for (const ix of indexes) await tx.raw(`DROP INDEX ${ix.name}`);
    });
    return {
      async restore() {
        // Separate statements so that PostgreSQL can use parallel index builds.
        for (const ix of indexes) await knex.raw(ix.def);
        for (const fk of foreignKeys) {
          await knex.raw(`ALTER TABLE ${fk.tbl} ADD CONSTRAINT "${fk.name}" ${fk.def}`);
        }
      },
    };
  }
  const indexes = (await knex.raw(
    `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('customers', 'orders') AND sql IS NOT NULL`,
  )) as Array<{ name: string; sql: string }>;
  for (const ix of indexes) await knex.raw(`DROP INDEX "${ix.name}"`);
  return {
    async restore() {
      await withSqliteConnection(knex, conn => {
        const cacheSize = conn.pragma('cache_size', { simple: true });
        conn.pragma('cache_size = -262144');
        try {
          for (const ix of indexes) conn.prepare(ix.sql).run();
        } finally {
          conn.pragma(`cache_size = ${Number(cacheSize)}`);
        }
      });
    },
  };
}
