import { getFieldDefinition } from '../fields';
import { SegmentCondition, SegmentLeafCondition } from '../types';
import { isGroupCondition, validateConditions } from '../validateRule';
import { applyLintFix, parseConditionPath } from './applyLintFix';
import {
  describeAtom,
  describeCondition,
  joinQuoted,
  linkReason,
} from './describe';
import { NAtom, negateNnf, NGroup, NNode, toNnf } from './normalize';
import { Budget, comparePaths, solve, SolveResult } from './solver';
import { buildWitness, matchesLevels, witnessFeatures } from './witness';
import {
  LintFix,
  LintIssue,
  LintOptions,
  LintReport,
  LintRuleInput,
  LintSuggestion,
} from './types';

const DEFAULT_BUDGET = 20_000;
const MAX_ALTERNATIVES = 4;

/**
 * Checks a rule for conditions that can never hold together (the whole rule,
 * one OR-branch, or the rule within its parent segments), conditions that are
 * always true, and conditions implied by their siblings or by the parent
 * segments. Pure and bounded (see `budget`): cheap enough to run on every
 * keystroke in the editor. Respects the engine's two-valued logic (a leaf on a
 * missing value is false; NOT makes it true). Conditions that do not validate
 * are treated as unknown and never reported.
 *
 * Every `contradiction` is sound: the lint only says "can never match" when no
 * customer can match at any `asOf`. Suggested fixes were checked to resolve
 * the finding.
 * @public
 */
export function lintRule(
  rule: LintRuleInput,
  options: LintOptions = {},
): LintReport {
  const budget = new Budget(options.budget ?? DEFAULT_BUDGET);
  const issues: LintIssue[] = [];
  let complete = true;
  const run = (nodes: NNode[], cores = false): SolveResult => {
    if (budget.exhausted) {
      complete = false;
      return { status: 'unknown', cores: [] };
    }
    const result = solve(nodes, budget, { cores });
    if (result.status === 'unknown') complete = false;
    return result;
  };
  const finish = (satisfiable: LintReport['satisfiable']): LintReport => {
    if (!complete) {
      issues.push({
        severity: 'info',
        kind: 'incomplete',
        message:
          'The rule was not fully checked (too many OR combinations); some findings may be missing.',
        paths: [],
      });
    }
    return { issues, satisfiable, complete };
  };

  const own = toNnf(rule);
  const parents = (options.parentLevels ?? []).map((level, i) =>
    toNnf(level, {
      rootPath: `parentLevels[${i}]`,
      prefix: `parentLevels[${i}].`,
    }),
  );
  const ctx: Ctx = { rule, parents, run, removed: new Set() };

  if (parents.length) {
    const p = run(parents, true);
    if (p.status === 'unsat') {
      issues.push({
        ...contradictionText('parent', p.cores),
        severity: 'error',
        kind: 'contradiction',
        scope: 'parent',
        target: '(rule)',
      });
      return finish('no');
    }
  }

  const whole = run([...parents, own], true);
  if (whole.status === 'unsat') {
    const alone = parents.length ? run([own], true) : whole;
    const scope = alone.status === 'unsat' ? 'rule' : 'parent';
    const cores = alone.status === 'unsat' ? alone.cores : whole.cores;
    const suggestions = contradictionFixes(ctx, cores[0] ?? []);
    issues.push({
      ...contradictionText(scope, cores),
      severity: 'error',
      kind: 'contradiction',
      scope,
      target: '(rule)',
      ...withSuggestions(suggestions),
    });
    return finish('no');
  }

  const everyone = run([...parents, negateNnf(own)]);
  const alwaysTrue = everyone.status === 'unsat';
  if (alwaysTrue) {
    issues.push({
      severity: 'warning',
      kind: 'alwaysTrue',
      message: parents.length
        ? 'This rule matches every member of its parent segment: its own conditions add nothing.'
        : 'This rule matches every customer.',
      paths: ['(rule)'],
      target: '(rule)',
    });
  }
  visit(ctx, own, parents, issues, !alwaysTrue);
  return finish(
    whole.status === 'sat'
      ? confirm(rule, options.parentLevels ?? [], whole)
      : 'unknown',
  );
}

/** `yes` when a customer built from the satisfiable branch really matches (checked with the evaluator). */
function confirm(
  rule: LintRuleInput,
  parentLevels: LintRuleInput[],
  result: SolveResult,
): LintReport['satisfiable'] {
  const levels = [...parentLevels, rule];
  if (
    !result.witness ||
    levels.some(l => validateConditions(l.conditions as unknown[]).length)
  )
    return 'unknown';
  const w = buildWitness(result.witness);
  return w && matchesLevels(levels, witnessFeatures(w)) ? 'yes' : 'unknown';
}

interface Ctx {
  rule: LintRuleInput;
  parents: NGroup[];
  /** Nodes reported as removable; later checks see the rule without them. */
  removed: Set<NNode>;
  run: (nodes: NNode[], cores?: boolean) => SolveResult;
}

const isUnder = (path: string, ancestor: string) =>
  path === ancestor || path.startsWith(`${ancestor}.`);

/** The source condition at a path of the own rule. */
function sourceAt(
  rule: LintRuleInput,
  path: string,
): SegmentCondition | undefined {
  const idx = parseConditionPath(path);
  if (!idx || !idx.length) return undefined;
  let list: SegmentCondition[] | undefined = rule.conditions;
  let node: SegmentCondition | undefined;
  for (const i of idx) {
    node = list?.[i];
    list = node && isGroupCondition(node) ? node.subConditions : undefined;
  }
  return node;
}

function describeNode(ctx: Ctx, node: NNode): string {
  if (node.t === 'atom') return describeAtom(node);
  const src = sourceAt(ctx.rule, node.path);
  return src ? describeCondition(src) : node.path;
}

/** Walks the rule: dead OR-branches, always-true and redundant conditions. */
/** A copy of a node without the descendants already reported as removable. */
function pruned(ctx: Ctx, node: NNode): NNode {
  if (node.t === 'atom') return node;
  const kids = node.kids
    .filter(k => !ctx.removed.has(k))
    .map(k => pruned(ctx, k));
  return { ...node, kids };
}

function visit(
  ctx: Ctx,
  group: NGroup,
  outside: NNode[],
  issues: LintIssue[],
  checkRedundancy: boolean,
) {
  const flagged = ctx.removed;
  if (group.t === 'or') {
    const live: NNode[] = [];
    for (const kid of group.kids) {
      const r = ctx.run([...outside, kid], true);
      if (r.status !== 'unsat') {
        live.push(kid);
        continue;
      }
      issues.push({
        ...contradictionText('branch', r.cores, kid.path),
        severity: 'warning',
        kind: 'contradiction',
        scope: 'branch',
        target: kid.path,
        ...(group.kids.length > 1
          ? {
              suggestion: {
                message: `Remove "${describeNode(
                  ctx,
                  kid,
                )}": it never matches anyone, so removing it changes nothing.`,
                fix: { type: 'remove', path: kid.path },
              },
            }
          : {}),
      });
      flagged.add(kid);
    }
    if (checkRedundancy) {
      for (const kid of [...live].reverse()) {
        if (kid.t === 'atom' && !kid.leaf) continue;
        const others = live.filter(k => k !== kid && !flagged.has(k));
        if (!others.length) continue;
        const r = ctx.run(
          [...outside, kid, ...others.map(o => negateNnf(o))],
          true,
        );
        if (r.status !== 'unsat') continue;
        flagged.add(kid);
        const by = relatedAtoms(r, kid);
        issues.push({
          severity: 'warning',
          kind: 'redundant',
          message: `"${describeNode(
            ctx,
            kid,
          )}" is already covered by the other alternatives${
            by.length ? ` (${joinQuoted(uniqueTexts(by))})` : ''
          }.`,
          paths: [kid.path, ...pathsOf(by)],
          target: kid.path,
          suggestion: {
            message: `Remove "${describeNode(
              ctx,
              kid,
            )}": the rule selects the same customers without it.`,
            fix: { type: 'remove', path: kid.path },
          },
        });
      }
    }
    for (const kid of live) {
      if (kid.t !== 'atom' && !flagged.has(kid))
        visit(ctx, kid, outside, issues, true);
    }
    return;
  }

  // AND: every kid holds together with the outside context and its siblings.
  if (checkRedundancy) {
    for (const kid of [...group.kids].reverse()) {
      if (kid.t === 'atom' && !kid.leaf) continue;
      const remaining = group.kids.filter(k => k !== kid && !flagged.has(k));
      const removable = remaining.length > 0;
      const always = ctx.run([negateNnf(kid)]);
      if (always.status === 'unsat') {
        flagged.add(kid);
        const note = kid.t === 'atom' ? kid.model.note : undefined;
        issues.push({
          severity: 'warning',
          kind: 'alwaysTrue',
          message: `"${describeNode(ctx, kid)}" is true for every customer${
            note ? ` (${note})` : ''
          }.`,
          paths: [kid.path],
          target: kid.path,
          ...(removable
            ? {
                suggestion: {
                  message: `Remove "${describeNode(
                    ctx,
                    kid,
                  )}": it does not narrow the segment.`,
                  fix: { type: 'remove', path: kid.path } as LintFix,
                },
              }
            : {}),
        });
        continue;
      }
      const r = ctx.run([...outside, ...remaining, negateNnf(kid)], true);
      if (r.status !== 'unsat') continue;
      flagged.add(kid);
      const by = relatedAtoms(r, kid);
      const byParent =
        by.length > 0 && by.every(a => a.path.startsWith('parentLevels['));
      let reason = 'the other conditions';
      if (byParent)
        reason = `the parent segment (${joinQuoted(uniqueTexts(by))})`;
      else if (by.length) reason = joinQuoted(uniqueTexts(by));
      issues.push({
        severity: 'warning',
        kind: 'redundant',
        message: `"${describeNode(ctx, kid)}" is already implied by ${reason}.`,
        paths: [kid.path, ...pathsOf(by)],
        target: kid.path,
        ...(removable
          ? {
              suggestion: {
                message: `Remove "${describeNode(
                  ctx,
                  kid,
                )}": the rule selects the same customers without it.`,
                fix: { type: 'remove', path: kid.path } as LintFix,
              },
            }
          : {}),
      });
    }
  }
  for (const kid of group.kids) {
    if (kid.t === 'atom' || flagged.has(kid)) continue;
    // Siblings as simplified so far: removals inside one sibling must not
    // justify removals inside another that justified them.
    const siblings = group.kids
      .filter(k => k !== kid && !flagged.has(k))
      .map(k => pruned(ctx, k));
    visit(ctx, kid, [...outside, ...siblings], issues, true);
  }
}

/** The atoms of a core outside `node`, in rule order. */
function relatedAtoms(r: SolveResult, node: NNode): NAtom[] {
  return (r.cores[0] ?? [])
    .filter(a => !isUnder(a.path, node.path))
    .sort((a, b) => comparePaths(a.path, b.path));
}

function pathsOf(atoms: NAtom[]) {
  return [...new Set(atoms.map(a => a.path))];
}

function uniqueTexts(atoms: NAtom[]) {
  return [...new Set(atoms.map(describeEffective))];
}

/** The effective condition of an atom (with the NOTs of its ancestors applied). */
function describeEffective(a: NAtom): string {
  return a.leaf ? describeCondition({ ...a.leaf, not: a.negated }) : a.path;
}

function contradictionText(
  scope: 'rule' | 'branch' | 'parent',
  cores: NAtom[][],
  branchPath?: string,
) {
  const lead = {
    rule: 'This rule can never match',
    parent: 'This segment can never match within its parent segment',
    branch: 'This alternative can never hold',
  }[scope];
  const explain = (core: NAtom[]) => {
    const texts = [...new Set(core.map(describeEffective))];
    const reason = linkReason(core);
    const base =
      texts.length <= 1
        ? `"${texts[0] ?? '?'}" can never hold`
        : `${joinQuoted(texts)} cannot ${
            texts.length === 2 ? 'both' : 'all'
          } hold`;
    return reason ? `${base} (${reason})` : base;
  };
  let message: string;
  if (
    scope === 'parent' &&
    cores.length &&
    cores.every(c => c.every(a => a.path.startsWith('parentLevels[')))
  ) {
    message = `The parent segment can never match: ${explain(cores[0])}.`;
  } else if (cores.length <= 1) {
    message = `${lead}: ${explain(cores[0] ?? [])}.`;
  } else {
    const shown = cores.slice(0, 3).map(explain).join('; ');
    message = `${lead}: no combination of its alternatives can hold (${shown}${
      cores.length > 3 ? '; ...' : ''
    }).`;
  }
  const paths = [...new Set(cores.flat().map(a => a.path))].sort(comparePaths);
  return {
    message,
    paths: branchPath
      ? [branchPath, ...paths.filter(p => p !== branchPath)]
      : paths,
  };
}

function withSuggestions(list: LintSuggestion[]) {
  if (!list.length) return {};
  const [suggestion, ...rest] = list;
  return {
    suggestion,
    ...(rest.length ? { alternatives: rest.slice(0, MAX_ALTERNATIVES) } : {}),
  };
}

const parentPath = (path: string) => {
  const i = path.lastIndexOf('.subConditions[');
  return i < 0 ? '(rule)' : path.slice(0, i);
};

function listAt(
  rule: LintRuleInput,
  groupPath: string,
): SegmentCondition[] | undefined {
  if (groupPath === '(rule)') return rule.conditions;
  const g = sourceAt(rule, groupPath);
  return g && isGroupCondition(g) ? g.subConditions : undefined;
}

/** Candidate fixes for a whole-rule contradiction, keeping those that make the rule satisfiable. */
function contradictionFixes(ctx: Ctx, core: NAtom[]): LintSuggestion[] {
  const own = core.filter(a => a.leaf && !a.path.startsWith('parentLevels['));
  const candidates: LintSuggestion[] = [];
  // Atoms with no NOT above them read as written.
  const plain = own.filter(a => a.negated === (a.leaf!.not === true));
  if (own.length === 2 && plain.length === 2) {
    const [a, b] = own;
    const group = parentPath(a.path);
    const siblings = group === parentPath(b.path);
    const list = listAt(ctx.rule, group);
    const groupIsAnd =
      group === '(rule)'
        ? ctx.rule.logicalOperator === 'AND'
        : (sourceAt(ctx.rule, group) as any)?.logicalOperator === 'AND';
    if (siblings && list?.length === 2 && groupIsAnd) {
      candidates.push({
        message: `Did you mean OR? "${describeAtom(a)}" OR "${describeAtom(
          b,
        )}" can hold.`,
        fix: {
          type: 'changeLogicalOperator',
          path: group,
          logicalOperator: 'OR',
        },
      });
    }
    if (siblings && !a.leaf!.not && !b.leaf!.not) {
      for (const merged of mergeAsOr(a.leaf!, b.leaf!)) {
        candidates.push({
          message: `Did you mean "${describeCondition(merged.condition)}"?${
            merged.note ? ` ${merged.note}` : ''
          }`,
          fix: {
            type: 'replace',
            path: a.path,
            condition: merged.condition,
            removePaths: [b.path],
          },
        });
      }
    }
  }
  for (const a of [...own].sort((x, y) => comparePaths(y.path, x.path))) {
    const list = listAt(ctx.rule, parentPath(a.path));
    if (!list || list.length < 2) continue;
    candidates.push({
      message: `Remove "${describeAtom(a)}".`,
      fix: { type: 'remove', path: a.path },
    });
  }
  const errorsBefore = validateConditions(
    ctx.rule.conditions as unknown[],
  ).length;
  return candidates.filter(c => {
    try {
      const fixed = applyLintFix(ctx.rule, c.fix!);
      if (
        validateConditions(fixed.conditions as unknown[]).length > errorsBefore
      )
        return false;
      return ctx.run([...ctx.parents, toNnf(fixed)]).status === 'sat';
    } catch {
      return false;
    }
  });
}

/** Single conditions meaning "a OR b" (or the likely intended range) for two conflicting leaves on one field. */
function mergeAsOr(
  a: SegmentLeafCondition,
  b: SegmentLeafCondition,
): Array<{ condition: SegmentLeafCondition; note?: string }> {
  if (a.field !== b.field || a.dataType !== b.dataType) return [];
  const def = getFieldDefinition(a.field, a.dataType);
  if (!def) return [];
  const base = {
    ...(a.id ? { id: a.id } : {}),
    field: a.field,
    dataType: a.dataType,
  };
  const out: Array<{ condition: SegmentLeafCondition; note?: string }> = [];
  const asList = (c: SegmentLeafCondition) => {
    if (c.operator === 'eq') return [c.value];
    return c.operator === 'in' ? (c.value as unknown[]) : undefined;
  };
  const la = asList(a);
  const lb = asList(b);
  if (la && lb && def.operators.includes('in') && def.dataType !== 'array') {
    out.push({
      condition: {
        ...base,
        operator: 'in',
        value: [...new Set([...la, ...lb])],
      },
    });
  }
  if (def.dataType === 'number' || def.dataType === 'date') {
    const lower = [a, b].find(c => c.operator === 'gt' || c.operator === 'gte');
    const upper = [a, b].find(c => c.operator === 'lt' || c.operator === 'lte');
    if (lower && upper) {
      if (lower.operator === 'gt' && upper.operator === 'lt') {
        out.push({
          condition: {
            ...base,
            operator: 'notBetween',
            value: [upper.value, lower.value],
          },
          note: 'That is the two conditions joined by OR.',
        });
      }
      out.push({
        condition: {
          ...base,
          operator: 'between',
          value: [upper.value, lower.value],
        },
        note: 'The bounds look swapped.',
      });
    }
  }
  return out;
}
