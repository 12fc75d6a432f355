export { RuleBuilder } from './RuleBuilder';
export { RuleJsonDialog, ruleJsonDialogTestIds } from './RuleJsonDialog';
export { ruleBuilderTestIds, pathKey } from './testIds';
export { operatorLabel } from './operatorLabel';
export type {
  RuleBuilderValue,
  RuleBuilderProps,
  RuleJsonDialogProps,
} from './types';
