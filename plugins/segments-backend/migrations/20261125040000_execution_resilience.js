// @ts-check

/**
 * Resumable, retried executions and data-change triggers.
 * - segment_executions: attempts, a heartbeat (a run whose heartbeat is stale
 *   was orphaned by a dead process and is resumed), when its features were
 *   computed (the first checkpoint), and the customers of an incremental run.
 * - customer_changes: customers whose data changed since the last incremental run.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('segment_executions', t => {
    t.string('kind', 20).notNullable().defaultTo('full').comment('full | incremental');
    t.integer('attempt').notNullable().defaultTo(1);
    t.integer('max_attempts').notNullable().defaultTo(1);
    t.bigInteger('heartbeat_at').nullable();
    t.bigInteger('features_at').nullable();
    t.bigInteger('next_attempt_at').nullable();
    t.text('customer_ids').nullable().comment('JSON list, incremental runs only');
  });
  await knex.schema.alterTable('segment_results', t => {
    t.string('kind', 20).notNullable().defaultTo('full');
  });
  await knex.schema.createTable('customer_changes', t => {
    t.string('customer_id', 100).primary();
    t.bigInteger('changed_at').notNullable();
    t.index(['changed_at'], 'customer_changes_at_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('customer_changes');
  await knex.schema.alterTable('segment_results', t => {
    t.dropColumn('kind');
  });
  await knex.schema.alterTable('segment_executions', t => {
    for (const c of ['kind', 'attempt', 'max_attempts', 'heartbeat_at', 'features_at', 'next_attempt_at', 'customer_ids']) {
      t.dropColumn(c);
    }
  });
};
