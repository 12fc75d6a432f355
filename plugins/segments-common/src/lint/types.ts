import { SegmentCondition, SegmentOperator } from '../types';

/** How bad a lint finding is: errors block saving (unless forced), the rest never do. @public */
export type LintSeverity = 'error' | 'warning' | 'info';

/** What a lint finding is about. @public */
export type LintKind =
  /** The rule, one OR-branch, or the rule within its parent segment can never hold. */
  | 'contradiction'
  /** A condition (or the whole rule) holds for every customer. */
  | 'alwaysTrue'
  /** A condition is implied by the others (or by the parent segment) and can go. */
  | 'redundant'
  /** A preview matched no customer (server side). */
  | 'noMatch'
  /** Another stored rule selects exactly the same customers (server side). */
  | 'duplicate'
  /** The checks ran out of budget; some findings may be missing. */
  | 'incomplete';

/**
 * An edit of a rule that resolves a finding. Paths are condition paths as in
 * validation errors (`conditions[0].subConditions[1]`); `(rule)` is the rule itself.
 * Apply with {@link applyLintFix}.
 * @public
 */
export type LintFix =
  | { type: 'remove'; path: string }
  | {
      type: 'replace';
      path: string;
      condition: SegmentCondition;
      /** Conditions removed in the same edit (e.g. when two conditions merge into one). */
      removePaths?: string[];
    }
  | {
      type: 'changeOperator';
      path: string;
      operator: SegmentOperator;
      value?: unknown;
    }
  | {
      type: 'changeLogicalOperator';
      path: string;
      logicalOperator: 'AND' | 'OR';
    };

/** A suggested correction; its `fix` was checked to resolve the finding. @public */
export interface LintSuggestion {
  message: string;
  fix?: LintFix;
}

/** One lint finding. @public */
export interface LintIssue {
  severity: LintSeverity;
  kind: LintKind;
  message: string;
  /**
   * The conditions involved, the finding's subject first. Paths of parent
   * segments' conditions read `parentLevels[i].conditions[j]` (i = 0 is the root).
   */
  paths: string[];
  /** The node the finding is about (`(rule)` for the whole rule). */
  target?: string;
  /** For contradictions: the whole rule, one OR-branch, or the rule within its parent segments. */
  scope?: 'rule' | 'branch' | 'parent';
  suggestion?: LintSuggestion;
  /** Further verified suggestions. */
  alternatives?: LintSuggestion[];
  /** For duplicates: the other rule. */
  ruleId?: string;
}

/** A rule, or one level of a segment hierarchy. @public */
export interface LintRuleInput {
  logicalOperator: 'AND' | 'OR';
  conditions: SegmentCondition[];
}

/** Options of {@link lintRule}. @public */
export interface LintOptions {
  /**
   * The conditions of the ancestor segments, root first: a child segment's
   * members must also meet them.
   */
  parentLevels?: LintRuleInput[];
  /** Most search steps for the whole run (default 20,000, a few milliseconds). */
  budget?: number;
}

/** Result of {@link lintRule}. @public */
export interface LintReport {
  issues: LintIssue[];
  /** Whether some customer can match: `no` comes with a contradiction error. */
  satisfiable: 'yes' | 'no' | 'unknown';
  /** False when the budget ran out and some checks were skipped. */
  complete: boolean;
}

/** A three-valued answer: `unknown` when the domains cannot decide. @public */
export type LintAnswer = 'yes' | 'no' | 'unknown';
