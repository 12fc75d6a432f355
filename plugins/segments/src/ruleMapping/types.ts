import type { RuleGroupType, RuleType } from 'react-querybuilder';
import type {
  SegmentCondition,
  SegmentDataType,
  SegmentOperator,
} from '@internal/plugin-segments-common';

/**
 * The part of a segment rule the rule builder edits: the top-level logical
 * operator and its conditions.
 * @public
 */
export interface RuleBuilderValue {
  logicalOperator: 'AND' | 'OR';
  conditions: SegmentCondition[];
}

/**
 * Segment data react-querybuilder has no place for, kept in a rule's `meta`
 * (which react-querybuilder preserves without reading it).
 * @public
 */
export interface SegmentRuleMeta {
  /** Declared data type of the leaf (`attributes.<key>` may be string, number or boolean). */
  dataType: SegmentDataType;
  /** The leaf's `not`; react-querybuilder only knows `not` on groups. `false` is kept as given. */
  not?: boolean;
  /** The `id` the condition had in the SegmentRule JSON, if any. */
  segmentId?: string;
}

/**
 * Segment data kept on a group next to react-querybuilder's own properties.
 * @public
 */
export interface SegmentGroupMeta {
  /** The `id` the group had in the SegmentRule JSON, if any. */
  segmentId?: string;
}

/**
 * A react-querybuilder rule as produced by {@link ruleToQuery}: `operator` is
 * a segment operator name and `value` is the segment value itself (lists and
 * `[low, high]` pairs as arrays, numbers as numbers, `undefined` when absent).
 * @public
 */
export type SegmentQueryRule = RuleType<
  string,
  SegmentOperator,
  unknown,
  'AND' | 'OR',
  SegmentRuleMeta
>;

/**
 * A react-querybuilder group as produced by {@link ruleToQuery}.
 * @public
 */
export interface SegmentQueryGroup
  extends RuleGroupType<SegmentQueryRule, 'AND' | 'OR'> {
  meta?: SegmentGroupMeta;
}
