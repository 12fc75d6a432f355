import { SegmentCondition, SegmentLeafCondition } from '../types';
import { validateConditions } from '../validateRule';
import { FieldModel, fieldModel, leafSet, opaqueModel } from './fieldModel';
import { complement, ValueSet } from './valueSets';

/** A leaf after `not` was pushed down: "the field's value is in `set`". */
export interface NAtom {
  t: 'atom';
  model: FieldModel;
  set: ValueSet;
  /** Path of the source condition, e.g. `conditions[0].subConditions[1]`. */
  path: string;
  /** The source condition (absent for opaque ones). */
  leaf?: SegmentLeafCondition;
  /** True when an odd number of `not`s apply to the source leaf. */
  negated: boolean;
  parent?: NGroup;
}

/** A group in negation normal form. */
export interface NGroup {
  t: 'and' | 'or';
  path: string;
  kids: NNode[];
  parent?: NGroup;
}

/** A node of a rule in negation normal form. */
export type NNode = NAtom | NGroup;

/** A rule, or one level of a segment hierarchy. */
export interface RuleLike {
  logicalOperator: 'AND' | 'OR';
  conditions: SegmentCondition[];
}

/**
 * Converts a rule to negation normal form (NOT pushed down to the leaves by
 * De Morgan, with the two-valued semantics: NOT of a leaf is the complement of
 * its set, missing included). Structure is kept (no flattening) so every group
 * keeps its path. Conditions that do not validate become opaque atoms.
 */
export function toNnf(
  rule: RuleLike,
  options: { rootPath?: string; prefix?: string } = {},
): NGroup {
  const prefix = options.prefix ?? '';
  const conditions = Array.isArray(rule?.conditions) ? rule.conditions : [];
  const errors = validateConditions(conditions as unknown[]).map(
    e => prefix + e.path,
  );
  const root: NGroup = {
    t: rule?.logicalOperator === 'OR' ? 'or' : 'and',
    path: options.rootPath ?? '(rule)',
    kids: [],
  };
  root.kids = conditions.map((c, i) =>
    build(c, `${prefix}conditions[${i}]`, false, errors, root),
  );
  return root;
}

function isGroupLike(c: unknown): boolean {
  return (
    typeof c === 'object' &&
    c !== null &&
    ('subConditions' in c || 'logicalOperator' in c)
  );
}

function build(
  node: SegmentCondition,
  path: string,
  negate: boolean,
  errors: string[],
  parent: NGroup,
): NNode {
  const own = (p: string) => p === path || p.startsWith(`${path}.`);
  if (isGroupLike(node)) {
    const g = node as Extract<SegmentCondition, { subConditions: unknown }>;
    const broken = errors.some(
      e =>
        e === path ||
        e === `${path}.subConditions` ||
        e === `${path}.logicalOperator` ||
        e === `${path}.not`,
    );
    if (broken || !Array.isArray(g.subConditions))
      return opaque(path, negate, parent);
    const flip = negate !== (g.not === true);
    const isAnd = g.logicalOperator === 'AND';
    const group: NGroup = {
      t: isAnd !== flip ? 'and' : 'or',
      path,
      kids: [],
      parent,
    };
    group.kids = g.subConditions.map((c, i) =>
      build(c, `${path}.subConditions[${i}]`, flip, errors, group),
    );
    return group;
  }
  if (errors.some(own)) return opaque(path, negate, parent);
  const leaf = node as SegmentLeafCondition;
  const flip = negate !== (leaf.not === true);
  const base = leafSet(leaf);
  return {
    t: 'atom',
    model: fieldModel(leaf.field, leaf.dataType),
    set: flip ? complement(base) : base,
    path,
    leaf,
    negated: flip,
    parent,
  };
}

function opaque(path: string, negate: boolean, parent: NGroup): NAtom {
  return {
    t: 'atom',
    model: opaqueModel(path),
    set: { kind: 'bool', mask: negate ? 2 : 1 },
    path,
    negated: negate,
    parent,
  };
}

/** The negation of an NNF node, as a new tree (parents point into the new tree). */
export function negateNnf(node: NNode, parent?: NGroup): NNode {
  if (node.t === 'atom') {
    return {
      ...node,
      set: complement(node.set),
      negated: !node.negated,
      parent,
    };
  }
  const group: NGroup = {
    t: node.t === 'and' ? 'or' : 'and',
    path: node.path,
    kids: [],
    parent,
  };
  group.kids = node.kids.map(k => negateNnf(k, group));
  return group;
}

/** Every atom under a node. */
export function atomsOf(node: NNode): NAtom[] {
  return node.t === 'atom' ? [node] : node.kids.flatMap(atomsOf);
}

/** Every node under (and including) a node, parents before children. */
export function nodesOf(node: NNode): NNode[] {
  return node.t === 'atom' ? [node] : [node, ...node.kids.flatMap(nodesOf)];
}
