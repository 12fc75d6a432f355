import { registerMswTestHooks } from '@backstage/test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  API,
  errorResponse,
  makeExecution,
  makeRule,
} from '../../__testUtils__/fixtures';
import { renderSegments } from '../../__testUtils__/renderSegments';

const server = setupServer();
registerMswTestHooks(server);

const vip = makeRule({
  latestResult: {
    resultId: 'result-2',
    customerCount: 1234,
    added: 34,
    removed: 12,
    executedAt: '2026-11-20T10:00:00.000Z',
    status: 'success',
  },
});
const child = makeRule({
  id: 'rule-vip-tw',
  name: 'VIP in Taiwan',
  description: '',
  status: 'draft',
  priority: 20,
  parentSegmentId: 'rule-vip',
  schedule: { frequency: 'daily', time: '02:00', timezone: 'Asia/Taipei' },
});

/** The table row that contains `text`. */
async function findRow(text: string) {
  await screen.findAllByText(text);
  const row = screen.getAllByRole('row').find(r => within(r).queryByText(text));
  if (!row) throw new Error(`No row with ${text}`);
  return row;
}

function serve(rules = [vip, child]) {
  const listRequests: URLSearchParams[] = [];
  server.use(
    http.get(`${API}/rules`, ({ request }) => {
      const params = new URL(request.url).searchParams;
      listRequests.push(params);
      const search = params.get('search')?.toLowerCase();
      const status = params.get('status');
      const items = rules.filter(
        r =>
          (!search || r.name.toLowerCase().includes(search)) &&
          (!status || r.status === status),
      );
      return HttpResponse.json({ items, totalCount: items.length });
    }),
    http.get(`${API}/data/stats`, () =>
      HttpResponse.json({
        customers: 20000,
        orders: 150000,
        ordersByStatus: { completed: 140000 },
        lastOrderAt: '2026-11-24T12:00:00.000Z',
      }),
    ),
  );
  return listRequests;
}

describe('SegmentsListPage', () => {
  it('lists segments with members, change, parent, last run and schedule', async () => {
    serve();
    await renderSegments('/segments');

    const vipRow = await findRow(
      'Spent over 100,000 and ordered in the last 30 days',
    );
    expect(
      within(vipRow).getByRole('link', { name: 'VIP customers' }),
    ).toHaveAttribute('href', '/segments/rule-vip');
    expect(within(vipRow).getByText('1,234')).toBeInTheDocument();
    expect(within(vipRow).getByText('+34')).toBeInTheDocument();
    expect(within(vipRow).getByText('-12')).toBeInTheDocument();
    expect(within(vipRow).getByText('Active')).toBeInTheDocument();
    expect(within(vipRow).getByText('Success')).toBeInTheDocument();
    expect(within(vipRow).getByText('Manual')).toBeInTheDocument();

    const childRow = await findRow('VIP in Taiwan');
    // The parent is shown by name and links to it.
    expect(
      within(childRow).getByRole('link', { name: 'VIP customers' }),
    ).toHaveAttribute('href', '/segments/rule-vip');
    expect(within(childRow).getByText('Not run yet')).toBeInTheDocument();
    expect(within(childRow).getByText('Draft')).toBeInTheDocument();
    expect(
      within(childRow).getByText('Daily at 02:00 (Asia/Taipei)'),
    ).toBeInTheDocument();

    expect(screen.getByText('20,000')).toBeInTheDocument(); // customers header label
    expect(screen.getByRole('link', { name: /New segment/ })).toHaveAttribute(
      'href',
      '/segments/new',
    );
  });

  it('sends the search (debounced) and the status filter to the server', async () => {
    const requests = serve();
    await renderSegments('/segments');
    await findRow('VIP in Taiwan');

    const input = screen.getByLabelText('Search segments');
    fireEvent.change(input, { target: { value: 'tai' } });
    fireEvent.change(input, { target: { value: ' taiwan ' } });
    await waitFor(() => expect(requests.at(-1)?.get('search')).toBe('taiwan'));
    // One request once typing pauses, not one per change.
    expect(
      requests.filter(r => r.get('search')).map(r => r.get('search')),
    ).toEqual(['taiwan']);
    await waitFor(() =>
      expect(
        screen.queryByText(
          'Spent over 100,000 and ordered in the last 30 days',
        ),
      ).not.toBeInTheDocument(),
    );

    fireEvent.change(input, { target: { value: '' } });
    await waitFor(() => expect(requests.at(-1)?.get('search')).toBeNull());
    await userEvent.click(screen.getByRole('button', { name: 'Draft' }));
    await waitFor(() => {
      const last = requests.at(-1)!;
      expect(last.get('status')).toBe('draft');
      expect(last.get('search')).toBeNull();
    });
  });

  it('explains what to do when there is no segment', async () => {
    serve([]);
    await renderSegments('/segments');
    expect(await screen.findByText('No segments yet')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /New segment/ }),
    ).toBeInTheDocument();
  });

  it('says when the filter matches nothing and can clear it', async () => {
    const requests = serve();
    await renderSegments('/segments');
    await findRow('VIP in Taiwan');
    await userEvent.click(screen.getByRole('button', { name: 'Inactive' }));
    await screen.findByText('No segment matches the filter.');
    expect(requests.at(-1)?.get('status')).toBe('inactive');
    expect(screen.queryByText('VIP in Taiwan')).not.toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Clear filters' }),
    );
    await findRow('VIP in Taiwan');
    expect(requests.at(-1)?.get('status')).toBeNull();
  });

  it('shows server errors', async () => {
    server.use(
      http.get(`${API}/rules`, () =>
        errorResponse(
          403,
          'NotAllowedError',
          'Missing permission segments.rule.read',
        ),
      ),
      http.get(`${API}/data/stats`, () =>
        HttpResponse.json({}, { status: 403 }),
      ),
    );
    await renderSegments('/segments');
    expect(
      (await screen.findAllByText(/Missing permission segments.rule.read/))
        .length,
    ).toBeGreaterThan(0);
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('runs all segments, shows the progress and reloads when done', async () => {
    const requests = serve();
    let polls = 0;
    server.use(
      http.post(`${API}/execute`, () =>
        HttpResponse.json({ executionId: 'exec-all' }, { status: 202 }),
      ),
      http.get(`${API}/executions/exec-all`, () => {
        polls += 1;
        return HttpResponse.json(
          polls === 1
            ? makeExecution({
                id: 'exec-all',
                segmentRuleId: undefined,
                status: 'running',
                progress: { processed: 1, total: 2 },
                finishedAt: undefined,
              })
            : makeExecution({
                id: 'exec-all',
                segmentRuleId: undefined,
                progress: { processed: 2, total: 2 },
              }),
        );
      }),
    );
    await renderSegments('/segments');
    const runAll = await screen.findByRole('button', { name: /Run all/ });
    await waitFor(() => expect(runAll).toBeEnabled());
    const before = requests.length;
    fireEvent.click(runAll);

    await screen.findByText('Running all active segments: 1 of 2 done');
    await screen.findByText(/Ran 2 segment\(s\) in/);
    // The list reloads after the run.
    await waitFor(() => expect(requests.length).toBeGreaterThan(before));
  });
});
