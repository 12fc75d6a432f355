import { ConflictError, InputError } from '@backstage/errors';
import {
  canonicalRule,
  describeCondition,
  segmentsRuleReadPermission,
  LintIssue,
  lintRule,
  LintRuleInput,
  subsumes,
  SegmentRule,
} from '@internal/plugin-segments-common';
import { Request } from 'express';
import { RuleStore } from '../database/RuleStore';
import { ancestry } from '../engine/hierarchy';
import { SegmentAnalysis } from '../engine/SegmentAnalysis';
import { RequestContext } from './requestHelpers';

/** A rule level with the segment it belongs to (ancestors first, the rule itself last). */
export interface NamedLevel extends LintRuleInput {
  id?: string;
  name?: string;
}

/** Which of these rule ids the caller may read. */
export type ReadableFilter = (ids: string[]) => Promise<Set<string>>;

const normalizeVisibility = (v: string[] | undefined) =>
  [...new Set((v ?? []).map(x => x.toLowerCase()))].sort();
const visibilityOf = (r: SegmentRule) => normalizeVisibility(r.visibility);

/**
 * The rules a request may read, through the conditional decision of
 * `segments.rule.read` translated to SQL (nothing when the caller may not read rules).
 */
export function readableRules(
  ctx: RequestContext,
  req: Request,
  rules: RuleStore,
): ReadableFilter {
  return async ids => {
    try {
      const { filter } = await ctx.ruleFilter(req, segmentsRuleReadPermission);
      if (!filter) return new Set(ids);
      const page = await rules.listRules({
        ids,
        filter,
        limit: Math.max(ids.length, 1),
        offset: 0,
      });
      return new Set(page.items.map(r => r.id));
    } catch (error) {
      if ((error as Error).name === 'NotAllowedError') return new Set();
      throw error;
    }
  };
}

/** Work budget per pair when deciding equivalence beyond identical canonical forms. */
const PAIR_BUDGET = 3_000;

/**
 * The levels a rule's members must meet: the conditions of its ancestors,
 * root first, then its own. Unknown parents are skipped (validation reports them).
 */
export async function levelsOf(
  rules: RuleStore,
  rule: LintRuleInput & {
    parentSegmentId?: string;
    id?: string;
    name?: string;
  },
  known?: {
    parents: Map<string, string | undefined>;
    byId: Map<string, SegmentRule>;
  },
): Promise<NamedLevel[]> {
  const own: NamedLevel = {
    logicalOperator: rule.logicalOperator,
    conditions: rule.conditions,
    ...(rule.id ? { id: rule.id } : {}),
    ...(rule.name ? { name: rule.name } : {}),
  };
  if (!rule.parentSegmentId) return [own];
  const parents = known?.parents ?? (await rules.getParents());
  const chain = ancestry(rule.parentSegmentId, parents).filter(
    id => id !== rule.id,
  );
  const byId =
    known?.byId ?? new Map((await rules.getRules(chain)).map(r => [r.id, r]));
  const ancestors = chain
    .map(id => byId.get(id))
    .filter((r): r is SegmentRule => !!r)
    .map(r => ({
      id: r.id,
      name: r.name,
      logicalOperator: r.logicalOperator,
      conditions: r.conditions,
    }));
  return [...ancestors, own];
}

/** Lint of a rule within its ancestors. */
export function lintLevels(levels: NamedLevel[]) {
  const own = levels[levels.length - 1];
  return lintRule(own, { parentLevels: levels.slice(0, -1) });
}

/** A stored rule that selects the same customers as the one checked. */
export interface EquivalentRule {
  id: string;
  name: string;
  /** Whom the rule is shared with (lower-cased entity refs, sorted). */
  visibility: string[];
  /** `identical`: same canonical form; `equivalent`: proven equal sets of customers. */
  match: 'identical' | 'equivalent';
}

/**
 * The stored rules whose members (with their ancestors' conditions) are
 * exactly those of `levels`: identical canonical forms (reordered or re-nested
 * conditions, normalized values), or proven equivalent from the domains.
 */
export async function findEquivalentRules(options: {
  rules: RuleStore;
  levels: NamedLevel[];
  excludeId?: string;
  /** Keeps only the rules the caller may read (others must not be revealed). */
  readable?: ReadableFilter;
}): Promise<EquivalentRule[]> {
  const { rules, levels, excludeId } = options;
  const parents = await rules.getParents();
  let ids = [...parents.keys()].filter(id => id !== excludeId);
  if (options.readable && ids.length) {
    const allowed = await options.readable(ids);
    ids = ids.filter(id => allowed.has(id));
  }
  if (!ids.length) return [];
  const all = await rules.getRules([...parents.keys()]);
  const byId = new Map(all.map(r => [r.id, r]));
  const canonical = canonicalRule(levels);
  const mine = canonical.key;
  // Rules that never match are all "equivalent": not worth reporting.
  if (canonical.root.op === 'false' || lintLevels(levels).satisfiable === 'no')
    return [];
  const out: EquivalentRule[] = [];
  for (const id of ids) {
    const other = byId.get(id);
    if (!other) continue;
    const theirs = await levelsOf(rules, other, { parents, byId });
    const theirCanonical = canonicalRule(theirs);
    if (theirCanonical.key === mine) {
      out.push({
        id,
        name: other.name,
        visibility: visibilityOf(other),
        match: 'identical',
      });
    } else if (
      theirCanonical.root.op !== 'false' &&
      subsumes(levels, theirs, { budget: PAIR_BUDGET, proveOnly: true }) ===
        'yes' &&
      subsumes(theirs, levels, { budget: PAIR_BUDGET, proveOnly: true }) ===
        'yes'
    ) {
      out.push({
        id,
        name: other.name,
        visibility: visibilityOf(other),
        match: 'equivalent',
      });
    }
  }
  return out;
}

/** Duplicates as lint findings (warnings), for previews. */
export function duplicateIssues(duplicates: EquivalentRule[]): LintIssue[] {
  return duplicates.map(d => ({
    severity: 'warning',
    kind: 'duplicate',
    message: `Segment "${d.name}" (${d.id}) selects ${
      d.match === 'identical'
        ? 'the same customers with the same conditions'
        : 'exactly the same customers'
    }.`,
    paths: ['(rule)'],
    target: '(rule)',
    ruleId: d.id,
  }));
}

/**
 * Save-time checks: a rule that can never match (on its own or within its
 * parent segments) answers 400 with the explanation and the suggested fix; a
 * rule equivalent to a stored one answers 409 naming it. `force` skips both.
 */
export async function checkBeforeSave(options: {
  rules: RuleStore;
  rule: LintRuleInput & {
    parentSegmentId?: string;
    name?: string;
    visibility?: string[];
  };
  ruleId?: string;
  force?: boolean;
  readable?: ReadableFilter;
}) {
  if (options.force) return;
  const levels = await levelsOf(options.rules, {
    ...options.rule,
    id: options.ruleId,
  });
  const report = lintLevels(levels);
  const errors = report.issues.filter(i => i.severity === 'error');
  if (errors.length) {
    const details = errors
      .map(
        e =>
          `${e.message}${e.paths.length ? ` [${e.paths.join(', ')}]` : ''}${
            e.suggestion ? ` Suggestion: ${e.suggestion.message}` : ''
          }`,
      )
      .join(' ');
    throw new InputError(`${details} Send force: true to save it anyway.`);
  }
  // A duplicate is a readable segment with the same members for the same
  // audience: the same definition shared with other groups is another segment.
  const visibility =
    options.rule.visibility ??
    (options.ruleId
      ? (await options.rules.getRule(options.ruleId))?.visibility
      : undefined);
  const audience = normalizeVisibility(visibility).join(',');
  const duplicates = (
    await findEquivalentRules({
      rules: options.rules,
      levels,
      excludeId: options.ruleId,
      readable: options.readable,
    })
  ).filter(d => d.visibility.join(',') === audience);
  if (duplicates.length) {
    const list = duplicates
      .map(d => `${d.id} ("${d.name}", ${d.match})`)
      .join(', ');
    throw new ConflictError(
      `An equivalent segment already exists: ${list}. Send force: true to save it anyway.`,
    );
  }
}

/**
 * Takes the `force` flag off a rule body (validation rejects unknown keys).
 * A non-boolean `force` is a 400.
 */
export function takeForce(body: unknown): { body: unknown; force: boolean } {
  if (
    typeof body !== 'object' ||
    body === null ||
    Array.isArray(body) ||
    !('force' in body)
  ) {
    return { body, force: false };
  }
  const { force, ...rest } = body as Record<string, unknown>;
  if (force !== undefined && typeof force !== 'boolean')
    throw new InputError('Invalid rule: force: must be true or false');
  return { body: rest, force: force === true };
}

function comparePathIndex(a: string, b: string) {
  return (
    Number(/\[(\d+)\]/.exec(a)?.[1] ?? 0) -
    Number(/\[(\d+)\]/.exec(b)?.[1] ?? 0)
  );
}

/**
 * The warning of a preview that matches nobody, naming the conditions that
 * eliminate the most: those whose removal would let the most customers in
 * (AND rules), or that let the fewest through on their own.
 */
export async function noMatchIssue(options: {
  analysis: SegmentAnalysis;
  levels: NamedLevel[];
  asOf: number;
}): Promise<LintIssue> {
  const own = options.levels[options.levels.length - 1];
  const breakdown = await options.analysis.noMatchBreakdown({
    levels: options.levels,
    asOf: options.asOf,
  });
  const text = (path: string) => {
    const i = Number(/\[(\d+)\]/.exec(path)?.[1]);
    return describeCondition(own.conditions[i]);
  };
  const ranked = [...breakdown.conditions].sort(
    (a, b) =>
      (b.without ?? 0) - (a.without ?? 0) ||
      a.alone - b.alone ||
      comparePathIndex(a.path, b.path),
  );
  let message = 'No customer matches this rule.';
  let paths: string[];
  if (breakdown.parentCount === 0) {
    message += ' The parent segment matches no customer.';
    paths = ['(rule)'];
  } else if (ranked.some(c => (c.without ?? 0) > 0)) {
    const top = ranked.filter(c => (c.without ?? 0) > 0).slice(0, 3);
    message += ` ${top
      .map(c => `Without "${text(c.path)}", ${c.without} would match`)
      .join('; ')}.`;
    paths = top.map(c => c.path);
  } else {
    const top = [...breakdown.conditions]
      .sort((a, b) => a.alone - b.alone || comparePathIndex(a.path, b.path))
      .slice(0, 3);
    message += ` The most selective conditions: ${top
      .map(c => `"${text(c.path)}" (${c.alone} on its own)`)
      .join(', ')}.`;
    paths = top.map(c => c.path);
  }
  return {
    severity: 'warning',
    kind: 'noMatch',
    message,
    paths,
    target: '(rule)',
    breakdown,
  } as LintIssue & {
    breakdown: typeof breakdown;
  };
}

/**
 * Warnings of a preview: lint findings (within the ancestors), stored
 * segments selecting the same customers, and "no customer matches".
 */
export async function previewWarnings(options: {
  rules: RuleStore;
  analysis?: SegmentAnalysis;
  levels: NamedLevel[];
  asOf: number;
  estimatedCount: number;
  /** The rule being edited, not a duplicate of itself. */
  ruleId?: string;
  readable?: ReadableFilter;
}): Promise<LintIssue[]> {
  const issues = [...lintLevels(options.levels).issues];
  if (!issues.some(i => i.severity === 'error')) {
    const duplicates = await findEquivalentRules({
      rules: options.rules,
      levels: options.levels,
      excludeId: options.ruleId,
      readable: options.readable,
    });
    issues.push(...duplicateIssues(duplicates));
  }
  // A contradiction already says why nothing matches.
  if (
    options.estimatedCount === 0 &&
    options.analysis &&
    !issues.some(i => i.severity === 'error')
  ) {
    issues.push(
      await noMatchIssue({
        analysis: options.analysis,
        levels: options.levels,
        asOf: options.asOf,
      }),
    );
  }
  return issues;
}
