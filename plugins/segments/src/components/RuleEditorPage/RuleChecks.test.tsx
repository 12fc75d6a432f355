import { registerMswTestHooks } from '@backstage/test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { API, FIELDS, makeRule } from '../../__testUtils__/fixtures';
import { renderSegments } from '../../__testUtils__/renderSegments';

// A stand-in builder: "add conflict" adds `totalSpent < 50000` next to the
// stored `totalSpent > 100000`; it lists the errors it receives per path.
jest.mock('../RuleBuilder', () => ({
  RuleBuilder: (props: any) => (
    <div data-testid="rule-builder">
      <button
        type="button"
        onClick={() =>
          props.onChange({
            ...props.value,
            conditions: [
              ...props.value.conditions,
              {
                field: 'totalSpent',
                operator: 'lt',
                value: 50000,
                dataType: 'number',
              },
            ],
          })
        }
      >
        add conflict
      </button>
      <span data-testid="operator">{props.value.logicalOperator}</span>
      <ol aria-label="conditions">
        {props.value.conditions.map((c: any, i: number) => (
          <li key={i} data-testid={`condition-${i}`}>
            {`${c.field} ${c.operator} ${JSON.stringify(c.value)}`}
            {(props.errors ?? [])
              .filter((e: any) => e.path === `conditions[${i}]`)
              .map((e: any) => (
                <span key={e.message} role="alert">
                  {e.message}
                </span>
              ))}
          </li>
        ))}
      </ol>
    </div>
  ),
  RuleJsonDialog: () => null,
}));

const server = setupServer();
registerMswTestHooks(server);

const stored = makeRule({
  conditions: [
    { field: 'totalSpent', operator: 'gt', value: 100000, dataType: 'number' },
  ],
});

function serve() {
  const recorded = { previews: [] as any[], changes: [] as any[] };
  server.use(
    http.get(`${API}/fields`, () => HttpResponse.json({ items: FIELDS })),
    http.get(`${API}/rules`, () =>
      HttpResponse.json({ items: [stored], totalCount: 1 }),
    ),
    http.get(`${API}/rules/:id`, () => HttpResponse.json(stored)),
    http.post(`${API}/rules/preview`, async ({ request }) => {
      recorded.previews.push(await request.json());
      return HttpResponse.json({
        estimatedCount: 10,
        totalCustomers: 100,
        sample: [],
        durationMs: 3,
        validation: { valid: true, errors: [] },
      });
    }),
    http.post(`${API}/rules/:id/preview-change`, async ({ request }) => {
      recorded.changes.push(await request.json());
      return HttpResponse.json({
        added: {
          count: 7,
          sample: [{ id: 'c-7', name: 'Newcomer', totalSpent: 10 }],
        },
        removed: { count: 2, sample: [{ id: 'c-2', totalSpent: 200000 }] },
        unchanged: 40,
        currentCount: 42,
        proposedCount: 47,
        basedOn: { resultId: 'result-2', executedAt: '2026-11-20T10:00:00Z' },
      });
    }),
  );
  return recorded;
}

describe('RuleEditorPage rule checks', () => {
  it('shows a contradiction on the involved rules with a fix before any request', async () => {
    const recorded = serve();
    await renderSegments('/segments/rule-vip/edit');
    await screen.findByTestId('condition-0');
    const previewsBefore = recorded.previews.length;

    fireEvent.click(screen.getByRole('button', { name: 'add conflict' }));

    // Synchronously after the change: no debounce, no server answer.
    const check = screen.getByTestId('rule-check-contradiction');
    expect(check).toHaveTextContent(
      '"totalSpent > 100000" and "totalSpent < 50000" cannot both hold',
    );
    expect(check).toHaveTextContent('Suggestion: Did you mean OR?');
    expect(
      within(check).getByLabelText('Conditions involved'),
    ).toHaveTextContent('totalSpent > 100000');
    for (const i of [0, 1]) {
      expect(
        within(screen.getByTestId(`condition-${i}`)).getByRole('alert'),
      ).toHaveTextContent('cannot both hold');
    }
    expect(recorded.previews).toHaveLength(previewsBefore);
  });

  it('applies a suggested fix', async () => {
    serve();
    await renderSegments('/segments/rule-vip/edit');
    await screen.findByTestId('condition-0');
    fireEvent.click(screen.getByRole('button', { name: 'add conflict' }));
    const check = screen.getByTestId('rule-check-contradiction');
    // The first suggestion: did you mean OR?
    await userEvent.click(
      within(check).getAllByRole('button', { name: 'Apply' })[0],
    );
    expect(screen.getByTestId('operator')).toHaveTextContent('OR');
    expect(
      screen.queryByTestId('rule-check-contradiction'),
    ).not.toBeInTheDocument();
    expect(screen.queryAllByRole('alert')).toHaveLength(0);
  });

  it('applies an alternative fix that merges two conditions', async () => {
    serve();
    await renderSegments('/segments/rule-vip/edit');
    await screen.findByTestId('condition-0');
    fireEvent.click(screen.getByRole('button', { name: 'add conflict' }));
    const check = screen.getByTestId('rule-check-contradiction');
    const row = within(check)
      .getByText(/not between 50000 and 100000/)
      .closest('div')!;
    await userEvent.click(within(row).getByRole('button', { name: 'Apply' }));
    expect(screen.getByTestId('condition-0')).toHaveTextContent(
      'totalSpent notBetween [50000,100000]',
    );
    expect(screen.queryByTestId('condition-1')).not.toBeInTheDocument();
  });

  it('shows who would join and leave before saving a stored rule', async () => {
    const recorded = serve();
    await renderSegments('/segments/rule-vip/edit');
    await screen.findByTestId('condition-0');
    expect(screen.queryByTestId('change-effect')).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'add conflict' }));
    expect(await screen.findByTestId('change-effect-counts')).toHaveTextContent(
      '42 → 47 members (40 unchanged)',
    );
    expect(screen.getByTestId('effect-added')).toHaveTextContent(
      'Would join: 7',
    );
    expect(screen.getByTestId('effect-added')).toHaveTextContent(
      'Newcomer (c-7)',
    );
    expect(screen.getByTestId('effect-removed')).toHaveTextContent(
      'Would leave: 2',
    );
    await waitFor(() => expect(recorded.changes).toHaveLength(1));
    expect(recorded.changes[0].rule.conditions).toHaveLength(2);
  });
});
