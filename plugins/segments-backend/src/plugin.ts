import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { segmentsPermissions } from '@internal/plugin-segments-common';
import {
  SegmentsDataProvider,
  segmentsDataProvidersExtensionPoint,
} from '@internal/plugin-segments-node';
import { DatabaseCustomerStore } from './database/CustomerStore';
import { DatabaseExecutionStore } from './database/ExecutionStore';
import { migrateDatabase } from './database/migrateDatabase';
import { DatabaseResultStore } from './database/ResultStore';
import { DatabaseRuleStore } from './database/RuleStore';
import { loadDemoData } from './demo/loadDemoData';
import { SegmentEngine } from './engine/SegmentEngine';
import { ScheduleRunner } from './scheduling/ScheduleRunner';
import { FieldCatalog } from './service/FieldCatalog';
import { createRouter } from './service/router';
import { SegmentService } from './service/SegmentService';

/**
 * The Segments backend plugin: customer data ingestion, the segment engine and
 * its REST API at `/api/segments`.
 * @public
 */
export const segmentsPlugin = createBackendPlugin({
  pluginId: 'segments',
  register(env) {
    const providers = new Map<string, SegmentsDataProvider>();
    env.registerExtensionPoint(segmentsDataProvidersExtensionPoint, {
      addProvider(...added) {
        for (const p of added) {
          if (providers.has(p.id)) throw new Error(`Duplicate segments data provider ${p.id}`);
          providers.set(p.id, p);
        }
      },
    });
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        lifecycle: coreServices.lifecycle,
        scheduler: coreServices.scheduler,
      },
      async init(deps) {
        const { config, logger, database } = deps;
        const db = await database.getClient();
        if (!database.migrations?.skip) await migrateDatabase(db);

        const customers = DatabaseCustomerStore.create({ database: db });
        const rules = DatabaseRuleStore.create({ database: db });
        const executions = DatabaseExecutionStore.create({ database: db });
        const results = DatabaseResultStore.create({ database: db });
        const engine = SegmentEngine.create({
          database: db,
          rules,
          executions,
          logger,
          retention: config.getOptionalNumber('segments.results.retention'),
        });
        const service = SegmentService.create({ rules, executions, engine, logger });

        const interrupted = await executions.failInterrupted('interrupted: the backend stopped during the run');
        if (interrupted.length) logger.warn(`Marked ${interrupted.length} interrupted execution(s) as failed`);

        deps.permissionsRegistry.addPermissions(segmentsPermissions);
        deps.httpRouter.use(
          await createRouter({
            ...deps,
            customers,
            rules,
            results,
            executions,
            engine,
            service,
            fields: FieldCatalog.create({ database: db }),
          }),
        );
        deps.httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });

        if (config.getOptionalBoolean('segments.demoData.enabled')) {
          await loadDemoData({
            customers,
            logger,
            count: config.getOptionalNumber('segments.demoData.customers') ?? 20_000,
          });
        }
        const schedules = ScheduleRunner.create({ database: db, rules, requester: service, logger });
        await deps.scheduler.scheduleTask({
          id: 'segments-schedules',
          frequency: { minutes: 1 },
          timeout: { minutes: 1 },
          initialDelay: { seconds: 10 },
          scope: 'global',
          fn: async () => {
            await schedules.tick(Date.now());
          },
        });
        for (const provider of providers.values()) {
          await deps.scheduler.scheduleTask({
            id: `segments-data-provider-${provider.id}`,
            frequency: { hours: 1 },
            timeout: { minutes: 30 },
            ...provider.schedule,
            scope: 'global',
            fn: signal => provider.run({ sink: customers, signal }),
          });
        }
        deps.lifecycle.addShutdownHook(() => service.idle());
      },
    });
  },
});
