import { computeCustomerFeatures, CustomerFeatures } from '../customerFeatures';
import { DAY_MS } from '../dates';
import { evaluateConditions } from '../evaluateRule';
import { SegmentCondition } from '../types';
import { validateConditions } from '../validateRule';
import { applyLintFix } from './applyLintFix';
import { canonicalRule, rulesEquivalent, subsumes } from './canonical';
import { lintRule } from './lintRule';
import { LintRuleInput } from './types';
import {
  AS_OF,
  randomCustomer,
  randomRule,
  rng,
} from './__testUtils__/randomRules';

/*
 * Property tests against the TypeScript evaluator (the engine's reference
 * semantics): whatever the lint claims must hold on every random customer.
 */

const r = rng(20261201);
const customers: CustomerFeatures[] = [];
for (let i = 0; i < 250; i++) {
  const { customer, orders } = randomCustomer(r, `c${i}`);
  for (const asOf of [AS_OF, AS_OF + 200 * DAY_MS]) {
    customers.push(computeCustomerFeatures(customer, orders, asOf));
  }
}

const members = (rule: LintRuleInput, levels: LintRuleInput[] = []) =>
  customers.map(f =>
    [...levels, rule].every(l =>
      evaluateConditions(l.conditions, l.logicalOperator, f),
    ),
  );
const count = (m: boolean[]) => m.filter(Boolean).length;

/** Shuffles children and re-nests a rule without changing its meaning. */
function shuffle(rule: LintRuleInput, seed: number): LintRuleInput {
  const s = rng(seed);
  const mix = <T>(list: T[]) =>
    list
      .map(x => [s.next(), x] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, x]) => x);
  const node = (n: SegmentCondition): SegmentCondition =>
    'subConditions' in n
      ? { ...n, subConditions: mix(n.subConditions.map(node)) }
      : n;
  let conditions = mix(rule.conditions.map(node));
  if (conditions.length > 2 && s.chance(0.5)) {
    // Re-nest: (a op b op c) == (a op (b op c)).
    conditions = [
      conditions[0],
      {
        logicalOperator: rule.logicalOperator,
        subConditions: conditions.slice(1),
      },
    ];
  }
  return { logicalOperator: rule.logicalOperator, conditions };
}

describe('lint properties on random rules and customers', () => {
  const rules = Array.from({ length: 1500 }, () => randomRule(r));
  const stats = {
    contradictions: 0,
    deadBranches: 0,
    redundant: 0,
    alwaysTrue: 0,
    proven: 0,
    fixes: 0,
  };

  it('is sound: a rule called contradictory matches no customer, and its suggested fixes make it satisfiable', () => {
    const failures: string[] = [];
    for (const rule of rules) {
      const report = lintRule(rule);
      const matched = count(members(rule));
      if (validateConditions(rule.conditions).length)
        failures.push(`invalid random rule ${JSON.stringify(rule)}`);
      if (report.satisfiable === 'yes') stats.proven++;
      if (report.satisfiable !== 'no') continue;
      stats.contradictions++;
      if (matched !== 0)
        failures.push(
          `unsound contradiction (${matched} members): ${JSON.stringify(rule)}`,
        );
      const fixes = report.issues
        .flatMap(i => [i.suggestion, ...(i.alternatives ?? [])])
        .filter(x => x?.fix);
      for (const x of fixes) {
        stats.fixes++;
        const fixed = applyLintFix(rule, x!.fix!);
        if (validateConditions(fixed.conditions).length)
          failures.push(`invalid fix ${x!.message}`);
        if (lintRule(fixed).satisfiable === 'no')
          failures.push(
            `fix "${x!.message}" leaves ${JSON.stringify(rule)} contradictory`,
          );
      }
    }
    expect(failures).toEqual([]);
    // The generator must actually exercise the checks.
    expect(stats.contradictions).toBeGreaterThan(100);
    expect(stats.fixes).toBeGreaterThan(100);
  });

  it('removing a condition the lint calls redundant, always true or a dead branch never changes the members', () => {
    const failures: string[] = [];
    for (const rule of rules) {
      const report = lintRule(rule);
      if (report.satisfiable === 'no') continue;
      const m = JSON.stringify(members(rule));
      const removals: string[] = [];
      for (const issue of report.issues) {
        if (issue.kind === 'alwaysTrue' && issue.target === '(rule)') {
          stats.alwaysTrue++;
          if (count(members(rule)) !== customers.length)
            failures.push(`not always true: ${JSON.stringify(rule)}`);
          continue;
        }
        if (issue.kind === 'contradiction') stats.deadBranches++;
        if (issue.kind === 'redundant') stats.redundant++;
        const fix = issue.suggestion?.fix;
        if (!fix || fix.type !== 'remove') continue;
        removals.push(fix.path);
        const fixed = applyLintFix(rule, fix);
        if (validateConditions(fixed.conditions).length)
          failures.push(`removing ${fix.path} leaves an invalid rule`);
        if (JSON.stringify(members(fixed)) !== m) {
          failures.push(
            `removing ${fix.path} (${issue.kind}) changed ${JSON.stringify(
              rule,
            )}`,
          );
        }
      }
      // Removing every flagged condition together is also safe (deepest and last first).
      let together = rule;
      for (const path of removals.sort().reverse()) {
        if (!removals.some(p => path.startsWith(`${p}.`)))
          together = applyLintFix(together, { type: 'remove', path });
      }
      if (removals.length && JSON.stringify(members(together)) !== m) {
        failures.push(
          `removing ${removals.join(', ')} together changed ${JSON.stringify(
            rule,
          )}`,
        );
      }
    }
    expect(failures).toEqual([]);
    expect(stats.redundant).toBeGreaterThan(50);
    expect(stats.deadBranches).toBeGreaterThan(20);
  });

  it('gives reordered and re-nested rules the same canonical key, and equal keys mean equal members', () => {
    const failures: string[] = [];
    const byKey = new Map<string, string>();
    for (const [i, rule] of rules.entries()) {
      const key = canonicalRule(rule).key;
      if (canonicalRule(shuffle(rule, i)).key !== key)
        failures.push(`key changed by reordering ${JSON.stringify(rule)}`);
      if (rulesEquivalent(rule, shuffle(rule, i + 1)) !== 'yes')
        failures.push(
          `not equivalent to itself reordered: ${JSON.stringify(rule)}`,
        );
      const m = JSON.stringify(members(rule));
      const seen = byKey.get(key);
      if (seen === undefined) byKey.set(key, m);
      else if (seen !== m)
        failures.push(`equal keys, different members: ${JSON.stringify(rule)}`);
    }
    expect(failures).toEqual([]);
  });

  it('decides subsumption soundly', () => {
    const failures: string[] = [];
    let yes = 0;
    let no = 0;
    for (let i = 0; i + 1 < rules.length; i += 2) {
      const a = rules[i];
      const b = rng(i).chance(0.5)
        ? rules[i + 1]
        : {
            logicalOperator: 'AND' as const,
            conditions: [...a.conditions, ...rules[i + 1].conditions],
          };
      const answer = subsumes(a, b);
      if (answer === 'no') no++;
      if (answer !== 'yes') continue;
      yes++;
      const ma = members(a);
      if (members(b).some((inB, k) => inB && !ma[k]))
        failures.push(`wrong subsumption ${JSON.stringify({ a, b })}`);
    }
    expect(failures).toEqual([]);
    expect(yes).toBeGreaterThan(50);
    expect(no).toBeGreaterThan(50);
  });

  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log(`lint property stats: ${JSON.stringify(stats)}`);
  });
});
