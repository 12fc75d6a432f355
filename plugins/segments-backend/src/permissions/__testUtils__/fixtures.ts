import request from 'supertest';
import { as } from './securedBackend';

let ruleCounter = 0;

/**
 * A small rule on `country` (the customers in TW); each call's rule differs
 * (`totalSpent >= n`, n counting up from 0) so that none is refused as an
 * equivalent of a stored one.
 */
export const ruleBody = (name: string, extra: object = {}) => ({
  name,
  status: 'active',
  logicalOperator: 'AND',
  conditions: [
    { field: 'country', operator: 'eq', value: 'TW', dataType: 'string' },
    { field: 'totalSpent', operator: 'gte', value: ruleCounter++, dataType: 'number' },
  ],
  ...extra,
});

/** Customers and rules every authorization test starts from, created through the API. */
export interface Fixtures {
  /** Eddie's (editor) segment, shared with nobody. */
  own: string;
  /** Erin's (editor) segment, shared with sales. */
  erins: string;
  /** Ada's (admin) segment, shared with marketing (vera the viewer, eddie the editor). */
  shared: string;
  /** A second segment of Ada's shared with marketing (overlaps need two). */
  shared2: string;
  results: { own: string; erins: string; shared: string };
  executionId: string;
  customerId: string;
  customerEmail: string;
}

export const CUSTOMER_NAMES = ['Mei-Ling Chen', 'Hiroshi Tanaka', 'Ana Souza', 'Jakob Müller'];

/** Ingests customers and orders, creates the three segments and runs them once. */
export async function seedFixtures(server: any): Promise<Fixtures> {
  const customers = CUSTOMER_NAMES.map((name, i) => ({
    id: `c${i + 1}`,
    name,
    email: `person${i + 1}@example.com`,
    phone: `+886 912-000-00${i}`,
    country: i % 2 ? 'JP' : 'TW',
    createdAt: '2024-01-01T00:00:00Z',
  }));
  const ingest = await request(server).post('/api/segments/data/customers').set(as.service).send({ items: customers });
  expect(ingest.status).toBe(200);
  const orders = customers.map((c, i) => ({
    id: `o${i + 1}`,
    customerId: c.id,
    orderedAt: '2024-03-01T10:00:00Z',
    amount: 100 * (i + 1),
    status: 'completed',
  }));
  expect((await request(server).post('/api/segments/data/orders').set(as.service).send({ items: orders })).status).toBe(200);

  const create = async (who: Record<string, string>, body: object) => {
    const res = await request(server).post('/api/segments/rules').set(who).send(body);
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const own = await create(as.editor, ruleBody('eddie private'));
  const erins = await create(as.editor2, ruleBody('erin for sales', { visibility: ['group:default/sales'] }));
  const shared = await create(as.admin, ruleBody('ada for marketing', { visibility: ['group:default/marketing'] }));
  const shared2 = await create(
    as.admin,
    ruleBody('ada for marketing too', { visibility: ['group:default/marketing'], priority: 2 }),
  );

  const run = await request(server).post('/api/segments/execute').set(as.admin).send({});
  expect(run.status).toBe(202);
  const executionId = run.body.executionId as string;
  await waitForExecution(server, executionId);

  const resultOf = async (ruleId: string) => {
    const res = await request(server).get(`/api/segments/rules/${ruleId}`).set(as.admin);
    expect(res.body.latestResult?.resultId).toBeTruthy();
    return res.body.latestResult.resultId as string;
  };
  return {
    own,
    erins,
    shared,
    shared2,
    results: { own: await resultOf(own), erins: await resultOf(erins), shared: await resultOf(shared) },
    executionId,
    customerId: 'c1',
    customerEmail: 'person1@example.com',
  };
}

/** Polls an execution until it has finished. */
export async function waitForExecution(server: any, id: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await request(server).get(`/api/segments/executions/${id}`).set(as.admin);
    if (['success', 'partial', 'failed'].includes(res.body.status)) {
      expect(res.body.status).toBe('success');
      return;
    }
    if (Date.now() > deadline) throw new Error(`Execution ${id} did not finish: ${JSON.stringify(res.body)}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

/** Waits until no execution is queued or running (so that a test's runs do not overlap). */
export async function waitForIdle(server: any, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await request(server).get('/api/segments/executions?limit=200').set(as.admin);
    if (!res.body.items.some((e: any) => e.status === 'queued' || e.status === 'running')) return;
    if (Date.now() > deadline) throw new Error('Executions did not finish');
    await new Promise(r => setTimeout(r, 100));
  }
}
