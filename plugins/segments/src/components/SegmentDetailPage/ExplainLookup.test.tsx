import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import {
  MockFetchApi,
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { API } from '../../__testUtils__/fixtures';
import { SegmentsClient, segmentsApiRef } from '../../api';
import { ExplainLookup } from './ExplainLookup';

const server = setupServer();
registerMswTestHooks(server);

function render() {
  const discoveryApi = mockApis.discovery({ baseUrl: 'http://localhost:7007' });
  const fetchApi = new MockFetchApi();
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [discoveryApiRef, discoveryApi],
        [fetchApiRef, fetchApi],
        [segmentsApiRef, new SegmentsClient({ discoveryApi, fetchApi })],
      ]}
    >
      <ExplainLookup ruleId="rule-vip" />
    </TestApiProvider>,
  );
}

describe('ExplainLookup', () => {
  it('explains why a customer is not in the segment', async () => {
    const asked: string[] = [];
    server.use(
      http.get(`${API}/customers/:id/explain`, ({ request, params }) => {
        asked.push(`${params.id}?${new URL(request.url).searchParams}`);
        return HttpResponse.json({
          ruleId: 'rule-vip',
          customerId: 'c-42',
          asOf: '2026-11-20T10:00:00.000Z',
          member: false,
          summary: 'Not a member: 1 of 2 conditions fails.',
          levels: [
            {
              ruleId: 'rule-vip',
              name: 'VIP customers',
              logicalOperator: 'AND',
              passed: false,
              conditions: [
                {
                  type: 'condition',
                  path: 'conditions[0]',
                  field: 'totalSpent',
                  operator: 'gt',
                  value: 100000,
                  actual: 98000,
                  missing: false,
                  holds: false,
                  passed: false,
                  text: 'totalSpent > 100000',
                },
                {
                  type: 'group',
                  path: 'conditions[1]',
                  logicalOperator: 'OR',
                  passed: true,
                  children: [
                    {
                      type: 'condition',
                      path: 'conditions[1].subConditions[0]',
                      field: 'birthDate',
                      operator: 'before',
                      missing: true,
                      holds: false,
                      passed: false,
                      text: 'birthDate before 1990-01-01',
                    },
                    {
                      type: 'condition',
                      path: 'conditions[1].subConditions[1]',
                      field: 'country',
                      operator: 'eq',
                      value: 'TW',
                      actual: 'TW',
                      missing: false,
                      holds: true,
                      passed: true,
                      text: 'country = TW',
                    },
                  ],
                },
              ],
            },
          ],
          missedByOneCondition: [
            {
              level: 0,
              ruleId: 'rule-vip',
              path: 'conditions[0]',
              text: 'totalSpent > 100000',
              actual: 98000,
              missing: false,
              message:
                'Missed by one condition: totalSpent > 100000 (is 98000)',
            },
          ],
          latestRun: {
            resultId: 'result-2',
            asOf: '2026-11-20T10:00:00.000Z',
            member: false,
          },
        });
      }),
    );
    await render();
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Customer id' }),
      'c-42',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Explain' }));

    const result = await screen.findByTestId('explain-result');
    expect(result).toHaveTextContent('c-42 is not a member');
    expect(result).toHaveTextContent('Not a member: 1 of 2 conditions fails.');
    expect(asked).toEqual(['c-42?ruleId=rule-vip']);

    const failing = screen.getByTestId('explain-conditions[0]');
    expect(failing).toHaveTextContent('totalSpent > 100000');
    expect(failing).toHaveTextContent('actual: 98000');
    expect(within(failing).getByTitle('failed')).toBeInTheDocument();
    expect(failing.querySelector('[data-missed]')).not.toBeNull();

    const missing = screen.getByTestId(
      'explain-conditions[1].subConditions[0]',
    );
    expect(missing).toHaveTextContent('actual: missing');
    const passing = screen.getByTestId(
      'explain-conditions[1].subConditions[1]',
    );
    expect(within(passing).getByTitle('passed')).toBeInTheDocument();
    expect(passing.querySelector('[data-missed]')).toBeNull();

    expect(screen.getByTestId('missed-by-one')).toHaveTextContent(
      'Missed by one condition: totalSpent > 100000 (is 98000)',
    );
  });

  it('shows an unknown customer', async () => {
    server.use(
      http.get(`${API}/customers/:id/explain`, () =>
        HttpResponse.json(
          {
            error: { name: 'NotFoundError', message: 'No customer with id x' },
          },
          { status: 404 },
        ),
      ),
    );
    await render();
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Customer id' }),
      'x',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Explain' }));
    expect(
      (await screen.findAllByText(/No customer with id x/)).length,
    ).toBeGreaterThan(0);
  });
});
