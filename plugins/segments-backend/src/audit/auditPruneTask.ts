import { Config } from '@backstage/config';
import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { AuditStore } from './AuditStore';

/** Days audit records are kept when `segments.audit.retentionDays` is not set. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 90;

const DAY_MS = 24 * 60 * 60 * 1000;

/** `segments.audit.retentionDays`, checked. */
export function readAuditRetentionDays(config: Config): number {
  const days = config.getOptionalNumber('segments.audit.retentionDays') ?? DEFAULT_AUDIT_RETENTION_DAYS;
  if (!Number.isInteger(days) || days < 1) {
    throw new Error(`segments.audit.retentionDays must be a positive whole number of days, got ${days}`);
  }
  return days;
}

/** Deletes audit records older than the retention; returns how many. */
export async function pruneAudit(options: { store: AuditStore; retentionDays: number; now?: number }) {
  const before = (options.now ?? Date.now()) - options.retentionDays * DAY_MS;
  return options.store.prune(before);
}

/**
 * Schedules the daily prune of the audit trail (one instance at a time across
 * a cluster: global scope).
 */
export async function scheduleAuditPrune(options: {
  scheduler: SchedulerService;
  store: AuditStore;
  config: Config;
  logger: LoggerService;
}) {
  const retentionDays = readAuditRetentionDays(options.config);
  await options.scheduler.scheduleTask({
    id: 'segments-audit-prune',
    frequency: { hours: 24 },
    timeout: { minutes: 10 },
    initialDelay: { minutes: 1 },
    scope: 'global',
    fn: async () => {
      const deleted = await pruneAudit({ store: options.store, retentionDays });
      if (deleted) options.logger.info(`Pruned ${deleted} audit record(s) older than ${retentionDays} days`);
    },
  });
}
