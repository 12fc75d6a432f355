import { DAY_MS } from '@internal/plugin-segments-common';
import request from 'supertest';
import { createRule, currentMembers, execute, ingest, leaf, waitForExecution } from '../__testUtils__/api';
import { databases, startSegmentsBackend } from '../__testUtils__/testBackend';

jest.setTimeout(120_000);

const T = Date.parse('2025-06-01T00:00:00Z');
const at = (days: number) => new Date(T + days * DAY_MS).toISOString();
const ASOF = at(0);

const customer = (id: string, extra: object = {}) => ({ id, createdAt: '2024-01-01T00:00:00Z', ...extra });
const order = (id: string, customerId: string, days: number, amount: number, status = 'completed') => ({
  id,
  customerId,
  orderedAt: at(days),
  amount,
  status,
});

/**
 * At ASOF: r1 spent 1200 (2 orders, and 100 more three days later), r2 1500
 * (100 days ago, so no order in the last 90 days), r3 1100, r4 500, r5
 * nothing, r6 nothing yet (2000 five days after ASOF).
 */
const DATA = {
  customers: [
    customer('r1', { name: 'Alice Chen', country: 'TW', tier: 'gold' }),
    customer('r2', { name: 'Bob Lin', country: 'JP', tier: 'silver' }),
    customer('r3', { name: 'Carol Wu', country: 'TW', tier: 'silver' }),
    customer('r4', { name: 'Dan Ng', country: 'US', tier: 'gold' }),
    customer('r5', { name: 'Eve Tan' }),
    customer('r6', { name: 'Frank Ho', country: 'TW' }),
  ],
  orders: [
    order('r1a', 'r1', -10, 800),
    order('r1b', 'r1', -200, 400),
    order('r1c', 'r1', 3, 100),
    order('r2a', 'r2', -100, 1500),
    order('r3a', 'r3', -5, 1100),
    order('r4a', 'r4', -20, 500),
    order('r6a', 'r6', 5, 2000),
  ],
};
const SPENDERS = [leaf('totalSpent', 'gt', 1000, 'number')];

const count = async (knex: any, table: string, where: object = {}) =>
  Number((await knex(table).where(where).count({ n: '*' }))[0].n);

describe.each(databases.eachSupportedId())('executions and results on %s', databaseId => {
  it('executes one rule (202, poll to success) and all active rules', async () => {
    const { server } = await startSegmentsBackend(databaseId);
    await ingest(server, DATA);
    const spenders = await createRule(server, { name: 'Spenders', conditions: SPENDERS });
    // Same members, different conditions (equivalent rules are refused).
    const draft = await createRule(server, { name: 'Draft', status: 'draft', conditions: [leaf('totalSpent', 'gte', 1050, 'number')] });
    const inactive = await createRule(server, { name: 'Inactive', status: 'inactive', conditions: [leaf('totalSpent', 'gt', 999, 'number')] });

    const accepted = await request(server).post(`/api/segments/rules/${draft.id}/execute`).send({ asOf: ASOF });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ executionId: expect.any(String) });
    const one = await waitForExecution(server, accepted.body.executionId);
    expect(one).toMatchObject({
      id: accepted.body.executionId,
      segmentRuleId: draft.id,
      status: 'success',
      asOf: ASOF,
      progress: { processed: 1, total: 1 },
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
    });
    expect(one.error).toBeUndefined();
    expect(one.log.length).toBeGreaterThan(0);
    expect(one.log.every(l => l.level !== 'error')).toBe(true);
    // A draft can be run on its own; its members are those of the rule.
    expect(await currentMembers(server, draft.id)).toEqual(['r1', 'r2', 'r3']);

    const all = await execute(server, { asOf: ASOF });
    expect(all.status).toBe('success');
    expect(all.segmentRuleId).toBeUndefined();
    expect(all.progress).toEqual({ processed: 1, total: 1 });
    expect(await currentMembers(server, spenders.id)).toEqual(['r1', 'r2', 'r3']);
    expect((await request(server).get(`/api/segments/results?segmentRuleId=${inactive.id}`)).body.totalCount).toBe(0);
    expect((await request(server).get(`/api/segments/results?segmentRuleId=${draft.id}`)).body.totalCount).toBe(1);

    const list = await request(server).get('/api/segments/executions');
    expect(list.status).toBe(200);
    expect(list.body.items.map((e: { id: string }) => e.id).slice(0, 2)).toEqual([all.id, one.id]);
    expect((await request(server).get('/api/segments/executions?limit=1')).body.items).toHaveLength(1);

    // The rule shows when it last ran.
    const rule = await request(server).get(`/api/segments/rules/${spenders.id}`);
    expect(rule.body.lastExecutedAt).toEqual(expect.any(String));
    expect(rule.body.latestResult).toMatchObject({ customerCount: 3, added: 3, removed: 0, status: 'success' });

    // Bad requests.
    expect((await request(server).post('/api/segments/execute').send({ asOf: 'soon' })).status).toBe(400);
    expect((await request(server).post('/api/segments/execute').send({ asOf: ASOF, rules: [] })).status).toBe(400);
  });

  it('answers 409 to a second execute while one is queued or running', async () => {
    const { server, knex } = await startSegmentsBackend(databaseId);
    await ingest(server, DATA);
    const a = await createRule(server, { name: 'A', conditions: SPENDERS });
    const b = await createRule(server, { name: 'B', conditions: [leaf('totalSpent', 'gt', 900, 'number')] });
    // An execution of A that another instance has queued (fresh heartbeat).
    const blocking = '11111111-1111-4111-8111-111111111111';
    await knex('segment_executions').insert({
      id: blocking,
      segment_rule_id: a.id,
      status: 'queued',
      as_of: T,
      created_by: 'user:default/other',
      created_at: Date.now(),
      ...((await knex.schema.hasColumn('segment_executions', 'heartbeat_at')) ? { heartbeat_at: Date.now() + 3_600_000 } : {}),
    });
    const again = await request(server).post(`/api/segments/rules/${a.id}/execute`).send({ asOf: ASOF });
    expect(again.status).toBe(409);
    expect(again.body.error.name).toBe('ConflictError');
    expect(again.body.error.message).toContain(blocking);
    // A run of all segments covers A too.
    expect((await request(server).post('/api/segments/execute').send({ asOf: ASOF })).status).toBe(409);
    // Another segment may run.
    expect((await execute(server, { ruleId: b.id, asOf: ASOF })).status).toBe('success');

    // While a run of all segments is running, nothing else may start.
    await knex('segment_executions').where({ id: blocking }).update({ segment_rule_id: null, status: 'running' });
    expect((await request(server).post(`/api/segments/rules/${b.id}/execute`).send({})).status).toBe(409);
    expect((await request(server).post('/api/segments/execute').send({})).status).toBe(409);
    await knex('segment_executions').where({ id: blocking }).update({ status: 'failed', finished_at: Date.now() });
    expect((await execute(server, { asOf: ASOF })).status).toBe('success');
  });

  it('reports exactly who was added, removed and maintained, with statistics, members and history', async () => {
    const { server } = await startSegmentsBackend(databaseId);
    await ingest(server, DATA);
    const rule = await createRule(server, { name: 'Spenders', conditions: SPENDERS });

    const run1 = await execute(server, { ruleId: rule.id, asOf: ASOF });
    expect(run1.status).toBe('success');

    // r3's order is refunded (r3 leaves); r4 buys again (r4 enters).
    await ingest(server, { orders: [order('r3a', 'r3', -5, 1100, 'refunded'), order('r4b', 'r4', -1, 700)] });
    const run2 = await execute(server, { ruleId: rule.id, asOf: ASOF });
    expect(run2.status).toBe('success');

    // Ten days later r6's order counts (r6 enters) and r1 has spent 100 more.
    const run3 = await execute(server, { ruleId: rule.id, asOf: at(10) });
    expect(run3.status).toBe('success');

    const results = await request(server).get(`/api/segments/results?segmentRuleId=${rule.id}`);
    expect(results.status).toBe(200);
    expect(results.body.totalCount).toBe(3);
    expect(results.body.items.map((r: { executionId: string }) => r.executionId)).toEqual([run3.id, run2.id, run1.id]);
    const [r3, r2, r1] = results.body.items;

    expect(r1).toMatchObject({
      segmentRuleId: rule.id,
      customerCount: 3,
      status: 'success',
      changes: { added: 3, removed: 0, maintained: 0 },
      statistics: { totalRevenue: 3800, orderCount: 4, avgOrderValue: 950 },
    });
    expect(r1.statistics.churnRate).toBeCloseTo(1 / 3, 10);
    expect(r2).toMatchObject({
      customerCount: 3,
      changes: { added: 1, removed: 1, maintained: 2 },
      statistics: { totalRevenue: 3900, orderCount: 5, avgOrderValue: 780 },
    });
    expect(r2.statistics.churnRate).toBeCloseTo(1 / 3, 10);
    expect(r3).toMatchObject({
      customerCount: 4,
      changes: { added: 1, removed: 0, maintained: 3 },
      statistics: { totalRevenue: 1300 + 1500 + 1200 + 2000, orderCount: 7 },
    });
    expect(r2.executionTime).toEqual(expect.any(Number));
    expect(Date.parse(r2.executedAt)).toBeGreaterThan(0);
    expect((await request(server).get(`/api/segments/results/${r2.id}`)).body).toMatchObject(r2);

    const changes = async (resultId: string, type: string, query = '') => {
      const res = await request(server).get(`/api/segments/results/${resultId}/changes?type=${type}${query}`);
      expect(res.status).toBe(200);
      return res.body;
    };
    expect(await changes(r1.id, 'added')).toEqual({ items: ['r1', 'r2', 'r3'], totalCount: 3 });
    expect(await changes(r1.id, 'removed')).toEqual({ items: [], totalCount: 0 });
    expect(await changes(r1.id, 'maintained')).toEqual({ items: [], totalCount: 0 });
    expect(await changes(r2.id, 'added')).toEqual({ items: ['r4'], totalCount: 1 });
    expect(await changes(r2.id, 'removed')).toEqual({ items: ['r3'], totalCount: 1 });
    expect(await changes(r2.id, 'maintained')).toEqual({ items: ['r1', 'r2'], totalCount: 2 });
    expect(await changes(r2.id, 'maintained', '&limit=1&offset=1')).toEqual({ items: ['r2'], totalCount: 2 });
    expect(await changes(r3.id, 'added')).toEqual({ items: ['r6'], totalCount: 1 });
    expect(await changes(r3.id, 'removed')).toEqual({ items: [], totalCount: 0 });
    expect(await changes(r3.id, 'maintained')).toEqual({ items: ['r1', 'r2', 'r4'], totalCount: 3 });
    for (const query of ['', '?type=gone', '?type=added&limit=0']) {
      expect((await request(server).get(`/api/segments/results/${r2.id}/changes${query}`)).status).toBe(400);
    }

    // Members of a result, with features at that result's asOf (over today's data: r3's order has since been
    // refunded; r1's order three days after asOf does not count), paged and searched.
    const members = async (resultId: string, query = '') => {
      const res = await request(server).get(`/api/segments/results/${resultId}/customers${query}`);
      expect(res.status).toBe(200);
      return res.body;
    };
    expect(await members(r1.id)).toEqual({
      items: [
        { id: 'r1', name: 'Alice Chen', country: 'TW', tier: 'gold', totalSpent: 1200 },
        { id: 'r2', name: 'Bob Lin', country: 'JP', tier: 'silver', totalSpent: 1500 },
        { id: 'r3', name: 'Carol Wu', country: 'TW', tier: 'silver', totalSpent: 0 },
      ],
      totalCount: 3,
    });
    expect((await members(r2.id)).items.map((c: { id: string }) => c.id)).toEqual(['r1', 'r2', 'r4']);
    expect(await members(r2.id, '?limit=2&offset=2')).toEqual({
      items: [{ id: 'r4', name: 'Dan Ng', country: 'US', tier: 'gold', totalSpent: 1200 }],
      totalCount: 3,
    });
    expect(await members(r3.id, '?limit=1')).toMatchObject({
      items: [{ id: 'r1', totalSpent: 1300 }],
      totalCount: 4,
    });
    // Search matches part of the customer id, case-insensitively; LIKE wildcards are literal.
    expect(await members(r3.id, '?search=R6')).toMatchObject({ items: [{ id: 'r6', name: 'Frank Ho' }], totalCount: 1 });
    expect(await members(r3.id, '?search=r')).toMatchObject({ totalCount: 4 });
    expect(await members(r3.id, '?search=r&limit=1&offset=3')).toMatchObject({ items: [{ id: 'r6' }], totalCount: 4 });
    expect(await members(r3.id, '?search=r3')).toEqual({ items: [], totalCount: 0 });
    expect(await members(r1.id, '?search=3')).toMatchObject({ items: [{ id: 'r3' }], totalCount: 1 });
    expect(await members(r3.id, `?search=${encodeURIComponent('%')}`)).toEqual({ items: [], totalCount: 0 });
    expect(await members(r3.id, '?search=_')).toEqual({ items: [], totalCount: 0 });

    // Results of other rules stay apart.
    const other = await createRule(server, { name: 'TW', conditions: [leaf('country', 'eq', 'TW', 'string')] });
    await execute(server, { ruleId: other.id, asOf: ASOF });
    expect((await request(server).get(`/api/segments/results?segmentRuleId=${rule.id}`)).body.totalCount).toBe(3);
    expect((await request(server).get('/api/segments/results')).body.totalCount).toBe(4);
    expect((await request(server).get(`/api/segments/results?segmentRuleId=${rule.id}&limit=1&offset=1`)).body.items[0].id).toBe(r2.id);
  });

  it('keeps the configured number of results per segment, with correct change lists for the kept ones', async () => {
    const { server, knex } = await startSegmentsBackend(databaseId, { segments: { results: { retention: 2 } } });
    await ingest(server, DATA);
    const rule = await createRule(server, { name: 'Spenders', conditions: SPENDERS });
    await execute(server, { ruleId: rule.id, asOf: ASOF }); // r1 r2 r3
    await ingest(server, { orders: [order('r3a', 'r3', -5, 1100, 'refunded')] });
    await execute(server, { ruleId: rule.id, asOf: ASOF }); // r1 r2 (r3 left)
    await ingest(server, { orders: [order('r4b', 'r4', -1, 700)] });
    await execute(server, { ruleId: rule.id, asOf: ASOF }); // r1 r2 r4 (r4 joined)
    await ingest(server, { orders: [order('r3a', 'r3', -5, 1100)] });
    const last = await execute(server, { ruleId: rule.id, asOf: ASOF }); // r1 r2 r3 r4 (r3 back)

    const results = await request(server).get(`/api/segments/results?segmentRuleId=${rule.id}`);
    expect(results.body.totalCount).toBe(2);
    const [newest, older] = results.body.items;
    expect(newest.executionId).toBe(last.id);
    const changes = async (id: string, type: string) =>
      (await request(server).get(`/api/segments/results/${id}/changes?type=${type}`)).body.items;
    expect([await changes(older.id, 'added'), await changes(older.id, 'removed'), await changes(older.id, 'maintained')]).toEqual([
      ['r4'],
      [],
      ['r1', 'r2'],
    ]);
    expect([await changes(newest.id, 'added'), await changes(newest.id, 'removed'), await changes(newest.id, 'maintained')]).toEqual([
      ['r3'],
      [],
      ['r1', 'r2', 'r4'],
    ]);
    expect(await currentMembers(server, rule.id)).toEqual(['r1', 'r2', 'r3', 'r4']);
    // r3's first spell (runs 1-2) ended before the oldest kept result: pruned.
    const spells = await knex('segment_memberships').where({ segment_rule_id: rule.id, customer_id: 'r3' });
    expect(spells).toHaveLength(1);
  });

  it('gives every customer one primary segment: lowest priority number among its root segments, ties to the earlier-created', async () => {
    const { server } = await startSegmentsBackend(databaseId);
    const flag = (key: string) => leaf(`attributes.${key}`, 'eq', true, 'boolean');
    await ingest(server, {
      customers: [
        customer('p1', { attributes: { a: true, b: true, c: true } }),
        customer('p2', { attributes: { a: true, c: true } }),
        customer('p3', { attributes: { c: true, e: true } }),
        customer('p4', { attributes: { a: true, d: true } }),
        customer('p5', { attributes: { e: true } }),
        customer('p6'),
      ],
    });
    const a = await createRule(server, { name: 'A', priority: 2, conditions: [flag('a')] });
    const b = await createRule(server, { name: 'B', priority: 1, conditions: [flag('b')] });
    const c = await createRule(server, { name: 'C', priority: 2, conditions: [flag('c')] });
    // A child with a better priority is not a root segment: it never wins.
    const d = await createRule(server, { name: 'D', priority: 1, conditions: [flag('d')], parentSegmentId: a.id });
    // An inactive segment does not run.
    await createRule(server, { name: 'E', priority: 1, status: 'inactive', conditions: [flag('e')] });

    const first = await execute(server, { asOf: ASOF });
    expect(first.status).toBe('success');
    const segmentsOf = async (id: string) => {
      const res = await request(server).get(`/api/segments/customers/${id}/segments`);
      expect(res.status).toBe(200);
      return res.body;
    };
    expect(await segmentsOf('p1')).toEqual({
      primarySegmentId: b.id,
      segments: [
        { id: b.id, name: 'B', priority: 1 },
        { id: a.id, name: 'A', priority: 2 },
        { id: c.id, name: 'C', priority: 2 },
      ],
    });
    expect((await segmentsOf('p2')).primarySegmentId).toBe(a.id); // tie with C: A is older
    expect((await segmentsOf('p3')).primarySegmentId).toBe(c.id);
    const p4 = await segmentsOf('p4');
    expect(p4.primarySegmentId).toBe(a.id);
    expect(p4.segments.map((s: { id: string }) => s.id)).toEqual([d.id, a.id]);
    expect(await segmentsOf('p5')).toEqual({ segments: [] });
    expect(await segmentsOf('p6')).toEqual({ segments: [] });
    expect(await segmentsOf('nobody')).toEqual({ segments: [] });

    // Priorities change: B drops to 3, so p1's primary becomes A (older than C).
    await request(server)
      .put(`/api/segments/rules/${b.id}`)
      .send({ name: 'B', status: 'active', priority: 3, logicalOperator: 'AND', conditions: [flag('b')] })
      .expect(200);
    expect((await execute(server, { asOf: ASOF })).status).toBe('success');
    expect((await segmentsOf('p1')).primarySegmentId).toBe(a.id);
    // C becomes the most important: it wins wherever it applies.
    await request(server)
      .put(`/api/segments/rules/${c.id}`)
      .send({ name: 'C', status: 'active', priority: 1, logicalOperator: 'AND', conditions: [flag('c')] })
      .expect(200);
    expect((await execute(server, { asOf: ASOF })).status).toBe('success');
    expect((await segmentsOf('p1')).primarySegmentId).toBe(c.id);
    expect((await segmentsOf('p2')).primarySegmentId).toBe(c.id);
    expect((await segmentsOf('p4')).primarySegmentId).toBe(a.id);
    // Only changes are written: p4's primary is still the one the first run assigned.
    const exported = await request(server).get('/api/segments/data/customers/p4/export');
    expect(exported.body.segments.primarySegment).toMatchObject({ segmentId: a.id, executionId: first.id });

    // p3 leaves C, its only root segment: it has no primary segment any more.
    await ingest(server, { customers: [customer('p3', { attributes: {} })] });
    expect((await execute(server, { asOf: ASOF })).status).toBe('success');
    expect(await segmentsOf('p3')).toEqual({ segments: [] });
    expect((await segmentsOf('p2')).primarySegmentId).toBe(c.id);
  });

  it('leaves a failing segment untouched while the others run (partial), with the error in the log', async () => {
    const { server, knex } = await startSegmentsBackend(databaseId);
    await ingest(server, DATA);
    const good = await createRule(server, { name: 'Spenders', conditions: SPENDERS });
    const bad = await createRule(server, { name: 'Taiwan', conditions: [leaf('country', 'eq', 'TW', 'string')] });
    expect((await execute(server, { asOf: ASOF })).status).toBe('success');
    expect(await currentMembers(server, bad.id)).toEqual(['r1', 'r3', 'r6']);
    const badMemberships = async () =>
      (await knex('segment_memberships').where({ segment_rule_id: bad.id }).orderBy('customer_id'))
        .map(r => ({ customer_id: r.customer_id, from_seq: Number(r.from_seq), to_seq: r.to_seq === null ? null : Number(r.to_seq) }));
    const before = await badMemberships();
    const badResult = (await request(server).get(`/api/segments/rules/${bad.id}`)).body.latestResult;

    // r7 would join both segments; r3 would leave the spenders.
    await ingest(server, {
      customers: [customer('r7', { country: 'TW' })],
      orders: [order('r7a', 'r7', -1, 5000), order('r3a', 'r3', -5, 1100, 'refunded')],
    });
    // The stored rule now makes SQL fail when it runs (a value no database can compare with a number).
    await knex('segment_rules')
      .where({ id: bad.id })
      .update({ conditions: JSON.stringify([{ field: 'totalSpent', operator: 'gt', value: { x: 1 }, dataType: 'number' }]) });

    const run = await execute(server, { asOf: ASOF });
    expect(run.status).toBe('partial');
    expect(run.error).toMatch(/1 segment\(s\) failed/);
    const errors = run.log.filter(l => l.level === 'error');
    expect(errors.some(l => l.segmentRuleId === bad.id && /Taiwan: failed/.test(l.message))).toBe(true);
    expect(run.log.some(l => l.segmentRuleId === good.id && l.level === 'info')).toBe(true);

    // The good segment moved on, the bad one kept its memberships and its latest result.
    expect(await currentMembers(server, good.id)).toEqual(['r1', 'r2', 'r7']);
    expect(await badMemberships()).toEqual(before);
    expect((await request(server).get(`/api/segments/rules/${bad.id}`)).body.latestResult).toEqual(badResult);
    expect((await request(server).get(`/api/segments/results?segmentRuleId=${bad.id}`)).body.totalCount).toBe(1);
    expect(await count(knex, 'segment_run_members')).toBe(0);
    expect(await count(knex, 'segment_run_features')).toBe(0);

    // Run alone, the failing segment fails the execution, still without touching its memberships.
    const alone = await execute(server, { ruleId: bad.id, asOf: ASOF });
    expect(alone.status).toBe('failed');
    expect(alone.error).toEqual(expect.any(String));
    expect(alone.log.some(l => l.level === 'error')).toBe(true);
    expect(await badMemberships()).toEqual(before);

    // Conditions that are not even JSON: a run of every segment fails as a whole, nothing is half-written.
    await knex('segment_rules').where({ id: bad.id }).update({ conditions: '[{"field": "country", "oper' });
    await ingest(server, { orders: [order('r4b', 'r4', -1, 5000)] });
    const goodBefore = await currentMembers(server, good.id);
    const broken = await execute(server, { asOf: ASOF });
    expect(['failed', 'partial']).toContain(broken.status);
    expect(broken.log.some(l => l.level === 'error')).toBe(true);
    expect(await badMemberships()).toEqual(before);
    expect(await count(knex, 'segment_results', { segment_rule_id: bad.id })).toBe(1);
    // The good segment either ran completely (r4 joins) or not at all.
    expect([goodBefore, [...goodBefore, 'r4'].sort()]).toContainEqual(await currentMembers(server, good.id));
    expect(await count(knex, 'segment_run_members')).toBe(0);
    expect(await count(knex, 'segment_run_features')).toBe(0);
  });
});
