import type {
  SegmentRule,
  SegmentRuleInput,
  SegmentStatus,
} from '@internal/plugin-segments-common';
import type { RuleBuilderValue } from '../RuleBuilder';

/** The editor's form state. */
export interface SegmentDraft {
  name: string;
  description: string;
  status: SegmentStatus;
  /** Kept as typed; converted on save. */
  priority: string;
  /** Empty for a top-level segment. */
  parentSegmentId: string;
  rule: RuleBuilderValue;
}

/** A new segment's starting point. */
export const EMPTY_DRAFT: SegmentDraft = {
  name: '',
  description: '',
  status: 'active',
  priority: '100',
  parentSegmentId: '',
  rule: { logicalOperator: 'AND', conditions: [] },
};

/** The form state of a stored rule. */
export function draftFromRule(rule: SegmentRule): SegmentDraft {
  return {
    name: rule.name,
    description: rule.description ?? '',
    status: rule.status,
    priority: String(rule.priority),
    parentSegmentId: rule.parentSegmentId ?? '',
    rule: {
      logicalOperator: rule.logicalOperator,
      conditions: rule.conditions,
    },
  };
}

/**
 * The request body for a draft. The schedule and visibility of the stored
 * rule are carried over: the editor does not change them, and a PUT replaces
 * the whole rule.
 */
export function inputFromDraft(
  draft: SegmentDraft,
  stored?: SegmentRule,
): SegmentRuleInput {
  const schedule = stored?.schedule;
  const visibility = stored?.visibility;
  const priority = draft.priority.trim();
  return {
    name: draft.name.trim(),
    description: draft.description,
    status: draft.status,
    ...(priority ? { priority: Number(priority) } : {}),
    logicalOperator: draft.rule.logicalOperator,
    conditions: draft.rule.conditions,
    ...(draft.parentSegmentId
      ? { parentSegmentId: draft.parentSegmentId }
      : {}),
    ...(schedule ? { schedule } : {}),
    ...(visibility ? { visibility } : {}),
  };
}
