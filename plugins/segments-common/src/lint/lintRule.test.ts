import { validateConditions } from '../validateRule';
import { applyLintFix } from './applyLintFix';
import { lintRule } from './lintRule';
import { LintIssue, LintRuleInput } from './types';
import { all, and, any, c, not, or } from './__testUtils__/builders';

interface Case {
  name: string;
  rule: LintRuleInput;
  parents?: LintRuleInput[];
  /** `kind@target` of every expected finding, in any order; [] for a clean rule. */
  expect: string[];
  satisfiable?: 'yes' | 'no' | 'unknown';
  /** Paths the first finding must involve. */
  paths?: string[];
  message?: RegExp;
}

const d = (s: string) => s;

const CASES: Case[] = [
  // ---- contradictions of the whole rule
  {
    name: 'PRD: mutually exclusive spend bounds',
    rule: all(c('totalSpent', 'gt', 100000), c('totalSpent', 'lt', 50000)),
    expect: ['contradiction@(rule)'],
    satisfiable: 'no',
    paths: ['conditions[0]', 'conditions[1]'],
    message: /"totalSpent > 100000" and "totalSpent < 50000" cannot both hold/,
  },
  {
    name: 'a list and a value that exclude each other',
    rule: all(c('country', 'in', ['TW']), c('country', 'eq', 'JP')),
    expect: ['contradiction@(rule)'],
    paths: ['conditions[0]', 'conditions[1]'],
  },
  {
    name: 'two tiers among other conditions',
    rule: all(
      c('tier', 'eq', 'gold'),
      c('age', 'gt', 30),
      c('tier', 'eq', 'silver'),
    ),
    expect: ['contradiction@(rule)'],
    paths: ['conditions[0]', 'conditions[2]'],
  },
  {
    name: 'a never-missing field is never empty',
    rule: all(c('totalSpent', 'isEmpty')),
    expect: ['contradiction@(rule)'],
    message: /never empty/,
  },
  {
    name: 'NOT on a leaf',
    rule: all(c('age', 'gt', 30), c('age', 'gt', 20, true)),
    expect: ['contradiction@(rule)'],
  },
  {
    name: 'NOT(age > 30) excludes age > 40',
    rule: all(not(c('age', 'gt', 30)), c('age', 'gt', 40)),
    expect: ['contradiction@(rule)'],
  },
  {
    name: 'ne is false on a missing value',
    rule: all(c('age', 'ne', 30), c('age', 'isEmpty')),
    expect: ['contradiction@(rule)'],
  },
  {
    name: 'notIn is false on a missing value',
    rule: all(c('country', 'notIn', ['TW']), c('country', 'isEmpty')),
    expect: ['contradiction@(rule)'],
  },
  {
    name: 'dates: after June and before January',
    rule: all(
      c('lastOrderAt', 'gt', '2024-06-01'),
      c('lastOrderAt', 'lt', '2024-01-01'),
    ),
    expect: ['contradiction@(rule)'],
  },
  {
    name: 'dates: a timestamp with offset against a day',
    rule: all(
      c('createdAt', 'lt', '2024-01-01T08:00:00+08:00'),
      c('createdAt', 'gt', '2024-01-01'),
    ),
    expect: ['contradiction@(rule)'],
  },
  {
    name: 'categories: any of a list that is excluded',
    rule: all(
      c('categories', 'in', ['books']),
      c('categories', 'notIn', ['books', 'toys']),
    ),
    expect: ['contradiction@(rule)'],
  },
  {
    name: 'categories: empty and bought books',
    rule: all(c('categories', 'isEmpty'), c('categories', 'in', ['books'])),
    expect: ['contradiction@(rule)'],
  },
  {
    name: 'categories: contains all but NOT contains one of them',
    rule: all(
      c('categories', 'containsAll', ['books', 'toys']),
      c('categories', 'containsAll', ['books'], true),
    ),
    expect: ['contradiction@(rule)'],
  },
  {
    name: 'boolean attribute true and false',
    rule: all(
      c('attributes.vip:boolean', 'eq', true),
      c('attributes.vip:boolean', 'eq', false),
    ),
    expect: ['contradiction@(rule)'],
  },
  {
    name: 'one attribute read as two types',
    rule: all(
      c('attributes.vip:boolean', 'eq', true),
      c('attributes.vip:string', 'eq', 'yes'),
    ),
    expect: ['contradiction@(rule)'],
    message: /one value/,
  },
  {
    name: 'number attribute above and below',
    rule: all(
      c('attributes.points:number', 'gt', 5),
      c('attributes.points:number', 'lte', 5),
    ),
    expect: ['contradiction@(rule)'],
  },
  {
    name: 'string patterns: prefix against a value',
    rule: all(
      c('attributes.plan:string', 'startsWith', 'pro'),
      c('attributes.plan:string', 'eq', 'free'),
    ),
    expect: ['contradiction@(rule)'],
  },
  {
    name: 'string patterns: contains "pro" but not "pr"',
    rule: all(
      c('attributes.plan:string', 'contains', 'pro'),
      c('attributes.plan:string', 'contains', 'pr', true),
    ),
    expect: ['contradiction@(rule)'],
  },
  {
    name: 'contains "" is false on a missing value',
    rule: all(c('country', 'contains', ''), c('country', 'isEmpty')),
    expect: ['contradiction@(rule)'],
  },
  {
    name: 'linked fields: no orders but a recent last order',
    rule: all(c('orderCount', 'eq', 0), c('daysSinceLastOrder', 'lte', 30)),
    expect: ['contradiction@(rule)'],
    message: /without completed orders/,
  },
  {
    name: 'linked fields: more recent orders than orders',
    rule: all(c('ordersLast30d', 'gte', 2), c('orderCount', 'lt', 2)),
    expect: ['contradiction@(rule)'],
  },
  {
    name: 'linked fields: bought 10 days ago but no order in 30 days',
    rule: all(c('daysSinceLastOrder', 'lte', 10), c('ordersLast30d', 'eq', 0)),
    expect: ['contradiction@(rule)'],
    message: /daysSinceLastOrder < N/,
  },
  {
    name: 'linked fields: spent more in 90 days than in total',
    rule: all(c('spentLast90d', 'gt', 500), c('totalSpent', 'lt', 100)),
    expect: ['contradiction@(rule)'],
  },
  {
    name: 'whole numbers: between 2 and 3 exclusive',
    rule: all(c('orderCount', 'gt', 2), c('orderCount', 'lt', 3)),
    expect: ['contradiction@(rule)'],
  },
  {
    name: 'whole numbers: age 30.5',
    rule: all(c('age', 'eq', 30.5)),
    expect: ['contradiction@(rule)'],
    message: /can never hold.*whole number/,
  },
  {
    name: 'notBetween against between',
    rule: all(c('age', 'notBetween', [20, 30]), c('age', 'between', [25, 28])),
    expect: ['contradiction@(rule)'],
  },
  {
    name: 'three conditions needed for the conflict',
    rule: all(c('age', 'in', [30, 31]), c('age', 'ne', 30), c('age', 'ne', 31)),
    expect: ['contradiction@(rule)'],
    message: /cannot all hold/,
    paths: ['conditions[0]', 'conditions[1]', 'conditions[2]'],
  },
  {
    name: 'De Morgan: NOT(age > 30 OR age is empty) against age > 40',
    rule: all(
      not(or(c('age', 'gt', 30), c('age', 'isEmpty'))),
      c('age', 'gt', 40),
    ),
    expect: ['contradiction@(rule)'],
  },
  {
    name: 'NOT of an AND group against both of its conditions',
    rule: all(
      not(and(c('country', 'eq', 'TW'), c('tier', 'eq', 'gold'))),
      c('country', 'eq', 'TW'),
      c('tier', 'eq', 'gold'),
    ),
    expect: ['contradiction@(rule)'],
  },
  {
    name: 'every OR combination fails',
    rule: all(
      or(c('age', 'lt', 20), c('age', 'gt', 60)),
      or(c('age', 'between', [30, 40]), c('age', 'eq', 50)),
    ),
    expect: ['contradiction@(rule)'],
    message: /no combination/,
  },
  // ---- branches
  {
    name: 'a dead OR-branch',
    rule: all(
      c('age', 'gt', 30),
      or(c('age', 'lt', 20), c('country', 'eq', 'TW')),
    ),
    expect: ['contradiction@conditions[1].subConditions[0]'],
    paths: ['conditions[1].subConditions[0]', 'conditions[0]'],
  },
  {
    name: 'a dead AND-group inside an OR rule',
    rule: any(
      c('country', 'eq', 'JP'),
      and(c('orderCount', 'eq', 0), c('totalSpent', 'gt', 0)),
    ),
    expect: ['contradiction@conditions[1]'],
  },
  // ---- always true and redundant
  {
    name: 'implied by a stronger bound',
    rule: all(c('orderCount', 'gte', 3), c('orderCount', 'gte', 1)),
    expect: ['redundant@conditions[1]'],
  },
  {
    name: "always true by the field's range",
    rule: all(c('orderCount', 'gte', 0), c('country', 'eq', 'TW')),
    expect: ['alwaysTrue@conditions[0]'],
  },
  {
    name: 'NOT(age > 30) with age empty is satisfiable (and implied)',
    rule: all(not(c('age', 'gt', 30)), c('age', 'isEmpty')),
    expect: ['redundant@conditions[0]'],
    satisfiable: 'yes',
  },
  {
    name: 'NOT(country in [TW]) with country empty is satisfiable',
    rule: all(c('country', 'in', ['TW'], true), c('country', 'isEmpty')),
    expect: ['redundant@conditions[0]'],
    satisfiable: 'yes',
  },
  {
    name: 'the same instant written two ways',
    rule: all(
      c('createdAt', 'eq', '2024-01-01'),
      c('createdAt', 'eq', '2024-01-01T00:00:00Z'),
    ),
    expect: ['redundant@conditions[1]'],
  },
  {
    name: 'a date range inside a wider one',
    rule: all(
      c('createdAt', 'between', ['2024-01-01', '2024-12-31']),
      c('createdAt', 'gte', '2023-06-01'),
    ),
    expect: ['redundant@conditions[1]'],
  },
  {
    name: 'categories: containsAll implies in',
    rule: all(
      c('categories', 'containsAll', ['books', 'toys']),
      c('categories', 'in', ['toys']),
    ),
    expect: ['redundant@conditions[1]'],
  },
  {
    name: 'categories: empty implies notIn',
    rule: all(c('categories', 'notIn', ['books']), c('categories', 'isEmpty')),
    expect: ['redundant@conditions[0]'],
  },
  {
    name: 'no orders implies nothing spent',
    rule: all(c('orderCount', 'eq', 0), c('totalSpent', 'eq', 0)),
    expect: ['redundant@conditions[1]'],
  },
  {
    name: 'an OR alternative covered by another',
    rule: any(c('orderCount', 'gte', 3), c('orderCount', 'gte', 1)),
    expect: ['redundant@conditions[0]'],
  },
  {
    name: 'a nested OR implied by a sibling',
    rule: all(
      c('totalSpent', 'gt', 1000),
      or(c('totalSpent', 'gt', 500), c('country', 'eq', 'TW')),
    ),
    expect: ['redundant@conditions[1]'],
  },
  {
    name: 'a rule that matches everyone',
    rule: any(c('age', 'gt', 30), c('age', 'gt', 30, true)),
    expect: ['alwaysTrue@(rule)'],
  },
  {
    name: 'duplicates: only the later one is flagged',
    rule: all(c('tier', 'eq', 'gold'), c('tier', 'in', ['gold'])),
    expect: ['redundant@conditions[1]'],
  },
  // ---- parent segments
  {
    name: 'a child that contradicts its parent',
    rule: all(c('totalSpent', 'lt', 500)),
    parents: [all(c('country', 'eq', 'TW'), c('totalSpent', 'gt', 1000))],
    expect: ['contradiction@(rule)'],
    paths: ['conditions[0]', 'parentLevels[0].conditions[1]'],
    message: /within its parent segment/,
  },
  {
    name: 'a child condition the parent already implies',
    rule: all(c('country', 'eq', 'TW'), c('age', 'gt', 30)),
    parents: [all(c('country', 'eq', 'TW'))],
    expect: ['redundant@conditions[0]'],
    message: /parent segment/,
  },
  {
    name: 'a child that adds nothing to its grandparent',
    rule: all(c('age', 'gt', 20)),
    parents: [all(c('age', 'gt', 30)), all(c('country', 'eq', 'TW'))],
    expect: ['alwaysTrue@(rule)'],
    message: /every member of its parent/,
  },
  {
    name: 'a parent that can never match',
    rule: all(c('age', 'gt', 20)),
    parents: [all(c('tier', 'eq', 'gold'), c('tier', 'eq', 'silver'))],
    expect: ['contradiction@(rule)'],
    message: /The parent segment can never match/,
  },
  // ---- true negatives
  {
    name: 'PRD VIP rule',
    rule: all(
      c('totalSpent', 'gt', 100000),
      c('daysSinceLastOrder', 'lte', 30),
    ),
    expect: [],
    satisfiable: 'yes',
  },
  {
    name: 'a list narrowed by ne',
    rule: all(c('country', 'in', ['TW', 'JP']), c('country', 'ne', 'JP')),
    expect: [],
    satisfiable: 'yes',
  },
  {
    name: 'NOT(age > 30) with age present',
    rule: all(not(c('age', 'gt', 30)), c('age', 'isNotEmpty')),
    expect: [],
    satisfiable: 'yes',
  },
  {
    name: 'categories: any-of semantics',
    rule: all(
      c('categories', 'in', ['books']),
      c('categories', 'in', ['toys']),
    ),
    expect: [],
    satisfiable: 'yes',
  },
  {
    name: 'categories: one of two not excluded',
    rule: all(
      c('categories', 'in', ['books', 'toys']),
      c('categories', 'notIn', ['books']),
    ),
    expect: [],
    satisfiable: 'yes',
  },
  {
    name: 'dates and day counts are linked only through asOf',
    rule: all(
      c('lastOrderAt', 'gt', '2024-01-01'),
      c('daysSinceLastOrder', 'gt', 400),
    ),
    expect: [],
    satisfiable: 'yes',
  },
  {
    name: 'consistent recent-order counts',
    rule: all(
      c('ordersLast30d', 'eq', 1),
      c('ordersLast90d', 'eq', 1),
      c('orderCount', 'eq', 3),
    ),
    expect: [],
    satisfiable: 'yes',
  },
  {
    name: 'amounts may be 0: orders without spend',
    rule: all(c('orderCount', 'gte', 2), c('totalSpent', 'eq', 0)),
    expect: [],
    satisfiable: 'yes',
  },
  {
    name: 'an attribute read as two types, either may be missing',
    rule: any(
      c('attributes.vip:boolean', 'eq', true),
      c('attributes.vip:string', 'eq', 'yes'),
    ),
    expect: [],
    satisfiable: 'yes',
  },
  {
    name: 'a condition still being typed is ignored',
    rule: all(c('totalSpent', 'gt', 'abc'), c('totalSpent', 'lt', 5)),
    expect: [],
    satisfiable: 'unknown',
  },
  {
    name: 'string prefix and substring that fit together',
    rule: all(
      c('attributes.plan:string', 'startsWith', 'pro'),
      c('attributes.plan:string', 'contains', 'plus'),
    ),
    expect: [],
    satisfiable: 'yes',
  },
];

const key = (i: LintIssue) => `${i.kind}@${i.target}`;

describe('lintRule corpus', () => {
  it('has at least 40 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES.map(x => [x.name, x] as const))('%s', (_name, t) => {
    const report = lintRule(t.rule, { parentLevels: t.parents });
    expect(report.issues.map(key).sort()).toEqual([...t.expect].sort());
    expect(report.complete).toBe(true);
    const contradiction = t.expect.includes('contradiction@(rule)');
    let satisfiable = t.satisfiable ?? report.satisfiable;
    if (contradiction) satisfiable = 'no';
    expect(report.satisfiable).toBe(satisfiable);
    expect(report.issues.some(i => i.severity === 'error')).toBe(contradiction);
    expect(report.issues[0]?.severity ?? 'none').toBe(
      contradiction ? 'error' : report.issues[0]?.severity ?? 'none',
    );
    expect(report.issues[0]?.paths).toEqual(t.paths ?? report.issues[0]?.paths);
    expect(report.issues[0]?.message ?? '').toMatch(t.message ?? /.*/);
    // Every suggested fix keeps the rule valid and removes the finding.
    const problems: string[] = [];
    for (const issue of report.issues) {
      for (const s of [issue.suggestion, ...(issue.alternatives ?? [])]) {
        if (!s?.fix) continue;
        const fixed = applyLintFix(t.rule, s.fix);
        const errors = validateConditions(fixed.conditions);
        if (errors.length)
          problems.push(`${s.message}: invalid ${JSON.stringify(errors)}`);
        const after = lintRule(fixed, { parentLevels: t.parents });
        if (
          issue.kind === 'contradiction' &&
          issue.scope !== 'branch' &&
          after.satisfiable === 'no'
        ) {
          problems.push(`${s.message}: still contradictory`);
        }
        if (after.issues.map(key).includes(key(issue)))
          problems.push(`${s.message}: ${key(issue)} remains`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('lintRule suggestions', () => {
  it('PRD case: points at both conditions and suggests OR, a range, or dropping one', () => {
    const rule = all(
      c('totalSpent', 'gt', 100000),
      c('totalSpent', 'lt', 50000),
    );
    const [issue] = lintRule(rule).issues;
    expect(issue).toMatchObject({
      severity: 'error',
      kind: 'contradiction',
      scope: 'rule',
      suggestion: {
        fix: {
          type: 'changeLogicalOperator',
          path: '(rule)',
          logicalOperator: 'OR',
        },
      },
    });
    expect(issue.suggestion!.message).toMatch(/Did you mean OR/);
    const fixes = issue.alternatives!.map(a => a.fix);
    expect(fixes).toContainEqual({
      type: 'replace',
      path: 'conditions[0]',
      condition: {
        field: 'totalSpent',
        dataType: 'number',
        operator: 'between',
        value: [50000, 100000],
      },
      removePaths: ['conditions[1]'],
    });
    expect(fixes).toContainEqual({ type: 'remove', path: 'conditions[1]' });
    expect(applyLintFix(rule, issue.suggestion!.fix!)).toEqual({
      ...rule,
      logicalOperator: 'OR',
    });
  });

  it('merges conflicting values into one list when the group has other conditions', () => {
    const rule = all(
      c('tier', 'eq', 'gold'),
      c('age', 'gt', 30),
      c('tier', 'eq', 'silver'),
    );
    const [issue] = lintRule(rule).issues;
    expect(issue.suggestion!.fix).toEqual({
      type: 'replace',
      path: 'conditions[0]',
      condition: {
        field: 'tier',
        dataType: 'string',
        operator: 'in',
        value: ['gold', 'silver'],
      },
      removePaths: ['conditions[2]'],
    });
    expect(applyLintFix(rule, issue.suggestion!.fix!).conditions).toEqual([
      {
        field: 'tier',
        dataType: 'string',
        operator: 'in',
        value: ['gold', 'silver'],
      },
      c('age', 'gt', 30),
    ]);
  });

  it('never suggests a fix that leaves an empty rule or group', () => {
    const report = lintRule(all(c('age', 'eq', 30.5)));
    expect(report.issues[0].suggestion).toBeUndefined();
    const child = lintRule(all(c('totalSpent', 'lt', 500)), {
      parentLevels: [all(c('totalSpent', 'gt', 1000))],
    });
    expect(child.issues[0].suggestion).toBeUndefined();
  });

  it('reports "not fully checked" when the budget runs out', () => {
    const wide = all(
      ...Array.from({ length: 12 }, (_, i) =>
        or(
          c('age', 'eq', i),
          c('age', 'eq', i + 100),
          c('country', 'eq', `X${i}`),
        ),
      ),
    );
    const report = lintRule(wide, { budget: 200 });
    expect(report.complete).toBe(false);
    expect(report.issues.map(i => i.kind)).toContain('incomplete');
    expect(report.issues.some(i => i.severity === 'error')).toBe(false);
  });

  it('is fast enough for every keystroke', () => {
    const rule = all(
      c('totalSpent', 'gt', 1000),
      or(
        c('country', 'in', ['TW', 'JP']),
        and(c('tier', 'eq', 'gold'), c('age', 'between', [20, 40])),
      ),
      not(
        or(c('categories', 'in', ['toys']), c('daysSinceLastOrder', 'gt', 90)),
      ),
      c('attributes.vip:boolean', 'eq', true),
      or(c('orderCount', 'gte', 3), c('avgOrderValue', 'gt', 200)),
      c('createdAt', 'lt', d('2025-01-01')),
    );
    for (let i = 0; i < 20; i++) lintRule(rule);
    // CPU time, not wall time: test machines are often busy.
    const started = process.cpuUsage();
    for (let i = 0; i < 50; i++) lintRule(rule);
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000 / 50).toBeLessThan(15);
  });
});
