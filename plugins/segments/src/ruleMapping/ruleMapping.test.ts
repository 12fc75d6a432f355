/* eslint jest/expect-expect: ["warn", { "assertFunctionNames": ["expect", "expect*"] }] */
import {
  add,
  move,
  prepareRuleGroup,
  RuleGroupType,
  update,
} from 'react-querybuilder';
import { validateRule } from '@internal/plugin-segments-common';
import { queryToRule } from './queryToRule';
import { ruleToQuery } from './ruleToQuery';
import type { RuleBuilderValue, SegmentQueryRule } from './types';
import { generateRandomRule } from './__testUtils__/generateRandomRule';

function counterIds() {
  let n = 0;
  return () => `qb-${++n}`;
}

function expectValid(rule: RuleBuilderValue) {
  const result = validateRule({ name: 'round trip', ...rule });
  expect(result.errors).toEqual([]);
}

/** Both directions: rule → query → rule, and query → rule → query. */
function expectRoundTrip(rule: RuleBuilderValue) {
  const snapshot = JSON.parse(JSON.stringify(rule));
  const query = ruleToQuery(rule, { idGenerator: counterIds() });
  const back = queryToRule(query);
  expect(back).toStrictEqual(rule);
  // Same JSON text, so key presence (value, not, id) matches exactly too.
  expect(JSON.stringify(sortKeys(back))).toBe(JSON.stringify(sortKeys(rule)));
  // Query direction: the query rebuilt from the rule equals the query.
  expect(ruleToQuery(back, { idGenerator: counterIds() })).toStrictEqual(query);
  // The input is not mutated.
  expect(rule).toEqual(snapshot);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map(k => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

const EDGE_CASES: Array<[string, RuleBuilderValue]> = [
  [
    'the VIP rule',
    {
      logicalOperator: 'AND',
      conditions: [
        {
          field: 'totalSpent',
          operator: 'gt',
          value: 100000,
          dataType: 'number',
        },
        {
          field: 'daysSinceLastOrder',
          operator: 'lte',
          value: 30,
          dataType: 'number',
        },
      ],
    },
  ],
  [
    'not on leaves and groups, true and false',
    {
      logicalOperator: 'OR',
      conditions: [
        {
          field: 'country',
          operator: 'eq',
          value: 'TW',
          dataType: 'string',
          not: true,
        },
        {
          field: 'tier',
          operator: 'eq',
          value: 'gold',
          dataType: 'string',
          not: false,
        },
        {
          logicalOperator: 'AND',
          not: true,
          subConditions: [
            { field: 'age', operator: 'gte', value: 18, dataType: 'number' },
            {
              logicalOperator: 'OR',
              not: false,
              subConditions: [
                {
                  field: 'gender',
                  operator: 'ne',
                  value: 'male',
                  dataType: 'string',
                  not: true,
                },
              ],
            },
          ],
        },
      ],
    },
  ],
  [
    'between / notBetween on numbers and dates',
    {
      logicalOperator: 'AND',
      conditions: [
        {
          field: 'totalSpent',
          operator: 'between',
          value: [1000, 5000],
          dataType: 'number',
        },
        {
          field: 'age',
          operator: 'notBetween',
          value: [30, 30],
          dataType: 'number',
        },
        {
          field: 'createdAt',
          operator: 'between',
          value: ['2024-01-01', '2024-12-31T23:59:59Z'],
          dataType: 'date',
        },
        {
          field: 'lastOrderAt',
          operator: 'notBetween',
          value: ['2023-01-01T00:00:00+08:00', '2023-06-30'],
          dataType: 'date',
        },
      ],
    },
  ],
  [
    'lists: in / notIn / containsAll on strings, numbers and arrays',
    {
      logicalOperator: 'AND',
      conditions: [
        {
          field: 'country',
          operator: 'in',
          value: ['TW', 'JP'],
          dataType: 'string',
        },
        {
          field: 'tier',
          operator: 'notIn',
          value: ['bronze'],
          dataType: 'string',
        },
        {
          field: 'orderCount',
          operator: 'in',
          value: [1, 2, 3],
          dataType: 'number',
        },
        {
          field: 'categories',
          operator: 'containsAll',
          value: ['books', 'toys'],
          dataType: 'array',
        },
        {
          field: 'categories',
          operator: 'in',
          value: ['electronics'],
          dataType: 'array',
          not: true,
        },
      ],
    },
  ],
  [
    'isEmpty / isNotEmpty without a value and with null',
    {
      logicalOperator: 'OR',
      conditions: [
        { field: 'city', operator: 'isEmpty', dataType: 'string' },
        {
          field: 'avgOrderValue',
          operator: 'isNotEmpty',
          value: null,
          dataType: 'number',
        },
        {
          field: 'categories',
          operator: 'isEmpty',
          dataType: 'array',
          not: true,
        },
      ],
    },
  ],
  [
    'dates and booleans',
    {
      logicalOperator: 'AND',
      conditions: [
        {
          field: 'firstOrderAt',
          operator: 'lt',
          value: '2020-02-29',
          dataType: 'date',
        },
        {
          field: 'createdAt',
          operator: 'gte',
          value: '2021-05-01T12:30:00.250+09:00',
          dataType: 'date',
        },
        {
          field: 'attributes.newsletter',
          operator: 'eq',
          value: false,
          dataType: 'boolean',
        },
        {
          field: 'attributes.newsletter',
          operator: 'ne',
          value: true,
          dataType: 'boolean',
        },
      ],
    },
  ],
  [
    'attribute fields with each data type',
    {
      logicalOperator: 'AND',
      conditions: [
        {
          field: 'attributes.source',
          operator: 'startsWith',
          value: 'ad',
          dataType: 'string',
        },
        {
          field: 'attributes.vip_level',
          operator: 'between',
          value: [1, 3],
          dataType: 'number',
        },
        {
          field: 'attributes.loyalty-points',
          operator: 'in',
          value: [0, 100],
          dataType: 'number',
        },
        { field: 'attributes.A1', operator: 'isEmpty', dataType: 'boolean' },
      ],
    },
  ],
  [
    'ids on some nodes only',
    {
      logicalOperator: 'AND',
      conditions: [
        {
          id: 'leaf-1',
          field: 'country',
          operator: 'eq',
          value: 'TW',
          dataType: 'string',
        },
        { field: 'country', operator: 'eq', value: 'JP', dataType: 'string' },
        {
          id: 'group-1',
          logicalOperator: 'OR',
          subConditions: [
            {
              id: 'leaf-2',
              field: 'age',
              operator: 'lt',
              value: 0.5,
              dataType: 'number',
              not: true,
            },
            {
              logicalOperator: 'AND',
              subConditions: [
                { field: 'age', operator: 'gt', value: -1, dataType: 'number' },
              ],
            },
          ],
        },
      ],
    },
  ],
  [
    'odd strings, zero and negative numbers',
    {
      logicalOperator: 'OR',
      conditions: [
        { field: 'city', operator: 'eq', value: '', dataType: 'string' },
        {
          field: 'city',
          operator: 'contains',
          value: 'São "Paulo"\n',
          dataType: 'string',
        },
        { field: 'totalSpent', operator: 'eq', value: 0, dataType: 'number' },
        {
          field: 'spentLast30d',
          operator: 'lte',
          value: -12.75,
          dataType: 'number',
        },
      ],
    },
  ],
  [
    'deep nesting',
    {
      logicalOperator: 'AND',
      conditions: [
        {
          logicalOperator: 'OR',
          subConditions: [
            {
              logicalOperator: 'AND',
              not: true,
              subConditions: [
                {
                  logicalOperator: 'OR',
                  subConditions: [
                    {
                      logicalOperator: 'AND',
                      subConditions: [
                        {
                          field: 'ordersLast90d',
                          operator: 'gte',
                          value: 3,
                          dataType: 'number',
                        },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    },
  ],
  [
    'no conditions (an empty builder)',
    { logicalOperator: 'AND', conditions: [] },
  ],
];

describe('ruleToQuery / queryToRule', () => {
  it.each(EDGE_CASES.filter(([, r]) => r.conditions.length > 0))(
    'edge case is valid: %s',
    (_name, rule) => expectValid(rule),
  );

  it.each(EDGE_CASES)('round-trips %s', (_name, rule) => expectRoundTrip(rule));

  it('maps to the react-querybuilder shape', () => {
    const query = ruleToQuery(EDGE_CASES[1][1], { idGenerator: counterIds() });
    expect(query).toEqual({
      id: 'qb-1',
      combinator: 'OR',
      rules: [
        {
          id: 'qb-2',
          field: 'country',
          operator: 'eq',
          value: 'TW',
          meta: { dataType: 'string', not: true },
        },
        {
          id: 'qb-3',
          field: 'tier',
          operator: 'eq',
          value: 'gold',
          meta: { dataType: 'string', not: false },
        },
        {
          id: 'qb-4',
          combinator: 'AND',
          not: true,
          rules: [
            {
              id: 'qb-5',
              field: 'age',
              operator: 'gte',
              value: 18,
              meta: { dataType: 'number' },
            },
            {
              id: 'qb-6',
              combinator: 'OR',
              not: false,
              rules: [
                {
                  id: 'qb-7',
                  field: 'gender',
                  operator: 'ne',
                  value: 'male',
                  meta: { dataType: 'string', not: true },
                },
              ],
            },
          ],
        },
      ],
    });
  });

  it('never leaks react-querybuilder ids into the rule', () => {
    const rule = EDGE_CASES[0][1];
    const query = ruleToQuery(rule);
    expect(JSON.stringify(queryToRule(query))).not.toContain('"id"');
    // Queries prepared by react-querybuilder (ids added) map back the same way.
    const prepared = prepareRuleGroup({
      ...query,
      id: undefined,
    } as RuleGroupType);
    expect(queryToRule(prepared)).toStrictEqual(rule);
  });

  it('keeps segment data through react-querybuilder edits (move, update, add)', () => {
    const rule = EDGE_CASES[7][1];
    let query = ruleToQuery(rule);
    // Move the first leaf (id leaf-1) into the group.
    query = move(query, [0], [2, 0]);
    // Toggle the group's NOT, then the moved leaf's NOT via meta.
    query = update(query, 'not', true, [1]);
    const moved = (query.rules[1] as RuleGroupType)
      .rules[0] as SegmentQueryRule;
    query = update(query, 'meta', { ...moved.meta!, not: true }, [1, 0]);
    // Add a rule created by the builder (no segment id).
    query = add(
      query,
      {
        field: 'tier',
        operator: 'in',
        value: ['gold'],
        meta: { dataType: 'string' },
      } as SegmentQueryRule,
      [],
    );
    expect(queryToRule(query)).toStrictEqual({
      logicalOperator: 'AND',
      conditions: [
        { field: 'country', operator: 'eq', value: 'JP', dataType: 'string' },
        {
          id: 'group-1',
          logicalOperator: 'OR',
          subConditions: [
            {
              id: 'leaf-1',
              field: 'country',
              operator: 'eq',
              value: 'TW',
              dataType: 'string',
              not: true,
            },
            {
              id: 'leaf-2',
              field: 'age',
              operator: 'lt',
              value: 0.5,
              dataType: 'number',
              not: true,
            },
            {
              logicalOperator: 'AND',
              subConditions: [
                { field: 'age', operator: 'gt', value: -1, dataType: 'number' },
              ],
            },
          ],
          not: true,
        },
        { field: 'tier', operator: 'in', value: ['gold'], dataType: 'string' },
      ],
    });
  });

  describe('random valid rules', () => {
    const SEEDS = Array.from({ length: 500 }, (_, i) => 1000 + i);

    it('generates valid rules with every feature covered', () => {
      const seen = new Set<string>();
      const note = (c: any) => {
        if (c.subConditions) {
          seen.add('group');
          if (c.not !== undefined) seen.add(`group-not-${c.not}`);
          if (c.id) seen.add('group-id');
          c.subConditions.forEach(note);
          return;
        }
        seen.add(`op-${c.operator}`);
        seen.add(`type-${c.dataType}`);
        if (c.not !== undefined) seen.add(`leaf-not-${c.not}`);
        if (c.id) seen.add('leaf-id');
        if (!('value' in c)) seen.add('no-value');
        if (c.value === null) seen.add('null-value');
        if (c.field.startsWith('attributes.')) seen.add('attribute');
      };
      for (const seed of SEEDS) {
        const rule = generateRandomRule(seed);
        const result = validateRule({ name: `seed ${seed}`, ...rule });
        if (!result.valid) {
          throw new Error(
            `seed ${seed} is invalid: ${JSON.stringify(result.errors)}`,
          );
        }
        rule.conditions.forEach(note);
      }
      for (const feature of [
        'group',
        'group-not-true',
        'group-not-false',
        'group-id',
        'leaf-id',
        'leaf-not-true',
        'leaf-not-false',
        'no-value',
        'null-value',
        'attribute',
        'type-string',
        'type-number',
        'type-date',
        'type-boolean',
        'type-array',
        'op-eq',
        'op-ne',
        'op-gt',
        'op-gte',
        'op-lt',
        'op-lte',
        'op-in',
        'op-notIn',
        'op-between',
        'op-notBetween',
        'op-contains',
        'op-startsWith',
        'op-containsAll',
        'op-isEmpty',
        'op-isNotEmpty',
      ]) {
        expect(seen).toContain(feature);
      }
    });

    it.each(SEEDS)('round-trips seed %i', seed => {
      expectRoundTrip(generateRandomRule(seed));
    });
  });
});
