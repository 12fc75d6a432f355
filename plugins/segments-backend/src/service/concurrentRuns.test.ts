import request from 'supertest';
import { createRule, ingest, leaf } from '../__testUtils__/api';
import { databases, startSegmentsBackend } from '../__testUtils__/testBackend';

jest.setTimeout(120_000);

describe.each(databases.eachSupportedId())(
  'concurrent run requests on %s',
  databaseId => {
    it('answers 202 to one request and 409 naming its execution to the others', async () => {
      const { server } = await startSegmentsBackend(databaseId);
      await ingest(server, {
        customers: Array.from({ length: 2000 }, (_, i) => ({
          id: `c${i}`,
          createdAt: '2024-01-01T00:00:00Z',
          country: 'TW',
        })),
      });
      const rule = await createRule(server, {
        name: 'tw',
        conditions: [leaf('country', 'eq', 'TW', 'string')],
      });
      for (let round = 0; round < 3; round++) {
        const answers = await Promise.all(
          Array.from({ length: 10 }, () =>
            request(server)
              .post(`/api/segments/rules/${rule.id}/execute`)
              .send({}),
          ),
        );
        const statuses = answers.map(a => a.status).sort();
        expect(statuses).toEqual([202, ...Array(9).fill(409)]);
        const accepted = answers.find(a => a.status === 202)!.body.executionId;
        for (const a of answers.filter(x => x.status === 409)) {
          expect(a.body.error.message).toContain(accepted);
        }
        // Wait for the end before the next round.
        for (let i = 0; i < 200; i++) {
          const e = await request(server).get(
            `/api/segments/executions/${accepted}`,
          );
          if (['success', 'partial', 'failed'].includes(e.body.status)) break;
          await new Promise(r => setTimeout(r, 25));
        }
      }
    });
  },
);
