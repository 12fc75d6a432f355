export { RuleBuilder } from './RuleBuilder';
export { RuleJsonDialog } from './RuleJsonDialog';
export type {
  RuleBuilderValue,
  RuleBuilderProps,
  RuleJsonDialogProps,
} from './types';
