import fs from 'fs';
import path from 'path';
import { Knex } from 'knex';

/** Days backup files are kept when `segments.backup.retentionDays` is not set. */
export const DEFAULT_BACKUP_RETENTION_DAYS = 30;

/** Hours in which every backup is kept when `segments.backup.keepAllHours` is not set. */
export const DEFAULT_KEEP_ALL_HOURS = 48;

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** `segments-20261205T230806Z.sqlite`: UTC, sortable, no colons (Windows). */
const NAME = /^segments-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.sqlite$/;

/** The part of a better-sqlite3 `Database` a backup uses (the package ships no types). */
interface RawSqlite {
  backup(file: string): Promise<{ totalPages: number; remainingPages: number }>;
}

/** The file name of a backup taken at `at`. */
export function backupFileName(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  return `segments-${stamp}.sqlite`;
}

/** When a backup file was taken, from its name; undefined for other files. */
export function backupTime(name: string): number | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  return Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
}

/** Whether the Knex client is better-sqlite3, the only client backed up here. */
export function isBetterSqlite(knex: Knex): boolean {
  return knex.client.driverName === 'better-sqlite3';
}

/**
 * Copies the plugin's SQLite database into `directory` with SQLite's online
 * backup API, as `segments-<UTC timestamp>.sqlite`. Holds the Knex connection
 * (the pool has one) for the duration, so the copy is one consistent state and
 * plugin queries wait meanwhile.
 */
export async function backupSqliteDatabase(options: {
  knex: Knex;
  directory: string;
  now?: Date;
}): Promise<{ file: string; bytes: number; elapsedMs: number }> {
  const { knex, directory } = options;
  if (!isBetterSqlite(knex))
    throw new Error(
      `Cannot back up a ${knex.client.driverName} database with SQLite's backup API`,
    );
  const started = Date.now();
  await fs.promises.mkdir(directory, { recursive: true });
  const file = path.join(directory, backupFileName(options.now ?? new Date()));
  // Written under another name first: a file with the final name is always complete.
  const partial = `${file}.partial`;
  const connection: RawSqlite = await knex.client.acquireConnection();
  try {
    await connection.backup(partial);
  } catch (e) {
    await fs.promises.rm(partial, { force: true });
    throw e;
  } finally {
    await knex.client.releaseConnection(connection);
  }
  await fs.promises.rename(partial, file);
  const { size } = await fs.promises.stat(file);
  return { file, bytes: size, elapsedMs: Date.now() - started };
}

/**
 * Deletes backup files in `directory` (by the time in their names; other
 * files are left alone): every backup older than `retentionDays`, and of the
 * backups older than `keepAllHours` all but the first of each UTC day. Hourly
 * backups for the RPO, daily ones for the 30 days, without 720 copies on disk.
 * Returns the deleted names.
 */
export async function pruneBackups(options: {
  directory: string;
  retentionDays: number;
  keepAllHours?: number;
  now?: number;
}) {
  const now = options.now ?? Date.now();
  const expired = now - options.retentionDays * DAY_MS;
  const thinned =
    now - (options.keepAllHours ?? DEFAULT_KEEP_ALL_HOURS) * HOUR_MS;
  const names = await fs.promises
    .readdir(options.directory)
    .catch(() => [] as string[]);
  const backups = names
    .map(name => ({ name, at: backupTime(name) }))
    .filter((b): b is { name: string; at: number } => b.at !== undefined)
    .sort((a, b) => a.at - b.at);
  const days = new Set<string>();
  const deleted: string[] = [];
  for (const b of backups) {
    const day = new Date(b.at).toISOString().slice(0, 10);
    const firstOfDay = !days.has(day);
    days.add(day);
    if (b.at < expired || (b.at < thinned && !firstOfDay)) deleted.push(b.name);
  }
  for (const name of deleted)
    await fs.promises.rm(path.join(options.directory, name), { force: true });
  return deleted;
}
