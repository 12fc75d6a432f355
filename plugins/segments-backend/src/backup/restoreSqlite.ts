import { execFileSync } from 'child_process';
import fs from 'fs';
import path from 'path';
import knexFactory, { Knex } from 'knex';
import { backupFileName } from './sqliteBackup';

/** A one-connection Knex client on an existing SQLite file (Knex loads better-sqlite3). */
function open(file: string, options: { readonly?: boolean } = {}): Knex {
  // better-sqlite3 would create a missing file.
  if (!fs.existsSync(file)) throw new Error(`No such file: ${file}`);
  return knexFactory({
    client: 'better-sqlite3',
    connection: {
      filename: file,
      options: { readonly: Boolean(options.readonly) },
    },
    useNullAsDefault: true,
  });
}

const column = (rows: Array<Record<string, unknown>>) =>
  rows.map(r => Object.values(r)[0] as string);

/**
 * Checks that `file` is an intact Segments database (`PRAGMA integrity_check`,
 * plus the plugin's tables) and returns the encryption key ids its personal
 * data uses. Throws otherwise.
 */
export async function checkBackup(file: string): Promise<{ keyIds: string[] }> {
  const db = open(file, { readonly: true });
  try {
    const problems = column(await db.raw('PRAGMA integrity_check'));
    if (problems.join() !== 'ok') {
      throw new Error(
        `${file} fails PRAGMA integrity_check: ${problems
          .slice(0, 5)
          .join('; ')}`,
      );
    }
    const tables = column(
      await db.raw("SELECT name FROM sqlite_master WHERE type = 'table'"),
    );
    for (const t of ['knex_migrations', 'customers', 'segment_rules']) {
      if (!tables.includes(t)) {
        throw new Error(`${file} is not a Segments database (no ${t} table)`);
      }
    }
    const keyIds = (await db.schema.hasColumn('customers', 'pd_key_id'))
      ? column(
          await db('customers')
            .whereNotNull('pd_key_id')
            .distinct('pd_key_id')
            .orderBy('pd_key_id'),
        )
      : [];
    return { keyIds };
  } catch (e) {
    // better-sqlite3 says "file is not a database" for anything but SQLite.
    throw new Error(`Backup check failed: ${(e as Error).message}`);
  } finally {
    await db.destroy();
  }
}

/**
 * Ids of the processes that have `file` (or its journal) open: /proc on Linux,
 * `lsof` elsewhere; empty when neither can tell.
 */
export function findHolders(file: string): number[] {
  const names = new Set(
    [file, `${file}-wal`, `${file}-journal`].map(f =>
      fs.existsSync(f) ? fs.realpathSync(f) : f,
    ),
  );
  if (!fs.existsSync('/proc/self/fd')) {
    try {
      return execFileSync('lsof', ['-t', ...names], { encoding: 'utf8' })
        .split(/\s+/)
        .filter(Boolean)
        .map(Number);
    } catch {
      return []; // lsof exits 1 when nothing holds the files, or is missing
    }
  }
  const pids: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter(p => /^\d+$/.test(p))) {
    let fds: string[] = [];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    const holds = fds.some(fd => {
      try {
        return names.has(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        return false;
      }
    });
    if (holds) pids.push(Number(pid));
  }
  return pids;
}

/**
 * Restores `backup` over the SQLite database `target`: checks the backup,
 * refuses while a process holds the target (unless `force`), moves the target
 * and its journal files aside as `<name>.replaced-<UTC timestamp>`, then copies
 * the backup in. Returns the files kept aside and the backup's key ids.
 */
export async function restoreSqliteBackup(options: {
  backup: string;
  target: string;
  force?: boolean;
  now?: Date;
}) {
  const { backup, target } = options;
  const { keyIds } = await checkBackup(backup);
  if (fs.existsSync(target) && !options.force) {
    const holders = findHolders(target);
    if (holders.length) {
      throw new Error(
        `${target} is open in process(es) ${holders.join(
          ', ',
        )}: stop the backend first (or use --force)`,
      );
    }
    // Where no process list is available, a lock held by a writer still shows.
    const db = open(target);
    try {
      // One connection (Knex's SQLite pool), so the three run in order on it.
      await db.raw('PRAGMA busy_timeout = 0');
      await db.raw('BEGIN IMMEDIATE');
      await db.raw('ROLLBACK');
    } catch (e) {
      throw new Error(
        `${target} is locked (${
          (e as Error).message
        }): stop the backend first (or use --force)`,
      );
    } finally {
      await db.destroy();
    }
  }
  const stamp = backupFileName(options.now ?? new Date()).replace(
    /^segments-|\.sqlite$/g,
    '',
  );
  const keptAside: string[] = [];
  // A stale -wal next to the restored file would be replayed into it: move journals too.
  for (const file of [
    target,
    `${target}-wal`,
    `${target}-shm`,
    `${target}-journal`,
  ]) {
    if (!fs.existsSync(file)) continue;
    const aside = `${file}.replaced-${stamp}`;
    fs.renameSync(file, aside);
    keptAside.push(aside);
  }
  const partial = `${target}.restoring`;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(backup, partial);
  fs.renameSync(partial, target);
  await checkBackup(target);
  return { keptAside, keyIds };
}
