export * from './types';
export { lintRule } from './lintRule';
export { applyLintFix, parseConditionPath } from './applyLintFix';
export { describeCondition } from './describe';
export {
  canonicalRule,
  rulesEquivalent,
  subsumes,
  satisfiable,
} from './canonical';
export type { CanonicalNode, CanonicalRule } from './canonical';
