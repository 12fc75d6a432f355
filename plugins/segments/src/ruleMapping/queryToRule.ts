import { isRuleGroup, RuleGroupTypeAny } from 'react-querybuilder';
import {
  getFieldDefinition,
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
 * Converts a react-querybuilder query built by {@link ruleToQuery} (and then
 * edited by the query builder) back into the SegmentRule JSON. react-querybuilder's
 * own ids are dropped; a condition gets an `id` only when it had one in the
 * JSON (`meta.segmentId`). `not` appears only where it was given or toggled.
 *
 * Rules without `meta.dataType` (which the builder never produces) take the
 * data type of the built-in field, or `string`.
 *
 * @public
 */
export function queryToRule(query: RuleGroupTypeAny): RuleBuilderValue {
  const root = query as SegmentQueryGroup;
  return {
    logicalOperator: root.combinator === 'OR' ? 'OR' : 'AND',
    conditions: root.rules.flatMap(nodeToCondition),
  };
}

function nodeToCondition(
  node: SegmentQueryGroup['rules'][number] | string,
): SegmentCondition[] {
  // Independent combinators are not used by the rule builder; skip them defensively.
  if (typeof node === 'string') return [];
  if (isRuleGroup(node)) {
    const group = node as SegmentQueryGroup;
    const out: SegmentGroupCondition = {
      ...(group.meta?.segmentId !== undefined
        ? { id: group.meta.segmentId }
        : {}),
      logicalOperator: group.combinator === 'OR' ? 'OR' : 'AND',
      subConditions: group.rules.flatMap(nodeToCondition),
    };
    if (group.not !== undefined) out.not = group.not;
    return [out];
  }
  const rule = node as SegmentQueryRule;
  const meta = rule.meta;
  const out: SegmentLeafCondition = {
    ...(meta?.segmentId !== undefined ? { id: meta.segmentId } : {}),
    field: rule.field,
    operator: rule.operator,
    ...(rule.value !== undefined ? { value: rule.value } : {}),
    dataType:
      meta?.dataType ?? getFieldDefinition(rule.field)?.dataType ?? 'string',
  };
  if (meta?.not !== undefined) out.not = meta.not;
  return [out];
}
