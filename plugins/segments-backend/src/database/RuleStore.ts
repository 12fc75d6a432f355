import { Knex } from 'knex';
import { randomUUID } from 'crypto';
import { SegmentRule, SegmentRuleInput, SegmentStatus } from '@internal/plugin-segments-common';
import { num, optIso, parseJson } from './util';

/** Summary of a segment's latest run, shown in lists. */
export interface LatestResultSummary {
  resultId: string;
  customerCount: number;
  added: number;
  removed: number;
  executedAt: string;
  status: string;
}

/** A rule as listed, with its latest run. */
export type SegmentRuleWithResult = SegmentRule & { latestResult?: LatestResultSummary };

/** Filters of {@link RuleStore.listRules}. */
export interface ListRulesOptions {
  status?: SegmentStatus;
  search?: string;
  limit: number;
  offset: number;
  /** Restricts the list to these ids (permission filters). */
  ids?: string[];
  /**
   * A WHERE clause from a conditional permission decision, over the rules
   * table aliased `r` (see `permissions/conditionsToKnex`).
   */
  filter?: (query: Knex.QueryBuilder) => void;
}

/** Storage of segment rules. */
export interface RuleStore {
  /** Stores a rule; `input.visibility` sets whom it is shared with. */
  createRule(input: SegmentRuleInput, createdBy: string): Promise<SegmentRule>;
  getRule(id: string): Promise<SegmentRuleWithResult | undefined>;
  listRules(options: ListRulesOptions): Promise<{ items: SegmentRuleWithResult[]; totalCount: number }>;
  /** Replaces a rule; its sharing only changes when `input.visibility` is given. */
  updateRule(id: string, input: SegmentRuleInput): Promise<SegmentRule>;
  /** Deletes a rule and its results and memberships; children move to `reparentTo` or are deleted when listed. */
  deleteRule(id: string, options: { deleteIds: string[]; reparent?: { childIds: string[]; parentId?: string } }): Promise<void>;
  /** Every rule id with its parent id. */
  getParents(): Promise<Map<string, string | undefined>>;
  getRules(ids: string[]): Promise<SegmentRule[]>;
  listActiveRules(): Promise<SegmentRule[]>;
}

/** Knex implementation of {@link RuleStore}. */
export class DatabaseRuleStore implements RuleStore {
  private constructor(private readonly db: Knex) {}

  static create(options: { database: Knex }) {
    return new DatabaseRuleStore(options.database);
  }

  async createRule(input: SegmentRuleInput, createdBy: string): Promise<SegmentRule> {
    const now = Date.now();
    const id = randomUUID();
    await this.db.transaction(async tx => {
      await tx('segment_rules').insert({
        id,
        ...inputToRow(input),
        created_by: createdBy,
        created_at: now,
        updated_at: now,
      });
      await replaceVisibility(tx, id, input.visibility);
    });
    return (await this.getRule(id))!;
  }

  async updateRule(id: string, input: SegmentRuleInput): Promise<SegmentRule> {
    await this.db.transaction(async tx => {
      await tx('segment_rules').where({ id }).update({ ...inputToRow(input), updated_at: Date.now() });
      await replaceVisibility(tx, id, input.visibility);
    });
    return (await this.getRule(id))!;
  }

  async getRule(id: string) {
    const rows = await this.selectRules().where('r.id', id);
    if (!rows.length) return undefined;
    const [rule] = await this.withVisibility(await this.withChildren(rows.map(rowToRule)));
    return rule;
  }

  async getRules(ids: string[]) {
    if (!ids.length) return [];
    return this.withVisibility((await this.selectRules().whereIn('r.id', ids)).map(rowToRule));
  }

  async listRules(options: ListRulesOptions) {
    const filtered = () => {
      const q = this.db('segment_rules as r');
      if (options.status) q.where('r.status', options.status);
      if (options.search) {
        q.whereRaw(`lower(r.name) like ? escape '\\'`, [`%${escapeLike(options.search.toLowerCase())}%`]);
      }
      if (options.ids) q.whereIn('r.id', options.ids);
      if (options.filter) q.where(options.filter);
      return q;
    };
    const [{ n }] = await filtered().count({ n: '*' });
    const rows = await this.selectRules(filtered())
      .orderBy([{ column: 'r.priority' }, { column: 'r.created_at' }, { column: 'r.id' }])
      .limit(options.limit)
      .offset(options.offset);
    return { items: await this.withVisibility(await this.withChildren(rows.map(rowToRule))), totalCount: num(n) };
  }

  async deleteRule(id: string, options: { deleteIds: string[]; reparent?: { childIds: string[]; parentId?: string } }) {
    await this.db.transaction(async tx => {
      if (options.reparent?.childIds.length) {
        await tx('segment_rules')
          .whereIn('id', options.reparent.childIds)
          .update({ parent_segment_id: options.reparent.parentId ?? null, updated_at: Date.now() });
      }
      const ids = [id, ...options.deleteIds];
      await tx('segment_memberships').whereIn('segment_rule_id', ids).delete();
      await tx('segment_results').whereIn('segment_rule_id', ids).delete();
      await tx('customer_primary_segments').whereIn('segment_rule_id', ids).delete();
      await tx('segment_rule_visibility').whereIn('segment_rule_id', ids).delete();
      await tx('segment_rules').whereIn('id', ids).delete();
    });
  }

  async getParents() {
    const rows = await this.db('segment_rules').select('id', 'parent_segment_id');
    return new Map<string, string | undefined>(rows.map(r => [r.id, r.parent_segment_id ?? undefined]));
  }

  async listActiveRules() {
    return (await this.selectRules().where('r.status', 'active')).map(rowToRule);
  }

  private selectRules(q: Knex.QueryBuilder = this.db('segment_rules as r')) {
    return q
      .leftJoin('segment_results as lr', 'lr.id', 'r.latest_result_id')
      .select(
        'r.*',
        'lr.customer_count as lr_customer_count',
        'lr.added as lr_added',
        'lr.removed as lr_removed',
        'lr.executed_at as lr_executed_at',
        'lr.status as lr_status',
      );
  }

  private async withChildren<T extends SegmentRule>(rules: T[]): Promise<T[]> {
    if (!rules.length) return rules;
    const children = await this.db('segment_rules')
      .whereIn('parent_segment_id', rules.map(r => r.id))
      .orderBy('priority')
      .select('id', 'parent_segment_id');
    return rules.map(r => ({
      ...r,
      childSegments: children.filter(c => c.parent_segment_id === r.id).map(c => c.id),
    }));
  }

  /** Rules gain `visibility` when they are shared with anybody. */
  private async withVisibility<T extends SegmentRule>(rules: T[]): Promise<T[]> {
    if (!rules.length) return rules;
    const rows = await this.db('segment_rule_visibility')
      .whereIn('segment_rule_id', rules.map(r => r.id))
      .orderBy('entity_ref')
      .select('segment_rule_id', 'entity_ref');
    return rules.map(r => {
      const visibility = rows.filter(v => v.segment_rule_id === r.id).map(v => v.entity_ref as string);
      return visibility.length ? { ...r, visibility } : r;
    });
  }
}

/** Sets whom a rule is shared with; `undefined` keeps the current sharing. */
async function replaceVisibility(tx: Knex.Transaction, id: string, visibility: string[] | undefined) {
  if (!visibility) return;
  await tx('segment_rule_visibility').where({ segment_rule_id: id }).delete();
  const refs = [...new Set(visibility.map(v => v.toLowerCase()))];
  if (refs.length) {
    await tx('segment_rule_visibility').insert(refs.map(entity_ref => ({ segment_rule_id: id, entity_ref })));
  }
}

function escapeLike(s: string) {
  return s.replace(/[\\%_]/g, m => `\\${m}`);
}

function inputToRow(input: SegmentRuleInput) {
  return {
    name: input.name,
    description: input.description ?? '',
    status: input.status ?? 'draft',
    priority: input.priority ?? 100,
    logical_operator: input.logicalOperator,
    conditions: JSON.stringify(input.conditions),
    parent_segment_id: input.parentSegmentId ?? null,
    schedule: input.schedule ? JSON.stringify(input.schedule) : null,
  };
}

function rowToRule(row: any): SegmentRuleWithResult {
  const rule: SegmentRuleWithResult = {
    id: row.id,
    name: row.name,
    description: row.description,
    status: row.status,
    priority: num(row.priority),
    conditions: parseJson(row.conditions)!,
    logicalOperator: row.logical_operator,
    createdBy: row.created_by,
    createdAt: optIso(row.created_at)!,
    updatedAt: optIso(row.updated_at)!,
  };
  if (row.parent_segment_id) rule.parentSegmentId = row.parent_segment_id;
  const schedule = parseJson<SegmentRule['schedule']>(row.schedule);
  if (schedule) rule.schedule = schedule;
  if (row.last_executed_at !== null && row.last_executed_at !== undefined) {
    rule.lastExecutedAt = optIso(row.last_executed_at);
  }
  if (row.latest_result_id && row.lr_customer_count !== null && row.lr_customer_count !== undefined) {
    rule.latestResult = {
      resultId: row.latest_result_id,
      customerCount: num(row.lr_customer_count),
      added: num(row.lr_added),
      removed: num(row.lr_removed),
      executedAt: optIso(row.lr_executed_at)!,
      status: row.lr_status,
    };
  }
  return rule;
}
