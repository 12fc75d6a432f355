import { registerMswTestHooks } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { API } from '../../__testUtils__/fixtures';
import { renderSegments } from '../../__testUtils__/renderSegments';

// Permission decisions are cached across renders (SWR in usePermission):
// this file only ever denies the audit permission.
const server = setupServer();
registerMswTestHooks(server);

describe('AuditHeaderLink', () => {
  it('is hidden without the permission to read the audit trail', async () => {
    server.use(
      http.get(`${API}/rules`, () =>
        HttpResponse.json({ items: [], totalCount: 0 }),
      ),
      http.get(`${API}/data/stats`, () =>
        HttpResponse.json({ customers: 1, orders: 1, ordersByStatus: {} }),
      ),
      http.get(`${API}/executions`, () => HttpResponse.json({ items: [] })),
    );
    await renderSegments('/segments', { denied: ['segments.audit.read'] });
    // Decisions of the same batch arrived: the create action shows.
    expect(
      (await screen.findAllByRole('link', { name: /New segment/ })).length,
    ).toBeGreaterThan(0);
    expect(
      screen.queryByRole('link', { name: 'Audit trail' }),
    ).not.toBeInTheDocument();
  });
});
