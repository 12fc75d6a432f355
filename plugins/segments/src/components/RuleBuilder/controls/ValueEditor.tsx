import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { ValueEditorProps } from 'react-querybuilder';
import type { SegmentDataType } from '@internal/plugin-segments-common';
import {
  builderContext,
  nodeErrors,
  resolveField,
} from '../RuleBuilderContext';
import { ruleBuilderTestIds } from '../testIds';
import { operatorArity } from '../valueDefaults';
import { BooleanInput } from './BooleanInput';
import { DateInput } from './DateInput';
import { ListInput } from './ListInput';
import { NumberInput } from './NumberInput';
import { TextInput } from './TextInput';

interface ScalarProps {
  type: SegmentDataType;
  value: unknown;
  onChange(value: unknown): void;
  suggestions?: string[];
  disabled?: boolean;
  error?: boolean;
  testId: string;
  ariaLabel: string;
}

function ScalarInput(props: ScalarProps) {
  const { type, suggestions, ...common } = props;
  switch (type) {
    case 'number':
      return <NumberInput {...common} />;
    case 'date':
      return <DateInput {...common} />;
    case 'boolean':
      return <BooleanInput {...common} />;
    default:
      return <TextInput {...common} suggestions={suggestions} />;
  }
}

/**
 * Value editor that fits the field's type and the operator: nothing for
 * "is empty", a multi-select for lists, two inputs for "between", and a
 * number, date, true/false or text input (with known values) otherwise.
 */
export function ValueEditor(props: ValueEditorProps) {
  const {
    rule,
    operator,
    value,
    handleOnChange,
    path,
    disabled,
    context,
    className,
  } = props;
  const ctx = builderContext(context);
  const field = resolveField(ctx, rule);
  const errors = nodeErrors(ctx, rule.id, 'value');
  const errorAt = (index: number) =>
    errors.some(e => e.index === undefined || e.index === index);
  const elementType: SegmentDataType =
    field.dataType === 'array' ? 'string' : field.dataType;
  const arity = operatorArity(operator);

  if (arity === 'none') return null;

  if (arity === 'list') {
    return (
      <Box className={className}>
        <ListInput
          value={value}
          onChange={handleOnChange}
          elementType={elementType}
          options={field.values}
          disabled={disabled}
          error={errors.length > 0}
          testId={ruleBuilderTestIds.value(path)}
          ariaLabel="Values"
        />
      </Box>
    );
  }

  if (arity === 'range') {
    const pair = Array.isArray(value) ? value : [];
    const setAt = (index: number) => (v: unknown) => {
      const next = [pair[0] ?? null, pair[1] ?? null];
      next[index] = v;
      handleOnChange(next);
    };
    return (
      <Box
        className={className}
        sx={{ display: 'flex', alignItems: 'center', gap: 1 }}
      >
        <ScalarInput
          type={elementType}
          value={pair[0]}
          onChange={setAt(0)}
          disabled={disabled}
          error={errorAt(0)}
          testId={ruleBuilderTestIds.valueFrom(path)}
          ariaLabel="From"
        />
        <Typography variant="body2" color="textSecondary">
          and
        </Typography>
        <ScalarInput
          type={elementType}
          value={pair[1]}
          onChange={setAt(1)}
          disabled={disabled}
          error={errorAt(1)}
          testId={ruleBuilderTestIds.valueTo(path)}
          ariaLabel="To"
        />
      </Box>
    );
  }

  return (
    <Box className={className}>
      <ScalarInput
        type={elementType}
        value={value}
        onChange={handleOnChange}
        suggestions={field.values}
        disabled={disabled}
        error={errors.length > 0}
        testId={ruleBuilderTestIds.value(path)}
        ariaLabel="Value"
      />
    </Box>
  );
}
