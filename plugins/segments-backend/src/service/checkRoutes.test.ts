import {
  DAY_MS,
  lintRule,
  SegmentRule,
} from '@internal/plugin-segments-common';
import request from 'supertest';
import { createRule, execute, ingest, leaf } from '../__testUtils__/api';
import { sqlMembers } from '../__testUtils__/engineHelpers';
import { databases, startSegmentsBackend } from '../__testUtils__/testBackend';
import { DatabaseRuleStore } from '../database/RuleStore';
import { findEquivalentRules } from './ruleChecks';
// The lint's own random generators (test code of segments-common, not its API).
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import {
  AS_OF as RANDOM_AS_OF,
  randomCustomer,
  randomRule,
  rng,
} from '@internal/plugin-segments-common/src/lint/__testUtils__/randomRules';

jest.setTimeout(180_000);

const AS_OF = Date.parse('2025-06-15T12:00:00.000Z');
const asOf = new Date(AS_OF).toISOString();
const day = (n: number) => new Date(AS_OF - n * DAY_MS).toISOString();
const customer = (id: string, extra: object = {}) => ({
  id,
  createdAt: '2024-01-01T00:00:00Z',
  ...extra,
});
let orderSeq = 0;
const order = (
  customerId: string,
  amount: number,
  daysAgo: number,
  extra: object = {},
) => ({
  id: `o${++orderSeq}`,
  customerId,
  amount,
  orderedAt: day(daysAgo),
  status: 'completed',
  ...extra,
});

/** VIP members at AS_OF: a (110000, 10 days) and g (110000, 2 days). */
const DATA = {
  customers: [
    customer('a', {
      country: 'TW',
      tier: 'gold',
      birthDate: '1990-03-01',
      attributes: { vip: true },
    }),
    customer('b', { country: 'TW', tier: 'silver' }),
    customer('c', { country: 'JP', tier: 'gold' }),
    customer('d', { country: 'US', birthDate: '2000-06-15' }),
    customer('e', { country: 'TW' }),
    customer('f', { country: 'JP' }),
    customer('g', { country: 'TW', tier: 'gold', attributes: { vip: 'yes' } }),
  ],
  orders: [
    order('a', 60000, 10, { category: 'books' }),
    order('a', 50000, 100, { category: 'toys' }),
    order('b', 95000, 5),
    order('c', 150000, 60),
    order('e', 120000, 40, { category: 'books' }),
    order('f', 500000, 3, { status: 'refunded' }),
    order('g', 30000, 2),
    order('g', 80000, 200),
  ],
};
const IDS = DATA.customers.map(c => c.id);

const VIP = [
  leaf('totalSpent', 'gt', 100000, 'number'),
  leaf('daysSinceLastOrder', 'lte', 30, 'number'),
];
const CONTRADICTION = [
  leaf('totalSpent', 'gt', 100000, 'number'),
  leaf('totalSpent', 'lt', 50000, 'number'),
];

describe.each(databases.eachSupportedId())('rule checks on %s', databaseId => {
  let server: any;
  let knex: any;
  beforeAll(async () => {
    ({ server, knex } = await startSegmentsBackend(databaseId));
    await ingest(server, DATA);
  });

  /** Deletes every rule, so that each test starts without duplicates to find. */
  const deleteAllRules = async () => {
    const list = await request(server).get('/api/segments/rules?limit=1000');
    for (const r of list.body.items.filter(
      (x: SegmentRule) => !x.parentSegmentId,
    )) {
      await request(server)
        .delete(`/api/segments/rules/${r.id}?children=delete`)
        .expect(200);
    }
  };

  describe('save-time checks', () => {
    afterEach(deleteAllRules);

    it('rejects a rule that can never match with 400, unless forced', async () => {
      const res = await request(server).post('/api/segments/rules').send({
        name: 'Impossible',
        logicalOperator: 'AND',
        conditions: CONTRADICTION,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        /can never match: "totalSpent > 100000" and "totalSpent < 50000" cannot both hold/,
      );
      expect(res.body.error.message).toMatch(/Did you mean OR\?.*force: true/);

      const forced = await request(server).post('/api/segments/rules').send({
        name: 'Impossible',
        logicalOperator: 'AND',
        conditions: CONTRADICTION,
        force: true,
      });
      expect(forced.status).toBe(201);
      expect(forced.body).not.toHaveProperty('force');

      const byQuery = await request(server)
        .post('/api/segments/rules?force=true')
        .send({
          name: 'Impossible too',
          logicalOperator: 'AND',
          conditions: [leaf('age', 'eq', 30.5, 'number')],
        });
      expect(byQuery.status).toBe(201);

      const bad = await request(server).post('/api/segments/rules').send({
        name: 'x',
        logicalOperator: 'AND',
        conditions: VIP,
        force: 'yes',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/force: must be true or false/);
    });

    it('rejects a child that contradicts its parent and an update that can never match', async () => {
      const parent = await createRule(server, {
        name: 'Taiwan big',
        conditions: [
          leaf('country', 'eq', 'TW', 'string'),
          leaf('totalSpent', 'gt', 1000, 'number'),
        ],
      });
      const child = await request(server)
        .post('/api/segments/rules')
        .send({
          name: 'Small',
          logicalOperator: 'AND',
          parentSegmentId: parent.id,
          conditions: [leaf('totalSpent', 'lt', 500, 'number')],
        });
      expect(child.status).toBe(400);
      expect(child.body.error.message).toMatch(/within its parent segment/);
      expect(child.body.error.message).toMatch(
        /parentLevels\[0\]\.conditions\[1\]/,
      );

      const put = await request(server)
        .put(`/api/segments/rules/${parent.id}`)
        .send({
          name: 'Taiwan big',
          logicalOperator: 'AND',
          conditions: [
            leaf('country', 'eq', 'TW', 'string'),
            leaf('country', 'eq', 'JP', 'string'),
          ],
        });
      expect(put.status).toBe(400);
      expect(put.body.error.message).toMatch(
        /Did you mean OR\? "country = TW" OR "country = JP"/,
      );
      const forced = await request(server)
        .put(`/api/segments/rules/${parent.id}?force=true`)
        .send({
          name: 'Taiwan big',
          logicalOperator: 'AND',
          conditions: [
            leaf('country', 'eq', 'TW', 'string'),
            leaf('country', 'eq', 'JP', 'string'),
          ],
        });
      expect(forced.status).toBe(200);
    });

    it('answers 409 naming the equivalent rule, also when reordered or re-nested, unless forced', async () => {
      const vip = await createRule(server, { name: 'VIP', conditions: VIP });
      const again = await request(server)
        .post('/api/segments/rules')
        .send({
          name: 'VIP again',
          logicalOperator: 'AND',
          conditions: [
            {
              logicalOperator: 'AND',
              subConditions: [
                VIP[1],
                leaf('totalSpent', 'gt', 100000, 'number'),
              ],
            },
          ],
        });
      expect(again.status).toBe(409);
      expect(again.body.error.message).toContain(vip.id);
      expect(again.body.error.message).toMatch(/identical/);

      // Updating a rule never conflicts with itself.
      await request(server)
        .put(`/api/segments/rules/${vip.id}`)
        .send({
          name: 'VIP',
          logicalOperator: 'AND',
          conditions: [VIP[1], VIP[0]],
        })
        .expect(200);

      const noOrders = await createRule(server, {
        name: 'No orders',
        conditions: [leaf('orderCount', 'eq', 0, 'number')],
      });
      const equivalent = await request(server)
        .post('/api/segments/rules')
        .send({
          name: 'Nothing spent, no orders',
          logicalOperator: 'AND',
          conditions: [
            leaf('orderCount', 'eq', 0, 'number'),
            leaf('totalSpent', 'eq', 0, 'number'),
          ],
        });
      expect(equivalent.status).toBe(409);
      expect(equivalent.body.error.message).toContain(noOrders.id);
      expect(equivalent.body.error.message).toMatch(/equivalent\)/);

      const forced = await request(server).post('/api/segments/rules').send({
        name: 'VIP copy',
        logicalOperator: 'AND',
        conditions: VIP,
        force: true,
      });
      expect(forced.status).toBe(201);
    });
  });

  describe('preview warnings', () => {
    afterEach(deleteAllRules);
    const preview = (rule: object, extra: object = {}) =>
      request(server)
        .post('/api/segments/rules/preview')
        .send({
          rule: { name: 'p', logicalOperator: 'AND', ...rule },
          asOf,
          ...extra,
        });

    it('includes lint findings and duplicates of stored rules', async () => {
      const res = await preview({
        conditions: [
          leaf('orderCount', 'gte', 3, 'number'),
          leaf('orderCount', 'gte', 1, 'number'),
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body.lint).toContainEqual(
        expect.objectContaining({ kind: 'redundant', target: 'conditions[1]' }),
      );

      const vip = await createRule(server, { name: 'VIP', conditions: VIP });
      const dup = await preview({ conditions: [VIP[1], VIP[0]] });
      expect(dup.body.lint).toContainEqual(
        expect.objectContaining({
          kind: 'duplicate',
          ruleId: vip.id,
          severity: 'warning',
        }),
      );
      const self = await preview(
        { conditions: [VIP[1], VIP[0]] },
        { ruleId: vip.id },
      );
      expect(self.body.lint.filter((i: any) => i.kind === 'duplicate')).toEqual(
        [],
      );
    });

    it('warns "no customer matches" with the conditions that eliminate the most', async () => {
      const res = await preview({
        conditions: [
          leaf('country', 'eq', 'TW', 'string'),
          leaf('tier', 'eq', 'gold', 'string'),
          leaf('totalSpent', 'gt', 200000, 'number'),
        ],
      });
      expect(res.body.estimatedCount).toBe(0);
      const warning = res.body.lint.find((i: any) => i.kind === 'noMatch');
      expect(warning).toMatchObject({
        severity: 'warning',
        paths: ['conditions[2]'],
      });
      expect(warning.message).toMatch(
        /Without "totalSpent > 200000", 2 would match/,
      );
      expect(warning.breakdown.conditions).toEqual([
        { path: 'conditions[0]', alone: 4, without: 0 },
        { path: 'conditions[1]', alone: 3, without: 0 },
        { path: 'conditions[2]', alone: 0, without: 2 },
      ]);

      const impossible = await preview({ conditions: CONTRADICTION });
      expect(impossible.body.estimatedCount).toBe(0);
      expect(impossible.body.lint.map((i: any) => i.kind)).toEqual([
        'contradiction',
      ]);
    });
  });

  describe('overlap, explanations and edit previews on executed segments', () => {
    let vip: SegmentRule;
    let tw: SegmentRule;
    let gold: SegmentRule;
    let twVip: SegmentRule;
    const extra: SegmentRule[] = [];
    beforeAll(async () => {
      vip = await createRule(server, { name: 'VIP', conditions: VIP });
      tw = await createRule(server, {
        name: 'Taiwan',
        conditions: [leaf('country', 'eq', 'TW', 'string')],
      });
      gold = await createRule(server, {
        name: 'Gold',
        conditions: [leaf('tier', 'eq', 'gold', 'string')],
      });
      twVip = await createRule(server, {
        name: 'Taiwan recent',
        parentSegmentId: tw.id,
        conditions: [leaf('daysSinceLastOrder', 'lte', 30, 'number')],
      });
      extra.push(
        await createRule(server, {
          name: 'Not gold or no age',
          logicalOperator: 'OR',
          conditions: [
            {
              logicalOperator: 'AND',
              not: true,
              subConditions: [
                leaf('tier', 'eq', 'gold', 'string'),
                leaf('age', 'gt', 30, 'number'),
              ],
            },
            leaf('age', 'isEmpty', undefined, 'number'),
          ],
        }),
        await createRule(server, {
          name: 'Books',
          conditions: [leaf('categories', 'in', ['books'], 'array')],
        }),
        await createRule(server, {
          name: 'VIP flag',
          conditions: [
            {
              logicalOperator: 'OR',
              subConditions: [
                leaf('attributes.vip', 'eq', true, 'boolean'),
                leaf('attributes.vip', 'eq', 'yes', 'string'),
              ],
            },
          ],
        }),
      );
      const run = await execute(server, { asOf });
      if (run.status !== 'success')
        throw new Error(`run failed: ${JSON.stringify(run)}`);
    });

    it('counts pairwise overlaps of current members in one answer', async () => {
      const res = await request(server).get(
        `/api/segments/overlap?ids=${vip.id},${tw.id},${gold.id},${vip.id}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.segments.map((s: any) => [s.id, s.memberCount])).toEqual([
        [vip.id, 2],
        [tw.id, 4],
        [gold.id, 3],
      ]);
      expect(res.body.matrix).toEqual([
        [2, 2, 2],
        [2, 4, 2],
        [2, 2, 3],
      ]);
      expect(res.body.pairs).toContainEqual({
        a: tw.id,
        b: gold.id,
        both: 2,
        onlyA: 2,
        onlyB: 1,
        jaccard: 0.4,
        aContainsB: 'no',
        bContainsA: 'no',
      });
      const child = await request(server).get(
        `/api/segments/overlap?ids=${tw.id},${twVip.id}`,
      );
      expect(child.body.pairs).toEqual([
        {
          a: tw.id,
          b: twVip.id,
          both: 3,
          onlyA: 1,
          onlyB: 0,
          jaccard: 0.75,
          aContainsB: 'yes',
          bContainsA: 'no',
        },
      ]);
    });

    it('answers 400 for missing or bad ids and 404 for unknown segments', async () => {
      expect((await request(server).get('/api/segments/overlap')).status).toBe(
        400,
      );
      expect(
        (await request(server).get('/api/segments/overlap?ids=,')).status,
      ).toBe(400);
      const many = Array.from({ length: 51 }, (_, i) => `r${i}`).join(',');
      expect(
        (await request(server).get(`/api/segments/overlap?ids=${many}`)).status,
      ).toBe(400);
      const unknown = await request(server).get(
        `/api/segments/overlap?ids=${vip.id},nope`,
      );
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.message).toMatch(/nope/);
    });

    it('explains a customer missed by one condition, with values', async () => {
      const res = await request(server).get(
        `/api/segments/customers/b/explain?ruleId=${vip.id}`,
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        ruleId: vip.id,
        customerId: 'b',
        asOf,
        member: false,
        latestRun: { member: false, asOf },
        missedByOneCondition: [
          { level: 0, path: 'conditions[0]', actual: 95000, missing: false },
        ],
      });
      expect(res.body.summary).toMatch(
        /Missed by one condition: totalSpent is 95000/,
      );
      expect(res.body.levels[0].conditions).toEqual([
        expect.objectContaining({
          path: 'conditions[0]',
          actual: 95000,
          passed: false,
          text: 'totalSpent > 100000',
        }),
        expect.objectContaining({
          path: 'conditions[1]',
          actual: 5,
          passed: true,
        }),
      ]);

      const d = await request(server).get(
        `/api/segments/customers/d/explain?ruleId=${vip.id}`,
      );
      expect(d.body.member).toBe(false);
      expect(d.body.missedByOneCondition).toEqual([]);
      expect(d.body.levels[0].conditions[1]).toMatchObject({
        missing: true,
        passed: false,
      });
      expect(d.body.levels[0].conditions[1]).not.toHaveProperty('actual');

      const child = await request(server).get(
        `/api/segments/customers/c/explain?ruleId=${twVip.id}`,
      );
      expect(child.body.levels.map((l: any) => [l.ruleId, l.passed])).toEqual([
        [tw.id, false],
        [twVip.id, false],
      ]);
      expect(child.body.levels[0].conditions[0]).toMatchObject({
        path: 'parentLevels[0].conditions[0]',
        actual: 'JP',
      });
    });

    it('agrees with the SQL engine (memberships of the run and the preview path) for every customer', async () => {
      for (const rule of [vip, tw, gold, twVip, ...extra]) {
        const levels = await Promise.all(
          [...(rule.parentSegmentId ? [tw] : []), rule].map(r => ({
            logicalOperator: r.logicalOperator,
            conditions: r.conditions,
          })),
        );
        const sql = await sqlMembers(knex, levels, AS_OF);
        for (const id of IDS) {
          const res = await request(server).get(
            `/api/segments/customers/${id}/explain?ruleId=${rule.id}&asOf=${asOf}`,
          );
          expect(res.status).toBe(200);
          expect({ rule: rule.name, id, member: res.body.member }).toEqual({
            rule: rule.name,
            id,
            member: sql.includes(id),
          });
          expect(res.body.latestRun.member).toBe(res.body.member);
        }
      }
    });

    it('answers 404 for unknown customers or rules and 400 without a rule', async () => {
      expect(
        (
          await request(server).get(
            `/api/segments/customers/zz/explain?ruleId=${vip.id}`,
          )
        ).status,
      ).toBe(404);
      expect(
        (
          await request(server).get(
            '/api/segments/customers/a/explain?ruleId=nope',
          )
        ).status,
      ).toBe(404);
      expect(
        (await request(server).get('/api/segments/customers/a/explain')).status,
      ).toBe(400);
      expect(
        (
          await request(server).get(
            `/api/segments/customers/a/explain?ruleId=${vip.id}&asOf=yesterday`,
          )
        ).status,
      ).toBe(400);
    });

    it('previews how an edit changes the current members', async () => {
      const wider = await request(server)
        .post(`/api/segments/rules/${vip.id}/preview-change`)
        .send({
          rule: {
            name: 'VIP',
            logicalOperator: 'AND',
            conditions: [
              VIP[0],
              leaf('daysSinceLastOrder', 'lte', 45, 'number'),
            ],
          },
          asOf,
        });
      expect(wider.status).toBe(200);
      expect(wider.body).toMatchObject({
        added: {
          count: 1,
          sample: [{ id: 'e', country: 'TW', totalSpent: 120000 }],
        },
        removed: { count: 0, sample: [] },
        unchanged: 2,
        currentCount: 2,
        proposedCount: 3,
        asOf,
      });
      expect(wider.body.basedOn.resultId).toBeDefined();

      const japan = await request(server)
        .post(`/api/segments/rules/${vip.id}/preview-change`)
        .send({
          rule: {
            name: 'VIP',
            logicalOperator: 'AND',
            conditions: [VIP[0], leaf('country', 'eq', 'JP', 'string')],
          },
          asOf,
        });
      expect(japan.body).toMatchObject({
        added: { count: 1, sample: [{ id: 'c' }] },
        removed: { count: 2, sample: [{ id: 'a' }, { id: 'g' }] },
        unchanged: 0,
      });

      const impossible = await request(server)
        .post(`/api/segments/rules/${vip.id}/preview-change`)
        .send({
          rule: {
            name: 'VIP',
            logicalOperator: 'AND',
            conditions: CONTRADICTION,
          },
          asOf,
        });
      expect(impossible.body.removed.count).toBe(2);
      expect(impossible.body.lint[0]).toMatchObject({
        kind: 'contradiction',
        severity: 'error',
      });

      const invalid = await request(server)
        .post(`/api/segments/rules/${vip.id}/preview-change`)
        .send({
          rule: {
            name: 'VIP',
            logicalOperator: 'AND',
            conditions: [leaf('nope', 'eq', 1, 'number')],
          },
        });
      expect(invalid.status).toBe(400);
      expect(invalid.body.error.message).toMatch(
        /conditions\[0\]\.field: unknown field "nope"/,
      );
      const unknown = await request(server)
        .post('/api/segments/rules/nope/preview-change')
        .send({
          rule: { name: 'VIP', logicalOperator: 'AND', conditions: VIP },
        });
      expect(unknown.status).toBe(404);
    });
  });
});

describe.each(databases.eachSupportedId())(
  'lint soundness against SQL on %s',
  databaseId => {
    it('finds no member for any rule the lint calls contradictory, on random data', async () => {
      const { server, knex } = await startSegmentsBackend(databaseId);
      const r = rng(4242);
      const data = Array.from({ length: 150 }, (_, i) =>
        randomCustomer(r, `r${i}`),
      );
      await ingest(server, {
        customers: data.map(d => d.customer),
        orders: data.flatMap(d => d.orders),
      });
      let contradictions = 0;
      let checked = 0;
      const unsound: object[] = [];
      for (let i = 0; i < 250; i++) {
        const rule = randomRule(r);
        const report = lintRule(rule);
        if (report.satisfiable === 'no') contradictions++;
        for (const at of [RANDOM_AS_OF, RANDOM_AS_OF + 200 * DAY_MS]) {
          const members = await sqlMembers(knex, [rule], at);
          checked++;
          if (report.satisfiable === 'no' && members.length)
            unsound.push({ rule, at, members });
        }
      }
      expect(unsound).toEqual([]);
      expect(checked).toBe(500);
      expect(contradictions).toBeGreaterThan(30);
    });
  },
);

describe.each(databases.eachSupportedId())(
  'explanations at month precision of birth dates on %s',
  databaseId => {
    it('computes ages from the stored birth_ymd exactly like SQL', async () => {
      const { server, knex } = await startSegmentsBackend(databaseId, {
        segments: { personalData: { agePrecision: 'month' } },
      });
      await ingest(server, {
        customers: [
          customer('m1', { birthDate: '2000-06-15' }),
          customer('m2', { birthDate: '2000-06-16' }),
          customer('m3', { birthDate: '2000-05-31' }),
          customer('m4'),
        ],
      });
      const rule = await createRule(server, {
        name: 'Adults 25+',
        conditions: [leaf('age', 'gte', 25, 'number')],
      });
      const sql = await sqlMembers(
        knex,
        [{ logicalOperator: 'AND', conditions: rule.conditions }],
        AS_OF,
      );
      expect(sql).toEqual(['m3']);
      for (const id of ['m1', 'm2', 'm3', 'm4']) {
        const res = await request(server).get(
          `/api/segments/customers/${id}/explain?ruleId=${rule.id}&asOf=${asOf}`,
        );
        expect([id, res.body.member]).toEqual([id, sql.includes(id)]);
      }
    });
  },
);

describe.each(databases.eachSupportedId())(
  'duplicates and sharing on %s',
  databaseId => {
    it('refuses a duplicate for the same audience only, and warns about the others in previews', async () => {
      const { server, knex } = await startSegmentsBackend(databaseId);
      const shared = await createRule(server, {
        name: 'VIP marketing',
        conditions: VIP,
        visibility: ['group:default/marketing'],
      });
      // The same definition for another audience is another segment ...
      const mine = await createRule(server, {
        name: 'VIP mine',
        conditions: [VIP[1], VIP[0]],
      });
      // ... but not twice for the same audience.
      const again = await request(server)
        .post('/api/segments/rules')
        .send({
          name: 'VIP marketing 2',
          logicalOperator: 'AND',
          conditions: VIP,
          visibility: ['group:default/Marketing'],
        });
      expect(again.status).toBe(409);
      expect(again.body.error.message).toContain(shared.id);
      expect(again.body.error.message).not.toContain(mine.id);
      const preview = await request(server)
        .post('/api/segments/rules/preview')
        .send({ rule: { name: 'p', logicalOperator: 'AND', conditions: VIP } });
      expect(
        preview.body.lint
          .filter((i: any) => i.kind === 'duplicate')
          .map((i: any) => i.ruleId)
          .sort(),
      ).toEqual([shared.id, mine.id].sort());
      // Rules the caller may not read are never revealed.
      const found = await findEquivalentRules({
        rules: DatabaseRuleStore.create({ database: knex }),
        levels: [{ logicalOperator: 'AND', conditions: VIP }],
        readable: async ids => new Set(ids.filter(i => i !== shared.id)),
      });
      expect(found.map(f => [f.id, f.match])).toEqual([[mine.id, 'identical']]);
    });
  },
);
