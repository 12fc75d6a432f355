import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { SegmentsDataProvider } from '@internal/plugin-segments-node';
import { CustomerStore } from '../database/CustomerStore';
import { ExecutionQueue } from '../engine/ExecutionQueue';
import { IncrementalRunner } from '../incremental/IncrementalRunner';
import { ScheduleRunner } from '../scheduling/ScheduleRunner';

/**
 * Registers the plugin's recurring work with the portal's scheduler. Global
 * scope: with several backend instances, each task runs on one at a time.
 */
export async function startBackgroundTasks(options: {
  scheduler: SchedulerService;
  logger: LoggerService;
  schedules: ScheduleRunner;
  incremental: IncrementalRunner;
  incrementalIntervalSeconds: number;
  queue: ExecutionQueue;
  providers: SegmentsDataProvider[];
  customers: CustomerStore;
}) {
  const { scheduler, logger } = options;
  await scheduler.scheduleTask({
    id: 'segments-schedules',
    frequency: { minutes: 1 },
    timeout: { minutes: 1 },
    initialDelay: { seconds: 10 },
    scope: 'global',
    fn: async () => {
      await options.schedules.tick(Date.now());
    },
  });
  await scheduler.scheduleTask({
    id: 'segments-data-changes',
    frequency: { seconds: options.incrementalIntervalSeconds },
    timeout: { minutes: 5 },
    initialDelay: { seconds: options.incrementalIntervalSeconds },
    scope: 'global',
    fn: async () => {
      const id = await options.incremental.tick(Date.now());
      if (id) logger.info(`Started incremental execution ${id} for changed customers`);
    },
  });
  await scheduler.scheduleTask({
    id: 'segments-orphaned-executions',
    frequency: { minutes: 1 },
    timeout: { minutes: 1 },
    scope: 'global',
    fn: async () => {
      const ids = await options.queue.resumeOrphans();
      if (ids.length) logger.warn(`Resuming ${ids.length} execution(s) orphaned by a stopped process`);
    },
  });
  for (const provider of options.providers) {
    await scheduler.scheduleTask({
      id: `segments-data-provider-${provider.id}`,
      frequency: { hours: 1 },
      timeout: { minutes: 30 },
      ...provider.schedule,
      scope: 'global',
      fn: signal => provider.run({ sink: options.customers, signal }),
    });
  }
}
