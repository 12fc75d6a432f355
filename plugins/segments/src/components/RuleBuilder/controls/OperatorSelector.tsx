import type { HTMLAttributes } from 'react';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import { OperatorSelectorProps, update } from 'react-querybuilder';
import type { SegmentOperator } from '@internal/plugin-segments-common';
import {
  builderContext,
  nodeErrors,
  resolveField,
} from '../RuleBuilderContext';
import { operatorLabel } from '../operatorLabel';
import { ruleBuilderTestIds } from '../testIds';
import { coerceValue } from '../valueDefaults';

/**
 * Operator select of a rule, listing the field's operators with readable
 * labels. Switching operators keeps what it can of the value (`5` becomes
 * `[5]` for "is one of" and `[5, 5]` for "between").
 */
export function OperatorSelector(props: OperatorSelectorProps) {
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
    schema.dispatchQuery(
      update(
        schema.getQuery(),
        { operator, value: coerceValue(rule.value, operator, field) },
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
