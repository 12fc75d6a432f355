import { getFieldDefinition } from '../../fields';
import {
  SegmentCondition,
  SegmentLeafCondition,
  SegmentOperator,
} from '../../types';
import { LintRuleInput } from '../types';

/** A leaf with the field's data type (attributes: `attributes.k:number`). */
export function c(
  field: string,
  operator: SegmentOperator,
  value?: unknown,
  not?: boolean,
): SegmentLeafCondition {
  let name = field;
  let dataType = getFieldDefinition(field)?.dataType;
  const m = /^(attributes\.[\w-]+):(string|number|boolean)$/.exec(field);
  if (m) {
    name = m[1];
    dataType = m[2] as any;
  }
  return {
    field: name,
    operator,
    ...(value === undefined ? {} : { value }),
    dataType: dataType ?? 'string',
    ...(not ? { not: true } : {}),
  };
}

export const and = (
  ...subConditions: SegmentCondition[]
): SegmentCondition => ({ logicalOperator: 'AND', subConditions });
export const or = (...subConditions: SegmentCondition[]): SegmentCondition => ({
  logicalOperator: 'OR',
  subConditions,
});
export const not = (cond: SegmentCondition): SegmentCondition => ({
  ...cond,
  not: true,
});
export const all = (...conditions: SegmentCondition[]): LintRuleInput => ({
  logicalOperator: 'AND',
  conditions,
});
export const any = (...conditions: SegmentCondition[]): LintRuleInput => ({
  logicalOperator: 'OR',
  conditions,
});
