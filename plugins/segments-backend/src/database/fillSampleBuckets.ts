import { Knex } from 'knex';
import { sampleBucket } from '../engine/sampleBucket';
import { affectedRows } from './util';

const BATCH = 1000;

/**
 * Gives customers and orders stored before sample buckets existed their
 * bucket. Runs at start-up; a no-op once every row has one. Customers in
 * batches (the hash is computed here), then orders from their customer in one
 * statement.
 */
export async function fillSampleBuckets(
  db: Knex,
  options: { onStart?: () => void } = {},
): Promise<{ customers: number; orders: number }> {
  const missing = await db('customers').whereNull('sample_bucket').first('id');
  const missingOrder = missing ? undefined : await db('orders').whereNull('sample_bucket').first('id');
  if (!missing && !missingOrder) return { customers: 0, orders: 0 };
  options.onStart?.();
  let customers = 0;
  for (;;) {
    const ids: string[] = (await db('customers').whereNull('sample_bucket').limit(BATCH).pluck('id')) ?? [];
    if (!ids.length) break;
    const values = ids.map(() => '(?, CAST(? AS INTEGER))').join(', ');
    await db.raw(
      `UPDATE customers SET sample_bucket = v.column2 FROM (VALUES ${values}) AS v WHERE customers.id = v.column1`,
      ids.flatMap(id => [id, sampleBucket(id)]),
    );
    customers += ids.length;
  }
  const answer = await db.raw(
    `UPDATE orders SET sample_bucket = (SELECT c.sample_bucket FROM customers c WHERE c.id = orders.customer_id)
     WHERE sample_bucket IS NULL`,
  );
  return { customers, orders: affectedRows(answer) };
}
