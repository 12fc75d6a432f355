import { registerMswTestHooks } from '@backstage/test-utils';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { API } from '../../__testUtils__/fixtures';
import { renderSegments } from '../../__testUtils__/renderSegments';
import type { AuditRecord } from '../../api';

const server = setupServer();
registerMswTestHooks(server);

const records: AuditRecord[] = Array.from({ length: 45 }, (_, i) => ({
  id: `a-${i}`,
  at: new Date(Date.UTC(2026, 10, 20, 10, 0, 45 - i)).toISOString(),
  actor: i % 2 ? 'user:default/ada' : 'user:default/bob',
  actorType: 'user',
  action: i % 3 ? 'rule-update' : 'rule-delete',
  severity: 'medium',
  targetType: 'rule',
  targetId: `rule-${i}`,
  outcome: i % 5 ? 'success' : 'denied',
  status: i % 5 ? 200 : 403,
  requestId: `req-${i}`,
  method: 'PUT',
  path: `/rules/rule-${i}`,
}));

function serve() {
  const queries: URLSearchParams[] = [];
  server.use(
    http.get(`${API}/audit`, ({ request }) => {
      const q = new URL(request.url).searchParams;
      queries.push(q);
      const matching = records.filter(
        r =>
          (!q.get('actor') || r.actor === q.get('actor')) &&
          (!q.get('outcome') || r.outcome === q.get('outcome')),
      );
      const offset = Number(q.get('offset') ?? 0);
      const limit = Number(q.get('limit') ?? 100);
      return HttpResponse.json({
        items: matching.slice(offset, offset + limit),
        totalCount: matching.length,
      });
    }),
  );
  return queries;
}

describe('AuditPage', () => {
  it('pages on the server and filters by actor and outcome', async () => {
    const queries = serve();
    await renderSegments('/segments/audit');
    expect(await screen.findByText('rule rule-0')).toBeInTheDocument();
    expect(queries[0].get('limit')).toBe('20');
    expect(queries[0].get('offset')).toBe('0');
    expect(screen.getAllByText('1-20 of 45').length).toBeGreaterThan(0);

    await userEvent.click(
      screen.getAllByRole('button', { name: /Next Page/i })[0],
    );
    expect(await screen.findByText('rule rule-20')).toBeInTheDocument();
    expect(queries.at(-1)!.get('offset')).toBe('20');

    fireEvent.change(screen.getByRole('textbox', { name: 'Actor' }), {
      target: { value: 'user:default/ada' },
    });
    await waitFor(() =>
      expect(queries.at(-1)!.get('actor')).toBe('user:default/ada'),
    );
    // A new filter starts at the first page.
    expect(queries.at(-1)!.get('offset')).toBe('0');
    expect((await screen.findAllByText('1-20 of 22')).length).toBeGreaterThan(
      0,
    );

    await userEvent.click(screen.getByRole('combobox', { name: /Outcome/ }));
    await userEvent.click(screen.getByRole('option', { name: 'Denied' }));
    await waitFor(() => expect(queries.at(-1)!.get('outcome')).toBe('denied'));
    expect((await screen.findAllByText('1-4 of 4')).length).toBeGreaterThan(0);
    const rows = screen.getAllByText(/denied \(403\)/);
    expect(rows).toHaveLength(4);
    expect(
      within(rows[0].closest('tr')!).getByText('user:default/ada'),
    ).toBeInTheDocument();
  });

  it('is linked from the list page header', async () => {
    server.use(
      http.get(`${API}/rules`, () =>
        HttpResponse.json({ items: [], totalCount: 0 }),
      ),
      http.get(`${API}/data/stats`, () =>
        HttpResponse.json({ customers: 1, orders: 1, ordersByStatus: {} }),
      ),
      http.get(`${API}/executions`, () => HttpResponse.json({ items: [] })),
    );
    await renderSegments('/segments');
    expect(
      await screen.findByRole('link', { name: 'Audit trail' }),
    ).toHaveAttribute('href', '/segments/audit');
  });
});
