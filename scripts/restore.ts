/* eslint-disable no-console */
/**
 * Restores a backup of the Segments SQLite database (a file written by the
 * `segments-backup` task, see `segments.backup`) over the plugin's database.
 *
 *   npm run restore -- FILE [--config app-config.yaml ...] [--target data/segments.sqlite] [--force]
 *
 * Stop the backend first. The backup is checked (`PRAGMA integrity_check`,
 * the plugin's tables) before anything changes; the replaced database (and its
 * journal files) are kept aside as `<name>.replaced-<UTC timestamp>`. The
 * target is the file the backend opens for the plugin `segments` with the same
 * config files (`backend.database`, resolved like Backstage's DatabaseManager
 * from packages/backend, the backend's working directory), unless --target.
 * --force restores even while a process holds the database open.
 * PostgreSQL: docs/operations.md. Output names files and key ids, never data.
 */
import fs from 'fs';
import path from 'path';
import { Config } from '@backstage/config';
import { ConfigSources } from '@backstage/config-loader';
import { restoreSqliteBackup } from '../plugins/segments-backend/src/backup/restoreSqlite';
import { parseOrExit } from './lib/args';

const ROOT = path.resolve(__dirname, '..');
/** Where `npm start` / `npm run start:backend` run the backend: relative database paths start here. */
const BACKEND_DIR = path.join(ROOT, 'packages/backend');

/** npm runs scripts in the repository root; paths on the command line are relative to where it was typed. */
const CWD = process.env.INIT_CWD ?? process.cwd();

const USAGE =
  'Usage: npm run restore -- FILE [--config app-config.yaml ...] [--target data/segments.sqlite] [--force]';

function parse(argv: string[]) {
  const args = { file: '', configs: [] as string[], target: '', force: false };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--'))
        throw new Error(`${name} needs a value`);
      return v;
    };
    if (name === '--help') return undefined;
    else if (name === '--config') args.configs.push(value());
    else if (name === '--target') args.target = value();
    else if (name === '--force') args.force = true;
    else if (name.startsWith('--') || args.file)
      throw new Error(`Unexpected argument ${argv[i]}`);
    else args.file = name;
  }
  if (!args.file) throw new Error('Name the backup file to restore');
  if (!args.configs.length) args.configs.push('app-config.yaml');
  return args;
}

/** The plugin's SQLite file as the backend computes it (DatabaseManager, `connection.directory`). */
function sqliteFileOf(config: Config): string {
  const db = config.getConfig('backend.database');
  const client =
    db.getOptionalString('plugin.segments.client') ?? db.getString('client');
  if (!client.includes('sqlite3')) {
    throw new Error(
      `The config uses ${client}, not SQLite: restore PostgreSQL as docs/operations.md describes`,
    );
  }
  const connection = {
    ...(db.getOptional<object>('connection') ?? {}),
    ...(db.getOptional<object>('plugin.segments.connection') ?? {}),
  } as { filename?: string; directory?: string };
  if (connection.filename === ':memory:')
    throw new Error('The database is in memory: nothing to restore into');
  const file =
    connection.filename ??
    path.join(connection.directory ?? '.', 'segments.sqlite');
  return path.resolve(BACKEND_DIR, file);
}

async function main() {
  const args = parseOrExit(parse, USAGE);
  if (!args) return;
  const backup = path.resolve(CWD, args.file);
  if (!fs.existsSync(backup)) throw new Error(`No such backup file: ${backup}`);
  const config = await ConfigSources.toConfig(
    ConfigSources.default({
      rootDir: ROOT,
      argv: args.configs.flatMap(c => ['--config', path.resolve(ROOT, c)]),
    }),
  );
  const target = args.target
    ? path.resolve(CWD, args.target)
    : sqliteFileOf(config);
  const configuredKeyIds = (
    config.getOptionalConfigArray('segments.encryption.keys') ?? []
  ).map(k => k.getOptionalString('id'));
  config.close();

  console.log(`Restoring ${backup}\n     over ${target}`);
  const { keptAside, keyIds } = await restoreSqliteBackup({
    backup,
    target,
    force: args.force,
  });
  console.log('Backup checked (PRAGMA integrity_check: ok) and restored.');
  for (const file of keptAside) {
    console.log(
      `Kept the replaced file as ${file}: delete it once the restored data is verified.`,
    );
  }
  // The keys are not in the backup, and without them personal data cannot be read.
  const missing = keyIds.filter(id => !configuredKeyIds.includes(id));
  console.log(
    `Encryption keys: the restored personal data is encrypted under key id(s) ${
      keyIds.join(', ') || '(none)'
    }.\n` +
      `  segments.encryption.keys (SEGMENTS_ENCRYPTION_KEY / SEGMENTS_ENCRYPTION_KEY_ID) must hold each of them with\n` +
      `  the secret it had when the backup was taken; the backend refuses to start otherwise. Keys are never in a backup:\n` +
      `  get them from where you keep them (a key rotated away since the backup must come back for the restore).`,
  );
  if (missing.length) {
    console.log(
      `  Missing from the config read (${args.configs.join(
        ', ',
      )}): ${missing.join(', ')}. Add them before starting the backend.`,
    );
    process.exitCode = 1;
  }
  console.log('Then start the backend: npm run start:backend');
}

main().catch(error => {
  console.error(
    `restore failed: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
