import '@testing-library/jest-dom';
import { fireEvent, screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { RuleJsonDialog, ruleJsonDialogTestIds as ids } from './RuleJsonDialog';
import type { RuleBuilderValue } from './types';

const VIP: RuleBuilderValue = {
  logicalOperator: 'AND',
  conditions: [
    { field: 'totalSpent', operator: 'gt', value: 100000, dataType: 'number' },
    {
      field: 'daysSinceLastOrder',
      operator: 'lte',
      value: 30,
      dataType: 'number',
    },
  ],
};

async function renderDialog(value: RuleBuilderValue = VIP) {
  const onImport = jest.fn();
  const onClose = jest.fn();
  await renderInTestApp(
    <RuleJsonDialog open value={value} onImport={onImport} onClose={onClose} />,
  );
  const input = screen.getByTestId(ids.input) as HTMLTextAreaElement;
  const type = (text: string) =>
    fireEvent.change(input, { target: { value: text } });
  return { onImport, onClose, input, type };
}

describe('RuleJsonDialog', () => {
  it('shows the rule as JSON and copies it', async () => {
    const writeText = jest.fn().mockResolvedValue(undefined);
    Object.assign(window.navigator, { clipboard: { writeText } });
    const { input } = await renderDialog();
    expect(JSON.parse(input.value)).toEqual(VIP);
    expect(screen.getByTestId(ids.import)).toBeDisabled();
    expect(screen.queryByTestId(ids.errors)).not.toBeInTheDocument();

    fireEvent.click(screen.getByTestId(ids.copy));
    expect(
      await screen.findByText('Copied to the clipboard.'),
    ).toBeInTheDocument();
    expect(writeText).toHaveBeenCalledWith(JSON.stringify(VIP, null, 2));
  });

  it('rejects text that is not JSON', async () => {
    const { type, onImport } = await renderDialog();
    type('{ "logicalOperator": "AND", ');
    expect(screen.getByTestId(ids.errors)).toHaveTextContent(/Invalid JSON/);
    expect(screen.getByTestId(ids.import)).toBeDisabled();
    expect(onImport).not.toHaveBeenCalled();
  });

  it('rejects JSON that is not a valid rule, naming the bad paths', async () => {
    const { type } = await renderDialog();
    type(
      JSON.stringify({
        logicalOperator: 'AND',
        conditions: [
          {
            field: 'totalSpent',
            operator: 'between',
            value: [10],
            dataType: 'number',
          },
          { field: 'shoeSize', operator: 'eq', value: 42, dataType: 'number' },
          { logicalOperator: 'OR', subConditions: [] },
        ],
      }),
    );
    const errors = screen.getByTestId(ids.errors);
    expect(errors).toHaveTextContent(
      'conditions[0].value: between needs two values [low, high]',
    );
    expect(errors).toHaveTextContent(
      'conditions[1].field: unknown field "shoeSize"',
    );
    expect(errors).toHaveTextContent(
      'conditions[2].subConditions: a group needs at least one condition',
    );
    expect(screen.getByTestId(ids.import)).toBeDisabled();

    type(JSON.stringify({ logicalOperator: 'XOR', conditions: 'all' }));
    expect(screen.getByTestId(ids.errors)).toHaveTextContent(
      'logicalOperator: must be AND or OR',
    );
    expect(screen.getByTestId(ids.errors)).toHaveTextContent(
      'conditions: must be a list of conditions',
    );
    type('[1, 2]');
    expect(screen.getByTestId(ids.errors)).toHaveTextContent(
      'must be an object',
    );
  });

  it('imports valid JSON and closes', async () => {
    const { type, onImport, onClose } = await renderDialog();
    const imported: RuleBuilderValue = {
      logicalOperator: 'OR',
      conditions: [
        {
          id: 'a',
          field: 'country',
          operator: 'in',
          value: ['TW', 'JP'],
          dataType: 'string',
          not: true,
        },
        {
          logicalOperator: 'AND',
          not: true,
          subConditions: [
            { field: 'city', operator: 'isEmpty', dataType: 'string' },
          ],
        },
      ],
    };
    type(
      JSON.stringify({ name: 'From elsewhere', status: 'draft', ...imported }),
    );
    expect(screen.queryByTestId(ids.errors)).not.toBeInTheDocument();
    expect(screen.getByText(/ignoring name, status/)).toBeInTheDocument();
    const button = screen.getByTestId(ids.import);
    expect(button).toBeEnabled();
    fireEvent.click(button);
    expect(onImport).toHaveBeenCalledWith(imported);
    expect(onClose).toHaveBeenCalled();
  });
});
