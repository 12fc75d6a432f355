// @ts-check

/**
 * Audit trail and segment sharing.
 *
 * `segment_audit_events`: one row per audited request (who, when, what, on
 * which target, outcome, request id). Never personal data values: targets are
 * identifiers, `meta` holds counts and options only. Rows older than
 * `segments.audit.retentionDays` (default 90) are pruned by a scheduled task.
 *
 * `segment_rule_visibility`: the groups (or users) a segment is shared with, as
 * lower-cased entity refs; one row each so that permission filters
 * (`HAS_VISIBILITY`) are a plain indexed `EXISTS` in SQL on every database.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('segment_audit_events', t => {
    t.bigIncrements('id');
    t.bigInteger('at').notNullable().comment('epoch milliseconds');
    t.string('actor', 255).notNullable().comment('user entity ref or service subject');
    t.string('actor_type', 20).notNullable().comment('user, service or none');
    t.string('action', 100).notNullable().comment('auditor event id, e.g. rule-update');
    t.string('severity', 10).notNullable();
    t.string('target_type', 50).nullable().comment('rule, result, customer, execution, ...');
    t.string('target_id', 255).nullable();
    t.string('outcome', 20).notNullable().comment('success, denied or failure');
    t.integer('status').nullable().comment('HTTP status the request answered');
    t.string('request_id', 100).notNullable();
    t.string('method', 10).nullable();
    t.string('path', 500).nullable().comment('route path with the ids, no query string');
    t.text('meta').nullable().comment('JSON: counts and options, never personal data values');
    t.index(['at'], 'segment_audit_events_at_idx');
    t.index(['actor', 'at'], 'segment_audit_events_actor_idx');
    t.index(['action', 'at'], 'segment_audit_events_action_idx');
  });

  await knex.schema.createTable('segment_rule_visibility', t => {
    t.string('segment_rule_id', 36).notNullable();
    t.string('entity_ref', 255).notNullable().comment('lower-cased, e.g. group:default/marketing');
    t.primary(['segment_rule_id', 'entity_ref']);
    t.index(['entity_ref'], 'segment_rule_visibility_ref_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('segment_rule_visibility');
  await knex.schema.dropTable('segment_audit_events');
};
