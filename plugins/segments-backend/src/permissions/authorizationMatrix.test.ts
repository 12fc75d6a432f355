import { mockServices } from '@backstage/backend-test-utils';
import request from 'supertest';
import { databases } from '../__testUtils__/testBackend';
import { createRouter } from '../service/router';
import { as, startSecuredBackend } from './__testUtils__/securedBackend';
import {
  Fixtures,
  ruleBody,
  seedFixtures,
  waitForIdle,
} from './__testUtils__/fixtures';

jest.setTimeout(300_000);

/**
 * Every route x (admin, editor, viewer, anonymous, service token, user without
 * role) through the REAL permission framework: permission backend, the role
 * policy module with app-config.yaml's role mapping, conditional decisions
 * applied by the segments plugin. Users and groups: examples/org.yaml.
 *   admin = ada; editor = eddie (marketing); viewer = vera (marketing);
 *   service = the static API token; norole = nora.
 * "allow": any answer but 401/403 and no 5xx; "deny": 403 (401 for anonymous).
 */
const PRINCIPALS = [
  'admin',
  'editor',
  'viewer',
  'anonymous',
  'service',
  'norole',
] as const;
type Principal = (typeof PRINCIPALS)[number];

interface Row {
  /** `METHOD /path` as the router declares it. */
  route: string;
  /** What the row checks (several rows may test one route). */
  label: string;
  /** Who is allowed; everybody else is denied. */
  allow: Principal[];
  /** Builds the request; may create what it needs first (e.g. a fresh rule to delete). */
  req: (
    f: Fixtures,
    server: any,
  ) => Promise<{
    method: 'get' | 'post' | 'put' | 'delete';
    path: string;
    body?: object;
  }>;
  /** Principals that may not read the (fresh, private) segment of the request: they get 404. */
  hiddenFrom?: Principal[];
}

const ALL_USERS: Principal[] = [
  'admin',
  'editor',
  'viewer',
  'service',
  'norole',
];
const READERS: Principal[] = ['admin', 'editor', 'viewer', 'service'];
const EDITORS: Principal[] = ['admin', 'editor', 'service'];
const ADMINS: Principal[] = ['admin', 'service'];

const get = (path: string) => async () => ({ method: 'get' as const, path });
const fresh = async (
  server: any,
  who: Record<string, string>,
  name: string,
) => {
  const res = await request(server)
    .post('/api/segments/rules')
    .set(who)
    .send(ruleBody(name));
  expect(res.status).toBe(201);
  return res.body.id as string;
};
let freshCustomer = 0;
const newCustomer = async (server: any) => {
  const id = `fresh-${++freshCustomer}`;
  const res = await request(server)
    .post('/api/segments/data/customers')
    .set(as.service)
    .send({
      items: [{ id, createdAt: '2024-01-01T00:00:00Z', country: 'TW' }],
    });
  expect(res.body.accepted).toBe(1);
  return id;
};

const ROWS: Row[] = [
  {
    route: 'GET /health',
    label: 'health',
    allow: [...ALL_USERS, 'anonymous'],
    req: get('/health'),
  },
  {
    route: 'GET /fields',
    label: 'fields',
    allow: READERS,
    req: get('/fields'),
  },
  {
    route: 'POST /rules/preview',
    label: 'preview an unsaved rule',
    allow: EDITORS,
    req: async () => ({
      method: 'post',
      path: '/rules/preview',
      body: { rule: ruleBody('p') },
    }),
  },
  {
    route: 'POST /rules',
    label: 'create a rule',
    allow: EDITORS,
    req: async () => ({
      method: 'post',
      path: '/rules',
      body: ruleBody('created in matrix'),
    }),
  },
  {
    route: 'GET /rules',
    label: 'list rules (viewers: filtered)',
    allow: READERS,
    req: get('/rules'),
  },
  {
    route: 'GET /rules/{id}',
    label: 'read a shared rule',
    allow: READERS,
    req: async f => get(`/rules/${f.shared}`)(),
  },
  {
    route: 'GET /rules/{id}',
    label: "read eddie's unshared rule",
    allow: EDITORS,
    req: async f => get(`/rules/${f.own}`)(),
  },
  {
    route: 'GET /rules/{id}',
    label: "read erin's rule shared with sales",
    allow: EDITORS,
    req: async f => get(`/rules/${f.erins}`)(),
  },
  {
    route: 'PUT /rules/{id}',
    label: 'update own rule',
    allow: EDITORS,
    req: async f => ({
      method: 'put',
      path: `/rules/${f.own}`,
      body: ruleBody('eddie private'),
    }),
  },
  {
    route: 'PUT /rules/{id}',
    label: "update another editor's rule",
    allow: ADMINS,
    req: async f => ({
      method: 'put',
      path: `/rules/${f.erins}`,
      body: ruleBody('erin for sales', { visibility: ['group:default/sales'] }),
    }),
  },
  {
    route: 'DELETE /rules/{id}',
    label: 'delete own rule',
    allow: EDITORS,
    hiddenFrom: ['viewer', 'norole'],
    req: async (_f, server) => ({
      method: 'delete',
      path: `/rules/${await fresh(server, as.editor, 'to delete')}`,
    }),
  },
  {
    route: 'DELETE /rules/{id}',
    label: "delete another editor's rule",
    allow: ADMINS,
    hiddenFrom: ['viewer', 'norole'],
    req: async (_f, server) => ({
      method: 'delete',
      path: `/rules/${await fresh(server, as.editor2, 'erin to delete')}`,
    }),
  },
  {
    route: 'POST /rules/{id}/execute',
    label: 'run own rule',
    allow: EDITORS,
    req: async f => ({
      method: 'post',
      path: `/rules/${f.own}/execute`,
      body: {},
    }),
  },
  {
    route: 'POST /rules/{id}/execute',
    label: "run another editor's rule",
    allow: ADMINS,
    req: async f => ({
      method: 'post',
      path: `/rules/${f.erins}/execute`,
      body: {},
    }),
  },
  {
    route: 'POST /execute',
    label: 'run every segment',
    allow: ADMINS,
    req: async () => ({ method: 'post', path: '/execute', body: {} }),
  },
  {
    route: 'GET /executions',
    label: 'list executions',
    allow: EDITORS,
    req: get('/executions'),
  },
  {
    route: 'GET /executions/{id}',
    label: 'read an execution',
    allow: EDITORS,
    req: async f => get(`/executions/${f.executionId}`)(),
  },
  {
    route: 'GET /results',
    label: 'results of every segment',
    allow: EDITORS,
    req: get('/results'),
  },
  {
    route: 'GET /results',
    label: 'results of a shared segment',
    allow: READERS,
    req: async f => get(`/results?segmentRuleId=${f.shared}`)(),
  },
  {
    route: 'GET /results',
    label: 'results of an unshared segment',
    allow: EDITORS,
    req: async f => get(`/results?segmentRuleId=${f.own}`)(),
  },
  {
    route: 'GET /results/{id}',
    label: 'a result of a shared segment',
    allow: READERS,
    req: async f => get(`/results/${f.results.shared}`)(),
  },
  {
    route: 'GET /results/{id}',
    label: 'a result of an unshared segment',
    allow: EDITORS,
    req: async f => get(`/results/${f.results.own}`)(),
  },
  {
    route: 'GET /results/{id}/changes',
    label: 'change list (personal data) of own segment',
    allow: EDITORS,
    req: async f => get(`/results/${f.results.own}/changes?type=added`)(),
  },
  {
    route: 'GET /results/{id}/changes',
    label: 'change list of a segment shared with the editor',
    allow: EDITORS,
    req: async f => get(`/results/${f.results.shared}/changes?type=added`)(),
  },
  {
    route: 'GET /results/{id}/changes',
    label: "change list of another editor's segment",
    allow: ADMINS,
    req: async f => get(`/results/${f.results.erins}/changes?type=added`)(),
  },
  {
    route: 'GET /results/{id}/customers',
    label: 'members (personal data) of own segment',
    allow: EDITORS,
    req: async f => get(`/results/${f.results.own}/customers`)(),
  },
  {
    route: 'GET /results/{id}/customers',
    label: 'members of a segment shared with the viewer',
    allow: EDITORS,
    req: async f => get(`/results/${f.results.shared}/customers`)(),
  },
  {
    route: 'GET /results/{id}/customers',
    label: "members of another editor's segment",
    allow: ADMINS,
    req: async f => get(`/results/${f.results.erins}/customers`)(),
  },
  {
    route: 'GET /customers/{id}/segments',
    label: "a customer's segments",
    allow: ADMINS,
    req: async f => get(`/customers/${f.customerId}/segments`)(),
  },
  {
    route: 'POST /data/customers',
    label: 'ingest customers',
    allow: ADMINS,
    req: async () => ({
      method: 'post',
      path: '/data/customers',
      body: { items: [{ id: 'm1', createdAt: '2024-01-01T00:00:00Z' }] },
    }),
  },
  {
    route: 'POST /data/orders',
    label: 'ingest orders',
    allow: ADMINS,
    req: async () => ({
      method: 'post',
      path: '/data/orders',
      body: {
        items: [
          {
            id: 'mo1',
            customerId: 'c1',
            orderedAt: '2024-03-01T00:00:00Z',
            amount: 1,
            status: 'completed',
          },
        ],
      },
    }),
  },
  {
    route: 'GET /data/stats',
    label: 'data statistics',
    allow: READERS,
    req: get('/data/stats'),
  },
  {
    route: 'GET /data/customers/{id}',
    label: 'a customer record',
    allow: ADMINS,
    req: async f => get(`/data/customers/${f.customerId}`)(),
  },
  {
    route: 'DELETE /data/customers/{id}',
    label: 'erase a customer',
    allow: ADMINS,
    req: async (_f, server) => ({
      method: 'delete',
      path: `/data/customers/${await newCustomer(server)}`,
    }),
  },
  {
    route: 'POST /data/customers/lookup',
    label: 'find a customer by email',
    allow: ADMINS,
    req: async f => ({
      method: 'post',
      path: '/data/customers/lookup',
      body: { email: f.customerEmail },
    }),
  },
  {
    route: 'GET /data/customers/{id}/export',
    label: "export a customer's data",
    allow: ADMINS,
    req: async f => get(`/data/customers/${f.customerId}/export`)(),
  },
  {
    route: 'GET /audit',
    label: 'audit trail',
    allow: ADMINS,
    req: get('/audit'),
  },
  {
    route: 'GET /overlap',
    label: 'overlap of shared segments',
    allow: READERS,
    req: async f => get(`/overlap?ids=${f.shared},${f.shared2}`)(),
  },
  {
    route: 'GET /customers/{id}/explain',
    label: "a customer's values against a shared segment (personal data)",
    allow: EDITORS,
    req: async f =>
      get(`/customers/${f.customerId}/explain?ruleId=${f.shared}`)(),
  },
  {
    route: 'POST /rules/{id}/preview-change',
    label: 'member changes of an edit (samples: personal data)',
    allow: EDITORS,
    req: async f => ({
      method: 'post',
      path: `/rules/${f.shared}/preview-change`,
      body: { rule: ruleBody('x') },
    }),
  },
  {
    route: 'GET /.well-known/backstage/permissions/metadata',
    label: 'permission metadata (for RBAC UIs)',
    allow: ALL_USERS,
    req: get('/.well-known/backstage/permissions/metadata'),
  },
];

/** Every route the router serves, as `METHOD /path` with `{param}` placeholders. */
function routesOf(stack: any[]): string[] {
  return stack.flatMap(layer => {
    if (layer.route) {
      return Object.keys(layer.route.methods).map(
        m =>
          `${m.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`,
      );
    }
    return layer.handle?.stack ? routesOf(layer.handle.stack) : [];
  });
}

async function servedRoutes() {
  const router = await createRouter({
    logger: mockServices.logger.mock(),
    httpAuth: mockServices.httpAuth(),
    permissions: mockServices.permissions(),
    auditor: mockServices.auditor.mock(),
    analysis: {},
  } as any);
  return new Set(routesOf((router as any).stack));
}

describe('authorization matrix', () => {
  it('has a row for every route the router serves', async () => {
    const covered = new Set(ROWS.map(r => r.route));
    const missing = [...(await servedRoutes())].filter(r => !covered.has(r));
    expect(missing).toEqual([]);
  });
});

/** The fixture segment a request path is about (directly or through one of its results). */
function segmentIn(path: string, f: Fixtures): string | undefined {
  for (const key of ['own', 'erins', 'shared'] as const) {
    if (path.includes(f[key]) || path.includes(f.results[key])) return f[key];
  }
  return undefined;
}

describe.each(databases.eachSupportedId())(
  'authorization matrix on %s',
  databaseId => {
    let server: any;
    let fixtures: Fixtures;
    let served: Set<string>;
    /** Who may read each fixture segment (GET /rules/:id answers 200). */
    const readable = new Map<string, Set<Principal>>();

    beforeAll(async () => {
      ({ server } = await startSecuredBackend(databaseId));
      fixtures = await seedFixtures(server);
      served = await servedRoutes();
      served.add('GET /.well-known/backstage/permissions/metadata');
      for (const id of [fixtures.own, fixtures.erins, fixtures.shared]) {
        const readers = new Set<Principal>();
        for (const who of PRINCIPALS) {
          const res = await request(server)
            .get(`/api/segments/rules/${id}`)
            .set(as[who]);
          if (res.status === 200) readers.add(who);
        }
        readable.set(id, readers);
      }
    });

    it.each(ROWS.map(r => [`${r.route}: ${r.label}`, r] as const))(
      '%s',
      async (_name, row) => {
        if (!served.has(row.route)) return; // a route another version of the router does not serve
        const outcomes: Record<string, number> = {};
        let path0 = '';
        for (const who of PRINCIPALS) {
          const { method, path, body } = await row.req(fixtures, server);
          path0 = path;
          let r = request(server)[method](`/api/segments${path}`).set(as[who]);
          if (body) r = r.send(body);
          const res = await r;
          outcomes[who] = res.status;
          // Runs requested by one principal must not make the next one's request a 409.
          if (res.status === 202) await waitForIdle(server);
        }
        // A segment the principal may not even read answers like an unknown id (404).
        const segment = segmentIn(path0, fixtures);
        const denied = (who: Principal) => {
          if (who === 'anonymous') return 401;
          const hidden =
            row.hiddenFrom?.includes(who) ||
            (segment && !readable.get(segment)!.has(who));
          return hidden ? 404 : 403;
        };
        const expected = Object.fromEntries(
          PRINCIPALS.map(who => [
            who,
            row.allow.includes(who) ? 'allow' : denied(who),
          ]),
        );
        const actual = Object.fromEntries(
          PRINCIPALS.map(who => {
            const s = outcomes[who];
            if (s >= 500) return [who, `server error ${s}`];
            if (row.allow.includes(who))
              return [
                who,
                s === 401 || s === 403 || s >= 400 ? `refused ${s}` : 'allow',
              ];
            return [who, s];
          }),
        );
        expect(actual).toEqual(expected);
      },
    );

    it('records allowed and denied attempts in the audit trail, without personal data values', async () => {
      const res = await request(server)
        .get('/api/segments/audit?limit=500')
        .set(as.admin);
      expect(res.status).toBe(200);
      const items: any[] = res.body.items;
      expect(items).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            actor: 'user:default/eddie',
            action: 'rule-update',
            targetType: 'rule',
            targetId: fixtures.erins,
            outcome: 'denied',
            status: 403,
          }),
          expect.objectContaining({
            actor: 'user:default/eddie',
            action: 'rule-update',
            targetId: fixtures.own,
            outcome: 'success',
          }),
          expect.objectContaining({
            actor: 'user:default/vera',
            action: 'members-read',
            outcome: 'denied',
          }),
          expect.objectContaining({
            actor: 'segments-api-client',
            actorType: 'service',
            action: 'customer-ingest',
            outcome: 'success',
            meta: { count: 4 },
          }),
        ]),
      );
      for (const item of items) expect(item.requestId).toMatch(/\S/);
      const dump = JSON.stringify(items);
      for (const value of [
        'Mei-Ling',
        'Tanaka',
        'person1@example.com',
        '912-000',
      ])
        expect(dump).not.toContain(value);
    });
  },
);
