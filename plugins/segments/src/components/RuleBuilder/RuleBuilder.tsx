/*
 * Rule builder of the Segments plugin.
 *
 * Selectors for end-to-end tests (paths follow the JSON: `[1, 0]` is
 * `conditions[1].subConditions[0]` and is written `1-0`; the root group is
 * `root`). All are `data-testid`s, see `ruleBuilderTestIds`:
 *   segments-rule-builder                  the builder
 *   segments-add-rule-root                 "+ Rule" of the root (aria-label "Add rule")
 *   segments-add-group-root                "+ Group" of the root (aria-label "Add group")
 *   segments-add-rule-<g>, -add-group-<g>  same for the group at path <g>
 *   segments-combinator-<g>                AND / OR toggle group (buttons named "AND", "OR")
 *   segments-group-not-<g>                 NOT toggle of a nested group (aria-pressed)
 *   segments-rule-not-<p>                  NOT toggle of a rule (aria-pressed)
 *   segments-field-<p>                     field combobox input: fill the label, click the option
 *   segments-operator-<p>                  operator select: click, then `li[data-value="gt"]`
 *                                          (or the option named ">", "≤", "is one of", ...)
 *   segments-value-<p>                     value input (lists: type a value, Enter)
 *   segments-value-<p>-from / -to          the two inputs of between / notBetween
 *   segments-remove-rule-<p>, segments-remove-group-<g>
 *   segments-rule-errors-<p>, segments-group-errors-<g>   validation messages (role="alert")
 *   segments-rule-errors-other             errors whose condition is not in the builder
 * Rules and groups are also `[data-testid="rule"]` / `[data-testid="rule-group"]` with
 * `data-path="[0]"` (react-querybuilder's own attributes).
 *
 * e.g. `totalSpent > 100000 AND daysSinceLastOrder <= 30`:
 *   click add-rule-root; fill field-0 "Total spent", click option; click operator-0, click
 *   li[data-value="gt"]; fill value-0 "100000"; click add-rule-root; field-1 "Days since
 *   last order"; operator-1 li[data-value="lte"]; fill value-1 "30".
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import {
  ControlElementsProp,
  FullField,
  FullOperator,
  generateID,
  QueryBuilder,
  RuleGroupType,
  RuleGroupTypeAny,
  RuleType,
} from 'react-querybuilder';
import { QueryBuilderMaterial } from '@react-querybuilder/material';
import { QueryBuilderDnD } from '@react-querybuilder/dnd';
import { createReactDnDAdapter } from '@react-querybuilder/dnd/react-dnd';
import * as ReactDnD from 'react-dnd';
import * as ReactDndHtml5Backend from 'react-dnd-html5-backend';
import {
  MAX_RULE_DEPTH,
  NULLARY_OPERATORS,
  SegmentFieldInfo,
  SegmentOperator,
} from '@internal/plugin-segments-common';
import {
  queryToRule,
  ruleToQuery,
  RuleBuilderValue,
  SegmentRuleMeta,
} from '../../ruleMapping';
import { RuleBuilderProps } from './types';
import { indexErrors } from './indexErrors';
import { isDeepEqual } from './isDeepEqual';
import { stripCopiedIds } from './stripCopiedIds';
import { operatorLabel } from './operatorLabel';
import { resolveField, RuleBuilderContext } from './RuleBuilderContext';
import { ruleBuilderStyles } from './ruleBuilderStyles';
import { ruleBuilderTestIds } from './testIds';
import { defaultOperator, defaultValue } from './valueDefaults';
import { FieldSelector } from './controls/FieldSelector';
import { OperatorSelector } from './controls/OperatorSelector';
import { ValueEditor } from './controls/ValueEditor';
import { CombinatorSelector } from './controls/CombinatorSelector';
import { GroupNotToggle } from './controls/GroupNotToggle';
import { GroupHeader } from './controls/GroupHeader';
import {
  AddGroupAction,
  AddRuleAction,
  RemoveGroupAction,
  RemoveRuleAction,
} from './controls/ActionButtons';

const dndAdapter = createReactDnDAdapter({
  ...ReactDnD,
  ...ReactDndHtml5Backend,
});

const COMBINATORS = [
  { name: 'AND', label: 'AND' },
  { name: 'OR', label: 'OR' },
];

const ALL_OPERATORS: FullOperator[] = (
  [
    'eq',
    'ne',
    'gt',
    'gte',
    'lt',
    'lte',
    'in',
    'notIn',
    'between',
    'notBetween',
    'contains',
    'startsWith',
    'containsAll',
    'isEmpty',
    'isNotEmpty',
  ] as SegmentOperator[]
).map(name => ({
  name,
  value: name,
  label: operatorLabel(name),
  // Hides the value editor of operators without a value.
  ...(NULLARY_OPERATORS.includes(name) ? { arity: 'unary' as const } : {}),
}));

const getOperators = () => ALL_OPERATORS;
const getDefaultField = (fs: unknown[]) =>
  (fs[0] as FullField | undefined)?.name ?? '';

const CONTROL_ELEMENTS: ControlElementsProp<FullField, string> = {
  fieldSelector: FieldSelector,
  operatorSelector: OperatorSelector,
  valueEditor: ValueEditor,
  combinatorSelector: CombinatorSelector,
  notToggle: GroupNotToggle,
  addRuleAction: AddRuleAction,
  addGroupAction: AddGroupAction,
  removeRuleAction: RemoveRuleAction,
  removeGroupAction: RemoveGroupAction,
  ruleGroupHeaderElements: GroupHeader,
  cloneRuleAction: null,
  cloneGroupAction: null,
  lockRuleAction: null,
  lockGroupAction: null,
  shiftActions: null,
};

const TRANSLATIONS = {
  addRule: { label: 'Rule', title: 'Add a rule' },
  addGroup: { label: 'Group', title: 'Add a group with its own AND / OR' },
  dragHandle: {
    label: '⁞⁞',
    title: 'Drag to move (hold Alt to copy, Ctrl to group)',
  },
};

/**
 * Visual editor of a segment rule: react-querybuilder with Material UI
 * controls and drag and drop of rules and groups. Fields and operators come
 * from `fields` (GET /api/segments/fields); value editors fit the field type;
 * `errors` (paths like `conditions[1].subConditions[0].value`) are shown on
 * the rule or group they name. Emits the SegmentRule JSON on every edit; the
 * mapping is lossless, so ids, `not: false` and the like survive editing.
 *
 * @public
 */
export function RuleBuilder(props: RuleBuilderProps): JSX.Element {
  const { fields, value, onChange, errors, disabled = false } = props;

  const [query, setQuery] = useState<RuleGroupType>(() => ruleToQuery(value));
  const queryRef = useRef(query);
  queryRef.current = query;
  const lastValue = useRef<RuleBuilderValue>(value);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  // A new value from outside (load, import, reset) replaces the query; the
  // echo of our own onChange does not, so inputs keep focus while typing.
  useEffect(() => {
    if (value !== lastValue.current && !isDeepEqual(value, lastValue.current)) {
      lastValue.current = value;
      setQuery(ruleToQuery(value));
    } else {
      lastValue.current = value;
    }
  }, [value]);

  const handleQueryChange = useCallback((next: RuleGroupType) => {
    const cleaned = stripCopiedIds(queryRef.current, next);
    queryRef.current = cleaned;
    setQuery(cleaned);
    const rule = queryToRule(cleaned);
    lastValue.current = rule;
    onChangeRef.current(rule);
  }, []);

  const fieldsByName = useMemo(
    () => new Map(fields.map(f => [f.name, f] as [string, SegmentFieldInfo])),
    [fields],
  );
  // Recomputed on every edit, but kept identical while its content is, so the
  // controls (which all receive the context) do not all re-render per keystroke.
  const freshErrorIndex = indexErrors(errors, query);
  const errorIndexKey = JSON.stringify([
    [...freshErrorIndex.byId],
    freshErrorIndex.unmatched,
  ]);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const errorIndex = useMemo(() => freshErrorIndex, [errorIndexKey]);
  const context = useMemo<RuleBuilderContext>(
    () => ({ fields, fieldsByName, errorsById: errorIndex.byId }),
    [fields, fieldsByName, errorIndex],
  );

  const rqbFields = useMemo(
    // Only name and label: react-querybuilder would read `operators` of a field itself.
    () => fields.map(f => ({ name: f.name, value: f.name, label: f.label })),
    [fields],
  );

  const fieldShape = useCallback(
    (field: string, meta?: SegmentRuleMeta) =>
      resolveField(context, { field, meta }),
    [context],
  );

  const getDefaultOperator = useCallback(
    (field: string) => defaultOperator(fieldShape(field)),
    [fieldShape],
  );
  const getDefaultValue = useCallback(
    (rule: RuleType) =>
      defaultValue(
        rule.operator as SegmentOperator,
        fieldShape(rule.field, rule.meta as SegmentRuleMeta | undefined),
      ),
    [fieldShape],
  );
  const onAddRule = useCallback(
    (rule: RuleType) => {
      if (fields.length === 0) return false;
      return { ...rule, meta: { dataType: fieldShape(rule.field).dataType } };
    },
    [fields, fieldShape],
  );
  const onAddGroup = useCallback(
    (group: RuleGroupType): RuleGroupType => {
      // react-querybuilder writes `not: false` on new groups when the NOT toggle
      // is shown, and creates their first rule without onAddRule.
      const { not, ...rest } = group;
      return {
        ...rest,
        ...(not ? { not } : {}),
        rules: group.rules.map(r =>
          typeof r === 'object' && !('rules' in r) && !r.meta
            ? { ...r, meta: { dataType: fieldShape(r.field).dataType } }
            : r,
        ),
      } as RuleGroupType;
    },
    [fieldShape],
  );
  const getRuleClassname = useCallback(
    (rule: RuleType) =>
      [
        errorIndex.byId.has(rule.id ?? '') && 'segments-node--error',
        (rule.meta as SegmentRuleMeta | undefined)?.not && 'segments-node--not',
      ]
        .filter(Boolean)
        .join(' '),
    [errorIndex],
  );
  const getRuleGroupClassname = useCallback(
    (group: RuleGroupTypeAny) =>
      [
        errorIndex.byId.has(group.id ?? '') && 'segments-node--error',
        group.not && 'segments-node--not',
      ]
        .filter(Boolean)
        .join(' '),
    [errorIndex],
  );

  return (
    <Box
      data-testid={ruleBuilderTestIds.builder}
      sx={theme => ruleBuilderStyles(theme)}
    >
      <QueryBuilderMaterial>
        <QueryBuilderDnD dnd={dndAdapter}>
          <QueryBuilder
            query={query}
            onQueryChange={handleQueryChange}
            fields={rqbFields}
            combinators={COMBINATORS}
            getOperators={getOperators}
            getDefaultField={getDefaultField}
            getDefaultOperator={getDefaultOperator}
            getDefaultValue={getDefaultValue}
            onAddRule={onAddRule}
            onAddGroup={onAddGroup}
            getRuleClassname={getRuleClassname}
            getRuleGroupClassname={getRuleGroupClassname}
            controlElements={CONTROL_ELEMENTS}
            translations={TRANSLATIONS}
            context={context}
            idGenerator={generateID}
            showNotToggle
            addRuleToNewGroups
            enableMountQueryChange={false}
            maxLevels={MAX_RULE_DEPTH - 1}
            disabled={disabled}
          />
        </QueryBuilderDnD>
      </QueryBuilderMaterial>
      {errorIndex.unmatched.length > 0 && (
        <Alert
          severity="error"
          sx={{ mt: 1 }}
          data-testid={ruleBuilderTestIds.otherErrors}
        >
          {errorIndex.unmatched.map(e => (
            <div key={`${e.path}:${e.message}`}>
              {e.path}: {e.message}
            </div>
          ))}
        </Alert>
      )}
    </Box>
  );
}
