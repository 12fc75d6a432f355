import { useMemo } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import {
  LintIssue,
  LintReport,
  LintRuleInput,
  lintRule,
  RuleValidationError,
} from '@internal/plugin-segments-common';
import useAsync from 'react-use/esm/useAsync';
import { segmentsApiRef } from '../../api';
import type { PreviewState } from './useRulePreview';

/** Most ancestor levels fetched (the server allows 5). */
const MAX_LEVELS = 6;

/** Kinds of findings the browser decides itself; the server may repeat them. */
const LOCAL_KINDS: ReadonlyArray<LintIssue['kind']> = [
  'contradiction',
  'alwaysTrue',
  'redundant',
  'incomplete',
];

/** Result of {@link useRuleLint}. */
export interface RuleLintState {
  /** Undefined while the rule has no conditions or could not be checked. */
  report?: LintReport;
  issues: LintIssue[];
  /** Error findings on the rule's own conditions, for the rule builder. */
  errors: RuleValidationError[];
  /** The ancestors' conditions, root first (empty while loading). */
  parentLevels: LintRuleInput[];
  /** The parent chain is still loading: checks within it come later. */
  parentsLoading: boolean;
}

/**
 * The conditions of a segment's ancestors, root first, from `GET /rules/:id`
 * of the parent and its ancestors. Empty without a parent.
 */
export function useParentLevels(parentSegmentId: string | undefined) {
  const api = useApi(segmentsApiRef);
  return useAsync(async (): Promise<LintRuleInput[]> => {
    const levels: LintRuleInput[] = [];
    const seen = new Set<string>();
    let next = parentSegmentId;
    while (next && !seen.has(next) && levels.length < MAX_LEVELS) {
      seen.add(next);
      const parent = await api.getRule(next);
      levels.unshift({
        logicalOperator: parent.logicalOperator,
        conditions: parent.conditions,
      });
      next = parent.parentSegmentId;
    }
    return levels;
  }, [api, parentSegmentId]);
}

/** The error findings as builder errors on each involved condition of the rule. */
export function lintErrorsForBuilder(
  issues: LintIssue[],
): RuleValidationError[] {
  const errors: RuleValidationError[] = [];
  for (const issue of issues) {
    if (issue.severity !== 'error') continue;
    for (const path of issue.paths) {
      if (path.startsWith('conditions[')) {
        errors.push({ path, message: issue.message });
      }
    }
  }
  return errors;
}

/**
 * Checks the rule being edited in the browser on every change with
 * `lintRule` (pure, a few milliseconds), within its parent segments, before
 * any request to the server.
 */
export function useRuleLint(
  rule: LintRuleInput,
  parentSegmentId: string | undefined,
): RuleLintState {
  const parents = useParentLevels(parentSegmentId);
  const parentLevels = parents.value;
  const report = useMemo(() => {
    if (!rule.conditions.length) return undefined;
    try {
      return lintRule(rule, { parentLevels: parentLevels ?? [] });
    } catch {
      // A half-typed condition the checks cannot read: validation reports it.
      return undefined;
    }
  }, [rule, parentLevels]);
  const issues = useMemo(() => report?.issues ?? [], [report]);
  const errors = useMemo(() => lintErrorsForBuilder(issues), [issues]);
  return {
    report,
    issues,
    errors,
    parentLevels: parentLevels ?? [],
    parentsLoading: Boolean(parentSegmentId) && parents.loading,
  };
}

/**
 * The preview state without the findings the browser already shows, so
 * they are not listed twice (duplicates and "no customer matches" stay).
 */
export function withoutLocalIssues(
  state: PreviewState,
  lint: RuleLintState,
): PreviewState {
  const response = state.response;
  if (!lint.report || !response?.validation.valid || !('lint' in response)) {
    return state;
  }
  return {
    ...state,
    response: {
      ...response,
      lint: response.lint?.filter(
        i =>
          !LOCAL_KINDS.includes(i.kind) ||
          !lint.issues.some(l => l.kind === i.kind && l.message === i.message),
      ),
    },
  };
}
