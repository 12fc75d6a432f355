// @ts-check

/**
 * When each scheduled segment runs next. Kept apart from the rule so that a
 * changed schedule is noticed (schedule_json differs) and recomputed.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('segment_schedule_state', t => {
    t.string('segment_rule_id', 36).primary();
    t.text('schedule_json').notNullable();
    t.bigInteger('next_run_at').notNullable();
    t.bigInteger('last_run_at').nullable();
    t.string('last_execution_id', 36).nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('segment_schedule_state');
};
