/* eslint-disable no-console */
/**
 * Re-encrypts the Segments customers' personal data (name, email, phone,
 * birth date) and email hashes under the ACTIVE key, i.e. the first key of
 * `segments.encryption.keys`, batch-wise, while the backend may keep running.
 *
 *   npm run rotate-keys -- [--config app-config.yaml ...] [--db sqlite|pg]
 *                          [--file data/segments.sqlite] [--database backstage_plugin_segments]
 *                          [--batch 500] [--all] [--dry-run]
 *
 * Key rotation:
 *   1. Generate a key: `openssl rand -base64 32`. Put it FIRST in
 *      segments.encryption.keys with a new id; keep the old key after it.
 *      Restart every backend instance (new data now uses the new key).
 *   2. Run this command with the same config files and database as the backend.
 *   3. When it reports the old key as removable, remove it from the config
 *      and restart. (The backend refuses to start if a key still in use is missing.)
 *
 * --all rewrites every row, also those already under the active key: run it
 * after changing segments.personalData.agePrecision. --dry-run only counts.
 * The key ring is read from the config files exactly like the backend does
 * (default app-config.yaml; environment substitutions such as
 * ${SEGMENTS_ENCRYPTION_KEY} apply). PostgreSQL connects with
 * POSTGRES_HOST/PORT/USER/PASSWORD like app-config.production.yaml.
 * Output carries counts and key ids only, never personal data.
 */
import fs from 'fs';
import path from 'path';
import knexFactory, { Knex } from 'knex';
import { ConfigSources } from '@backstage/config-loader';
import { PersonalDataCodec } from '../plugins/segments-backend/src/crypto/PersonalDataCodec';
import { rotatePersonalData } from '../plugins/segments-backend/src/crypto/rotatePersonalData';
import { verifyStoredKeys } from '../plugins/segments-backend/src/crypto/verifyStoredKeys';
import { parseOrExit } from './lib/args';

const ROOT = path.resolve(__dirname, '..');

const USAGE = `Usage: npm run rotate-keys -- [--config app-config.yaml ...] [--db sqlite|pg] [--file data/segments.sqlite]
       [--database backstage_plugin_segments] [--batch 500] [--all] [--dry-run]`;

interface Args {
  configs: string[];
  db: 'sqlite' | 'pg';
  file: string;
  database: string;
  batch: number;
  all: boolean;
  dryRun: boolean;
}

function parse(argv: string[]): Args | undefined {
  const args: Args = {
    configs: [],
    db: 'sqlite',
    file: 'data/segments.sqlite',
    database: 'backstage_plugin_segments',
    batch: 500,
    all: false,
    dryRun: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--'))
        throw new Error(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '--help':
        return undefined;
      case '--config':
        args.configs.push(value());
        break;
      case '--db': {
        const v = value();
        if (v !== 'sqlite' && v !== 'pg')
          throw new Error(`--db must be sqlite or pg, got ${v}`);
        args.db = v;
        break;
      }
      case '--file':
        args.file = value();
        break;
      case '--database':
        args.database = value();
        if (!/^[a-z_][a-z0-9_]*$/.test(args.database))
          throw new Error(`Unsafe database name ${args.database}`);
        break;
      case '--batch':
        args.batch = Number(value());
        if (!Number.isInteger(args.batch) || args.batch < 1)
          throw new Error('--batch must be a positive integer');
        break;
      case '--all':
        args.all = true;
        break;
      case '--dry-run':
        args.dryRun = true;
        break;
      default:
        throw new Error(`Unknown argument ${argv[i]}`);
    }
  }
  if (!args.configs.length) args.configs.push('app-config.yaml');
  return args;
}

function openDatabase(args: Args): { knex: Knex; target: string } {
  if (args.db === 'pg') {
    const connection = {
      host: process.env.POSTGRES_HOST || '127.0.0.1',
      port: Number(process.env.POSTGRES_PORT || 5432),
      user: process.env.POSTGRES_USER || 'postgres',
      password: process.env.POSTGRES_PASSWORD || '',
      database: args.database,
    };
    return {
      knex: knexFactory({ client: 'pg', connection, pool: { min: 0, max: 2 } }),
      target: `postgresql://${connection.user}@${connection.host}:${connection.port}/${connection.database}`,
    };
  }
  const file = path.resolve(ROOT, args.file);
  if (!fs.existsSync(file))
    throw new Error(
      `No SQLite database at ${file} (start the backend once, or pass --file)`,
    );
  return {
    knex: knexFactory({
      client: 'better-sqlite3',
      connection: { filename: file },
      useNullAsDefault: true,
    }),
    target: file,
  };
}

async function main() {
  const args = parseOrExit(parse, USAGE);
  if (!args) return;

  const config = await ConfigSources.toConfig(
    ConfigSources.default({
      rootDir: ROOT,
      argv: args.configs.flatMap(c => ['--config', path.resolve(ROOT, c)]),
    }),
  );
  const codec = PersonalDataCodec.fromConfig(config, {
    logger: { warn: (m: string) => console.warn(`warning: ${m}`) } as any,
  });
  config.close();
  console.log(
    `Key ring: ${codec.cipher.keyIds
      .map((id, i) => (i ? id : `${id} (active)`))
      .join(', ')}`,
  );

  const { knex, target } = openDatabase(args);
  try {
    if (!(await knex.schema.hasColumn('customers', 'pd_key_id'))) {
      throw new Error(
        `${target} has no encrypted personal data columns yet: start the backend once to migrate it`,
      );
    }
    // Fails, naming the key, when a key in use is missing or has another secret.
    await verifyStoredKeys({ database: knex, codec });
    const counts = await knex('customers')
      .whereNotNull('pd_key_id')
      .groupBy('pd_key_id')
      .select('pd_key_id')
      .count({ n: '*' });
    const summary =
      (counts as Array<{ pd_key_id: string; n: unknown }>)
        .map(r => `${r.pd_key_id}: ${Number(r.n)}`)
        .join(', ') || 'none';
    console.log(
      `Customers with personal data per key in ${target}: ${summary}`,
    );
    if (args.dryRun) return;

    const result = await rotatePersonalData({
      database: knex,
      codec,
      batchSize: args.batch,
      all: args.all,
      onProgress: p =>
        process.stdout.write(
          `\r[rotate-keys] ${p.rewritten} re-encrypted, ${p.skipped} changed meanwhile`,
        ),
    });
    process.stdout.write('\n');
    console.log(
      `Done in ${(result.elapsedMs / 1000).toFixed(1)} s: ${
        result.rewritten
      } customers re-encrypted under "${result.activeKeyId}"` +
        (result.skipped
          ? `, ${result.skipped} skipped (rewritten meanwhile by ingestion, already under the active key)`
          : '') +
        `. Keys in use: ${result.keyIdsInUse.join(', ') || 'none'}.`,
    );
    if (result.removableKeyIds.length) {
      console.log(
        `No data uses key(s) ${result.removableKeyIds.join(
          ', ',
        )} any more: remove them from segments.encryption.keys and restart the backend.`,
      );
    }
    if (result.keyIdsInUse.some(id => id !== result.activeKeyId)) {
      console.log(
        'Some rows still use an older key (written during the run by a backend without the new key?): run again.',
      );
      process.exitCode = 1;
    }
  } finally {
    await knex.destroy();
  }
}

main().catch(error => {
  // Errors name keys and tables, never personal data values.
  console.error(
    `rotate-keys failed: ${
      error instanceof Error ? error.message : String(error)
    }`,
  );
  process.exit(1);
});
