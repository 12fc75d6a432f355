import { DAY_MS, SegmentRule } from '@internal/plugin-segments-common';
import request from 'supertest';
import { createRule, ingest, leaf, waitForExecution } from '../__testUtils__/api';
import { waitFor } from '../__testUtils__/engineHelpers';
import { databases, startSegmentsBackend } from '../__testUtils__/testBackend';

jest.setTimeout(120_000);

const T = Date.parse('2025-06-01T00:00:00Z');
const ASOF = new Date(T).toISOString();
const customers = Array.from({ length: 30 }, (_, i) => ({
  id: `k${String(i).padStart(2, '0')}`,
  createdAt: '2024-01-01T00:00:00Z',
  country: ['TW', 'JP', 'US'][i % 3],
  ...(i % 4 === 0 ? {} : { birthDate: `${1960 + i}-05-01` }),
}));
const orders = customers.flatMap((c, i) =>
  Array.from({ length: i % 5 }, (_, k) => ({
    id: `${c.id}-${k}`,
    customerId: c.id,
    orderedAt: new Date(T - (k * 17 + i) * DAY_MS).toISOString(),
    amount: 100 * (i + k),
    status: 'completed',
  })),
);

describe.each(databases.eachSupportedId())('execution resilience on %s', databaseId => {
  it('retries a failed run with backoff and succeeds once the cause is gone', async () => {
    const { server, knex } = await startSegmentsBackend(databaseId, {
      segments: { execution: { maxAttempts: 3, retryBaseSeconds: 1.5 } },
    });
    await ingest(server, { customers, orders });
    const rule = await createRule(server, { name: 'Spenders', conditions: [leaf('totalSpent', 'gt', 500, 'number')] });
    const good = await knex('segment_rules').where({ id: rule.id }).first('conditions');
    // Stored conditions no database can evaluate: the first attempt fails.
    await knex('segment_rules').where({ id: rule.id }).update({
      conditions: JSON.stringify([{ field: 'totalSpent', operator: 'gt', value: { x: 1 }, dataType: 'number' }]),
    });
    const { executionId } = (await request(server).post(`/api/segments/rules/${rule.id}/execute`).send({ asOf: ASOF })).body;
    const retrying = await waitFor(async () => {
      const e = (await request(server).get(`/api/segments/executions/${executionId}`)).body;
      return e.log.some((l: any) => /retrying in 2 s \(attempt 2 of 3\)/.test(l.message)) ? e : undefined;
    });
    expect(retrying.status).toBe('queued');
    expect(retrying.nextAttemptAt).toEqual(expect.any(String));
    await knex('segment_rules').where({ id: rule.id }).update({ conditions: good.conditions });

    const done = await waitForExecution(server, executionId);
    expect(done.status).toBe('success');
    expect(done.attempt).toBe(2);
    expect(done.error).toBeUndefined();
    const messages = done.log.map(l => l.message);
    expect(messages.filter(m => /^started \(attempt 1\)/.test(m))).toHaveLength(1);
    expect(messages.some(m => /^(started|resumed) \(attempt 2\)/.test(m))).toBe(true);
    expect(messages.some(m => /^finished: failed/.test(m))).toBe(true);
    expect(messages[messages.length - 1]).toBe('finished: success');
  });

  it('aborts a run that passes its timeout and records why', async () => {
    const { server } = await startSegmentsBackend(databaseId, {
      segments: { execution: { maxAttempts: 1, timeoutSeconds: 0.001 } },
    });
    await ingest(server, { customers, orders });
    const rule = await createRule(server, { name: 'Any', conditions: [leaf('orderCount', 'gte', 0, 'number')] });
    await new Promise(r => setTimeout(r, 5));
    const { executionId } = (await request(server).post(`/api/segments/rules/${rule.id}/execute`).send({ asOf: ASOF })).body;
    const done = await waitForExecution(server, executionId);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/timed out|timeout/i);
    expect((await request(server).get(`/api/segments/results?segmentRuleId=${rule.id}`)).body.totalCount).toBe(0);
  });

  it('counts customers skipped for missing data per field in the log', async () => {
    const { server } = await startSegmentsBackend(databaseId);
    await ingest(server, { customers, orders });
    const rule = await createRule(server, {
      name: 'Young buyers',
      conditions: [leaf('age', 'lt', 50, 'number'), leaf('daysSinceLastOrder', 'lte', 400, 'number')],
    });
    const { executionId } = (await request(server).post(`/api/segments/rules/${rule.id}/execute`).send({ asOf: ASOF })).body;
    const done = await waitForExecution(server, executionId);
    const noBirth = customers.filter(c => !c.birthDate).length;
    const noOrders = customers.filter((_, i) => i % 5 === 0).length;
    expect(done.log.map(l => l.message)).toContain(
      `Young buyers: skipped ${noBirth}: no birthDate; skipped ${noOrders}: no completed orders`,
    );
  });

  it('runs 10 rules requested at the same time, each exactly once and correctly', async () => {
    const { server, knex } = await startSegmentsBackend(databaseId);
    await ingest(server, { customers, orders });
    const rules: SegmentRule[] = [];
    for (let i = 0; i < 10; i++) {
      rules.push(await createRule(server, { name: `r${i}`, conditions: [leaf('totalSpent', 'gte', i * 150, 'number')] }));
    }
    const answers = await Promise.all(
      rules.map(r => request(server).post(`/api/segments/rules/${r.id}/execute`).send({ asOf: ASOF })),
    );
    expect(answers.map(a => a.status)).toEqual(Array(10).fill(202));
    const again = await request(server).post(`/api/segments/rules/${rules[9].id}/execute`).send({ asOf: ASOF });
    // Already queued or running (409 naming it), or already finished (a new run).
    expect([202, 409]).toContain(again.status);
    expect(again.status === 202 || again.body.error.message.includes(answers[9].body.executionId)).toBe(true);
    // Two requests for one segment at the same instant never both start a run.
    const twins = await Promise.all(
      [0, 1].map(() => request(server).post(`/api/segments/rules/${rules[0].id}/execute`).send({ asOf: ASOF })),
    );
    expect(twins.every(t => t.status === 202 || t.status === 409)).toBe(true);
    const started = [...answers, ...twins.filter(t => t.status === 202)];
    const finished = await Promise.all(started.map(a => waitForExecution(server, a.body.executionId)));
    expect(finished.map(e => e.status)).toEqual(Array(started.length).fill('success'));
    // However fast runs are, a run of a segment was only created when no other was queued or running.
    const runs = await knex('segment_executions').where({ segment_rule_id: rules[0].id }).orderBy('created_at');
    for (let i = 1; i < runs.length; i++) {
      expect(Number(runs[i].created_at)).toBeGreaterThanOrEqual(Number(runs[i - 1].finished_at));
    }
    for (const rule of rules) {
      const preview = await request(server)
        .post('/api/segments/rules/preview')
        .send({ rule: { name: rule.name, logicalOperator: 'AND', conditions: rule.conditions }, asOf: ASOF });
      const results = (await request(server).get(`/api/segments/results?segmentRuleId=${rule.id}`)).body;
      expect(results.items[0].customerCount).toBe(preview.body.estimatedCount);
    }
  });
});
