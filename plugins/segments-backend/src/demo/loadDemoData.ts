import { LoggerService } from '@backstage/backend-plugin-api';
import { CustomerStore } from '../database/CustomerStore';
import { generateDemoBatches } from './generateDemoData';

/** Loads synthetic demo data when the customer table is empty. */
export async function loadDemoData(options: { customers: CustomerStore; logger: LoggerService; count: number }) {
  const { customers, logger, count } = options;
  const stats = await customers.getStats();
  if (stats.customers > 0) return;
  const started = Date.now();
  let orders = 0;
  for (const batch of generateDemoBatches({ customers: count })) {
    await customers.insertRaw(batch.customers, batch.orders);
    orders += batch.orders.length;
  }
  logger.info(`Loaded demo data: ${count} customers, ${orders} orders in ${Date.now() - started} ms`);
}
