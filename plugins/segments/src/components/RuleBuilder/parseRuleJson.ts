import {
  RuleValidationError,
  SegmentCondition,
  validateConditions,
} from '@internal/plugin-segments-common';
import type { RuleBuilderValue } from '../../ruleMapping';

/** Outcome of {@link parseRuleJson}. */
export type ParseRuleJsonResult =
  | { ok: true; value: RuleBuilderValue; ignoredKeys: string[] }
  | { ok: false; syntaxError?: string; errors: RuleValidationError[] };

/**
 * Parses pasted JSON for import: an object with `logicalOperator` and
 * `conditions` (a whole SegmentRule works too; its other keys such as `name`
 * are reported as ignored). Conditions are checked with `validateConditions`.
 */
export function parseRuleJson(text: string): ParseRuleJsonResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, syntaxError: (e as Error).message, errors: [] };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return {
      ok: false,
      errors: [
        {
          path: '(rule)',
          message: 'must be an object with logicalOperator and conditions',
        },
      ],
    };
  }
  const obj = data as Record<string, unknown>;
  const errors: RuleValidationError[] = [];
  if (obj.logicalOperator !== 'AND' && obj.logicalOperator !== 'OR') {
    errors.push({ path: 'logicalOperator', message: 'must be AND or OR' });
  }
  if (!Array.isArray(obj.conditions)) {
    errors.push({
      path: 'conditions',
      message: 'must be a list of conditions',
    });
  } else if (obj.conditions.length === 0) {
    errors.push({
      path: 'conditions',
      message: 'needs at least one condition',
    });
  } else {
    errors.push(...validateConditions(obj.conditions));
  }
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      logicalOperator: obj.logicalOperator as 'AND' | 'OR',
      conditions: obj.conditions as SegmentCondition[],
    },
    ignoredKeys: Object.keys(obj).filter(
      k => k !== 'logicalOperator' && k !== 'conditions',
    ),
  };
}
