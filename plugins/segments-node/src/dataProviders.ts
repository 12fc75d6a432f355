import { createExtensionPoint, SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import { Customer, IngestResponse, Order } from '@internal/plugin-segments-common';

/** What a data provider can do with the segments store when it runs. @public */
export interface SegmentsDataSink {
  /** Validates and upserts customers; the answer lists rejected rows. */
  ingestCustomers(items: Customer[]): Promise<IngestResponse>;
  /** Validates and upserts orders; orders of unknown customers are rejected. */
  ingestOrders(items: Order[]): Promise<IngestResponse>;
}

/**
 * Brings customers and orders from another system (CRM, order management)
 * into Segments on a schedule.
 * @public
 */
export interface SegmentsDataProvider {
  /** Unique id; also names the scheduled task. */
  id: string;
  /** When to run; default every hour. */
  schedule?: SchedulerServiceTaskScheduleDefinition;
  run(options: { sink: SegmentsDataSink; signal: AbortSignal }): Promise<void>;
}

/** Extension point for data providers. @public */
export interface SegmentsDataProvidersExtensionPoint {
  addProvider(...providers: SegmentsDataProvider[]): void;
}

/**
 * Lets backend modules add data providers:
 * `createBackendModule({ pluginId: 'segments', moduleId: 'crm', register(env) { env.registerInit({ deps: { providers: segmentsDataProvidersExtensionPoint }, ... }) } })`.
 * @public
 */
export const segmentsDataProvidersExtensionPoint =
  createExtensionPoint<SegmentsDataProvidersExtensionPoint>({ id: 'segments.dataProviders' });
