import { computeCustomerFeatures, CustomerFeatures } from '../customerFeatures';
import { DAY_MS } from '../dates';
import { evaluateConditions } from '../evaluateRule';
import { SegmentCondition } from '../types';
import { validateConditions } from '../validateRule';
import { applyLintFix } from './applyLintFix';
import { canonicalRule, rulesEquivalent, subsumes } from './canonical';
import { lintRule } from './lintRule';
import { LintRuleInput } from './types';
import { AS_OF, randomCustomer, randomRule, rng } from './__testUtils__/randomRules';

/*
 * Property tests against the TypeScript evaluator (the engine's reference
 * semantics): whatever the lint claims must hold on every random customer.
 */

const r = rng(20261201);
const customers: CustomerFeatures[] = [];
for (let i = 0; i < 300; i++) {
  const { customer, orders } = randomCustomer(r, `c${i}`);
  for (const asOf of [AS_OF, AS_OF + 200 * DAY_MS]) {
    customers.push(computeCustomerFeatures(customer, orders, asOf));
  }
}

const members = (rule: LintRuleInput, levels: LintRuleInput[] = []) =>
  customers.map(f => [...levels, rule].every(l => evaluateConditions(l.conditions, l.logicalOperator, f)));
const count = (m: boolean[]) => m.filter(Boolean).length;

/** Shuffles children and re-nests a rule without changing its meaning. */
function shuffle(rule: LintRuleInput, seed: number): LintRuleInput {
  const s = rng(seed);
  const mix = <T>(list: T[]) => list.map(x => [s.next(), x] as const).sort((a, b) => a[0] - b[0]).map(([, x]) => x);
  const node = (n: SegmentCondition): SegmentCondition =>
    'subConditions' in n ? { ...n, subConditions: mix(n.subConditions.map(node)) } : n;
  let conditions = mix(rule.conditions.map(node));
  if (conditions.length > 2 && s.chance(0.5)) {
    // Re-nest: (a op b op c) == (a op (b op c)).
    conditions = [conditions[0], { logicalOperator: rule.logicalOperator, subConditions: conditions.slice(1) }];
  }
  return { logicalOperator: rule.logicalOperator, conditions };
}

describe('lint properties on random rules and customers', () => {
  const rules = Array.from({ length: 2000 }, () => randomRule(r));
  const stats = { contradictions: 0, deadBranches: 0, redundant: 0, alwaysTrue: 0, proven: 0, fixes: 0 };

  it('is sound: a rule called contradictory matches no customer, and its suggested fixes make it satisfiable', () => {
    for (const rule of rules) {
      expect(validateConditions(rule.conditions)).toEqual([]);
      const report = lintRule(rule);
      const m = members(rule);
      if (report.satisfiable === 'no') {
        stats.contradictions++;
        if (count(m) !== 0) throw new Error(`unsound contradiction: ${JSON.stringify(rule)}`);
        const fixes = report.issues.flatMap(i => [i.suggestion, ...(i.alternatives ?? [])]).filter(s => s?.fix);
        for (const s of fixes) {
          stats.fixes++;
          const fixed = applyLintFix(rule, s!.fix!);
          expect(validateConditions(fixed.conditions)).toEqual([]);
          expect(lintRule(fixed).satisfiable).not.toBe('no');
        }
      }
      if (report.satisfiable === 'yes') stats.proven++;
      if (count(m) > 0) expect(report.satisfiable).not.toBe('no');
    }
    // The generator must actually exercise the checks.
    expect(stats.contradictions).toBeGreaterThan(100);
    expect(stats.fixes).toBeGreaterThan(100);
  });

  it('removing a condition the lint calls redundant, always true or a dead branch never changes the members', () => {
    for (const rule of rules) {
      const report = lintRule(rule);
      if (report.satisfiable === 'no') continue;
      const m = members(rule);
      for (const issue of report.issues) {
        if (issue.kind === 'alwaysTrue' && issue.target === '(rule)') {
          stats.alwaysTrue++;
          expect(count(m)).toBe(customers.length);
          continue;
        }
        if (issue.kind === 'contradiction') stats.deadBranches++;
        if (issue.kind === 'redundant') stats.redundant++;
        const fix = issue.suggestion?.fix;
        if (!fix || fix.type !== 'remove') continue;
        const fixed = applyLintFix(rule, fix);
        expect(validateConditions(fixed.conditions)).toEqual([]);
        if (JSON.stringify(members(fixed)) !== JSON.stringify(m)) {
          throw new Error(`removing ${fix.path} (${issue.kind}) changed ${JSON.stringify(rule)}`);
        }
      }
      // Removing every flagged condition together is also safe.
      const removals = report.issues
        .filter(i => i.kind !== 'alwaysTrue' || i.target !== '(rule)')
        .map(i => i.suggestion?.fix)
        .filter(f => f?.type === 'remove')
        .map(f => f!.path)
        .sort()
        .reverse();
      let all = rule;
      for (const path of removals) {
        if (path.split('.').length === 1 || !removals.some(p => path.startsWith(`${p}.`))) {
          all = applyLintFix(all, { type: 'remove', path });
        }
      }
      if (removals.length && all.conditions.length) {
        expect(members(all)).toEqual(m);
      }
    }
    expect(stats.redundant).toBeGreaterThan(50);
    expect(stats.deadBranches).toBeGreaterThan(20);
  });

  it('gives reordered and re-nested rules the same canonical key, and equal keys mean equal members', () => {
    const byKey = new Map<string, boolean[]>();
    for (const [i, rule] of rules.entries()) {
      const key = canonicalRule(rule).key;
      expect(canonicalRule(shuffle(rule, i)).key).toBe(key);
      expect(rulesEquivalent(rule, shuffle(rule, i + 1))).toBe('yes');
      const m = members(rule);
      const seen = byKey.get(key);
      if (seen) expect(m).toEqual(seen);
      else byKey.set(key, m);
    }
  });

  it('decides subsumption soundly', () => {
    let yes = 0;
    let no = 0;
    for (let i = 0; i + 1 < rules.length; i += 2) {
      const a = rules[i];
      const b = rng(i).chance(0.5) ? rules[i + 1] : { logicalOperator: 'AND' as const, conditions: [...a.conditions, ...rules[i + 1].conditions] };
      const answer = subsumes(a, b);
      const ma = members(a);
      const mb = members(b);
      if (answer === 'yes') {
        yes++;
        mb.forEach((inB, k) => {
          if (inB && !ma[k]) throw new Error(`wrong subsumption ${JSON.stringify({ a, b })}`);
        });
      }
      if (answer === 'no') no++;
    }
    expect(yes).toBeGreaterThan(50);
    expect(no).toBeGreaterThan(50);
  });

  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log(`lint property stats: ${JSON.stringify(stats)}`);
  });
});
