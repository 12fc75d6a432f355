import { registerMswTestHooks } from '@backstage/test-utils';
import { screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  API,
  FIELDS,
  makeExecution,
  makeResult,
  makeRule,
} from '../__testUtils__/fixtures';
import { renderSegments } from '../__testUtils__/renderSegments';

// Permission decisions are cached per permission across renders (SWR inside
// usePermission), so every test of this file denies the same ones and no
// other test file denies anything.
const DENIED = [
  'segments.rule.create',
  'segments.rule.update',
  'segments.rule.execute',
  'segments.member.read',
];

jest.mock('./RuleBuilder', () => ({
  RuleBuilder: (props: any) => (
    <button type="button" disabled={props.disabled}>
      add condition
    </button>
  ),
  RuleJsonDialog: () => null,
}));

const server = setupServer();
registerMswTestHooks(server);

beforeEach(() => {
  const result = makeResult();
  server.use(
    http.get(`${API}/rules`, () =>
      HttpResponse.json({ items: [makeRule()], totalCount: 1 }),
    ),
    http.get(`${API}/rules/rule-vip`, () => HttpResponse.json(makeRule())),
    http.get(`${API}/data/stats`, () =>
      HttpResponse.json({ customers: 1, orders: 1, ordersByStatus: {} }),
    ),
    http.get(`${API}/fields`, () => HttpResponse.json({ items: FIELDS })),
    http.post(`${API}/rules/preview`, () =>
      HttpResponse.json({ validation: { valid: false, errors: [] } }),
    ),
    http.get(`${API}/results`, () =>
      HttpResponse.json({ items: [result], totalCount: 1 }),
    ),
    http.get(`${API}/results/:id`, () => HttpResponse.json(result)),
    http.get(`${API}/results/:id/customers`, () =>
      HttpResponse.json({ items: [], totalCount: 0 }),
    ),
    http.get(`${API}/results/:id/changes`, () =>
      HttpResponse.json({ items: [], totalCount: 0 }),
    ),
    http.get(`${API}/executions`, () =>
      HttpResponse.json({ items: [makeExecution()] }),
    ),
  );
});

describe('without create, update, execute and member read permissions', () => {
  it('the list has no New segment and no Run all', async () => {
    await renderSegments('/segments', { denied: DENIED });
    await screen.findByText('VIP customers');
    await waitFor(() => {
      expect(
        screen.queryByRole('link', { name: /New segment/ }),
      ).not.toBeInTheDocument();
      expect(
        screen.queryByRole('button', { name: /Run all/ }),
      ).not.toBeInTheDocument();
    });
  });

  it('the editor is read-only', async () => {
    await renderSegments('/segments/rule-vip/edit', { denied: DENIED });
    expect(
      await screen.findByText(/you lack the permission to update segments/),
    ).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: /Name/ })).toBeDisabled();
    expect(
      screen.getByRole('button', { name: 'add condition' }),
    ).toBeDisabled();
    expect(
      screen.queryByRole('button', { name: /Save/ }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: /Run now/ }),
    ).not.toBeInTheDocument();
  });

  it('the detail page has no Edit, no Run now and no member lists', async () => {
    await renderSegments('/segments/rule-vip', { denied: DENIED });
    await screen.findByTestId('stat-members');
    await waitFor(() => {
      expect(
        screen.queryByRole('link', { name: /Edit/ }),
      ).not.toBeInTheDocument();
      expect(
        screen.queryByRole('button', { name: /Run now/ }),
      ).not.toBeInTheDocument();
    });
    // Aggregates stay readable; who the members are does not.
    expect(screen.getByTestId('stat-members')).toHaveTextContent('1,234');
    expect(await screen.findByTestId('members-hidden')).toBeInTheDocument();
    expect(screen.queryByTestId('members-table')).not.toBeInTheDocument();
    expect(screen.queryByText('Change report')).not.toBeInTheDocument();
  });
});
