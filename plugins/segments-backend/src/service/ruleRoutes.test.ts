import request from 'supertest';
import { sampleBucket } from '../engine/sampleBucket';
import { createRule, currentMembers, execute, ingest, leaf } from '../__testUtils__/api';
import { databases, startSegmentsBackend } from '../__testUtils__/testBackend';

jest.setTimeout(120_000);

const ASOF = '2025-06-01T00:00:00.000Z';
const pad = (i: number) => `h${String(i).padStart(2, '0')}`;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);

/**
 * 25 customers: odd numbers in TW, even in JP; every third gold, the rest
 * silver; customer i spent 10 * i before ASOF (h25 has another order after it).
 */
const DATA = {
  customers: range(1, 25).map(i => ({
    id: pad(i),
    name: `Customer ${i}`,
    country: i % 2 ? 'TW' : 'JP',
    tier: i % 3 === 0 ? 'gold' : 'silver',
    createdAt: '2024-01-01T00:00:00Z',
  })),
  orders: [
    ...range(1, 25).map(i => ({
      id: `o${i}`,
      customerId: pad(i),
      orderedAt: '2025-01-10T00:00:00Z',
      amount: 10 * i,
      status: 'completed',
    })),
    { id: 'late', customerId: pad(25), orderedAt: '2025-07-01T00:00:00Z', amount: 5000, status: 'completed' },
  ],
};

const TW = leaf('country', 'eq', 'TW', 'string');
const RICH = leaf('totalSpent', 'gt', 100, 'number');
const GOLD = leaf('tier', 'eq', 'gold', 'string');

describe.each(databases.eachSupportedId())('rules API on %s', databaseId => {
  it('creates, reads, updates and lists rules; 400 with paths and 404 for unknown ids', async () => {
    const { server } = await startSegmentsBackend(databaseId);
    const created = await request(server)
      .post('/api/segments/rules')
      .send({ name: 'VIP', logicalOperator: 'AND', conditions: [RICH], description: 'big spenders' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: 'VIP',
      description: 'big spenders',
      status: 'draft',
      priority: 100,
      logicalOperator: 'AND',
      conditions: [RICH],
      childSegments: [],
      createdBy: expect.any(String),
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const id = created.body.id;
    expect((await request(server).get(`/api/segments/rules/${id}`)).body).toEqual(created.body);

    const updated = await request(server)
      .put(`/api/segments/rules/${id}`)
      .send({ name: 'VIP 2', logicalOperator: 'OR', conditions: [RICH, TW], status: 'active', priority: 5 });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id, name: 'VIP 2', logicalOperator: 'OR', status: 'active', priority: 5, description: '' });
    expect(updated.body.conditions).toEqual([RICH, TW]);
    expect(Date.parse(updated.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.body.createdAt));
    expect((await request(server).get(`/api/segments/rules/${id}`)).body.name).toBe('VIP 2');

    // Bad rules: 400 naming the path, nothing stored or changed.
    const bad = {
      name: 'Bad',
      logicalOperator: 'AND',
      conditions: [TW, { logicalOperator: 'OR', subConditions: [GOLD, leaf('totalSpent', 'between', [5, 1], 'number')] }],
    };
    const badCreate = await request(server).post('/api/segments/rules').send(bad);
    expect(badCreate.status).toBe(400);
    expect(badCreate.body.error.name).toBe('InputError');
    expect(badCreate.body.error.message).toContain('conditions[1].subConditions[1].value');
    const badUpdate = await request(server).put(`/api/segments/rules/${id}`).send(bad);
    expect(badUpdate.status).toBe(400);
    expect((await request(server).get(`/api/segments/rules/${id}`)).body.name).toBe('VIP 2');
    const unknownKey = await request(server).post('/api/segments/rules').send({ ...bad, conditions: [TW], owner: 'me' });
    expect(unknownKey.status).toBe(400);
    expect(unknownKey.body.error.message).toContain('unknown keys: owner');
    const unknownField = await request(server)
      .post('/api/segments/rules')
      .send({ ...bad, conditions: [leaf('shoeSize', 'gt', 40, 'number')] });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.message).toContain('conditions[0].field: unknown field "shoeSize"');
    expect((await request(server).get('/api/segments/rules')).body.totalCount).toBe(1);

    // Unknown ids: 404 everywhere.
    const ghost = '00000000-0000-4000-8000-000000000000';
    const valid = { name: 'x', logicalOperator: 'AND', conditions: [TW] };
    for (const [label, res] of [
      ['GET rule', await request(server).get(`/api/segments/rules/${ghost}`)],
      ['PUT rule', await request(server).put(`/api/segments/rules/${ghost}`).send(valid)],
      ['DELETE rule', await request(server).delete(`/api/segments/rules/${ghost}`)],
      ['execute rule', await request(server).post(`/api/segments/rules/${ghost}/execute`).send({})],
      ['GET result', await request(server).get(`/api/segments/results/${ghost}`)],
      ['GET changes', await request(server).get(`/api/segments/results/${ghost}/changes?type=added`)],
      ['GET members', await request(server).get(`/api/segments/results/${ghost}/customers`)],
      ['GET execution', await request(server).get(`/api/segments/executions/${ghost}`)],
    ] as const) {
      expect([label, res.status]).toEqual([label, 404]);
      expect(res.body.error.name).toBe('NotFoundError');
    }
  });

  it('lists rules with a status filter, a name search and paging', async () => {
    const { server } = await startSegmentsBackend(databaseId);
    const specs = [
      { name: 'VIP Taiwan', status: 'active', priority: 3 },
      { name: 'vip Japan', status: 'draft', priority: 1 },
      { name: 'Churn risk', status: 'active', priority: 2 },
      { name: '100% loyal', status: 'inactive', priority: 2 },
      { name: 'Dormant VIPs', status: 'active', priority: 9 },
    ];
    const ids: Record<string, string> = {};
    // Distinct conditions: equivalent rules are refused.
    for (const [i, s] of specs.entries()) {
      ids[s.name] = (await createRule(server, { ...s, conditions: [leaf('country', 'eq', `C${i}`, 'string')] })).id;
    }
    const names = (res: request.Response) => res.body.items.map((r: { name: string }) => r.name);

    const all = await request(server).get('/api/segments/rules');
    expect(all.status).toBe(200);
    expect(all.body.totalCount).toBe(5);
    // Ordered by priority, then creation.
    expect(names(all)).toEqual(['vip Japan', 'Churn risk', '100% loyal', 'VIP Taiwan', 'Dormant VIPs']);

    const active = await request(server).get('/api/segments/rules?status=active');
    expect(names(active)).toEqual(['Churn risk', 'VIP Taiwan', 'Dormant VIPs']);
    expect(active.body.totalCount).toBe(3);

    const vip = await request(server).get('/api/segments/rules?search=VIP');
    expect(names(vip)).toEqual(['vip Japan', 'VIP Taiwan', 'Dormant VIPs']);
    const activeVip = await request(server).get('/api/segments/rules?search=vip&status=active');
    expect(names(activeVip)).toEqual(['VIP Taiwan', 'Dormant VIPs']);
    // LIKE wildcards in the search are literal.
    expect(names(await request(server).get(`/api/segments/rules?search=${encodeURIComponent('100%')}`))).toEqual(['100% loyal']);
    expect(names(await request(server).get(`/api/segments/rules?search=${encodeURIComponent('%')}`))).toEqual(['100% loyal']);
    expect(names(await request(server).get('/api/segments/rules?search=_'))).toEqual([]);

    const page = await request(server).get('/api/segments/rules?limit=2&offset=2');
    expect(names(page)).toEqual(['100% loyal', 'VIP Taiwan']);
    expect(page.body.totalCount).toBe(5);
    const last = await request(server).get('/api/segments/rules?limit=2&offset=4');
    expect(names(last)).toEqual(['Dormant VIPs']);

    for (const query of ['status=archived', 'limit=0', 'limit=abc', 'offset=-1']) {
      const res = await request(server).get(`/api/segments/rules?${query}`);
      expect([query, res.status]).toEqual([query, 400]);
    }
  });

  it('previews a rule: count, total, sample of 20, asOf, and validation errors with 200', async () => {
    const { server } = await startSegmentsBackend(databaseId);
    await ingest(server, DATA);
    const preview = (rule: object, asOf: string | null = ASOF) =>
      request(server)
        .post('/api/segments/rules/preview')
        .send({ rule: { name: 'p', logicalOperator: 'AND', ...rule }, ...(asOf ? { asOf } : {}) });

    const tw = await preview({ conditions: [TW] });
    expect(tw.status).toBe(200);
    expect(tw.body).toMatchObject({
      estimatedCount: 13,
      totalCustomers: 25,
      sample: range(1, 25)
        .filter(i => i % 2)
        .map(i => ({ id: pad(i), name: `Customer ${i}`, country: 'TW', tier: i % 3 === 0 ? 'gold' : 'silver', totalSpent: 10 * i })),
      validation: { valid: true, errors: [] },
      durationMs: expect.any(Number),
    });

    const everyone = await preview({ conditions: [leaf('totalSpent', 'gte', 0, 'number')] });
    expect(everyone.body.estimatedCount).toBe(25);
    expect(everyone.body.sample.map((s: { id: string }) => s.id)).toEqual(range(1, 20).map(pad));

    // asOf decides which orders count: none before the orders, the late order after it.
    const spent = { conditions: [leaf('totalSpent', 'gt', 240, 'number')] };
    expect((await preview(spent, '2025-01-01T00:00:00Z')).body.estimatedCount).toBe(0);
    expect((await preview(spent)).body.sample).toEqual([
      { id: 'h25', name: 'Customer 25', country: 'TW', tier: 'silver', totalSpent: 250 },
    ]);
    expect((await preview(spent, '2025-07-02T00:00:00+08:00')).body.sample[0].totalSpent).toBe(5250);
    // Without asOf, now is used: the late order (July 2025) is in the past.
    expect((await preview(spent, null)).body.sample[0].totalSpent).toBe(5250);
    const none = await preview({ conditions: [leaf('country', 'eq', 'FR', 'string')] });
    expect(none.body).toMatchObject({ estimatedCount: 0, totalCustomers: 25, sample: [] });

    const invalid = await preview({
      conditions: [TW, { logicalOperator: 'AND', subConditions: [leaf('country', 'in', [], 'string')] }],
    });
    expect(invalid.status).toBe(200);
    expect(invalid.body.validation).toEqual({
      valid: false,
      errors: [{ path: 'conditions[1].subConditions[0].value', message: 'in needs a non-empty list' }],
    });
    expect(invalid.body.estimatedCount).toBeUndefined();
    expect(invalid.body.sample).toBeUndefined();
    const incomplete = await request(server).post('/api/segments/rules/preview').send({ rule: { conditions: [] } });
    expect(incomplete.status).toBe(200);
    expect(incomplete.body.validation.valid).toBe(false);
    expect(incomplete.body.estimatedCount).toBeUndefined();

    // A malformed request (not a malformed rule) is a 400.
    expect((await request(server).post('/api/segments/rules/preview').send({ rule: {}, asOf: 'yesterday' })).status).toBe(400);
    expect((await request(server).post('/api/segments/rules/preview').send({ rule: {}, extra: 1 })).status).toBe(400);
    const badExact = await request(server).post('/api/segments/rules/preview').send({ rule: {}, exact: 'yes' });
    expect(badExact.status).toBe(400);
    expect(badExact.body.error.message).toContain('exact');
  });

  it('estimates previews of large customer bases from a sample (segments.preview), exact on request', async () => {
    const { server } = await startSegmentsBackend(databaseId, { segments: { preview: { sampleAbove: 10, sampleSize: 5 } } });
    await ingest(server, DATA);
    const preview = (extra: object = {}) =>
      request(server)
        .post('/api/segments/rules/preview')
        .send({ rule: { name: 'p', logicalOperator: 'AND', conditions: [leaf('totalSpent', 'gte', 0, 'number')] }, asOf: ASOF, ...extra });
    // 25 customers, about 5 sampled: buckets below ceil(1024 * 5 / 25) = 205.
    const sampled = (await preview()).body;
    const inSample = range(1, 25).map(pad).filter(id => sampleBucket(id) < 205);
    expect(sampled).toMatchObject({
      exact: false,
      estimatedCount: 25,
      totalCustomers: 25,
      estimate: { sampledCustomers: inSample.length, matchedInSample: inSample.length, high: 25, confidence: 0.95 },
    });
    expect(sampled.estimate.low).toBeGreaterThanOrEqual(inSample.length);
    expect(sampled.estimate.low).toBeLessThan(25);
    expect(sampled.sample.map((c: { id: string }) => c.id)).toEqual(inSample);
    const exact = (await preview({ exact: true })).body;
    expect(exact).toMatchObject({ exact: true, estimatedCount: 25 });
    expect(exact.estimate).toBeUndefined();
  });

  it('child segments get their parent members that meet their own conditions, recursively', async () => {
    const { server } = await startSegmentsBackend(databaseId);
    await ingest(server, DATA);
    const parent = await createRule(server, { name: 'TW', conditions: [TW] });
    const child = await createRule(server, { name: 'TW rich', conditions: [RICH], parentSegmentId: parent.id });
    const grandchild = await createRule(server, { name: 'TW rich gold', conditions: [GOLD], parentSegmentId: child.id });
    const rich = await createRule(server, { name: 'Rich', conditions: [RICH] });
    const gold = await createRule(server, { name: 'Gold', conditions: [GOLD] });

    expect((await request(server).get(`/api/segments/rules/${parent.id}`)).body.childSegments).toEqual([child.id]);
    expect((await request(server).get(`/api/segments/rules/${child.id}`)).body).toMatchObject({
      parentSegmentId: parent.id,
      childSegments: [grandchild.id],
    });

    const run = await execute(server, { asOf: ASOF });
    expect(run.status).toBe('success');
    expect(run.progress).toEqual({ processed: 5, total: 5 });
    const members = async (id: string) => currentMembers(server, id);
    const intersect = (a: string[], b: string[]) => a.filter(x => b.includes(x));
    const [p, c, g, r, au] = await Promise.all([parent, child, grandchild, rich, gold].map(s => members(s.id)));
    expect(p).toEqual(range(1, 25).filter(i => i % 2).map(pad));
    expect(c).toEqual(intersect(p, r));
    expect(g).toEqual(intersect(c, au));
    expect(c).toEqual([11, 13, 15, 17, 19, 21, 23, 25].map(pad));
    expect(g).toEqual([pad(15), pad(21)]);

    // Running the child alone still applies its ancestors' conditions.
    const alone = await execute(server, { ruleId: grandchild.id, asOf: ASOF });
    expect(alone.status).toBe('success');
    expect(await members(grandchild.id)).toEqual([pad(15), pad(21)]);

    // Preview of a rule with a parent applies the parent's chain too.
    const preview = await request(server)
      .post('/api/segments/rules/preview')
      .send({ rule: { name: 'x', logicalOperator: 'AND', conditions: [GOLD], parentSegmentId: child.id }, asOf: ASOF });
    expect(preview.body.estimatedCount).toBe(2);
    // A parent that does not exist makes the rule invalid, as saving it would be; an existing one is fine.
    const previewWithParent = (parentSegmentId: string) =>
      request(server)
        .post('/api/segments/rules/preview')
        .send({ rule: { name: 'x', logicalOperator: 'AND', conditions: [RICH], parentSegmentId }, asOf: ASOF });
    const ghost = await previewWithParent('ghost');
    expect(ghost.status).toBe(200);
    expect(ghost.body.validation).toEqual({
      valid: false,
      errors: [{ path: 'parentSegmentId', message: expect.stringMatching(/parent segment ghost does not exist/) }],
    });
    expect(ghost.body.estimatedCount).toBeUndefined();
    const existing = await previewWithParent(grandchild.id);
    expect(existing.status).toBe(200);
    expect(existing.body.validation.valid).toBe(true);
    expect(existing.body.estimatedCount).toBe(2);
  });

  it('refuses cycles and hierarchies deeper than 5 levels', async () => {
    const { server } = await startSegmentsBackend(databaseId);
    // Each level its own condition (a child repeating its parent would be an equivalent segment).
    const LEVELS = [TW, GOLD, leaf('city', 'eq', 'Taipei', 'string'), leaf('gender', 'eq', 'F', 'string'), leaf('age', 'gt', 20, 'number')];
    const chain = [await createRule(server, { name: 'L1', conditions: [LEVELS[0]] })];
    for (let level = 2; level <= 5; level++) {
      chain.push(
        await createRule(server, { name: `L${level}`, conditions: [LEVELS[level - 1]], parentSegmentId: chain[chain.length - 1].id }),
      );
    }
    const body = (extra: object) => ({ name: 'x', logicalOperator: 'AND', conditions: [RICH], ...extra });

    const tooDeep = await request(server).post('/api/segments/rules').send(body({ parentSegmentId: chain[4].id }));
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.error.message).toMatch(/6 levels deep; at most 5/);
    // The editor's preview says the same, as a validation error.
    const deepPreview = await request(server).post('/api/segments/rules/preview').send({ rule: body({ parentSegmentId: chain[4].id }) });
    expect(deepPreview.status).toBe(200);
    expect(deepPreview.body.validation).toEqual({
      valid: false,
      errors: [{ path: 'parentSegmentId', message: expect.stringMatching(/6 levels deep/) }],
    });
    // Previewing an edit of L1 that would put it under its own descendant: a cycle.
    const cyclePreview = await request(server)
      .post('/api/segments/rules/preview')
      .send({ rule: body({ parentSegmentId: chain[2].id }), ruleId: chain[0].id });
    expect(cyclePreview.body.validation.errors[0].message).toMatch(/cycle/);

    // Moving the whole 5-level chain under another root would make it 6 deep.
    const other = await createRule(server, { name: 'Other root', conditions: [leaf('createdAt', 'gt', '2000-01-01', 'date')] });
    const move = await request(server)
      .put(`/api/segments/rules/${chain[0].id}`)
      .send(body({ name: 'L1', conditions: [LEVELS[0]], parentSegmentId: other.id }));
    expect(move.status).toBe(400);
    expect(move.body.error.message).toMatch(/levels deep/);
    // Moving L3 (3 levels) under L1's sibling is fine: depth 2 + 3 = 5.
    const sibling = await createRule(server, { name: 'L2b', conditions: [leaf('tier', 'eq', 'silver', 'string')], parentSegmentId: chain[0].id });
    const ok = await request(server)
      .put(`/api/segments/rules/${chain[2].id}`)
      .send(body({ name: 'L3', conditions: [LEVELS[2]], parentSegmentId: sibling.id }));
    expect(ok.status).toBe(200);
    expect(ok.body.parentSegmentId).toBe(sibling.id);

    // Cycles: under its own descendant, or under itself.
    const cycle = await request(server).put(`/api/segments/rules/${chain[0].id}`).send(body({ name: 'L1', parentSegmentId: chain[3].id }));
    expect(cycle.status).toBe(400);
    expect(cycle.body.error.message).toMatch(/cycle/);
    const self = await request(server).put(`/api/segments/rules/${chain[1].id}`).send(body({ name: 'L2', parentSegmentId: chain[1].id }));
    expect(self.status).toBe(400);
    expect(self.body.error.message).toMatch(/own parent/);
    const missing = await request(server).post('/api/segments/rules').send(body({ parentSegmentId: 'nope' }));
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/parent segment nope does not exist/);

    // Nothing changed by the refused requests.
    const l1 = await request(server).get(`/api/segments/rules/${chain[0].id}`);
    expect(l1.body.parentSegmentId).toBeUndefined();
    expect((await request(server).get(`/api/segments/rules/${chain[3].id}`)).body.parentSegmentId).toBe(chain[2].id);
  });

  it('deletes: 409 naming the children, ?children=reparent, ?children=delete', async () => {
    const { server, knex } = await startSegmentsBackend(databaseId);
    await ingest(server, DATA);
    const root = await createRule(server, { name: 'Root', conditions: [TW] });
    const mid = await createRule(server, { name: 'Mid', conditions: [RICH], parentSegmentId: root.id });
    const leafA = await createRule(server, { name: 'Leaf A', conditions: [GOLD], parentSegmentId: mid.id });
    const leafB = await createRule(server, { name: 'Leaf B', conditions: [leaf('tier', 'eq', 'silver', 'string')], parentSegmentId: mid.id });
    expect((await execute(server, { asOf: ASOF })).status).toBe('success');

    const refused = await request(server).delete(`/api/segments/rules/${mid.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.name).toBe('ConflictError');
    expect(refused.body.error.message).toContain(leafA.id);
    expect(refused.body.error.message).toContain(leafB.id);
    expect((await request(server).get(`/api/segments/rules/${mid.id}`)).status).toBe(200);
    expect((await request(server).delete(`/api/segments/rules/${mid.id}?children=orphan`)).status).toBe(400);

    const reparented = await request(server).delete(`/api/segments/rules/${mid.id}?children=reparent`);
    expect(reparented.status).toBe(200);
    expect(reparented.body.deleted).toEqual([mid.id]);
    expect([...reparented.body.reparented].sort()).toEqual([leafA.id, leafB.id].sort());
    expect(reparented.body.note).toMatch(/change/);
    expect((await request(server).get(`/api/segments/rules/${mid.id}`)).status).toBe(404);
    expect((await request(server).get(`/api/segments/rules/${leafA.id}`)).body.parentSegmentId).toBe(root.id);
    expect([...(await request(server).get(`/api/segments/rules/${root.id}`)).body.childSegments].sort()).toEqual(
      [leafA.id, leafB.id].sort(),
    );
    expect(await knex('segment_memberships').where({ segment_rule_id: mid.id }).count({ n: '*' })).toEqual([{ n: expect.anything() }]);
    expect(Number((await knex('segment_memberships').where({ segment_rule_id: mid.id }).count({ n: '*' }))[0].n)).toBe(0);
    expect(Number((await knex('segment_results').where({ segment_rule_id: mid.id }).count({ n: '*' }))[0].n)).toBe(0);
    // Leaf A now inherits only the root's conditions: TW and gold.
    expect((await execute(server, { asOf: ASOF })).status).toBe('success');
    expect(await currentMembers(server, leafA.id)).toEqual([3, 9, 15, 21].map(pad));

    // A leaf without children deletes without a mode.
    const lonely = await createRule(server, { name: 'Lonely', conditions: [leaf('country', 'eq', 'JP', 'string')] });
    expect((await request(server).delete(`/api/segments/rules/${lonely.id}`)).body).toEqual({ deleted: [lonely.id], reparented: [] });

    const all = await request(server).delete(`/api/segments/rules/${root.id}?children=delete`);
    expect(all.status).toBe(200);
    expect([...all.body.deleted].sort()).toEqual([root.id, leafA.id, leafB.id].sort());
    for (const id of [root.id, leafA.id, leafB.id]) {
      expect((await request(server).get(`/api/segments/rules/${id}`)).status).toBe(404);
    }
    expect(Number((await knex('segment_memberships').count({ n: '*' }))[0].n)).toBe(0);
    expect(Number((await knex('customer_primary_segments').count({ n: '*' }))[0].n)).toBe(0);
    expect((await request(server).get('/api/segments/rules')).body.totalCount).toBe(0);
  });
});
