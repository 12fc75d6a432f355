// @ts-check

/**
 * Sample buckets (a hash of the customer id, see src/engine/sampleBucket.ts)
 * on customers and, for the customer, on orders: previews of large customer
 * bases read only the customers and orders of a few buckets. The covering
 * orders index lets them aggregate a sample's orders without reading the
 * table. Existing rows are filled in by the backend at start-up
 * (`fillSampleBuckets`): the hash is computed in TypeScript, not in SQL.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('customers', t => {
    t.integer('sample_bucket').nullable();
    t.index(['sample_bucket'], 'customers_sample_idx');
  });
  await knex.schema.alterTable('orders', t => {
    t.integer('sample_bucket').nullable();
    t.index(['sample_bucket', 'status', 'customer_id', 'ordered_at', 'amount', 'category'], 'orders_sample_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('orders', t => {
    t.dropIndex([], 'orders_sample_idx');
    t.dropColumn('sample_bucket');
  });
  await knex.schema.alterTable('customers', t => {
    t.dropIndex([], 'customers_sample_idx');
    t.dropColumn('sample_bucket');
  });
};
