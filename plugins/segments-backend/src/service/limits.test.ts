import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { databases, startSegmentsBackend } from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const rule = { name: 'x', logicalOperator: 'AND', conditions: [] };

describe.each(databases.eachSupportedId())(
  'limits that protect the service on %s',
  databaseId => {
    let server: any;

    beforeAll(async () => {
      ({ server } = await startSegmentsBackend(databaseId, {
        segments: { rateLimit: { expensivePerMinute: 3 } },
      }));
    });

    it('answers 429 with Retry-After to a caller past the limit of expensive routes, per caller', async () => {
      const ada = mockCredentials.user.header('user:default/ada');
      const bob = mockCredentials.user.header('user:default/bob');
      const preview = (who: string) =>
        request(server)
          .post('/api/segments/rules/preview')
          .set('Authorization', who)
          .send({ rule });
      for (let i = 0; i < 3; i++) expect((await preview(ada)).status).toBe(200);
      const refused = await preview(ada);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.body.error.name).toBe('TooManyRequestsError');
      // The overlap is expensive too and counts against the same budget.
      expect(
        (
          await request(server)
            .get('/api/segments/overlap?ids=a,b')
            .set('Authorization', ada)
        ).status,
      ).toBe(429);
      // Ids that are not UTF-8 on a limited route: Express refuses them (400), not a 500.
    const carol = mockCredentials.user.header('user:default/carol');
    const badId = await request(server)
      .post('/api/segments/rules/x%ED%A0%80y/preview-change')
      .set('Authorization', carol)
      .send({ rule });
    expect(badId.status).toBe(400);
    // Another caller has a budget of its own; cheap routes are not limited.
      expect((await preview(bob)).status).toBe(200);
      expect(
        (
          await request(server)
            .get('/api/segments/rules')
            .set('Authorization', ada)
        ).status,
      ).toBe(200);
    });

    it('refuses bodies over 25 MB (413) and rules past the documented depth and size (400)', async () => {
      const big = await request(server)
        .post('/api/segments/rules')
        .set('Content-Type', 'application/json')
        .send(`{"name":"${'x'.repeat(26 * 1024 * 1024)}"}`);
      expect(big.status).toBe(413);
      expect(big.body.error.message).toBe(
        'The request body is larger than 25mb',
      );
      let deep: any = {
        field: 'country',
        operator: 'eq',
        value: 'TW',
        dataType: 'string',
      };
      for (let i = 0; i < 11; i++)
        deep = { logicalOperator: 'AND', subConditions: [deep] };
      const tooDeep = await request(server)
        .post('/api/segments/rules')
        .send({ ...rule, status: 'active', conditions: [deep] });
      expect(tooDeep.status).toBe(400);
      expect(tooDeep.body.error.message).toMatch(/nest|deep|depth/i);
      const leaf = {
        field: 'totalSpent',
        operator: 'gt',
        value: 1,
        dataType: 'number',
      };
      const tooMany = await request(server)
        .post('/api/segments/rules')
        .send({
          ...rule,
          status: 'active',
          conditions: Array.from({ length: 201 }, () => leaf),
        });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.error.message).toMatch(/at most 200/);
    });
  },
);
