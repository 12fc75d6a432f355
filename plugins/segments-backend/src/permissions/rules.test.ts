import { PermissionCondition, PermissionCriteria } from '@backstage/plugin-permission-common';
import { SegmentRule, SegmentStatus } from '@internal/plugin-segments-common';
import { databases } from '../__testUtils__/testBackend';
import { DatabaseRuleStore } from '../database/RuleStore';
import { migrateDatabase } from '../database/migrateDatabase';
import { RuleConditionsToKnex } from './conditionsToKnex';
import { segmentRulePermissionRules } from './rules';

jest.setTimeout(120_000);

const RULES = Object.values(segmentRulePermissionRules);
const ruleset = { getRuleByName: (name: string) => RULES.find(r => r.name === name)! } as any;

/** mulberry32: a small seeded PRNG, so that failures reproduce. */
function prng(seed: number) {
  let state = seed;
  return () => {
    state += 0x6d2b79f5;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const USERS = ['user:default/ada', 'user:default/Eddie', 'user:default/erin', 'external:segments-api-client'];
const GROUPS = ['group:default/marketing', 'group:default/sales', 'group:default/engineering'];
const STATUSES: SegmentStatus[] = ['active', 'inactive', 'draft'];

function applyCriteria(criteria: PermissionCriteria<PermissionCondition>, rule: SegmentRule): boolean {
  if ('allOf' in criteria) return criteria.allOf.every(c => applyCriteria(c, rule));
  if ('anyOf' in criteria) return criteria.anyOf.some(c => applyCriteria(c, rule));
  if ('not' in criteria) return !applyCriteria(criteria.not, rule);
  return ruleset.getRuleByName(criteria.rule).apply(rule, criteria.params);
}

describe.each(databases.eachSupportedId())('permission rules on %s', databaseId => {
  it('filter in SQL exactly as they apply in memory (300 random criteria over 40 rules)', async () => {
    const knex = await databases.init(databaseId);
    await migrateDatabase(knex);
    const store = DatabaseRuleStore.create({ database: knex });
    const random = prng(8);
    const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
    const subset = <T>(list: T[]) => list.filter(() => random() < 0.4);

    for (let i = 0; i < 40; i++) {
      await store.createRule(
        {
          name: `r${i}`,
          status: pick(STATUSES),
          logicalOperator: 'AND',
          conditions: [{ field: 'country', operator: 'eq', value: 'TW', dataType: 'string' }],
          visibility: subset(GROUPS).map(g => g.toLowerCase()),
        },
        pick(USERS),
      );
    }
    const all = (await store.listRules({ limit: 1000, offset: 0 })).items;
    const toKnex = RuleConditionsToKnex.create({ database: knex, ruleset });

    const leaf = (): PermissionCriteria<PermissionCondition> => {
      const r = random();
      const claims = subset([...USERS, ...GROUPS]).map(c => (random() < 0.3 ? c.toUpperCase() : c));
      if (r < 0.4) return { rule: 'IS_OWNER', resourceType: 'segments-rule', params: { claims } };
      if (r < 0.8) return { rule: 'HAS_VISIBILITY', resourceType: 'segments-rule', params: { claims } };
      return { rule: 'HAS_STATUS', resourceType: 'segments-rule', params: { statuses: subset(STATUSES) } };
    };
    const criteria = (depth: number): PermissionCriteria<PermissionCondition> => {
      const r = random();
      if (depth > 2 || r < 0.4) return leaf();
      const n = 1 + Math.floor(random() * 3);
      const subs = Array.from({ length: n }, () => criteria(depth + 1));
      if (r < 0.65) return { allOf: subs as any };
      if (r < 0.9) return { anyOf: subs as any };
      return { not: subs[0] };
    };

    for (let i = 0; i < 300; i++) {
      const c = criteria(0);
      const expected = all.filter(rule => applyCriteria(c, rule)).map(r => r.id).sort();
      const { items, totalCount } = await store.listRules({ limit: 1000, offset: 0, filter: toKnex.toFilter(c) });
      const actual = items.map(r => r.id).sort();
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        throw new Error(`criteria ${JSON.stringify(c)}: SQL ${actual.length}, memory ${expected.length}`);
      }
      expect(totalCount).toBe(expected.length);
    }
  });

  it('refuses unknown rules and bad parameters in conditions', async () => {
    const knex = await databases.init(databaseId);
    const toKnex = RuleConditionsToKnex.create({
      database: knex,
      ruleset: {
        getRuleByName: (name: string) => {
          const rule = RULES.find(r => r.name === name);
          if (!rule) throw new Error(`Unexpected permission rule: ${name}`);
          return rule;
        },
      } as any,
    });
    expect(() => toKnex.toFilter({ rule: 'DROP_TABLE', resourceType: 'segments-rule', params: {} })).toThrow();
    expect(() =>
      toKnex.toFilter({ rule: 'IS_OWNER', resourceType: 'segments-rule', params: { claims: 'user:default/ada' } as any }),
    ).toThrow(/invalid/i);
  });
});
