// @ts-check

/**
 * Customers, orders, segment rules, executions, results and memberships.
 * Times are epoch milliseconds (bigint) on every database, so rule windows are
 * plain integer arithmetic in SQL.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const isPg = knex.client.config.client === 'pg';

  await knex.schema.createTable('customers', t => {
    t.string('id', 100).primary();
    t.text('name').nullable();
    t.text('email').nullable();
    t.text('phone').nullable();
    t.string('country', 100).nullable();
    t.string('city', 100).nullable();
    t.string('tier', 50).nullable();
    t.string('gender', 50).nullable();
    t.string('birth_date', 10).nullable();
    t.integer('birth_ymd').nullable().comment('YYYYMMDD, for age in SQL');
    t.bigInteger('created_at').notNullable();
    t.jsonb('attributes').nullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['country'], 'customers_country_idx');
    t.index(['tier'], 'customers_tier_idx');
  });

  await knex.schema.createTable('orders', t => {
    t.string('id', 100).primary();
    t.string('customer_id', 100)
      .notNullable()
      .references('id')
      .inTable('customers')
      .onDelete('CASCADE');
    t.bigInteger('ordered_at').notNullable();
    t.double('amount').notNullable();
    t.string('currency', 3).nullable();
    t.string('status', 20).notNullable();
    t.string('category', 100).nullable();
    t.string('channel', 50).nullable();
    t.bigInteger('updated_at').notNullable();
    // Feature aggregation groups completed orders by customer up to asOf.
    t.index(['customer_id', 'status', 'ordered_at'], 'orders_customer_status_at_idx');
    t.index(['status', 'ordered_at'], 'orders_status_at_idx');
  });

  await knex.schema.createTable('segment_rules', t => {
    t.string('id', 36).primary();
    t.string('name', 200).notNullable();
    t.text('description').notNullable().defaultTo('');
    t.string('status', 20).notNullable();
    t.integer('priority').notNullable();
    t.string('logical_operator', 3).notNullable();
    t.text('conditions').notNullable();
    t.string('parent_segment_id', 36).nullable();
    t.text('schedule').nullable();
    t.string('created_by', 255).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.bigInteger('last_executed_at').nullable();
    t.string('latest_result_id', 36).nullable();
    t.index(['parent_segment_id'], 'segment_rules_parent_idx');
    t.index(['status'], 'segment_rules_status_idx');
  });

  await knex.schema.createTable('segment_executions', t => {
    t.string('id', 36).primary();
    t.string('segment_rule_id', 36).nullable().comment('null: all active rules');
    t.string('status', 20).notNullable();
    t.bigInteger('as_of').notNullable();
    t.integer('processed').notNullable().defaultTo(0);
    t.integer('total').notNullable().defaultTo(0);
    t.string('created_by', 255).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('started_at').nullable();
    t.bigInteger('finished_at').nullable();
    t.text('error').nullable();
    t.index(['status'], 'segment_executions_status_idx');
    t.index(['created_at'], 'segment_executions_created_idx');
  });

  await knex.schema.createTable('segment_execution_logs', t => {
    t.bigIncrements('id');
    t.string('execution_id', 36)
      .notNullable()
      .references('id')
      .inTable('segment_executions')
      .onDelete('CASCADE');
    t.bigInteger('at').notNullable();
    t.string('level', 10).notNullable();
    t.text('message').notNullable();
    t.string('segment_rule_id', 36).nullable();
    t.index(['execution_id'], 'segment_execution_logs_exec_idx');
  });

  await knex.schema.createTable('segment_results', t => {
    t.string('id', 36).primary();
    t.string('segment_rule_id', 36).notNullable();
    t.string('execution_id', 36).notNullable();
    t.integer('seq').notNullable().comment('run number of this segment');
    t.integer('customer_count').notNullable();
    t.bigInteger('executed_at').notNullable();
    t.bigInteger('as_of').notNullable();
    t.integer('execution_time_ms').notNullable();
    t.string('status', 20).notNullable();
    t.integer('added').notNullable();
    t.integer('removed').notNullable();
    t.integer('maintained').notNullable();
    t.double('total_revenue').notNullable();
    t.integer('order_count').notNullable();
    t.double('avg_order_value').nullable();
    t.double('churn_rate').nullable();
    t.unique(['segment_rule_id', 'seq'], { indexName: 'segment_results_rule_seq_uq' });
    t.index(['execution_id'], 'segment_results_exec_idx');
  });

  // One row per spell of membership: the customer joined in run `from_seq` and
  // left in run `to_seq` (null while still a member). This yields current
  // members, each run's added/removed/maintained lists and history from one table.
  await knex.schema.createTable('segment_memberships', t => {
    t.string('segment_rule_id', 36).notNullable();
    t.string('customer_id', 100).notNullable();
    t.integer('from_seq').notNullable();
    t.integer('to_seq').nullable();
    t.primary(['segment_rule_id', 'customer_id', 'from_seq']);
    t.index(['segment_rule_id', 'to_seq'], 'segment_memberships_open_idx');
    t.index(['customer_id'], 'segment_memberships_customer_idx');
  });

  // Members a run computed for a segment, before they are merged into memberships.
  await knex.schema.createTable('segment_run_members', t => {
    t.string('execution_id', 36).notNullable();
    t.string('segment_rule_id', 36).notNullable();
    t.string('customer_id', 100).notNullable();
    t.primary(['execution_id', 'segment_rule_id', 'customer_id']);
  });

  // Features computed once per run and shared by all its segments.
  await knex.schema.createTable('segment_run_features', t => {
    t.string('execution_id', 36).notNullable();
    t.string('customer_id', 100).notNullable();
    t.string('country', 100).nullable();
    t.string('city', 100).nullable();
    t.string('tier', 50).nullable();
    t.string('gender', 50).nullable();
    t.bigInteger('created_at').nullable();
    t.integer('birth_ymd').nullable();
    t.jsonb('attributes').nullable();
    t.double('total_spent').notNullable();
    t.integer('order_count').notNullable();
    t.bigInteger('first_order_at').nullable();
    t.bigInteger('last_order_at').nullable();
    t.double('spent_30d').notNullable();
    t.double('spent_90d').notNullable();
    t.double('spent_365d').notNullable();
    t.integer('orders_30d').notNullable();
    t.integer('orders_90d').notNullable();
    t.integer('orders_365d').notNullable();
    t.primary(['execution_id', 'customer_id']);
  });
  if (isPg) {
    // Scratch data, rebuilt by any run: skip the write-ahead log.
    await knex.raw('ALTER TABLE segment_run_features SET UNLOGGED');
    await knex.raw('ALTER TABLE segment_run_members SET UNLOGGED');
  }

  await knex.schema.createTable('customer_primary_segments', t => {
    t.string('customer_id', 100).primary();
    t.string('segment_rule_id', 36).notNullable();
    t.string('execution_id', 36).notNullable();
    t.index(['segment_rule_id'], 'customer_primary_segments_rule_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  for (const table of [
    'customer_primary_segments',
    'segment_run_features',
    'segment_run_members',
    'segment_memberships',
    'segment_results',
    'segment_execution_logs',
    'segment_executions',
    'segment_rules',
    'orders',
    'customers',
  ]) {
    await knex.schema.dropTable(table);
  }
};
