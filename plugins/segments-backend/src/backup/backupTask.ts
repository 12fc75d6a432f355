import path from 'path';
import { Knex } from 'knex';
import { Duration } from 'luxon';
import { Config, readDurationFromConfig } from '@backstage/config';
import {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import {
  backupSqliteDatabase,
  DEFAULT_BACKUP_RETENTION_DAYS,
  DEFAULT_KEEP_ALL_HOURS,
  isBetterSqlite,
  pruneBackups,
} from './sqliteBackup';

/** `segments.backup`, checked; undefined when no directory is configured. */
export interface BackupSettings {
  /** Absolute folder of the backup files. */
  directory: string;
  frequency: SchedulerServiceTaskScheduleDefinition['frequency'];
  retentionDays: number;
  keepAllHours: number;
}

/** Reads `segments.backup` (relative directories are resolved against the working directory, like the database's). */
export function readBackupConfig(config: Config): BackupSettings | undefined {
  const backup = config.getOptionalConfig('segments.backup');
  const directory = backup?.getOptionalString('directory');
  if (!backup || !directory) return undefined;
  const retentionDays =
    backup.getOptionalNumber('retentionDays') ?? DEFAULT_BACKUP_RETENTION_DAYS;
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new Error(
      `segments.backup.retentionDays must be a positive whole number of days, got ${retentionDays}`,
    );
  }
  // Same forms as Backstage task schedules: { cron }, an ISO duration, '1h' or { hours: 1 }.
  let frequency: BackupSettings['frequency'] = { hours: 1 };
  if (backup.has('frequency.cron')) {
    frequency = { cron: backup.getString('frequency.cron') };
  } else if (backup.has('frequency')) {
    frequency = readDurationFromConfig(backup, { key: 'frequency' });
  }
  const keepAllHours =
    backup.getOptionalNumber('keepAllHours') ?? DEFAULT_KEEP_ALL_HOURS;
  if (!(keepAllHours >= 0)) {
    throw new Error(
      `segments.backup.keepAllHours must be zero or more, got ${keepAllHours}`,
    );
  }
  return {
    directory: path.resolve(directory),
    frequency,
    retentionDays,
    keepAllHours,
  };
}

/**
 * Backs up, then applies the retention, logging file name, size and duration
 * (never data). The `segments-backup` task's body.
 */
export async function runBackup(options: {
  knex: Knex;
  settings: BackupSettings;
  logger: LoggerService;
}) {
  const { settings, logger } = options;
  const result = await backupSqliteDatabase({
    knex: options.knex,
    directory: settings.directory,
  });
  logger.info(
    `Backed up the Segments database to ${path.basename(result.file)} ` +
      `(${(result.bytes / 1024 / 1024).toFixed(1)} MB) in ${(
        result.elapsedMs / 1000
      ).toFixed(1)} s`,
  );
  const deleted = await pruneBackups({
    directory: settings.directory,
    retentionDays: settings.retentionDays,
    keepAllHours: settings.keepAllHours,
  });
  if (deleted.length) {
    logger.info(
      `Deleted ${deleted.length} backup(s) past the retention (${settings.retentionDays} days, ` +
        `one a day after ${settings.keepAllHours} h): ${deleted.join(', ')}`,
    );
  }
  return result;
}

/**
 * Schedules `segments-backup` (global scope: one instance at a time) when
 * `segments.backup.directory` is set and the database is the embedded SQLite
 * one; PostgreSQL is backed up outside the backend (docs/operations.md).
 */
export async function scheduleBackup(options: {
  scheduler: SchedulerService;
  config: Config;
  knex: Knex;
  logger: LoggerService;
}) {
  const { logger, knex } = options;
  const settings = readBackupConfig(options.config);
  if (!settings) return;
  if (!isBetterSqlite(knex)) {
    logger.info(
      `segments.backup applies to SQLite only; back up ${knex.client.driverName} as docs/operations.md describes`,
    );
    return;
  }
  const f = settings.frequency;
  if (
    !('cron' in f) &&
    !('trigger' in f) &&
    Duration.fromObject(f).as('hours') > 1
  ) {
    logger.warn(
      'segments.backup.frequency is longer than an hour: a crash may lose more than the 1 h the RPO allows',
    );
  }
  await options.scheduler.scheduleTask({
    id: 'segments-backup',
    frequency: settings.frequency,
    timeout: { hours: 1 },
    initialDelay: { minutes: 5 },
    scope: 'global',
    fn: async () => {
      try {
        await runBackup({ knex, settings, logger });
      } catch (e) {
        // Said here too: the scheduler's own log line does not name the task's purpose.
        logger.error(`Segments backup failed: ${(e as Error).message}`);
        throw e;
      }
    },
  });
}
