import { registerMswTestHooks } from '@backstage/test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  API,
  errorResponse,
  makeCustomers,
  makeExecution,
  makeResult,
  makeRule,
} from '../../__testUtils__/fixtures';
import { renderSegments } from '../../__testUtils__/renderSegments';

const server = setupServer();
registerMswTestHooks(server);

const latest = makeResult();
const previous = makeResult({
  id: 'result-1',
  executionId: 'exec-1',
  customerCount: 1212,
  executedAt: '2026-11-19T10:00:00.000Z',
  changes: { added: 1212, removed: 0, maintained: 0 },
});
const members = makeCustomers(25, 'm');
const changeIds = {
  added: ['c-added-1', 'c-added-2'],
  removed: ['c-removed-1'],
  maintained: [] as string[],
};

function serve(options: { results?: ReturnType<typeof makeResult>[] } = {}) {
  let results = options.results ?? [latest, previous];
  const requests = {
    members: [] as URLSearchParams[],
    changes: [] as URLSearchParams[],
    results: 0,
    executes: 0,
  };
  const rule = makeRule({
    latestResult: results[0] && {
      resultId: results[0].id,
      customerCount: results[0].customerCount,
      added: results[0].changes.added,
      removed: results[0].changes.removed,
      executedAt: results[0].executedAt,
      status: 'success',
    },
  });
  server.use(
    http.get(`${API}/rules/rule-vip`, () => HttpResponse.json(rule)),
    http.get(`${API}/results`, ({ request }) => {
      requests.results += 1;
      expect(new URL(request.url).searchParams.get('segmentRuleId')).toBe(
        'rule-vip',
      );
      return HttpResponse.json({ items: results, totalCount: results.length });
    }),
    http.get(`${API}/results/:id`, ({ params }) =>
      HttpResponse.json(results.find(r => r.id === params.id)),
    ),
    http.get(`${API}/executions`, () =>
      HttpResponse.json({
        items: results.map(r =>
          makeExecution({ id: r.executionId, startedAt: r.executedAt }),
        ),
      }),
    ),
    http.get(`${API}/results/:id/customers`, ({ request }) => {
      const params = new URL(request.url).searchParams;
      requests.members.push(params);
      const search = params.get('search');
      const found = members.filter(m => !search || m.id.includes(search));
      const offset = Number(params.get('offset'));
      const limit = Number(params.get('limit'));
      return HttpResponse.json({
        items: found.slice(offset, offset + limit),
        totalCount: found.length,
      });
    }),
    http.get(`${API}/results/:id/changes`, ({ request }) => {
      const params = new URL(request.url).searchParams;
      requests.changes.push(params);
      const items = changeIds[params.get('type') as keyof typeof changeIds];
      return HttpResponse.json({ items, totalCount: items.length });
    }),
  );
  return {
    requests,
    setResults(next: typeof results) {
      results = next;
    },
  };
}

describe('SegmentDetailPage', () => {
  it('shows the headline numbers of the latest run and how fresh they are', async () => {
    serve();
    await renderSegments('/segments/rule-vip');
    const memberStat = await screen.findByTestId('stat-members');
    expect(within(memberStat).getByText('1,234')).toBeInTheDocument();
    expect(
      within(memberStat).getByText('1,200 stayed from the previous run'),
    ).toBeInTheDocument();
    const changes = screen.getByTestId('stat-changes');
    expect(within(changes).getByText('+34')).toBeInTheDocument();
    expect(within(changes).getByText('-12')).toBeInTheDocument();
    expect(
      within(screen.getByTestId('stat-revenue')).getByText('98.8M'),
    ).toBeInTheDocument();
    expect(
      within(screen.getByTestId('stat-aov')).getByText('4,322'),
    ).toBeInTheDocument();
    expect(
      within(screen.getByTestId('stat-churn')).getByText('12.5%'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('freshness')).toHaveTextContent(
      /^Members as of .*2026/,
    );
    expect(screen.getByText('Members over time')).toBeInTheDocument();
    expect(screen.getByText('Last 2 run(s)')).toBeInTheDocument();
    // The Nivo chart draws one line through both runs.
    const chart = screen.getByTestId('member-count-chart');
    expect(chart.querySelector('svg')).not.toBeNull();
    expect(chart.querySelectorAll('svg path').length).toBeGreaterThan(0);
    // Run history: both runs, newest first.
    const runs = screen.getAllByTestId('run-row');
    expect(runs).toHaveLength(2);
    expect(within(runs[0]).getByText('1,234')).toBeInTheDocument();
    expect(within(runs[1]).getByText('1,212')).toBeInTheDocument();
  });

  it('pages and searches the members on the server', async () => {
    const { requests } = serve();
    await renderSegments('/segments/rule-vip');
    const table = await screen.findByTestId('members-table');
    await within(table).findByText('m-00001');
    expect(within(table).getByText('m-00010')).toBeInTheDocument();
    expect(within(table).queryByText('m-00011')).not.toBeInTheDocument();
    expect(requests.members[0].get('limit')).toBe('10');
    expect(requests.members[0].get('offset')).toBe('0');

    await userEvent.click(
      within(table).getByRole('button', { name: /Next Page/i }),
    );
    await within(table).findByText('m-00011');
    expect(requests.members.at(-1)?.get('offset')).toBe('10');

    fireEvent.change(
      within(table).getByPlaceholderText('Search by ID or exact email'),
      {
        target: { value: 'm-00023' },
      },
    );
    await waitFor(() =>
      expect(requests.members.at(-1)?.get('search')).toBe('m-00023'),
    );
    await within(table).findByText('m-00023');
    await waitFor(() =>
      expect(within(table).queryByText('m-00011')).not.toBeInTheDocument(),
    );
  });

  it('switches between the added, removed and maintained lists', async () => {
    const { requests } = serve();
    await renderSegments('/segments/rule-vip');
    await screen.findByText('c-added-1');
    expect(requests.changes[0].get('type')).toBe('added');
    expect(screen.getByRole('tab', { name: 'Added (34)' })).toHaveAttribute(
      'aria-selected',
      'true',
    );

    await userEvent.click(screen.getByRole('tab', { name: 'Removed (12)' }));
    await screen.findByText('c-removed-1');
    expect(requests.changes.at(-1)?.get('type')).toBe('removed');
    expect(screen.queryByText('c-added-1')).not.toBeInTheDocument();

    await userEvent.click(
      screen.getByRole('tab', { name: 'Maintained (1,200)' }),
    );
    expect(
      await screen.findByText('No member stayed from the previous run.'),
    ).toBeInTheDocument();
  });

  it('opens the first change list that has customers', async () => {
    const unchanged = makeResult({
      changes: { added: 0, removed: 0, maintained: 1234 },
    });
    const { requests } = serve({ results: [unchanged, previous] });
    await renderSegments('/segments/rule-vip');
    await screen.findByTestId('stat-members');
    await waitFor(() =>
      expect(requests.changes[0]?.get('type')).toBe('maintained'),
    );
    expect(
      screen.getByRole('tab', { name: 'Maintained (1,234)' }),
    ).toHaveAttribute('aria-selected', 'true');
  });

  it('runs the segment, shows progress while it runs and reloads afterwards', async () => {
    const { requests } = serve();
    let polls = 0;
    server.use(
      http.post(`${API}/rules/rule-vip/execute`, () =>
        HttpResponse.json({ executionId: 'exec-3' }, { status: 202 }),
      ),
      http.get(`${API}/executions/exec-3`, () => {
        polls += 1;
        return HttpResponse.json(
          makeExecution({
            id: 'exec-3',
            status: polls < 2 ? 'running' : 'success',
            progress: { processed: polls < 2 ? 0 : 1, total: 1 },
            finishedAt: polls < 2 ? undefined : '2026-11-25T10:00:01.000Z',
            log: [
              {
                at: '2026-11-25T10:00:00.000Z',
                level: 'info',
                message: 'computed customer features in 120 ms',
              },
            ],
          }),
        );
      }),
    );
    await renderSegments('/segments/rule-vip');
    await screen.findByTestId('stat-members');
    const loadsBefore = requests.results;
    await userEvent.click(screen.getByRole('button', { name: /Run now/ }));

    const progress = await screen.findByTestId('run-progress');
    expect(progress).toHaveTextContent('Running: 0 of 1 segment(s) done');
    expect(progress).toHaveTextContent('computed customer features in 120 ms');
    expect(screen.getByRole('button', { name: /Running/ })).toBeDisabled();

    await waitFor(() =>
      expect(screen.queryByTestId('run-progress')).not.toBeInTheDocument(),
    );
    expect(polls).toBeGreaterThanOrEqual(2);
    await waitFor(() => expect(requests.results).toBeGreaterThan(loadsBefore));
    expect(screen.getByRole('button', { name: /Run now/ })).toBeEnabled();
  });

  it('follows a run that is already going (409)', async () => {
    serve();
    server.use(
      http.post(`${API}/rules/rule-vip/execute`, () =>
        errorResponse(
          409,
          'ConflictError',
          'An execution covering this segment is already running: 0b6c2a5e-1111-4a4a-9e9e-123456789abc',
        ),
      ),
      http.get(`${API}/executions/0b6c2a5e-1111-4a4a-9e9e-123456789abc`, () =>
        HttpResponse.json(
          makeExecution({
            id: '0b6c2a5e-1111-4a4a-9e9e-123456789abc',
            segmentRuleId: undefined,
            status: 'running',
            progress: { processed: 3, total: 7 },
            finishedAt: undefined,
          }),
        ),
      ),
    );
    await renderSegments('/segments/rule-vip');
    await screen.findByTestId('stat-members');
    await userEvent.click(screen.getByRole('button', { name: /Run now/ }));
    await waitFor(() =>
      expect(screen.getByTestId('run-progress')).toHaveTextContent(
        'Running all active segments: 3 of 7 segment(s) done',
      ),
    );
  });

  it('explains a segment that never ran', async () => {
    serve({ results: [] });
    await renderSegments('/segments/rule-vip');
    expect(
      await screen.findByText('This segment has not run yet'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('freshness')).toHaveTextContent('Not run yet');
    expect(screen.queryByTestId('members-table')).not.toBeInTheDocument();
    expect(
      screen.getAllByRole('button', { name: /Run now/ }).length,
    ).toBeGreaterThan(0);
  });

  it('shows an error for an unknown segment', async () => {
    server.use(
      http.get(`${API}/rules/nope`, () =>
        errorResponse(404, 'NotFoundError', 'No segment rule with id nope'),
      ),
      http.get(`${API}/results`, () =>
        HttpResponse.json({ items: [], totalCount: 0 }),
      ),
      http.get(`${API}/executions`, () => HttpResponse.json({ items: [] })),
    );
    await renderSegments('/segments/nope');
    expect(
      (await screen.findAllByText(/No segment rule with id nope/)).length,
    ).toBeGreaterThan(0);
  });
});
