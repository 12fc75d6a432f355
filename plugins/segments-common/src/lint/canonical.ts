import { FieldModel } from './fieldModel';
import { negateNnf, NGroup, NNode, toNnf } from './normalize';
import { Budget, solve } from './solver';
import { LintAnswer, LintRuleInput } from './types';
import { buildWitness, matchesLevels, witnessFeatures } from './witness';
import {
  compareText,
  complement,
  intersect,
  isEmptySet,
  serializeSet,
  union,
  ValueSet,
} from './valueSets';

/** A node of a rule's canonical form. @public */
export type CanonicalNode =
  | { op: 'true' }
  | { op: 'false' }
  | { op: 'atom'; field: string; set: string }
  | { op: 'and' | 'or'; kids: CanonicalNode[] };

/** Canonical form of a rule: equal keys mean the rules select the same customers. @public */
export interface CanonicalRule {
  root: CanonicalNode;
  /** A stable text of `root`, usable as a hash key. */
  key: string;
}

type C =
  | { op: 'true' }
  | { op: 'false' }
  | { op: 'atom'; model: FieldModel; set: ValueSet }
  | { op: 'and' | 'or'; kids: C[] };

const TRUE: C = { op: 'true' };
const FALSE: C = { op: 'false' };

function isUniverse(model: FieldModel, set: ValueSet): boolean {
  try {
    return isEmptySet(
      intersect(complement(set), model.universe, model.integer),
    );
  } catch {
    return false;
  }
}

function atomNode(model: FieldModel, raw: ValueSet): C {
  const set = intersect(model.universe, raw, model.integer);
  if (isEmptySet(set)) return FALSE;
  if (isUniverse(model, set)) return TRUE;
  return { op: 'atom', model, set };
}

function keyOf(c: C): string {
  switch (c.op) {
    case 'true':
    case 'false':
      return c.op;
    case 'atom':
      return `${c.model.key}:${serializeSet(c.set)}`;
    default:
      return `${c.op}(${c.kids.map(keyOf).join(',')})`;
  }
}

/** The kids of a group with nested groups of the same operator lifted. */
function liftKids(node: NGroup): NNode[] {
  return node.kids.flatMap(k => (k.t === node.t ? liftKids(k as NGroup) : [k]));
}

/** Merges same-field atoms pairwise until nothing merges; deterministic for a sorted input. */
function mergeAtoms(
  atoms: Array<Extract<C, { op: 'atom' }>>,
  isAnd: boolean,
): C[] {
  const bins: Array<{ model: FieldModel; set: ValueSet }> = [];
  for (const a of [...atoms].sort((x, y) => compareText(keyOf(x), keyOf(y)))) {
    let set = a.set;
    let merged = true;
    while (merged) {
      merged = false;
      for (let i = 0; i < bins.length; i++) {
        if (bins[i].model.key !== a.model.key) continue;
        const combined = isAnd
          ? intersect(bins[i].set, set, a.model.integer)
          : union(bins[i].set, set, a.model.integer);
        if (combined) {
          set = combined;
          bins.splice(i, 1);
          merged = true;
          break;
        }
      }
    }
    bins.push({ model: a.model, set });
  }
  return bins.map(b => atomNode(b.model, b.set));
}

function simplify(node: NNode): C {
  if (node.t === 'atom') return atomNode(node.model, node.set);
  const isAnd = node.t === 'and';
  const absorbing = isAnd ? 'false' : 'true';
  const neutral = isAnd ? 'true' : 'false';
  const flat: C[] = [];
  for (const kid of liftKids(node).map(simplify)) {
    if (kid.op === node.t) flat.push(...(kid as { kids: C[] }).kids);
    else flat.push(kid);
  }
  if (flat.some(k => k.op === absorbing)) return isAnd ? FALSE : TRUE;
  const atoms = flat.filter(
    (k): k is Extract<C, { op: 'atom' }> => k.op === 'atom',
  );
  const merged: C[] = flat.filter(k => k.op !== 'atom' && k.op !== neutral);
  for (const a of mergeAtoms(atoms, isAnd)) {
    if (a.op === absorbing) return isAnd ? FALSE : TRUE;
    if (a.op !== neutral) merged.push(a);
  }
  const unique = [...new Map(merged.map(k => [keyOf(k), k])).entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([, k]) => k);
  if (!unique.length) return isAnd ? TRUE : FALSE;
  if (unique.length === 1) return unique[0];
  return { op: node.t, kids: unique };
}

function publicNode(c: C): CanonicalNode {
  switch (c.op) {
    case 'atom':
      return { op: 'atom', field: c.model.key, set: serializeSet(c.set) };
    case 'and':
    case 'or':
      return { op: c.op, kids: c.kids.map(publicNode) };
    default:
      return { op: c.op };
  }
}

const asLevels = (r: LintRuleInput | LintRuleInput[]) =>
  Array.isArray(r) ? r : [r];

function levelsNnf(levels: LintRuleInput[]): NGroup {
  const root: NGroup = { t: 'and', path: '(levels)', kids: [] };
  root.kids = levels.map((l, i) => ({
    ...toNnf(l, { rootPath: `levels[${i}]` }),
    parent: root,
  }));
  return root;
}

/**
 * The canonical form of a rule, or of a segment with its ancestors (a list of
 * levels, all of which must hold): NOT pushed down, nested groups of the same
 * operator flattened, values normalized (dates to epoch ms, lists sorted and
 * deduplicated, integer fields snapped, conditions on one field merged, always
 * true / never true parts folded), children sorted. Reordered or re-nested but
 * equivalent rules get the same key.
 * @public
 */
export function canonicalRule(
  rule: LintRuleInput | LintRuleInput[],
): CanonicalRule {
  const c = simplify(levelsNnf(asLevels(rule)));
  return { root: publicNode(c), key: keyOf(c) };
}

/**
 * Whether some customer can meet the rule (or all levels). `yes` only when a
 * made-up customer was checked with the evaluator; `unknown` when undecided.
 * @public
 */
export function satisfiable(
  rule: LintRuleInput | LintRuleInput[],
  options: { budget?: number } = {},
): LintAnswer {
  const levels = asLevels(rule);
  const r = solve([levelsNnf(levels)], new Budget(options.budget ?? 20_000));
  if (r.status === 'unsat') return 'no';
  if (r.status === 'sat' && r.witness) {
    const w = buildWitness(r.witness);
    if (w && matchesLevels(levels, witnessFeatures(w))) return 'yes';
  }
  return 'unknown';
}

/**
 * Whether every customer that `b` selects is also selected by `a` (at every
 * `asOf`). `yes` is proven from the domains (b AND NOT a cannot hold); `no`
 * comes with a made-up customer checked by the evaluator; otherwise `unknown`.
 * Each side may be a rule or a list of hierarchy levels.
 * @public
 */
export function subsumes(
  a: LintRuleInput | LintRuleInput[],
  b: LintRuleInput | LintRuleInput[],
  options: {
    budget?: number;
    /** Skip building a counterexample for `no` (answers `unknown` instead). */ proveOnly?: boolean;
  } = {},
): LintAnswer {
  const la = asLevels(a);
  const lb = asLevels(b);
  const r = solve(
    [levelsNnf(lb), negateNnf(levelsNnf(la))],
    new Budget(options.budget ?? 20_000),
  );
  if (r.status === 'unsat') return 'yes';
  if (r.status === 'sat' && r.witness && !options.proveOnly) {
    const w = buildWitness(r.witness);
    if (w) {
      const f = witnessFeatures(w);
      if (matchesLevels(lb, f) && !matchesLevels(la, f)) return 'no';
    }
  }
  return 'unknown';
}

/**
 * Whether two rules (or level lists) select the same customers: `yes` when
 * their canonical forms are equal or each subsumes the other.
 * @public
 */
export function rulesEquivalent(
  a: LintRuleInput | LintRuleInput[],
  b: LintRuleInput | LintRuleInput[],
  options: { budget?: number } = {},
): LintAnswer {
  if (canonicalRule(a).key === canonicalRule(b).key) return 'yes';
  const ab = subsumes(a, b, options);
  if (ab === 'no') return 'no';
  const ba = subsumes(b, a, options);
  if (ba === 'no') return 'no';
  return ab === 'yes' && ba === 'yes' ? 'yes' : 'unknown';
}
