import { HTMLAttributes, memo } from 'react';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import {
  findPath,
  OperatorSelectorProps,
  RuleType,
  update,
} from 'react-querybuilder';
import type { SegmentOperator } from '@internal/plugin-segments-common';
import {
  builderContext,
  nodeErrors,
  resolveField,
} from '../RuleBuilderContext';
import { operatorLabel } from '../operatorLabel';
import { pathKey, ruleBuilderTestIds } from '../testIds';
import { coerceValue } from '../valueDefaults';

function OperatorSelectorImpl(props: OperatorSelectorProps) {
  const { rule, path, context, disabled, schema, className } = props;
  const ctx = builderContext(context);
  const field = resolveField(ctx, rule);
  const operators: string[] = field.operators.includes(
    rule.operator as SegmentOperator,
  )
    ? field.operators
    : [...field.operators, rule.operator];
  const hasError = nodeErrors(ctx, rule.id, 'operator').length > 0;

  const onChange = (operator: SegmentOperator) => {
    if (operator === rule.operator) return;
    const query = schema.getQuery();
    // The value as it is now: this control does not re-render on value edits.
    const current = (findPath(path, query) as RuleType | null) ?? rule;
    schema.dispatchQuery(
      update(
        query,
        { operator, value: coerceValue(current.value, operator, field) },
        path,
      ),
    );
  };

  return (
    <TextField
      className={className}
      select
      size="small"
      sx={{ minWidth: 140 }}
      value={rule.operator}
      disabled={disabled}
      error={hasError}
      onChange={e => onChange(e.target.value as SegmentOperator)}
      inputProps={{ 'aria-label': 'Operator' }}
      SelectProps={{
        SelectDisplayProps: {
          'aria-label': 'Operator',
          'data-testid': ruleBuilderTestIds.operator(path),
        } as HTMLAttributes<HTMLDivElement>,
      }}
    >
      {operators.map(op => (
        <MenuItem key={op} value={op}>
          {operatorLabel(op as SegmentOperator, field.dataType)}
        </MenuItem>
      ))}
    </TextField>
  );
}

/**
 * Operator select of a rule, listing the field's operators with readable
 * labels. Switching operators keeps what it can of the value (`5` becomes
 * `[5]` for "is one of" and `[5, 5]` for "between"). Does not re-render while
 * only the rule's value changes.
 */
export const OperatorSelector = memo(
  OperatorSelectorImpl,
  (a, b) =>
    a.rule.id === b.rule.id &&
    a.rule.field === b.rule.field &&
    a.rule.operator === b.rule.operator &&
    a.rule.meta === b.rule.meta &&
    a.disabled === b.disabled &&
    a.context === b.context &&
    a.schema === b.schema &&
    a.className === b.className &&
    pathKey(a.path) === pathKey(b.path),
);
