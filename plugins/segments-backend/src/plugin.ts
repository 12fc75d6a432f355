import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { Config } from '@backstage/config';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { SEGMENTS_CUSTOMER_CHANGED_TOPIC } from '@internal/plugin-segments-common';
import {
  SegmentsDataProvider,
  segmentsDataProvidersExtensionPoint,
} from '@internal/plugin-segments-node';
import { scheduleAuditPrune } from './audit/auditPruneTask';
import { scheduleBackup } from './backup/backupTask';
import { DatabaseAuditStore } from './audit/AuditStore';
import { PersonalDataCodec } from './crypto/PersonalDataCodec';
import { verifyStoredKeys } from './crypto/verifyStoredKeys';
import { withPersonalData } from './crypto/withPersonalData';
import { DatabaseCustomerStore } from './database/CustomerStore';
import { DatabaseExecutionStore } from './database/ExecutionStore';
import { fillSampleBuckets } from './database/fillSampleBuckets';
import { migrateDatabase } from './database/migrateDatabase';
import { tuneSqlite } from './database/tuneSqlite';
import { DatabaseResultStore } from './database/ResultStore';
import { DatabaseRuleStore } from './database/RuleStore';
import { loadDemoData } from './demo/loadDemoData';
import { SegmentAnalysis } from './engine/SegmentAnalysis';
import { SegmentEngine } from './engine/SegmentEngine';
import { ExecutionPolicy, ExecutionQueue } from './engine/ExecutionQueue';
import { ChangeTracker } from './incremental/ChangeTracker';
import { IncrementalRunner } from './incremental/IncrementalRunner';
import { Readiness } from './metrics/Readiness';
import { SegmentsMetrics } from './metrics/SegmentsMetrics';
import { trackChanges } from './incremental/trackChanges';
import { ExecutionNotifier } from './notify/ExecutionNotifier';
import { registerSegmentsPermissions } from './permissions/registerPermissions';
import { ScheduleRunner } from './scheduling/ScheduleRunner';
import { startBackgroundTasks } from './service/startBackgroundTasks';
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
        events: eventsServiceRef,
        signals: signalsServiceRef,
        notifications: notificationService,
        metrics: metricsServiceRef,
      },
      async init(deps) {
        const { config, logger, database } = deps;
        // Readiness (GET /ready) and API latency first, so that they cover every route.
        const readiness = new Readiness();
        const metrics = SegmentsMetrics.create(deps.metrics);
        deps.httpRouter.use(readiness.router());
        deps.httpRouter.addAuthPolicy({ path: '/ready', allow: 'unauthenticated' });
        deps.httpRouter.use(metrics.middleware());
        // Keys first: a missing or malformed key stops the start, before any request.
        const personalData = PersonalDataCodec.fromConfig(config, { logger });
        const db = await database.getClient();
        await tuneSqlite(db);
        if (!database.migrations?.skip) await migrateDatabase(withPersonalData(db, personalData));
        readiness.complete('migrations');
        await verifyStoredKeys({ database: db, codec: personalData });
        readiness.complete('keys');
        readiness.setDatabase(db);
        const filled = await fillSampleBuckets(db, {
          onStart: () => logger.info('Giving stored customers and orders their sample bucket (once; large tables take minutes)'),
        });
        if (filled.customers || filled.orders) {
          logger.info(`Gave ${filled.customers} customer(s) and ${filled.orders} order(s) their sample bucket`);
        }
        readiness.complete('sampleBuckets');

        const rules = DatabaseRuleStore.create({ database: db });
        const executions = DatabaseExecutionStore.create({ database: db });
        const results = DatabaseResultStore.create({ database: db, personalData });
        const engine = SegmentEngine.create({
          database: db,
          rules,
          executions: metrics.timeFeatures(executions),
          logger,
          retention: config.getOptionalNumber('segments.results.retention'),
          personalData,
          sampling: {
            above: config.getOptionalNumber('segments.preview.sampleAbove'),
            size: config.getOptionalNumber('segments.preview.sampleSize'),
          },
        });
        engine.addObserver(
          ExecutionNotifier.create({
            database: db,
            logger,
            signals: deps.signals,
            notifications: deps.notifications,
            events: deps.events,
            changeThreshold: config.getOptionalNumber('segments.notifications.changeThreshold'),
          }),
        );
        engine.addObserver(metrics.observer());
        const queue = ExecutionQueue.create({ engine, executions, logger, policy: readExecutionPolicy(config) });
        metrics.observeQueue(queue);
        const service = SegmentService.create({ rules, queue });
        const changes = ChangeTracker.create({ database: db });
        const customers = trackChanges(DatabaseCustomerStore.create({ database: db, personalData }), changes);
        await deps.events.subscribe({
          id: 'segments-customer-changes',
          topics: [SEGMENTS_CUSTOMER_CHANGED_TOPIC],
          onEvent: async event => {
            const ids = (event.eventPayload as { customerIds?: unknown })?.customerIds;
            if (Array.isArray(ids)) await changes.mark(ids.filter((i): i is string => typeof i === 'string'));
          },
        });

        // Permissions, the segments resource type and its rules (served at .well-known/backstage/permissions/metadata).
        const ruleConditions = registerSegmentsPermissions({
          permissionsRegistry: deps.permissionsRegistry,
          rules,
          database: db,
        });
        const audit = DatabaseAuditStore.create({ database: db });
        await scheduleAuditPrune({ scheduler: deps.scheduler, store: audit, config, logger });
        await scheduleBackup({ scheduler: deps.scheduler, config, knex: db, logger });
        deps.httpRouter.use(
          await createRouter({
            ...deps,
            audit,
            ruleConditions,
            customers,
            rules,
            results,
            executions,
            engine,
            service,
            fields: FieldCatalog.create({ database: db }),
            analysis: SegmentAnalysis.create({ database: db, engine }),
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
        const incrementalIntervalSeconds = config.getOptionalNumber('segments.incremental.intervalSeconds') ?? 60;
        await startBackgroundTasks({
          scheduler: deps.scheduler,
          logger,
          schedules: ScheduleRunner.create({ database: db, rules, requester: service, logger }),
          incremental: IncrementalRunner.create({ changes, queue, delayMs: incrementalIntervalSeconds * 1000 }),
          incrementalIntervalSeconds,
          queue,
          providers: [...providers.values()],
          customers,
        });
        deps.lifecycle.addShutdownHook(() => queue.stop());
        readiness.complete('startup');
      },
    });
  },
});

/** `segments.execution.*` config, in seconds, as an {@link ExecutionPolicy}. */
function readExecutionPolicy(config: Config): Partial<ExecutionPolicy> {
  const seconds = (key: string) => {
    const v = config.getOptionalNumber(`segments.execution.${key}`);
    return v === undefined ? undefined : v * 1000;
  };
  const policy: Partial<ExecutionPolicy> = {
    timeoutMs: seconds('timeoutSeconds'),
    retryBaseMs: seconds('retryBaseSeconds'),
    staleAfterMs: seconds('staleAfterSeconds'),
    maxAttempts: config.getOptionalNumber('segments.execution.maxAttempts'),
  };
  return Object.fromEntries(Object.entries(policy).filter(([, v]) => v !== undefined));
}
