import request from 'supertest';
import {
  createRule,
  ingest,
  leaf,
  waitForExecution,
} from '../__testUtils__/api';
import { databases, startSegmentsBackend } from '../__testUtils__/testBackend';

jest.setTimeout(120_000);

describe.each(databases.eachSupportedId())(
  'concurrent run requests on %s',
  databaseId => {
    it('answers 409 naming the run to requests made while it is queued or running', async () => {
      const { server, knex } = await startSegmentsBackend(databaseId);
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
        // A request may come after an accepted run ended (then 202 is right), but two
        // accepted runs never overlap, and every 409 names one of them.
        const accepted = answers
          .filter(a => a.status === 202)
          .map(a => a.body.executionId);
        const refused = answers.filter(a => a.status === 409);
        expect(accepted.length + refused.length).toBe(10);
        expect(refused.length).toBeGreaterThanOrEqual(5);
        for (const a of refused) {
          expect(accepted.some(id => a.body.error.message.includes(id))).toBe(
            true,
          );
        }
        for (const id of accepted) await waitForExecution(server, id);
        // Each accepted request was created only after the previous accepted run had ended.
        const rows = await knex('segment_executions')
          .whereIn('id', accepted)
          .orderBy('created_at')
          .select('created_at', 'finished_at');
        for (let i = 1; i < rows.length; i++) {
          expect(Number(rows[i].created_at)).toBeGreaterThanOrEqual(
            Number(rows[i - 1].finished_at),
          );
        }
      }
    });
  },
);
