import { mockServices } from '@backstage/backend-test-utils';
import {
  Customer,
  CustomerFeatures,
  DAY_MS,
  featureValue,
  getFieldDefinition,
  OPERATORS_BY_TYPE,
  Order,
  SEGMENT_FIELDS,
  SegmentCondition,
  SegmentDataType,
  SegmentOperator,
  validateRule,
} from '@internal/plugin-segments-common';
import { Knex } from 'knex';
import { testPersonalDataCodec } from '../crypto/testKeys';
import { DatabaseCustomerStore } from '../database/CustomerStore';
import { DatabaseExecutionStore } from '../database/ExecutionStore';
import { migrateDatabase } from '../database/migrateDatabase';
import { DatabaseRuleStore } from '../database/RuleStore';
import { createRandom } from '../demo/generateDemoData';
import { sqlMembers, tsFeatures, tsMembers } from '../__testUtils__/engineHelpers';
import { databases } from '../__testUtils__/testBackend';
import { RuleLevel } from './compileRule';
import { SegmentEngine } from './SegmentEngine';

jest.setTimeout(240_000);

const SEED = 20261125;
const CUSTOMER_COUNT = 300;
const RULE_COUNT = 600;
/** Rules also run through an execution (materialized features, memberships). */
const EXECUTED_RULES = 120;
/** A mid-day and a midnight evaluation time, so day, window and age boundaries all get hit. */
const AS_OFS = [Date.parse('2025-06-15T12:00:00Z'), Date.parse('2025-03-01T00:00:00Z')];
const CATEGORIES = ['books', 'toys', 'garden', 'electronics', 'Books'];
const iso = (ms: number) => new Date(ms).toISOString();

type Random = ReturnType<typeof createRandom>;

function maybe<T>(rnd: Random, p: number, value: () => T): T | undefined {
  return rnd.next() < p ? value() : undefined;
}

/** A random but reproducible customer base with gaps, odd types and boundary dates. */
function generateData(rnd: Random): { customers: Customer[]; orders: Order[] } {
  const customers: Customer[] = [];
  const orders: Order[] = [];
  const ymd = (ms: number) => iso(ms).slice(0, 10);
  for (let i = 0; i < CUSTOMER_COUNT; i++) {
    const id = `cust-${String(i).padStart(4, '0')}`;
    const asOf = rnd.pick(AS_OFS);
    const birthDate = maybe(rnd, 0.8, () =>
      rnd.weighted<() => string>([
        [() => ymd(Date.UTC(rnd.int(1940, 2010), rnd.int(0, 11), rnd.int(1, 28))), 6],
        [() => `${rnd.pick([1996, 2000, 2004])}-02-29`, 1],
        // birthday on, just before or just after the day of asOf
        [() => `${rnd.int(1950, 2005)}${ymd(asOf + rnd.int(-1, 1) * DAY_MS).slice(4)}`, 2],
        [() => '2030-01-01', 0.5],
      ])(),
    );
    const attributes = maybe(rnd, 0.8, () => {
      const a: Record<string, string | number | boolean> = {};
      if (rnd.next() < 0.7) a.vip = rnd.weighted<string | number | boolean>([[true, 3], [false, 3], ['yes', 1], [1, 1]]);
      if (rnd.next() < 0.7) a.points = rnd.weighted<string | number>([[rnd.int(0, 50), 4], [rnd.int(0, 100) + 0.5, 2], ['7', 1]]);
      if (rnd.next() < 0.7) a.code = rnd.weighted<string | number>([[rnd.pick(['alpha', 'alphabet', 'beta', 'Alpha', '']), 5], [3, 1]]);
      if (rnd.next() < 0.5) a.level = rnd.int(0, 5);
      return a;
    });
    const createdAt = rnd.weighted<() => number>([
      [() => asOf - rnd.int(0, 1000 * DAY_MS), 6],
      [() => Date.UTC(rnd.int(2020, 2025), rnd.int(0, 11), rnd.int(1, 28)), 3],
      [() => asOf + rnd.int(0, 1), 1],
    ])();
    customers.push({
      id,
      ...(rnd.next() < 0.7 ? { name: `Name ${i}` } : {}),
      ...(rnd.next() < 0.85 ? { country: rnd.pick(['TW', 'JP', 'US', 'tw', 'SG', '']) } : {}),
      ...(rnd.next() < 0.7 ? { city: rnd.pick(['Taipei', 'Tokyo', 'Kaohsiung', 'Osaka', 'New York']) } : {}),
      ...(rnd.next() < 0.8 ? { tier: rnd.pick(['gold', 'silver', 'bronze']) } : {}),
      ...(rnd.next() < 0.6 ? { gender: rnd.pick(['F', 'M', 'X']) } : {}),
      ...(birthDate ? { birthDate } : {}),
      createdAt: iso(createdAt),
      ...(attributes ? { attributes } : {}),
    });
    const orderCount = rnd.weighted([[0, 3], [1, 3], [3, 3], [8, 2], [20, 1]] as const);
    for (let j = 0; j < orderCount; j++) {
      const base = rnd.pick(AS_OFS);
      const offset = rnd.weighted<() => number>([
        [() => -rnd.int(0, 500 * DAY_MS), 8],
        [() => rnd.int(1, 20 * DAY_MS), 1],
        [() => rnd.pick([-30, -90, -365, 0]) * DAY_MS + rnd.pick([-1, 0, 1]), 2],
      ])();
      const category = maybe(rnd, 0.8, () => rnd.pick(CATEGORIES));
      orders.push({
        id: `${id}-o${j}`,
        customerId: id,
        orderedAt: iso(base + offset),
        amount: rnd.weighted<() => number>([[() => rnd.int(0, 2000), 9], [() => rnd.int(50_000, 200_000), 1]])(),
        status: rnd.weighted([['completed', 7], ['refunded', 1.5], ['cancelled', 1.5]] as const),
        ...(category ? { category } : {}),
      });
    }
  }
  return { customers, orders };
}

interface FieldChoice {
  field: string;
  dataType: SegmentDataType;
}

const FIELD_CHOICES: FieldChoice[] = [
  ...SEGMENT_FIELDS.map(f => ({ field: f.name, dataType: f.dataType })),
  { field: 'attributes.vip', dataType: 'boolean' },
  { field: 'attributes.vip', dataType: 'string' },
  { field: 'attributes.points', dataType: 'number' },
  { field: 'attributes.points', dataType: 'string' },
  { field: 'attributes.code', dataType: 'string' },
  { field: 'attributes.code', dataType: 'number' },
  { field: 'attributes.level', dataType: 'number' },
  { field: 'attributes.nothing', dataType: 'boolean' },
];

/** Random valid rules whose values come from the data, so comparisons often hit exact boundaries. */
function ruleGenerator(rnd: Random, features: Map<string, CustomerFeatures>) {
  const all = [...features.values()];
  const observed = (field: string): unknown[] =>
    all.map(f => featureValue(f, field)).filter(v => v !== undefined);

  const numberValue = (field: string): number => {
    const seen = observed(field).filter((v): v is number => typeof v === 'number');
    return rnd.weighted<() => number>([
      [() => (seen.length ? rnd.pick(seen) : 0), 5],
      [() => (seen.length ? rnd.pick(seen) : 0) + rnd.pick([-1, 1, 0.5]), 2],
      [() => rnd.int(0, 40), 2],
    ])();
  };
  const dateValue = (field: string): string => {
    const seen = observed(field).filter((v): v is number => typeof v === 'number');
    const ms = seen.length ? rnd.pick(seen) : rnd.pick(AS_OFS);
    return rnd.weighted<() => string>([
      [() => iso(ms), 4],
      [() => iso(ms + rnd.pick([-1, 1, -DAY_MS, DAY_MS])), 2],
      [() => iso(ms).slice(0, 10), 2],
      [() => iso(ms + 8 * 3_600_000).replace('Z', '+08:00').replace('.000+', '+'), 1],
    ])();
  };
  const stringValue = (field: string, op: SegmentOperator): string => {
    const seen = observed(field).filter((v): v is string => typeof v === 'string');
    const s = seen.length ? rnd.pick(seen) : 'x';
    if (op === 'contains') return rnd.next() < 0.8 ? s.slice(rnd.int(0, s.length), s.length) : 'zz';
    if (op === 'startsWith') return s.slice(0, rnd.int(0, s.length));
    return rnd.next() < 0.85 ? s : rnd.pick(['nobody', 'tW', 'Gold']);
  };
  const scalar = (c: FieldChoice, op: SegmentOperator): unknown => {
    const type = getFieldDefinition(c.field, c.dataType)!.dataType;
    switch (type) {
      case 'number':
        return numberValue(c.field);
      case 'date':
        return dateValue(c.field);
      case 'boolean':
        return rnd.next() < 0.5;
      case 'array':
        return rnd.pick([...CATEGORIES, 'none']);
      default:
        return stringValue(c.field, op);
    }
  };

  const leaf = (): SegmentCondition => {
    const c = rnd.pick(FIELD_CHOICES);
    const operator = rnd.pick(OPERATORS_BY_TYPE[getFieldDefinition(c.field, c.dataType)!.dataType]);
    const node: any = { field: c.field, operator, dataType: c.dataType };
    if (['in', 'notIn', 'containsAll'].includes(operator)) {
      node.value = Array.from({ length: rnd.int(1, 3) }, () => scalar(c, operator));
    } else if (['between', 'notBetween'].includes(operator)) {
      const a = scalar(c, operator);
      const b = scalar(c, operator);
      const key = (v: unknown) => (typeof v === 'string' ? Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v) : (v as number));
      node.value = key(a) <= key(b) ? [a, b] : [b, a];
    } else if (!['isEmpty', 'isNotEmpty'].includes(operator)) {
      node.value = scalar(c, operator);
    }
    if (rnd.next() < 0.25) node.not = true;
    return node;
  };
  const nodeAt = (depth: number): SegmentCondition => {
    if (depth < 4 && rnd.next() < 0.35 / depth) {
      return {
        logicalOperator: rnd.pick(['AND', 'OR'] as const),
        subConditions: Array.from({ length: rnd.int(1, 3) }, () => nodeAt(depth + 1)),
        ...(rnd.next() < 0.3 ? { not: true } : {}),
      };
    }
    return leaf();
  };
  return (): RuleLevel => ({
    logicalOperator: rnd.pick(['AND', 'OR'] as const),
    conditions: Array.from({ length: rnd.int(1, 4) }, () => nodeAt(1)),
  });
}

interface GeneratedCase {
  asOf: number;
  levels: RuleLevel[];
  expected: string[];
}

function generateCases(customers: Customer[], orders: Order[]): GeneratedCase[] {
  const rnd = createRandom(SEED + 1);
  const featuresByAsOf = new Map(AS_OFS.map(a => [a, tsFeatures(customers, orders, a)]));
  const generators = new Map(AS_OFS.map(a => [a, ruleGenerator(rnd, featuresByAsOf.get(a)!)]));
  const cases: GeneratedCase[] = [];
  for (let i = 0; i < RULE_COUNT; i++) {
    // The executed ones share the first asOf (an execution has one asOf).
    const asOf = i < EXECUTED_RULES ? AS_OFS[0] : rnd.pick(AS_OFS);
    const next = generators.get(asOf)!;
    // One in five rules is a child: its parent's conditions apply too.
    const levels = rnd.next() < 0.2 ? [next(), next()] : [next()];
    for (const level of levels) {
      const check = validateRule({ name: `rule ${i}`, ...level });
      if (!check.valid) {
        throw new Error(`generated an invalid rule ${JSON.stringify(level)}: ${JSON.stringify(check.errors)}`);
      }
    }
    cases.push({ asOf, levels, expected: tsMembers(featuresByAsOf.get(asOf)!, levels) });
  }
  return cases;
}

function describeMismatch(
  label: string,
  c: GeneratedCase,
  actual: string[],
  features: Map<string, CustomerFeatures>,
): string {
  const onlySql = actual.filter(id => !c.expected.includes(id));
  const onlyTs = c.expected.filter(id => !actual.includes(id));
  const sample = [...onlySql, ...onlyTs].slice(0, 3).map(id => `  ${id}: ${JSON.stringify(features.get(id))}`);
  return [
    `${label} at asOf ${iso(c.asOf)}: ${JSON.stringify(c.levels)}`,
    `  only SQL: [${onlySql.join(', ')}]`,
    `  only TypeScript: [${onlyTs.join(', ')}]`,
    ...sample,
  ].join('\n');
}

const data = generateData(createRandom(SEED));
const cases = generateCases(data.customers, data.orders);

describe('the differential data set', () => {
  it('is varied enough to mean something', () => {
    const sizes = cases.map(c => c.expected.length);
    // Rules select a spread of set sizes, not all-or-nothing.
    expect(sizes.filter(n => n > 0 && n < CUSTOMER_COUNT).length).toBeGreaterThan(RULE_COUNT / 2);
    expect(sizes.filter(n => n === 0).length).toBeGreaterThan(10);
    expect(data.orders.length).toBeGreaterThan(CUSTOMER_COUNT);
    const ops = new Set<string>();
    const walk = (c: any) => (c.subConditions ? c.subConditions.forEach(walk) : ops.add(`${c.dataType}:${c.operator}`));
    cases.forEach(c => c.levels.forEach(l => l.conditions.forEach(walk)));
    const everyPair = Object.entries(OPERATORS_BY_TYPE).flatMap(([t, list]) => list.map(o => `${t}:${o}`));
    expect(everyPair.filter(p => !ops.has(p))).toEqual([]);
  });
});

describe.each(databases.eachSupportedId())('SQL engine vs TypeScript evaluator on %s', databaseId => {
  let knex: Knex;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    await migrateDatabase(knex);
    await DatabaseCustomerStore.create({ database: knex, personalData: testPersonalDataCodec() }).insertRaw(data.customers, data.orders);
  });

  it(`agrees on ${RULE_COUNT} random rules (preview path)`, async () => {
    const mismatches: string[] = [];
    const featuresByAsOf = new Map(AS_OFS.map(a => [a, tsFeatures(data.customers, data.orders, a)]));
    for (const [i, c] of cases.entries()) {
      const actual = await sqlMembers(knex, c.levels, c.asOf);
      if (actual.join() !== c.expected.join()) {
        mismatches.push(describeMismatch(`rule ${i}`, c, actual, featuresByAsOf.get(c.asOf)!));
      }
    }
    if (mismatches.length) {
      // eslint-disable-next-line no-console
      console.log(`${mismatches.length} mismatches:\n${mismatches.slice(0, 5).join('\n\n')}`);
    }
    expect(mismatches.length).toBe(0);
  });

  it(`agrees on ${EXECUTED_RULES} random rules run as one execution`, async () => {
    const rules = DatabaseRuleStore.create({ database: knex });
    const executions = DatabaseExecutionStore.create({ database: knex });
    const engine = SegmentEngine.create({ database: knex, rules, executions, logger: mockServices.logger.mock() });
    const executed = cases.slice(0, EXECUTED_RULES);
    const ids = new Map<string, number>();
    for (const [i, c] of executed.entries()) {
      // A parent level becomes a real parent segment.
      let parentSegmentId: string | undefined;
      if (c.levels.length === 2) {
        const parent = await rules.createRule(
          { name: `parent ${i}`, status: 'inactive', ...c.levels[0] },
          'user:default/test',
        );
        parentSegmentId = parent.id;
      }
      const level = c.levels[c.levels.length - 1];
      const rule = await rules.createRule(
        { name: `rule ${i}`, status: 'active', ...level, ...(parentSegmentId ? { parentSegmentId } : {}) },
        'user:default/test',
      );
      ids.set(rule.id, i);
    }
    const executionId = await executions.createExecution({ asOf: AS_OFS[0], createdBy: 'user:default/test' });
    await engine.runExecution(executionId);
    const execution = await executions.getExecution(executionId);
    expect(execution?.log.filter(l => l.level === 'error')).toEqual([]);
    expect(execution?.status).toBe('success');
    expect(execution?.progress).toEqual({ processed: EXECUTED_RULES, total: EXECUTED_RULES });

    const rows = await knex('segment_memberships').whereNull('to_seq').select('segment_rule_id', 'customer_id');
    const actual = new Map<number, string[]>(executed.map((_, i) => [i, []]));
    for (const r of rows) actual.get(ids.get(r.segment_rule_id)!)!.push(r.customer_id);
    const features = tsFeatures(data.customers, data.orders, AS_OFS[0]);
    const mismatches: string[] = [];
    for (const [i, c] of executed.entries()) {
      const members = actual.get(i)!.sort();
      if (members.join() !== c.expected.join()) mismatches.push(describeMismatch(`executed rule ${i}`, c, members, features));
    }
    if (mismatches.length) {
      // eslint-disable-next-line no-console
      console.log(`${mismatches.length} mismatches:\n${mismatches.slice(0, 5).join('\n\n')}`);
    }
    expect(mismatches.length).toBe(0);
    // The results' counts match the members.
    const results = await knex('segment_results').select('segment_rule_id', 'customer_count', 'added', 'removed');
    for (const r of results) {
      const expected = cases[ids.get(r.segment_rule_id)!].expected.length;
      expect([Number(r.customer_count), Number(r.added), Number(r.removed)]).toEqual([expected, expected, 0]);
    }
  });
});
