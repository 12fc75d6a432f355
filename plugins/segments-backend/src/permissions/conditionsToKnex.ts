import { PermissionCriteria, PermissionCondition } from '@backstage/plugin-permission-common';
import {
  ConditionTransformer,
  createConditionTransformer,
  isAndCriteria,
  isNotCriteria,
  isOrCriteria,
  PermissionRuleset,
} from '@backstage/plugin-permission-node';
import { SegmentRule } from '@internal/plugin-segments-common';
import { SegmentRuleFilter } from '@internal/plugin-segments-node';
import { Knex } from 'knex';

/** A WHERE clause over the rules table aliased `r`. */
export type RuleQueryFilter = (query: Knex.QueryBuilder) => void;

/**
 * Turns the conditions of a conditional permission decision on segments into a
 * Knex WHERE clause over `segment_rules as r`, so that lists are filtered in
 * SQL (and paged and counted correctly).
 */
export class RuleConditionsToKnex {
  private readonly transform: ConditionTransformer<SegmentRuleFilter>;

  private constructor(private readonly db: Knex, ruleset: PermissionRuleset<SegmentRule, SegmentRuleFilter>) {
    this.transform = createConditionTransformer(ruleset);
  }

  static create(options: { database: Knex; ruleset: PermissionRuleset<SegmentRule, SegmentRuleFilter> }) {
    return new RuleConditionsToKnex(options.database, options.ruleset);
  }

  /** The WHERE clause for conditions (throws InputError on unknown rules or bad params). */
  toFilter(conditions: PermissionCriteria<PermissionCondition>): RuleQueryFilter {
    const criteria = this.transform(conditions);
    return query => {
      query.where(q => this.apply(q, criteria));
    };
  }

  private apply(query: Knex.QueryBuilder, criteria: PermissionCriteria<SegmentRuleFilter>): void {
    if (isAndCriteria(criteria)) {
      query.where(q => {
        for (const c of criteria.allOf) q.andWhere(sub => this.apply(sub, c));
      });
    } else if (isOrCriteria(criteria)) {
      query.where(q => {
        for (const c of criteria.anyOf) q.orWhere(sub => this.apply(sub, c));
      });
    } else if (isNotCriteria(criteria)) {
      query.whereNot(q => this.apply(q, criteria.not));
    } else {
      this.applyFilter(query, criteria);
    }
  }

  private applyFilter(query: Knex.QueryBuilder, filter: SegmentRuleFilter) {
    const values = [...new Set(filter.values)];
    switch (filter.property) {
      case 'createdBy':
        query.whereIn(this.db.raw('lower(r.created_by)') as any, values.map(v => v.toLowerCase()));
        return;
      case 'status':
        query.whereIn('r.status', values);
        return;
      case 'visibility':
        query.whereExists(
          this.db('segment_rule_visibility as v')
            .select(this.db.raw('1'))
            .whereRaw('v.segment_rule_id = r.id')
            .whereIn('v.entity_ref', values.map(v => v.toLowerCase())),
        );
        return;
      default:
        // A filter this version does not know must never widen access.
        query.whereRaw('1 = 0');
    }
  }
}
