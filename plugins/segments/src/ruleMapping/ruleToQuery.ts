import { generateID, RuleGroupType } from 'react-querybuilder';
import type {
  SegmentCondition,
  SegmentGroupCondition,
  SegmentLeafCondition,
} from '@internal/plugin-segments-common';
import type {
  RuleBuilderValue,
  SegmentQueryGroup,
  SegmentQueryRule,
} from './types';

/**
 * Options of {@link ruleToQuery}.
 * @public
 */
export interface RuleToQueryOptions {
  /**
   * Generates react-querybuilder's internal node ids. Those ids never reach
   * the SegmentRule JSON: a condition's own `id` is kept in `meta.segmentId`.
   * Defaults to react-querybuilder's `generateID`.
   */
  idGenerator?: () => string;
}

/**
 * Converts the SegmentRule JSON (`logicalOperator` + `conditions`) into a
 * react-querybuilder query. Lossless: {@link queryToRule} gives back a value
 * deep-equal to the input for every valid rule.
 *
 * - the top-level `logicalOperator` becomes the root group's `combinator`
 *   (`'AND'` / `'OR'`, used as combinator names unchanged);
 * - nested groups keep `not` natively and their `id` in `meta.segmentId`;
 * - leaves keep `field`, `operator` and `value` as they are (`value` stays
 *   `undefined` when absent) and `dataType`, `not` and `id` in `meta`.
 *
 * @public
 */
export function ruleToQuery(
  value: RuleBuilderValue,
  options: RuleToQueryOptions = {},
): RuleGroupType {
  const idGenerator = options.idGenerator ?? generateID;
  const root: SegmentQueryGroup = {
    id: idGenerator(),
    combinator: value.logicalOperator,
    rules: value.conditions.map(c => conditionToQuery(c, idGenerator)),
  };
  return root as RuleGroupType;
}

function isGroup(c: SegmentCondition): c is SegmentGroupCondition {
  return (c as SegmentGroupCondition).subConditions !== undefined;
}

function conditionToQuery(
  condition: SegmentCondition,
  idGenerator: () => string,
): SegmentQueryGroup | SegmentQueryRule {
  if (isGroup(condition)) {
    const group: SegmentQueryGroup = {
      id: idGenerator(),
      combinator: condition.logicalOperator,
      rules: condition.subConditions.map(c =>
        conditionToQuery(c, idGenerator),
      ) as SegmentQueryGroup['rules'],
    };
    if (condition.not !== undefined) group.not = condition.not;
    if (condition.id !== undefined) group.meta = { segmentId: condition.id };
    return group;
  }
  const leaf: SegmentLeafCondition = condition;
  const rule: SegmentQueryRule = {
    id: idGenerator(),
    field: leaf.field,
    operator: leaf.operator,
    value: leaf.value,
    meta: { dataType: leaf.dataType },
  };
  if (leaf.not !== undefined) rule.meta!.not = leaf.not;
  if (leaf.id !== undefined) rule.meta!.segmentId = leaf.id;
  return rule;
}
