// @ts-check

/**
 * Staged members carry the three features a result's statistics need, so a
 * full run sums them from the staged rows instead of joining every segment's
 * members with the run's features again.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('segment_run_members', t => {
    t.double('total_spent').nullable();
    t.integer('order_count').nullable();
    t.integer('orders_90d').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('segment_run_members', t => {
    t.dropColumn('total_spent');
    t.dropColumn('order_count');
    t.dropColumn('orders_90d');
  });
};
