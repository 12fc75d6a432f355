import '@testing-library/jest-dom';
import { useState } from 'react';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/test-utils';
import type { RuleValidationError } from '@internal/plugin-segments-common';
import { RuleBuilder } from './RuleBuilder';
import { ruleBuilderTestIds as ids } from './testIds';
import type { RuleBuilderValue } from './types';
import { testFields } from './__testUtils__/testFields';

function Harness(props: {
  initial: RuleBuilderValue;
  onChange: (v: RuleBuilderValue) => void;
  errors?: RuleValidationError[];
  disabled?: boolean;
}) {
  const [value, setValue] = useState(props.initial);
  return (
    <RuleBuilder
      fields={testFields}
      value={value}
      errors={props.errors}
      disabled={props.disabled}
      onChange={v => {
        setValue(v);
        props.onChange(v);
      }}
    />
  );
}

async function renderBuilder(
  initial: RuleBuilderValue,
  extra: { errors?: RuleValidationError[]; disabled?: boolean } = {},
) {
  const onChange = jest.fn();
  await renderInTestApp(
    <Harness initial={initial} onChange={onChange} {...extra} />,
  );
  const last = (): RuleBuilderValue =>
    onChange.mock.calls[onChange.mock.calls.length - 1][0];
  return { onChange, last };
}

const EMPTY: RuleBuilderValue = { logicalOperator: 'AND', conditions: [] };

async function pickField(path: number[], label: string) {
  // Opening the picker lists every field (grouped); typing would filter them.
  await userEvent
    .setup({ delay: null })
    .click(screen.getByTestId(ids.field(path)));
  fireEvent.click(within(await findListbox()).getByText(label));
}

function setNumber(testId: string, value: string) {
  fireEvent.change(screen.getByTestId(testId), { target: { value } });
}

// Cheaper than findByRole, which computes accessible names of the whole page.
async function findListbox(): Promise<HTMLElement> {
  return waitFor(() => {
    const el = document.querySelector<HTMLElement>('[role="listbox"]');
    if (!el) throw new Error('no listbox open');
    return el;
  });
}

async function pickOperator(path: number[], operator: string) {
  fireEvent.mouseDown(screen.getByTestId(ids.operator(path)));
  fireEvent.click(
    (await findListbox()).querySelector(`li[data-value="${operator}"]`)!,
  );
  await waitFor(() =>
    expect(document.querySelector('[role="listbox"]')).toBeNull(),
  );
}

jest.setTimeout(30_000);

describe('RuleBuilder', () => {
  it('shows an empty state and adds a rule with a sensible default', async () => {
    const { onChange, last } = await renderBuilder(EMPTY);
    expect(screen.getByText(/No conditions yet/)).toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalled();

    fireEvent.click(screen.getByTestId(ids.addRule([])));

    // The first field is country (string with known values): "=" its first value.
    expect(last()).toEqual({
      logicalOperator: 'AND',
      conditions: [
        { field: 'country', operator: 'eq', value: 'TW', dataType: 'string' },
      ],
    });
    expect(screen.getByTestId(ids.field([0]))).toHaveValue('Country');
  });

  it('builds totalSpent > 100000 AND daysSinceLastOrder <= 30 by clicking', async () => {
    const { last } = await renderBuilder(EMPTY);

    fireEvent.click(screen.getByTestId(ids.addRule([])));
    await pickField([0], 'Total spent');
    expect(last().conditions[0]).toEqual({
      field: 'totalSpent',
      operator: 'gte',
      value: 0,
      dataType: 'number',
    });
    await pickOperator([0], 'gt');
    setNumber(ids.value([0]), '100000');

    fireEvent.click(screen.getByTestId(ids.addRule([])));
    await pickField([1], 'Days since last order');
    await pickOperator([1], 'lte');
    setNumber(ids.value([1]), '30');

    expect(last()).toEqual({
      logicalOperator: 'AND',
      conditions: [
        {
          field: 'totalSpent',
          operator: 'gt',
          value: 100000,
          dataType: 'number',
        },
        {
          field: 'daysSinceLastOrder',
          operator: 'lte',
          value: 30,
          dataType: 'number',
        },
      ],
    });
    // Operators read as symbols.
    expect(screen.getByTestId(ids.operator([0]))).toHaveTextContent('>');
    expect(screen.getByTestId(ids.operator([1]))).toHaveTextContent('≤');
  });

  it('shows two inputs for between and keeps the value as [low, high]', async () => {
    const { last } = await renderBuilder({
      logicalOperator: 'AND',
      conditions: [
        {
          field: 'totalSpent',
          operator: 'gte',
          value: 500,
          dataType: 'number',
        },
      ],
    });
    expect(screen.queryByTestId(ids.valueFrom([0]))).not.toBeInTheDocument();

    await pickOperator([0], 'between');

    const from = screen.getByTestId(ids.valueFrom([0]));
    const to = screen.getByTestId(ids.valueTo([0]));
    expect(from).toHaveValue(500);
    expect(to).toHaveValue(500);
    expect(screen.queryByTestId(ids.value([0]))).not.toBeInTheDocument();
    expect(last().conditions[0]).toEqual({
      field: 'totalSpent',
      operator: 'between',
      value: [500, 500],
      dataType: 'number',
    });

    setNumber(ids.valueTo([0]), '2000');
    expect(last().conditions[0]).toEqual({
      field: 'totalSpent',
      operator: 'between',
      value: [500, 2000],
      dataType: 'number',
    });
  });

  it('uses date pickers for dates and no editor for isEmpty', async () => {
    const { last } = await renderBuilder({
      logicalOperator: 'OR',
      conditions: [
        {
          field: 'lastOrderAt',
          operator: 'between',
          value: ['2024-01-01', '2024-03-31'],
          dataType: 'date',
        },
        { field: 'city', operator: 'isEmpty', dataType: 'string' },
      ],
    });
    expect(screen.getByTestId(ids.valueFrom([0]))).toHaveAttribute(
      'type',
      'date',
    );
    expect(screen.getByTestId(ids.valueFrom([0]))).toHaveValue('2024-01-01');
    expect(screen.queryByTestId(ids.value([1]))).not.toBeInTheDocument();

    fireEvent.change(screen.getByTestId(ids.valueTo([0])), {
      target: { value: '2024-06-30' },
    });
    expect(last().conditions).toEqual([
      {
        field: 'lastOrderAt',
        operator: 'between',
        value: ['2024-01-01', '2024-06-30'],
        dataType: 'date',
      },
      { field: 'city', operator: 'isEmpty', dataType: 'string' },
    ]);
  });

  it('offers known values in a multi-select for lists', async () => {
    const user = userEvent.setup({ delay: null });
    const { last } = await renderBuilder({
      logicalOperator: 'AND',
      conditions: [
        {
          field: 'categories',
          operator: 'in',
          value: ['books'],
          dataType: 'array',
        },
      ],
    });
    expect(screen.getByTestId(ids.operator([0]))).toHaveTextContent(
      'has any of',
    );
    await user.click(screen.getByTestId(ids.value([0])));
    await user.click(within(await findListbox()).getByText('toys'));
    expect(last().conditions[0]).toEqual({
      field: 'categories',
      operator: 'in',
      value: ['books', 'toys'],
      dataType: 'array',
    });

    // Values outside the list can be typed.
    await user.type(screen.getByTestId(ids.value([0])), 'garden{Enter}');
    expect(last().conditions[0]).toMatchObject({
      value: ['books', 'toys', 'garden'],
    });
  });

  it('turns a single value into a list when switching to "is one of"', async () => {
    const { last } = await renderBuilder({
      logicalOperator: 'AND',
      conditions: [
        { field: 'orderCount', operator: 'eq', value: 3, dataType: 'number' },
      ],
    });
    // Edit the value first: the operator select must use the current value.
    setNumber(ids.value([0]), '7');
    await pickOperator([0], 'in');
    expect(last().conditions[0]).toEqual({
      field: 'orderCount',
      operator: 'in',
      value: [7],
      dataType: 'number',
    });
    await pickOperator([0], 'isEmpty');
    expect(last().conditions[0]).toEqual({
      field: 'orderCount',
      operator: 'isEmpty',
      dataType: 'number',
    });
  });

  it('toggles NOT on rules and nested groups', async () => {
    const { last } = await renderBuilder({
      logicalOperator: 'AND',
      conditions: [
        { field: 'tier', operator: 'eq', value: 'gold', dataType: 'string' },
        {
          logicalOperator: 'OR',
          subConditions: [
            {
              field: 'country',
              operator: 'eq',
              value: 'JP',
              dataType: 'string',
            },
          ],
        },
      ],
    });
    // The root is the rule itself: no NOT there.
    expect(screen.queryByTestId(ids.groupNot([]))).not.toBeInTheDocument();

    fireEvent.click(screen.getByTestId(ids.ruleNot([0])));
    fireEvent.click(screen.getByTestId(ids.groupNot([1])));
    fireEvent.click(screen.getByTestId(ids.ruleNot([1, 0])));
    expect(last()).toEqual({
      logicalOperator: 'AND',
      conditions: [
        {
          field: 'tier',
          operator: 'eq',
          value: 'gold',
          dataType: 'string',
          not: true,
        },
        {
          logicalOperator: 'OR',
          subConditions: [
            {
              field: 'country',
              operator: 'eq',
              value: 'JP',
              dataType: 'string',
              not: true,
            },
          ],
          not: true,
        },
      ],
    });
    expect(screen.getByTestId(ids.ruleNot([0]))).toHaveAttribute(
      'aria-pressed',
      'true',
    );

    fireEvent.click(screen.getByTestId(ids.ruleNot([0])));
    expect(last().conditions[0]).toEqual({
      field: 'tier',
      operator: 'eq',
      value: 'gold',
      dataType: 'string',
    });
  });

  it('adds nested groups, switches AND/OR and removes rules', async () => {
    const { last } = await renderBuilder({
      logicalOperator: 'AND',
      conditions: [
        { field: 'age', operator: 'gte', value: 18, dataType: 'number' },
      ],
    });
    fireEvent.click(screen.getByTestId(ids.addGroup([])));
    // New groups start with one rule.
    expect(last().conditions[1]).toEqual({
      logicalOperator: 'AND',
      subConditions: [
        { field: 'country', operator: 'eq', value: 'TW', dataType: 'string' },
      ],
    });
    fireEvent.click(
      within(screen.getByTestId(ids.combinator([1]))).getByRole('button', {
        name: 'OR',
      }),
    );
    fireEvent.click(
      within(screen.getByTestId(ids.combinator([]))).getByRole('button', {
        name: 'OR',
      }),
    );
    fireEvent.click(screen.getByTestId(ids.addRule([1])));
    expect(last()).toMatchObject({
      logicalOperator: 'OR',
      conditions: [
        { field: 'age' },
        { logicalOperator: 'OR', subConditions: [{}, {}] },
      ],
    });
    fireEvent.click(screen.getByTestId(ids.removeRule([0])));
    expect(last().conditions).toHaveLength(1);
    expect(last().conditions[0]).toMatchObject({ logicalOperator: 'OR' });
  });

  it('keeps ids and other given properties through edits', async () => {
    const user = userEvent.setup({ delay: null });
    const { last } = await renderBuilder({
      logicalOperator: 'AND',
      conditions: [
        {
          id: 'c1',
          field: 'totalSpent',
          operator: 'gt',
          value: 10,
          dataType: 'number',
          not: false,
        },
        {
          id: 'g1',
          logicalOperator: 'AND',
          subConditions: [
            {
              id: 'c2',
              field: 'city',
              operator: 'isEmpty',
              dataType: 'string',
            },
          ],
        },
      ],
    });
    await user.type(screen.getByTestId(ids.value([0])), '0');
    expect(last()).toEqual({
      logicalOperator: 'AND',
      conditions: [
        {
          id: 'c1',
          field: 'totalSpent',
          operator: 'gt',
          value: 100,
          dataType: 'number',
          not: false,
        },
        {
          id: 'g1',
          logicalOperator: 'AND',
          subConditions: [
            {
              id: 'c2',
              field: 'city',
              operator: 'isEmpty',
              dataType: 'string',
            },
          ],
        },
      ],
    });
  });

  it('shows validation errors on the offending rule and group', async () => {
    await renderBuilder(
      {
        logicalOperator: 'AND',
        conditions: [
          {
            field: 'totalSpent',
            operator: 'gt',
            value: 100,
            dataType: 'number',
          },
          {
            field: 'age',
            operator: 'between',
            value: [40, 20],
            dataType: 'number',
          },
          {
            logicalOperator: 'OR',
            subConditions: [
              {
                field: 'tier',
                operator: 'eq',
                value: 'gold',
                dataType: 'string',
              },
              {
                field: 'orderCount',
                operator: 'gt',
                value: 'many' as any,
                dataType: 'number',
              },
            ],
          },
        ],
      },
      {
        errors: [
          {
            path: 'conditions[1].value',
            message: 'between needs low <= high, got [40, 20]',
          },
          {
            path: 'conditions[2].subConditions[1].value',
            message: 'must be a number',
          },
          {
            path: 'conditions[2].logicalOperator',
            message: 'must be AND or OR',
          },
          { path: 'conditions[7].field', message: 'unknown field "x"' },
          { path: 'name', message: 'is required' },
        ],
      },
    );
    expect(screen.queryByTestId(ids.ruleErrors([0]))).not.toBeInTheDocument();
    expect(screen.getByTestId(ids.ruleErrors([1]))).toHaveTextContent(
      'Value: between needs low <= high, got [40, 20]',
    );
    expect(screen.getByTestId(ids.ruleErrors([2, 1]))).toHaveTextContent(
      'Value: must be a number',
    );
    expect(
      screen.queryByTestId(ids.ruleErrors([2, 0])),
    ).not.toBeInTheDocument();
    expect(screen.getByTestId(ids.groupErrors([2]))).toHaveTextContent(
      'AND/OR: must be AND or OR',
    );

    const rules = screen.getAllByTestId('rule');
    const byPath = (p: string) =>
      rules.find(r => r.getAttribute('data-path') === p)!;
    expect(byPath('[1]')).toHaveClass('segments-node--error');
    expect(byPath('[0]')).not.toHaveClass('segments-node--error');
    expect(byPath('[2,1]')).toHaveClass('segments-node--error');
    // Errors for conditions that are not there are still shown; other paths are not ours.
    expect(screen.getByTestId(ids.otherErrors)).toHaveTextContent(
      'conditions[7].field: unknown field "x"',
    );
    expect(screen.queryByText(/is required/)).not.toBeInTheDocument();
  });

  it('follows a new value from outside and can be disabled', async () => {
    const onChange = jest.fn();
    const first: RuleBuilderValue = {
      logicalOperator: 'AND',
      conditions: [
        { field: 'age', operator: 'gte', value: 18, dataType: 'number' },
      ],
    };
    const { rerender } = await renderInTestApp(
      <RuleBuilder fields={testFields} value={first} onChange={onChange} />,
    );
    expect(screen.getByTestId(ids.value([0]))).toHaveValue(18);
    rerender(
      <RuleBuilder
        fields={testFields}
        value={{
          logicalOperator: 'OR',
          conditions: [
            {
              field: 'tier',
              operator: 'in',
              value: ['gold'],
              dataType: 'string',
            },
          ],
        }}
        onChange={onChange}
        disabled
      />,
    );
    expect(screen.getByTestId(ids.field([0]))).toHaveValue('Tier');
    expect(screen.getByTestId(ids.field([0]))).toBeDisabled();
    expect(screen.getByTestId(ids.addRule([]))).toBeDisabled();
    expect(onChange).not.toHaveBeenCalled();
  });
});
