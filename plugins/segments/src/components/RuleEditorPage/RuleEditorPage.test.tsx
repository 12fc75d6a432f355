import { registerMswTestHooks } from '@backstage/test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  API,
  errorResponse,
  FIELDS,
  makeRule,
} from '../../__testUtils__/fixtures';
import { renderSegments } from '../../__testUtils__/renderSegments';

// The rule builder is another component with its own tests; here a stand-in
// adds the VIP conditions one by one and shows the errors it receives.
jest.mock('../RuleBuilder', () => {
  const conditions = [
    { field: 'totalSpent', operator: 'gt', value: 100000, dataType: 'number' },
    {
      field: 'daysSinceLastOrder',
      operator: 'lte',
      value: 30,
      dataType: 'number',
    },
    { field: 'country', operator: 'eq', value: 'TW', dataType: 'string' },
  ];
  return {
    RuleBuilder: (props: any) => (
      <div data-testid="rule-builder">
        <button
          type="button"
          disabled={props.disabled}
          onClick={() =>
            props.onChange({
              ...props.value,
              conditions: [
                ...props.value.conditions,
                conditions[props.value.conditions.length],
              ],
            })
          }
        >
          add condition
        </button>
        <span data-testid="fields">{props.fields.length} fields</span>
        <span data-testid="conditions">
          {props.value.conditions.length} conditions
        </span>
        <ul aria-label="rule errors">
          {(props.errors ?? []).map((e: any) => (
            <li key={`${e.path}${e.message}`}>{`${e.path}: ${e.message}`}</li>
          ))}
        </ul>
      </div>
    ),
    RuleJsonDialog: (props: any) =>
      props.open ? (
        <button
          type="button"
          onClick={() =>
            props.onImport({
              logicalOperator: 'OR',
              conditions: [conditions[2]],
            })
          }
        >
          import json
        </button>
      ) : null,
  };
});

const server = setupServer();
registerMswTestHooks(server);

interface Recorded {
  previews: any[];
  creates: any[];
  updates: any[];
  executes: string[];
}

function serve(options: { rule?: ReturnType<typeof makeRule> } = {}) {
  const recorded: Recorded = {
    previews: [],
    creates: [],
    updates: [],
    executes: [],
  };
  const stored = new Map<string, any>();
  if (options.rule) stored.set(options.rule.id, options.rule);
  server.use(
    http.get(`${API}/fields`, () => HttpResponse.json({ items: FIELDS })),
    http.get(`${API}/rules`, () =>
      HttpResponse.json({
        items: [...stored.values()],
        totalCount: stored.size,
      }),
    ),
    http.get(`${API}/rules/:id`, ({ params }) => {
      const rule = stored.get(params.id as string);
      return rule
        ? HttpResponse.json(rule)
        : errorResponse(404, 'NotFoundError', 'gone');
    }),
    http.post(`${API}/rules/preview`, async ({ request }) => {
      const body: any = await request.json();
      recorded.previews.push(body);
      return HttpResponse.json({
        estimatedCount: 1234 * body.rule.conditions.length,
        totalCustomers: 20000,
        sample: [
          {
            id: 'c-00001',
            name: 'Sample One',
            country: 'TW',
            tier: 'gold',
            totalSpent: 150000,
          },
        ],
        durationMs: 12,
        validation: { valid: true, errors: [] },
      });
    }),
    http.post(`${API}/rules`, async ({ request }) => {
      const body: any = await request.json();
      recorded.creates.push(body);
      const rule = makeRule({
        ...body,
        id: 'rule-new',
        description: body.description ?? '',
      });
      stored.set(rule.id, rule);
      return HttpResponse.json(rule, { status: 201 });
    }),
    http.put(`${API}/rules/:id`, async ({ request, params }) => {
      const body: any = await request.json();
      recorded.updates.push(body);
      const rule = { ...stored.get(params.id as string), ...body };
      stored.set(rule.id, rule);
      return HttpResponse.json(rule);
    }),
    http.post(`${API}/rules/:id/execute`, ({ params }) => {
      recorded.executes.push(params.id as string);
      return HttpResponse.json({ executionId: 'exec-9' }, { status: 202 });
    }),
  );
  return recorded;
}

const addCondition = () =>
  userEvent.click(screen.getByRole('button', { name: 'add condition' }));

describe('RuleEditorPage', () => {
  it('previews once edits pause and shows the count and sample', async () => {
    const recorded = serve();
    await renderSegments('/segments/new');
    expect(
      await screen.findByText(
        /Add a condition to see how many customers match/,
      ),
    ).toBeInTheDocument();
    expect(await screen.findByText('3 fields')).toBeInTheDocument();

    // Two quick edits: only the last state is previewed.
    fireEvent.click(screen.getByRole('button', { name: 'add condition' }));
    fireEvent.click(screen.getByRole('button', { name: 'add condition' }));
    expect(await screen.findByTestId('preview-count')).toHaveTextContent(
      '2,468',
    );
    expect(recorded.previews).toHaveLength(1);
    expect(recorded.previews[0].rule.conditions).toHaveLength(2);
    expect(recorded.previews[0].rule.logicalOperator).toBe('AND');
    expect(screen.getByText(/12\.3% of 20,000/)).toBeInTheDocument();
    expect(screen.getByText('Sample One')).toBeInTheDocument();
  });

  it('shows an estimate with its interval and counts exactly on request', async () => {
    const recorded = serve();
    server.use(
      http.post(`${API}/rules/preview`, async ({ request }) => {
        const body: any = await request.json();
        recorded.previews.push(body);
        const common = {
          totalCustomers: 1000000,
          sample: [],
          durationMs: 140,
          validation: { valid: true, errors: [] },
        };
        return HttpResponse.json(
          body.exact
            ? { ...common, estimatedCount: 27570, exact: true }
            : {
                ...common,
                estimatedCount: 28473,
                exact: false,
                estimate: {
                  sampledCustomers: 20827,
                  matchedInSample: 593,
                  low: 26322,
                  high: 30797,
                  confidence: 0.95,
                },
              },
        );
      }),
    );
    await renderSegments('/segments/new');
    await screen.findByText('3 fields');
    await addCondition();
    expect(await screen.findByTestId('preview-count')).toHaveTextContent(
      '≈ 28,473',
    );
    expect(screen.getByTestId('preview-estimate')).toHaveTextContent(
      '95% likely between 26,322 and 30,797: estimated from 593 matches among 20,827 sampled customers.',
    );
    expect(recorded.previews[0].exact).toBeUndefined();

    await userEvent.click(screen.getByRole('button', { name: 'Count exactly' }));
    await waitFor(() =>
      expect(screen.getByTestId('preview-count')).toHaveTextContent('27,570'),
    );
    expect(screen.getByTestId('preview-count')).not.toHaveTextContent('≈');
    expect(screen.queryByTestId('preview-estimate')).not.toBeInTheDocument();
    expect(recorded.previews.at(-1).exact).toBe(true);

    // The next edit estimates again.
    await addCondition();
    await waitFor(() => expect(recorded.previews).toHaveLength(3));
    expect(recorded.previews[2].exact).toBeUndefined();
    expect(await screen.findByTestId('preview-estimate')).toBeInTheDocument();
  });

  it('waits about 300 ms after an edit before asking', async () => {
    const recorded = serve();
    await renderSegments('/segments/new');
    await screen.findByText('3 fields');
    jest.useFakeTimers({
      doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'],
    });
    try {
      fireEvent.click(screen.getByRole('button', { name: 'add condition' }));
      jest.advanceTimersByTime(250);
      expect(recorded.previews).toHaveLength(0);
      jest.advanceTimersByTime(100);
    } finally {
      jest.useRealTimers();
    }
    await waitFor(() => expect(recorded.previews).toHaveLength(1));
  });

  it('drops a slow answer that a newer edit superseded', async () => {
    const recorded = serve();
    server.use(
      http.post(`${API}/rules/preview`, async ({ request }) => {
        const body: any = await request.json();
        recorded.previews.push(body);
        const first = body.rule.conditions.length === 1;
        if (first) await delay(1500);
        return HttpResponse.json({
          estimatedCount: first ? 999 : 42,
          totalCustomers: 20000,
          sample: [],
          durationMs: 1,
          validation: { valid: true, errors: [] },
        });
      }),
    );
    await renderSegments('/segments/new');
    await screen.findByText('3 fields');
    await addCondition();
    await waitFor(() => expect(recorded.previews).toHaveLength(1));
    await addCondition();
    await waitFor(() =>
      expect(screen.getByTestId('preview-count')).toHaveTextContent('42'),
    );
    await new Promise(r => setTimeout(r, 1800));
    expect(screen.getByTestId('preview-count')).toHaveTextContent('42');
  });

  it('passes validation errors from the server to the rule builder', async () => {
    serve();
    server.use(
      http.post(`${API}/rules/preview`, () =>
        HttpResponse.json({
          validation: {
            valid: false,
            errors: [
              { path: 'conditions[0].value', message: 'must be a number' },
            ],
          },
        }),
      ),
    );
    await renderSegments('/segments/new');
    await screen.findByText('3 fields');
    await addCondition();
    const errors = await screen.findByRole('list', { name: 'rule errors' });
    await waitFor(() =>
      expect(
        within(errors).getByText('conditions[0].value: must be a number'),
      ).toBeInTheDocument(),
    );
    expect(
      screen.getByText('The rule is not complete yet'),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('preview-count')).not.toBeInTheDocument();
  });

  it('shows the checks of the preview and applies a suggested fix', async () => {
    const recorded = serve();
    server.use(
      http.post(`${API}/rules/preview`, async ({ request }) => {
        const body: any = await request.json();
        recorded.previews.push(body);
        const both = body.rule.conditions.length === 2;
        return HttpResponse.json({
          estimatedCount: both ? 0 : 500,
          totalCustomers: 20000,
          sample: [],
          durationMs: 3,
          validation: { valid: true, errors: [] },
          lint: both
            ? [
                {
                  severity: 'error',
                  kind: 'contradiction',
                  message:
                    'Total spent > 100000 and days since last order ≤ 30 cannot both hold.',
                  paths: ['conditions[1]'],
                  suggestion: {
                    message: 'Remove days since last order ≤ 30',
                    fix: { type: 'remove', path: 'conditions[1]' },
                  },
                },
                {
                  severity: 'warning',
                  kind: 'duplicate',
                  message: 'Segment "Big spenders" selects the same customers.',
                  paths: [],
                  ruleId: 'rule-big',
                },
              ]
            : [],
        });
      }),
    );
    await renderSegments('/segments/new');
    await screen.findByText('3 fields');
    await addCondition();
    await addCondition();
    const findings = await screen.findByTestId('lint-findings');
    expect(
      within(findings).getByText('Conflicting conditions'),
    ).toBeInTheDocument();
    expect(
      within(findings).getByRole('link', { name: 'Open that segment' }),
    ).toHaveAttribute('href', '/segments/rule-big');
    // The contradiction explains the zero; no generic warning on top.
    expect(
      screen.queryByText(/No customer matches this rule today/),
    ).not.toBeInTheDocument();

    await userEvent.click(
      within(findings).getByRole('button', { name: 'Apply' }),
    );
    expect(await screen.findByText('1 conditions')).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByTestId('preview-count')).toHaveTextContent('500'),
    );
    expect(recorded.previews.at(-1).rule.conditions).toEqual([
      {
        field: 'totalSpent',
        operator: 'gt',
        value: 100000,
        dataType: 'number',
      },
    ]);
  });

  it('offers to save anyway when an equivalent segment exists', async () => {
    const recorded = serve();
    const forced: string[] = [];
    server.use(
      http.post(`${API}/rules`, async ({ request }) => {
        const force = new URL(request.url).searchParams.get('force');
        forced.push(String(force));
        if (force !== 'true') {
          return errorResponse(
            409,
            'ConflictError',
            'An equivalent segment already exists: rule-big ("Big spenders", same members). Send force: true to save it anyway.',
          );
        }
        const body: any = await request.json();
        recorded.creates.push(body);
        return HttpResponse.json(makeRule({ ...body, id: 'rule-new' }), {
          status: 201,
        });
      }),
    );
    await renderSegments('/segments/new');
    await screen.findByText('3 fields');
    await userEvent.type(
      screen.getByRole('textbox', { name: /Name/ }),
      'Copy of VIP',
    );
    await addCondition();
    await userEvent.click(screen.getByRole('button', { name: /Save/ }));
    const panel = await screen.findByTestId('save-check-failed');
    expect(panel).toHaveTextContent('An equivalent segment already exists');
    expect(panel).toHaveTextContent('rule-big ("Big spenders", same members).');
    expect(panel).not.toHaveTextContent('Send force');
    expect(recorded.creates).toHaveLength(0);

    await userEvent.click(
      within(panel).getByRole('button', { name: 'Save anyway' }),
    );
    await waitFor(() => expect(recorded.creates).toHaveLength(1));
    expect(forced).toEqual(['null', 'true']);
  });

  it('shows a preview failure', async () => {
    serve();
    server.use(
      http.post(`${API}/rules/preview`, () =>
        errorResponse(500, 'Error', 'database is locked'),
      ),
    );
    await renderSegments('/segments/new');
    await screen.findByText('3 fields');
    await addCondition();
    expect(await screen.findByText(/The preview failed/)).toBeInTheDocument();
  });

  it('checks the form before saving, saves, then runs', async () => {
    const recorded = serve();
    await renderSegments('/segments/new');
    await screen.findByText('3 fields');

    await userEvent.click(screen.getByRole('button', { name: /Save/ }));
    expect(await screen.findByText('is required')).toBeInTheDocument();
    expect(
      screen.getByText(/needs at least one condition/),
    ).toBeInTheDocument();
    expect(recorded.creates).toHaveLength(0);

    await userEvent.type(
      screen.getByRole('textbox', { name: /Name/ }),
      'VIP customers',
    );
    await addCondition();
    await addCondition();
    await userEvent.click(screen.getByRole('button', { name: /Save/ }));

    await waitFor(() => expect(recorded.creates).toHaveLength(1));
    expect(recorded.creates[0]).toEqual({
      name: 'VIP customers',
      description: '',
      status: 'active',
      priority: 100,
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
    await waitFor(() =>
      expect(screen.getByTestId('location')).toHaveTextContent(
        '/segments/rule-new/edit',
      ),
    );
    expect(await screen.findByRole('textbox', { name: /Name/ })).toHaveValue(
      'VIP customers',
    );
    expect(await screen.findByText('All changes saved')).toBeInTheDocument();

    await userEvent.click(
      await screen.findByRole('button', { name: /Run now/ }),
    );
    await waitFor(() => expect(recorded.executes).toEqual(['rule-new']));
    await waitFor(() =>
      expect(screen.getByTestId('location')).toHaveTextContent(
        /^\/segments\/rule-new$/,
      ),
    );
  });

  it('edits a rule, keeps its schedule and visibility, and imports JSON', async () => {
    const rule = makeRule({
      schedule: { frequency: 'daily', time: '02:00', timezone: 'Asia/Taipei' },
      visibility: ['group:default/marketing'],
    });
    const recorded = serve({ rule });
    await renderSegments('/segments/rule-vip/edit');
    const name = await screen.findByRole('textbox', { name: /Name/ });
    expect(name).toHaveValue('VIP customers');
    expect(await screen.findByText('2 conditions')).toBeInTheDocument();
    // Run now waits for unsaved changes to be saved.
    expect(screen.getByRole('button', { name: /Run now/ })).toBeEnabled();

    await userEvent.click(screen.getByRole('button', { name: 'JSON' }));
    await userEvent.click(screen.getByRole('button', { name: 'import json' }));
    expect(await screen.findByText('1 conditions')).toBeInTheDocument();
    expect(screen.getByText('Unsaved changes')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Run now/ })).toBeDisabled();

    await userEvent.click(screen.getByRole('button', { name: /Save/ }));
    await waitFor(() => expect(recorded.updates).toHaveLength(1));
    expect(recorded.updates[0]).toMatchObject({
      name: 'VIP customers',
      logicalOperator: 'OR',
      conditions: [
        { field: 'country', operator: 'eq', value: 'TW', dataType: 'string' },
      ],
      schedule: { frequency: 'daily', time: '02:00', timezone: 'Asia/Taipei' },
      visibility: ['group:default/marketing'],
    });
    // The preview of a stored rule names it, so it is not its own duplicate.
    expect(recorded.previews.at(-1).ruleId).toBe('rule-vip');
    expect(await screen.findByText('All changes saved')).toBeInTheDocument();
  });

  it('shows an error when the rule cannot be loaded', async () => {
    serve();
    await renderSegments('/segments/missing/edit');
    expect((await screen.findAllByText(/gone/)).length).toBeGreaterThan(0);
  });
});
