import {
  canonicalRule,
  rulesEquivalent,
  satisfiable,
  subsumes,
} from './canonical';
import { all, and, any, c, not, or } from './__testUtils__/builders';

type Rule = Parameters<typeof canonicalRule>[0];
/** Whether two rules have the same canonical form, and whether they are equivalent. */
const compare = (a: Rule, b: Rule) => ({
  sameKey: canonicalRule(a).key === canonicalRule(b).key,
  equivalent: rulesEquivalent(a, b),
});
const SAME = { sameKey: true, equivalent: 'yes' };

describe('canonicalRule', () => {
  const a = c('country', 'eq', 'TW');
  const b = c('totalSpent', 'gt', 1000);
  const d = c('tier', 'in', ['gold', 'silver']);

  it('ignores the order of conditions', () => {
    expect(compare(all(a, b, d), all(d, a, b))).toEqual(SAME);
    expect(compare(any(a, b), any(b, a))).toEqual(SAME);
  });

  it('flattens nested groups of the same operator (re-nesting)', () => {
    expect(compare(all(a, and(b, d)), all(and(a, b), d))).toEqual(SAME);
    expect(compare(any(a, or(b, d)), all(or(or(d, a), b)))).toEqual(SAME);
  });

  it('normalizes values', () => {
    expect(
      compare(
        all(c('country', 'eq', 'TW')),
        all(c('country', 'in', ['TW', 'TW'])),
      ),
    ).toEqual(SAME);
    expect(
      compare(
        any(c('country', 'eq', 'TW'), c('country', 'eq', 'JP')),
        all(c('country', 'in', ['JP', 'TW'])),
      ),
    ).toEqual(SAME);
    expect(
      compare(all(c('orderCount', 'gt', 2)), all(c('orderCount', 'gte', 3))),
    ).toEqual(SAME);
    expect(
      compare(
        all(c('age', 'between', [20, 30])),
        all(c('age', 'gte', 20), c('age', 'lte', 30)),
      ),
    ).toEqual(SAME);
    expect(
      compare(
        all(c('createdAt', 'eq', '2024-01-01')),
        all(c('createdAt', 'eq', '2024-01-01T08:00:00+08:00')),
      ),
    ).toEqual(SAME);
    expect(
      compare(
        all(c('categories', 'containsAll', ['books'])),
        all(c('categories', 'in', ['books'])),
      ),
    ).toEqual(SAME);
  });

  it('pushes NOT down with the two-valued semantics', () => {
    expect(
      compare(
        all(not(or(a, b))),
        all(c('country', 'eq', 'TW', true), c('totalSpent', 'gt', 1000, true)),
      ),
    ).toEqual(SAME);
    // orderCount is never missing, so NOT(< 5) is >= 5 ...
    expect(
      compare(
        all(c('orderCount', 'lt', 5, true)),
        all(c('orderCount', 'gte', 5)),
      ),
    ).toEqual(SAME);
    // ... but age can be missing, so NOT(age < 30) also matches customers without an age.
    expect(canonicalRule(all(c('age', 'lt', 30, true))).key).not.toBe(
      canonicalRule(all(c('age', 'gte', 30))).key,
    );
    expect(
      rulesEquivalent(all(c('age', 'lt', 30, true)), all(c('age', 'gte', 30))),
    ).toBe('no');
    expect(
      compare(
        all(c('age', 'lt', 30, true)),
        any(c('age', 'gte', 30), c('age', 'isEmpty')),
      ),
    ).toEqual(SAME);
  });

  it('folds conditions that are always or never true', () => {
    expect(canonicalRule(all(c('orderCount', 'gte', 0))).root).toEqual({
      op: 'true',
    });
    expect(canonicalRule(all(c('totalSpent', 'isEmpty'), a)).root).toEqual({
      op: 'false',
    });
  });

  it('describes the canonical tree', () => {
    expect(canonicalRule(all(c('orderCount', 'gt', 2), a)).root).toEqual({
      op: 'and',
      kids: [
        { op: 'atom', field: 'country', set: '["in",["TW"],[],[],false]' },
        { op: 'atom', field: 'orderCount', set: '[3,Infinity)' },
      ],
    });
  });

  it('treats hierarchy levels as a conjunction', () => {
    expect(compare([all(a), all(b)], all(b, a))).toEqual(SAME);
  });
});

describe('subsumes and rulesEquivalent', () => {
  const vip = all(
    c('totalSpent', 'gt', 100000),
    c('daysSinceLastOrder', 'lte', 30),
  );
  const spenders = all(c('totalSpent', 'gt', 50000));

  it('proves that every VIP is a big spender, and finds a big spender who is not a VIP', () => {
    expect(subsumes(spenders, vip)).toBe('yes');
    expect(subsumes(vip, spenders)).toBe('no');
    expect(rulesEquivalent(vip, spenders)).toBe('no');
  });

  it('uses the links between order fields', () => {
    expect(
      rulesEquivalent(
        all(c('orderCount', 'eq', 0), c('totalSpent', 'eq', 0)),
        all(c('orderCount', 'eq', 0)),
      ),
    ).toBe('yes');
    expect(
      subsumes(
        all(c('orderCount', 'gte', 1)),
        all(c('daysSinceLastOrder', 'lte', 30)),
      ),
    ).toBe('yes');
    expect(
      subsumes(
        all(c('ordersLast90d', 'gte', 1)),
        all(c('ordersLast30d', 'gte', 1)),
      ),
    ).toBe('yes');
  });

  it('handles categories (any-of) and attributes', () => {
    expect(
      subsumes(
        all(c('categories', 'in', ['books', 'toys'])),
        all(c('categories', 'containsAll', ['books', 'home'])),
      ),
    ).toBe('yes');
    expect(
      subsumes(
        all(c('categories', 'containsAll', ['books', 'home'])),
        all(c('categories', 'in', ['books'])),
      ),
    ).toBe('no');
    expect(
      subsumes(
        all(c('attributes.vip:boolean', 'isNotEmpty')),
        all(c('attributes.vip:boolean', 'eq', true)),
      ),
    ).toBe('yes');
  });

  it('compares segments with their ancestors', () => {
    const parent = all(c('country', 'eq', 'TW'));
    const child = [parent, all(c('totalSpent', 'gt', 1000))];
    expect(subsumes(parent, child)).toBe('yes');
    expect(subsumes(child, parent)).toBe('no');
    expect(
      rulesEquivalent(
        child,
        all(c('totalSpent', 'gt', 1000), c('country', 'in', ['TW'])),
      ),
    ).toBe('yes');
  });

  it('answers unknown when the domains cannot decide', () => {
    // Satisfiable field by field, but 100 / 3 is not 33.3: no customer can match.
    const rule = all(
      c('avgOrderValue', 'eq', 33.3),
      c('orderCount', 'eq', 3),
      c('totalSpent', 'eq', 100),
    );
    expect(satisfiable(rule)).toBe('unknown');
  });

  it('decides satisfiability', () => {
    expect(satisfiable(vip)).toBe('yes');
    expect(
      satisfiable(
        all(c('totalSpent', 'gt', 100000), c('totalSpent', 'lt', 50000)),
      ),
    ).toBe('no');
    expect(
      satisfiable([all(c('age', 'gt', 30)), all(c('age', 'lt', 20))]),
    ).toBe('no');
  });
});

describe('canonicalRule on categories', () => {
  it('merges any-of lists joined by OR', () => {
    expect(
      compare(
        any(c('categories', 'in', ['books']), c('categories', 'in', ['toys'])),
        all(c('categories', 'in', ['toys', 'books'])),
      ),
    ).toEqual(SAME);
  });
});
