import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import AddIcon from '@mui/icons-material/Add';
import DeleteOutlineIcon from '@mui/icons-material/DeleteOutline';
import type { ActionProps } from 'react-querybuilder';
import { builderContext, nodeErrors } from '../RuleBuilderContext';
import { ruleBuilderTestIds } from '../testIds';
import { operatorArity } from '../valueDefaults';
import { ErrorList } from './ErrorList';

/** "+ Rule" button of a group. */
export function AddRuleAction(props: ActionProps) {
  const { handleOnClick, disabled, path, className, title } = props;
  return (
    <Button
      className={className}
      size="small"
      variant="outlined"
      startIcon={<AddIcon />}
      disabled={disabled}
      onClick={e => handleOnClick(e)}
      title={title}
      aria-label={path.length === 0 ? 'Add rule' : 'Add rule to group'}
      data-testid={ruleBuilderTestIds.addRule(path)}
    >
      Rule
    </Button>
  );
}

/** "+ Group" button of a group. */
export function AddGroupAction(props: ActionProps) {
  const { handleOnClick, disabled, path, className, title } = props;
  return (
    <Button
      className={className}
      size="small"
      variant="text"
      startIcon={<AddIcon />}
      disabled={disabled}
      onClick={e => handleOnClick(e)}
      title={title}
      aria-label={path.length === 0 ? 'Add group' : 'Add nested group'}
      data-testid={ruleBuilderTestIds.addGroup(path)}
    >
      Group
    </Button>
  );
}

/** Remove button of a nested group. */
export function RemoveGroupAction(props: ActionProps) {
  const { handleOnClick, disabled, path, className } = props;
  return (
    <Tooltip title="Remove group">
      <span className={className} style={{ marginLeft: 'auto' }}>
        <IconButton
          size="small"
          disabled={disabled}
          onClick={e => handleOnClick(e)}
          aria-label="Remove group"
          data-testid={ruleBuilderTestIds.removeGroup(path)}
        >
          <DeleteOutlineIcon fontSize="small" />
        </IconButton>
      </span>
    </Tooltip>
  );
}

/**
 * Remove button of a rule; also shows the rule's validation messages on a
 * line of their own (it is the rule's last control).
 */
export function RemoveRuleAction(props: ActionProps) {
  const { handleOnClick, disabled, path, className, context, ruleOrGroup } =
    props;
  const errors = nodeErrors(builderContext(context), ruleOrGroup?.id);
  const op =
    ruleOrGroup && 'operator' in ruleOrGroup
      ? String(ruleOrGroup.operator)
      : '';
  return (
    <>
      <Tooltip title="Remove rule">
        <span className={className} style={{ marginLeft: 'auto' }}>
          <IconButton
            size="small"
            disabled={disabled}
            onClick={e => handleOnClick(e)}
            aria-label="Remove rule"
            data-testid={ruleBuilderTestIds.removeRule(path)}
          >
            <DeleteOutlineIcon fontSize="small" />
          </IconButton>
        </span>
      </Tooltip>
      <ErrorList
        errors={errors}
        rangeValue={operatorArity(op) === 'range'}
        testId={ruleBuilderTestIds.ruleErrors(path)}
      />
    </>
  );
}
