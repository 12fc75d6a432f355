export { ruleToQuery } from './ruleToQuery';
export type { RuleToQueryOptions } from './ruleToQuery';
export { queryToRule } from './queryToRule';
export type {
  RuleBuilderValue,
  SegmentGroupMeta,
  SegmentQueryGroup,
  SegmentQueryRule,
  SegmentRuleMeta,
} from './types';
