import request from 'supertest';
import { createRule, ingest, leaf } from '../__testUtils__/api';
import { databases, startSegmentsBackend } from '../__testUtils__/testBackend';

jest.setTimeout(120_000);

const api = '/api/segments';
const BAD_OFFSETS = [
  '2025-01-01T00:00:00+99:99',
  '2025-01-01T00:00:00+24:00',
  '2025-02-30T00:00:00Z',
];
const customer = (id: string, extra: object = {}) => ({
  id,
  createdAt: '2024-01-01T00:00:00Z',
  ...extra,
});

/** Regression tests of the crashes, 500s, leaks and mismatches a hostile-client run found (issue 12). */
describe.each(databases.eachSupportedId())(
  'hostile regressions on %s',
  databaseId => {
    let server: any;
    let vip: { id: string };

    beforeAll(async () => {
      ({ server } = await startSegmentsBackend(databaseId));
      await ingest(server, {
        customers: [
          customer('c1', {
            name: 'Ada Lovelace',
            email: 'ada@example.com',
            country: 'TW',
          }),
          customer('c2'),
        ],
        orders: [
          {
            id: 'o1',
            customerId: 'c1',
            orderedAt: '2024-06-01T00:00:00Z',
            amount: 120,
            status: 'completed',
          },
        ],
      });
      vip = await createRule(server, {
        name: 'big spenders',
        conditions: [leaf('totalSpent', 'gt', 100, 'number')],
      });
    });

    it('checks rules with huge order counts at once, on preview, save and overlap', async () => {
      const huge = (n: number) => ({
        name: `huge ${n}`,
        status: 'active',
        logicalOperator: 'AND',
        conditions: [leaf('orderCount', 'gt', n, 'number')],
      });
      const started = Date.now();
      const preview = await request(server)
        .post(`${api}/rules/preview`)
        .send({ rule: huge(500_000_000) });
      expect(preview.status).toBe(200);
      expect(preview.body.validation.valid).toBe(true);
      expect(Date.now() - started).toBeLessThan(1000);
      const saved = [];
      for (const n of [1e6, 3e6]) {
        const res = await request(server)
          .post(`${api}/rules?force=true`)
          .send(huge(n));
        expect(res.status).toBe(201);
        saved.push(res.body.id);
      }
      const t = Date.now();
      const overlap = await request(server).get(
        `${api}/overlap?ids=${saved.join(',')}`,
      );
      expect(overlap.status).toBe(200);
      expect(overlap.body.pairs[0].aContainsB).toBe('yes'); // > 1e6 contains > 3e6
      expect(Date.now() - t).toBeLessThan(2000);
    });

    it.each(BAD_OFFSETS)(
      'refuses the timestamp %s everywhere with a 400 naming the field',
      async bad => {
        const cases: Array<[string, any]> = [
          [
            'customers',
            request(server)
              .post(`${api}/data/customers`)
              .send({ items: [customer('t1', { createdAt: bad })] }),
          ],
          [
            'orders',
            request(server)
              .post(`${api}/data/orders`)
              .send({
                items: [
                  {
                    id: 't1',
                    customerId: 'c1',
                    orderedAt: bad,
                    amount: 1,
                    status: 'completed',
                  },
                ],
              }),
          ],
          [
            'execute',
            request(server)
              .post(`${api}/rules/${vip.id}/execute`)
              .send({ asOf: bad }),
          ],
          [
            'explain',
            request(server).get(
              `${api}/customers/c1/explain?ruleId=${
                vip.id
              }&asOf=${encodeURIComponent(bad)}`,
            ),
          ],
          [
            'preview-change',
            request(server)
              .post(`${api}/rules/${vip.id}/preview-change`)
              .send({
                rule: { name: 'x', logicalOperator: 'AND', conditions: [] },
                asOf: bad,
              }),
          ],
          [
            'preview',
            request(server)
              .post(`${api}/rules/preview`)
              .send({
                rule: { name: 'x', logicalOperator: 'AND', conditions: [] },
                asOf: bad,
              }),
          ],
          [
            'audit',
            request(server).get(`${api}/audit?from=${encodeURIComponent(bad)}`),
          ],
        ];
        // Bulk rows are rejected one by one (200); other requests answer 400.
        const bulk = (name: string) =>
          name === 'customers' || name === 'orders';
        const outcomes = [];
        for (const [name, pending] of cases) {
          const res = await pending;
          outcomes.push(
            bulk(name)
              ? [
                  name,
                  res.status,
                  res.body.accepted,
                  res.body.rejected[0]?.errors[0]?.message,
                ]
              : [name, res.status, undefined, res.body.error?.message],
          );
        }
        const rowMessage = expect.stringMatching(/ISO timestamp with an offset/);
        const asOfMessage = expect.stringMatching(/(asOf|from).*ISO timestamp with an offset/);
        expect(outcomes).toEqual(
          cases.map(([name]) =>
            bulk(name)
              ? [
                  name,
                  200,
                  0,
                  rowMessage,
                ]
              : [
                  name,
                  400,
                  undefined,
                  asOfMessage,
                ],
          ),
        );
      },
    );

    it('never quotes a malformed body and never sends a stack trace', async () => {
      const env = process.env.NODE_ENV;
      process.env.NODE_ENV = 'development';
      try {
        const res = await request(server)
          .post(`${api}/data/customers`)
          .set('Content-Type', 'application/json')
          .send(
            '{"items":[{"id":"c9","name":"Grace Hopper","email":"grace@example.com",}]}',
          );
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(/not valid JSON/);
        const text = JSON.stringify(res.body);
        expect(text).not.toMatch(/Grace|grace@example/);
        expect(text).not.toMatch(/stack|at .*\.ts:/);
        expect(res.body.requestId).toBe(res.headers['x-request-id']);
        const missing = await request(server).get(`${api}/rules/nope`);
        expect(missing.status).toBe(404);
        expect(missing.body.error.stack).toBeUndefined();
      } finally {
        process.env.NODE_ENV = env;
      }
    });

    it('bounds amounts, refuses reserved attribute keys, and trims ids on lookup as on ingestion', async () => {
      const orders = await request(server)
        .post(`${api}/data/orders`)
        .send({
          items: [
            {
              id: 'big1',
              customerId: 'c2',
              orderedAt: '2024-06-01T00:00:00Z',
              amount: 1.7e308,
              status: 'completed',
            },
            {
              id: 'ok1',
              customerId: 'c2',
              orderedAt: '2024-06-01T00:00:00Z',
              amount: 1e12,
              status: 'completed',
            },
          ],
        });
      expect(orders.body.accepted).toBe(1);
      expect(orders.body.rejected).toEqual([
        expect.objectContaining({
          index: 0,
          errors: [
            expect.objectContaining({
              field: 'amount',
              message: expect.stringMatching(/at most/),
            }),
          ],
        }),
      ]);
      const proto = await request(server)
        .post(`${api}/data/customers`)
        .set('Content-Type', 'application/json')
        .send(
          '{"items":[{"id":"p1","createdAt":"2024-01-01T00:00:00Z","attributes":{"__proto__":"x"}}]}',
        );
      expect(proto.body.accepted).toBe(0);
      expect(JSON.stringify(proto.body.rejected)).toMatch(/reserved/);
      const trimmed = await request(server).get(
        `${api}/data/customers/%20c1%20`,
      );
      expect(trimmed.status).toBe(200);
      expect(trimmed.body.id).toBe('c1');
      const lone = await request(server)
        .post(`${api}/data/customers`)
        .send({ items: [customer('s1', { name: 'x\uD800' })] });
      expect(lone.status).toBe(400);
      expect(lone.body.error.message).toMatch(
        /body\.items\[0\]\.name: .*lone surrogate/,
      );
    });

    it('answers 415 to a body that is not JSON, and starts nothing', async () => {
      const before = await request(server).get(`${api}/executions?limit=200`);
      const res = await request(server)
        .post(`${api}/rules/${vip.id}/execute`)
        .set('Content-Type', 'text/plain')
        .send('{"asOf":"2025-01-01T00:00:00Z"}');
      expect(res.status).toBe(415);
      const after = await request(server).get(`${api}/executions?limit=200`);
      expect(after.body.items.length).toBe(before.body.items.length);
    });

    it('answers 400 to path ids that are not UTF-8, on every kind of route', async () => {
      for (const [method, path] of [
        ['post', `${api}/rules/x%ED%A0%80y/preview-change`],
        ['get', `${api}/customers/x%ED%A0%80y/explain?ruleId=${'x'}`],
        ['put', `${api}/rules/x%ED%A0%80y`],
        ['get', `${api}/results/%FF`],
      ] as const) {
        const res = await (request(server) as any)[method](path).send({});
        expect([path, res.status]).toEqual([path, 400]);
      }
    });

    it('takes 2 to 50 ids for an overlap, as the spec says', async () => {
      expect(
        (await request(server).get(`${api}/overlap?ids=${vip.id}`)).status,
      ).toBe(400);
    });
  },
);
