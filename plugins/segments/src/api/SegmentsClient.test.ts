import {
  MockFetchApi,
  mockApis,
  registerMswTestHooks,
} from '@backstage/test-utils';
import { ResponseError } from '@backstage/errors';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { API, errorResponse, makeRule } from '../__testUtils__/fixtures';
import { SegmentsClient } from './SegmentsClient';

const server = setupServer();
registerMswTestHooks(server);

const client = new SegmentsClient({
  discoveryApi: mockApis.discovery({ baseUrl: 'http://localhost:7007' }),
  fetchApi: new MockFetchApi(),
});

describe('SegmentsClient', () => {
  it('lists rules with filters and paging in the query', async () => {
    let url: URL | undefined;
    server.use(
      http.get(`${API}/rules`, ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json({ items: [makeRule()], totalCount: 7 });
      }),
    );
    const page = await client.listRules({
      status: 'active',
      search: 'vip & co',
      limit: 5,
      offset: 5,
    });
    expect(page.totalCount).toBe(7);
    expect(page.items[0].name).toBe('VIP customers');
    expect(url?.searchParams.get('status')).toBe('active');
    expect(url?.searchParams.get('search')).toBe('vip & co');
    expect(url?.searchParams.get('limit')).toBe('5');
    expect(url?.searchParams.get('offset')).toBe('5');
  });

  it('leaves out empty filters', async () => {
    let url: URL | undefined;
    server.use(
      http.get(`${API}/rules`, ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json({ items: [], totalCount: 0 });
      }),
    );
    await client.listRules({ search: '' });
    expect(url?.search).toBe('');
  });

  it('posts a preview and returns validation errors of an invalid rule', async () => {
    let body: any;
    server.use(
      http.post(`${API}/rules/preview`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({
          validation: {
            valid: false,
            errors: [
              { path: 'conditions[0].value', message: 'must be a number' },
            ],
          },
        });
      }),
    );
    const rule = { name: 'x', logicalOperator: 'AND', conditions: [] };
    const answer = await client.previewRule({
      rule,
      asOf: '2026-01-01T00:00:00Z',
    });
    expect(body).toEqual({ rule, asOf: '2026-01-01T00:00:00Z' });
    expect(answer.validation.valid).toBe(false);
    expect(answer.validation.errors[0].path).toBe('conditions[0].value');
  });

  it('unwraps lists answered as { items }', async () => {
    server.use(
      http.get(`${API}/fields`, () =>
        HttpResponse.json({ items: [{ name: 'tier' }] }),
      ),
      http.get(`${API}/executions`, ({ request }) => {
        const params = new URL(request.url).searchParams;
        return HttpResponse.json({
          items: [
            { id: `for-${params.get('segmentRuleId')}-${params.get('limit')}` },
          ],
        });
      }),
    );
    expect(await client.getFields()).toEqual([{ name: 'tier' }]);
    expect(
      await client.listExecutions({ segmentRuleId: 'r1', limit: 3 }),
    ).toEqual([{ id: 'for-r1-3' }]);
  });

  it('encodes ids and passes change type and member search', async () => {
    const urls: URL[] = [];
    server.use(
      http.get(`${API}/results/:id/:list`, ({ request }) => {
        urls.push(new URL(request.url));
        return HttpResponse.json({ items: [], totalCount: 0 });
      }),
    );
    await client.listChanges('a/b', { type: 'removed', limit: 10, offset: 20 });
    await client.listMembers('r1', { search: 'Chen', limit: 10 });
    expect(urls[0].pathname).toBe('/api/segments/results/a%2Fb/changes');
    expect(urls[0].searchParams.get('type')).toBe('removed');
    expect(urls[0].searchParams.get('offset')).toBe('20');
    expect(urls[1].pathname).toBe('/api/segments/results/r1/customers');
    expect(urls[1].searchParams.get('search')).toBe('Chen');
  });

  it('creates, updates and deletes rules with the right methods', async () => {
    const seen: string[] = [];
    server.use(
      http.post(`${API}/rules`, async ({ request }) => {
        seen.push(`POST ${JSON.stringify(await request.json())}`);
        return HttpResponse.json(makeRule({ id: 'new' }), { status: 201 });
      }),
      http.put(`${API}/rules/new`, ({ request }) => {
        seen.push(`PUT ${new URL(request.url).search}`);
        return HttpResponse.json(makeRule({ id: 'new' }));
      }),
      http.delete(`${API}/rules/new`, ({ request }) => {
        seen.push(`DELETE ${new URL(request.url).search}`);
        return HttpResponse.json({ deleted: ['new'], reparented: [] });
      }),
    );
    const input = {
      name: 'n',
      logicalOperator: 'AND' as const,
      conditions: [],
    };
    expect((await client.createRule(input)).id).toBe('new');
    await client.updateRule('new', input, { force: true });
    expect(await client.deleteRule('new', { children: 'reparent' })).toEqual({
      deleted: ['new'],
      reparented: [],
    });
    expect(seen).toEqual([
      `POST ${JSON.stringify(input)}`,
      'PUT ?force=true',
      'DELETE ?children=reparent',
    ]);
  });

  it('starts runs and raises a ResponseError with the status on 409', async () => {
    server.use(
      http.post(`${API}/execute`, () =>
        HttpResponse.json({ executionId: 'e1' }, { status: 202 }),
      ),
      http.post(`${API}/rules/r1/execute`, () =>
        errorResponse(409, 'ConflictError', 'already running: e1'),
      ),
    );
    expect(await client.executeAll()).toEqual({ executionId: 'e1' });
    const error = await client.executeRule('r1').catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.response.status).toBe(409);
    expect(error.body.error.message).toBe('already running: e1');
  });

  it('reads stats, results and executions', async () => {
    server.use(
      http.get(`${API}/data/stats`, () =>
        HttpResponse.json({ customers: 20000 }),
      ),
      http.get(`${API}/results/r9`, () =>
        HttpResponse.json({ id: 'r9', seq: 3 }),
      ),
      http.get(`${API}/executions/e9`, () =>
        HttpResponse.json({ id: 'e9', status: 'running' }),
      ),
      http.get(`${API}/results`, ({ request }) =>
        HttpResponse.json({
          items: [],
          totalCount: Number(new URL(request.url).searchParams.get('limit')),
        }),
      ),
    );
    expect((await client.getDataStats()).customers).toBe(20000);
    expect((await client.getResult('r9')).seq).toBe(3);
    expect((await client.getExecution('e9')).status).toBe('running');
    expect(
      (await client.listResults({ segmentRuleId: 'x', limit: 4 })).totalCount,
    ).toBe(4);
  });
});
