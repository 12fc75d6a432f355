import { ancestry, checkParent, MAX_HIERARCHY_DEPTH, subtreeHeight } from './hierarchy';

/** root ─ a ─ b ─ c, root ─ d; other is a separate root. */
const parents = new Map<string, string | undefined>([
  ['root', undefined],
  ['a', 'root'],
  ['b', 'a'],
  ['c', 'b'],
  ['d', 'root'],
  ['other', undefined],
]);

describe('segment hierarchy checks', () => {
  it('computes ancestry and subtree heights', () => {
    expect(ancestry('c', parents)).toEqual(['root', 'a', 'b', 'c']);
    expect(ancestry('root', parents)).toEqual(['root']);
    expect(subtreeHeight('root', parents)).toBe(4);
    expect(subtreeHeight('a', parents)).toBe(3);
    expect(subtreeHeight('c', parents)).toBe(1);
  });

  it('allows up to five levels', () => {
    expect(MAX_HIERARCHY_DEPTH).toBe(5);
    expect(checkParent({ ruleId: undefined, parentId: 'c', parents })).toBeUndefined(); // level 5
    expect(checkParent({ ruleId: undefined, parentId: 'root', parents })).toBeUndefined();
    expect(checkParent({ ruleId: 'other', parentId: 'c', parents })).toBeUndefined();
  });

  it('refuses a sixth level, also when a subtree moves', () => {
    const deep = new Map(parents).set('e', 'c');
    expect(checkParent({ ruleId: undefined, parentId: 'e', parents: deep })).toMatch(/6 levels deep/);
    // a's subtree (3 levels) under d (level 2) would reach level 5: fine; under c of another chain: too deep.
    expect(checkParent({ ruleId: 'a', parentId: 'd', parents })).toBeUndefined();
    expect(checkParent({ ruleId: 'root', parentId: 'other', parents })).toBeUndefined(); // 1 + 4 levels
    const twoChains = new Map(parents).set('x', 'other').set('y', 'x');
    expect(checkParent({ ruleId: 'a', parentId: 'y', parents: twoChains })).toMatch(/6 levels deep/);
  });

  it('refuses cycles, self-parenting and unknown parents', () => {
    expect(checkParent({ ruleId: 'a', parentId: 'c', parents })).toMatch(/cycle/);
    expect(checkParent({ ruleId: 'root', parentId: 'b', parents })).toMatch(/cycle/);
    expect(checkParent({ ruleId: 'a', parentId: 'a', parents })).toMatch(/own parent/);
    expect(checkParent({ ruleId: 'a', parentId: 'ghost', parents })).toMatch(/does not exist/);
    const broken = new Map<string, string | undefined>([['p', 'q'], ['q', 'p']]);
    expect(checkParent({ ruleId: undefined, parentId: 'p', parents: broken })).toMatch(/already contains a cycle/);
  });
});
