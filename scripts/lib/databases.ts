import fs from 'fs';
import path from 'path';
import knexFactory, { Knex } from 'knex';
import { migrateDatabase } from '../../plugins/segments-backend/src/database/migrateDatabase';
import { PersonalDataCodec } from '../../plugins/segments-backend/src/crypto/PersonalDataCodec';
import { withPersonalData } from '../../plugins/segments-backend/src/crypto/withPersonalData';

/** Connection settings of PostgreSQL from POSTGRES_HOST/PORT/USER/PASSWORD (as app-config.production.yaml). */
export function pgConnectionFromEnv() {
  return {
    host: process.env.POSTGRES_HOST || '127.0.0.1',
    port: Number(process.env.POSTGRES_PORT || 5432),
    user: process.env.POSTGRES_USER || 'postgres',
    password: process.env.POSTGRES_PASSWORD || '',
  };
}

/** A Knex client for one PostgreSQL database; creates (or drops and re-creates) it first when asked. */
export async function openPg(options: {
  database: string;
  /** create when missing */
  create?: boolean;
  /** drop and create */
  fresh?: boolean;
  poolMax?: number;
}): Promise<Knex> {
  const connection = pgConnectionFromEnv();
  if (!/^[a-z_][a-z0-9_]*$/.test(options.database)) throw new Error(`Unsafe database name ${options.database}`);
  if (options.create || options.fresh) {
    const admin = knexFactory({ client: 'pg', connection: { ...connection, database: 'postgres' }, pool: { min: 0, max: 1 } });
    try {
      if (options.fresh) await admin.raw(`DROP DATABASE IF EXISTS "${options.database}" WITH (FORCE)`);
      const { rows } = await admin.raw('SELECT 1 FROM pg_database WHERE datname = ?', [options.database]);
      if (!rows.length) await admin.raw(`CREATE DATABASE "${options.database}"`);
    } finally {
      await admin.destroy();
    }
  }
  return knexFactory({
    client: 'pg',
    connection: { ...connection, database: options.database },
    pool: { min: 0, max: options.poolMax ?? 4 },
  });
}

/** Drops a PostgreSQL database (bench clean-up). */
export async function dropPg(database: string) {
  const admin = knexFactory({ client: 'pg', connection: { ...pgConnectionFromEnv(), database: 'postgres' }, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await admin.destroy();
  }
}

/** A Knex client on a better-sqlite3 file (as the backend opens it); creates the folder; `fresh` deletes the file. */
export function openSqlite(file: string, options: { fresh?: boolean } = {}): Knex {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (options.fresh) {
    for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(file + suffix, { force: true });
  }
  return knexFactory({ client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true });
}

/** Runs the segments plugin's migrations, with the codec the personal data migration needs (as the backend does). */
export async function migrate(knex: Knex, codec: PersonalDataCodec) {
  await migrateDatabase(withPersonalData(knex, codec));
}
