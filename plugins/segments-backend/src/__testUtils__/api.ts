import { SegmentCondition, SegmentExecution, SegmentRule } from '@internal/plugin-segments-common';
import request from 'supertest';
import { waitFor } from './engineHelpers';

type Server = Parameters<typeof request>[0];

/** Posts customers and orders; fails the test on any rejection. */
export async function ingest(server: Server, data: { customers?: object[]; orders?: object[] }) {
  for (const [path, items] of [
    ['/api/segments/data/customers', data.customers],
    ['/api/segments/data/orders', data.orders],
  ] as const) {
    if (!items?.length) continue;
    const res = await request(server).post(path).send({ items });
    if (res.status !== 200 || res.body.rejected.length) {
      throw new Error(`ingest ${path} failed: ${res.status} ${JSON.stringify(res.body)}`);
    }
  }
}

/** A leaf condition. */
export const leaf = (field: string, operator: string, value: unknown, dataType: string): SegmentCondition =>
  ({ field, operator, dataType, ...(value === undefined ? {} : { value }) }) as SegmentCondition;

/** Creates a rule over HTTP (201 expected); defaults to an active AND rule. */
export async function createRule(server: Server, body: Record<string, unknown>): Promise<SegmentRule> {
  const res = await request(server)
    .post('/api/segments/rules')
    .send({ status: 'active', logicalOperator: 'AND', ...body });
  if (res.status !== 201) throw new Error(`create rule failed: ${res.status} ${JSON.stringify(res.body)}`);
  // Rules created in the same millisecond would tie on createdAt.
  await new Promise(r => setTimeout(r, 3));
  return res.body;
}

/** Polls GET /executions/:id until the execution has finished. */
export async function waitForExecution(server: Server, executionId: string): Promise<SegmentExecution> {
  return waitFor(async () => {
    const res = await request(server).get(`/api/segments/executions/${executionId}`);
    if (res.status !== 200) throw new Error(`GET execution: ${res.status} ${JSON.stringify(res.body)}`);
    return ['success', 'partial', 'failed'].includes(res.body.status) ? res.body : undefined;
  });
}

/** Runs one rule (or every active rule without a rule id) and waits for the end. */
export async function execute(server: Server, options: { ruleId?: string; asOf?: string } = {}) {
  const path = options.ruleId ? `/api/segments/rules/${options.ruleId}/execute` : '/api/segments/execute';
  const res = await request(server)
    .post(path)
    .send(options.asOf ? { asOf: options.asOf } : {});
  if (res.status !== 202) throw new Error(`execute failed: ${res.status} ${JSON.stringify(res.body)}`);
  return waitForExecution(server, res.body.executionId);
}

/** Current member ids of a rule, from its latest result's member list. */
export async function currentMembers(server: Server, ruleId: string): Promise<string[]> {
  const rule = await request(server).get(`/api/segments/rules/${ruleId}`);
  const resultId = rule.body.latestResult?.resultId;
  if (!resultId) throw new Error(`rule ${ruleId} has no result`);
  const res = await request(server).get(`/api/segments/results/${resultId}/customers?limit=1000`);
  return res.body.items.map((c: { id: string }) => c.id).sort();
}
