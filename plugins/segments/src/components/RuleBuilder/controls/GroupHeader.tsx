import Typography from '@mui/material/Typography';
import {
  RuleGroupHeaderComponents,
  RuleGroupProps,
  UseRuleGroup,
} from 'react-querybuilder';
import { builderContext, nodeErrors } from '../RuleBuilderContext';
import { ruleBuilderTestIds } from '../testIds';
import { ErrorList } from './ErrorList';

/**
 * A group's header (drag handle, AND/OR, NOT, add and remove buttons), then
 * the group's validation messages and, for an empty builder, a hint.
 */
export function GroupHeader(props: RuleGroupProps & UseRuleGroup) {
  const { ruleGroup, path, context } = props;
  const errors = nodeErrors(builderContext(context), ruleGroup.id);
  return (
    <>
      <RuleGroupHeaderComponents {...props} />
      <ErrorList
        errors={errors}
        testId={ruleBuilderTestIds.groupErrors(path)}
      />
      {path.length === 0 && ruleGroup.rules.length === 0 && (
        <Typography
          variant="body2"
          color="textSecondary"
          sx={{ flexBasis: '100%', py: 1 }}
        >
          No conditions yet. Add a rule, e.g. “Total spent ≥ 100000”, or a group
          to combine conditions with their own AND / OR.
        </Typography>
      )}
    </>
  );
}
