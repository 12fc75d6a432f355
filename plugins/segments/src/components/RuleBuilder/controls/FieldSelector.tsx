import { memo } from 'react';
import Autocomplete from '@mui/material/Autocomplete';
import Box from '@mui/material/Box';
import TextField from '@mui/material/TextField';
import { FieldSelectorProps, update } from 'react-querybuilder';
import type { SegmentRuleMeta } from '../../../ruleMapping';
import {
  builderContext,
  nodeErrors,
  resolveField,
  ResolvedField,
} from '../RuleBuilderContext';
import { pathKey, ruleBuilderTestIds } from '../testIds';
import { defaultOperator, defaultValue } from '../valueDefaults';
import { NotButton } from './NotButton';

const GROUP_LABELS: Record<string, string> = {
  customer: 'Customer',
  orders: 'Orders',
  attributes: 'Attributes',
};

function FieldSelectorImpl(props: FieldSelectorProps) {
  const { rule, path, context, disabled, schema, className } = props;
  const ctx = builderContext(context);
  const meta = (rule.meta ?? {}) as SegmentRuleMeta;
  const current = resolveField(ctx, rule);
  const options: ResolvedField[] = current.unlisted
    ? [...ctx.fields, current]
    : ctx.fields;
  const selected = options.find(o => o.name === rule.field) ?? current;
  const hasError = nodeErrors(ctx, rule.id, 'field', 'dataType').length > 0;

  const dispatch = (changes: Record<string, unknown>) =>
    schema.dispatchQuery(
      update(schema.getQuery(), changes, path, { resetOnFieldChange: false }),
    );

  const onFieldChange = (field: ResolvedField | null) => {
    if (!field || field.name === rule.field) return;
    const operator = defaultOperator(field);
    dispatch({
      field: field.name,
      operator,
      value: defaultValue(operator, field),
      meta: { ...meta, dataType: field.dataType },
    });
  };

  const onToggleNot = () =>
    dispatch({ meta: { ...meta, not: meta.not ? undefined : true } });

  return (
    <Box
      className={className}
      sx={{ display: 'flex', alignItems: 'center', gap: 1 }}
    >
      <NotButton
        checked={!!meta.not}
        disabled={disabled}
        subject="rule"
        testId={ruleBuilderTestIds.ruleNot(path)}
        onToggle={onToggleNot}
      />
      <Autocomplete
        size="small"
        sx={{ width: 240 }}
        disableClearable
        autoHighlight
        disabled={disabled}
        options={options}
        value={selected}
        groupBy={o =>
          o.unlisted
            ? 'Not in the field list'
            : GROUP_LABELS[o.group] ?? o.group
        }
        getOptionLabel={o => o.label}
        isOptionEqualToValue={(a, b) => a.name === b.name}
        onChange={(_e, f) => onFieldChange(f)}
        renderOption={(liProps, o) => (
          <li {...liProps} key={o.name} title={o.description ?? o.name}>
            {o.label}
          </li>
        )}
        renderInput={params => (
          <TextField
            {...params}
            placeholder="Field"
            error={hasError}
            inputProps={{
              ...params.inputProps,
              'aria-label': 'Field',
              'data-testid': ruleBuilderTestIds.field(path),
            }}
          />
        )}
      />
    </Box>
  );
}

/**
 * A rule's NOT toggle and its searchable field picker (grouped by customer,
 * orders and attributes). Changing the field resets operator and value to
 * the new field's defaults and records the field's data type. Does not
 * re-render while only the rule's value changes.
 */
export const FieldSelector = memo(
  FieldSelectorImpl,
  (a, b) =>
    a.rule.id === b.rule.id &&
    a.rule.field === b.rule.field &&
    a.rule.meta === b.rule.meta &&
    a.disabled === b.disabled &&
    a.context === b.context &&
    a.schema === b.schema &&
    a.className === b.className &&
    pathKey(a.path) === pathKey(b.path),
);
