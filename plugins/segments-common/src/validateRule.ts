import { z } from 'zod';
import { getFieldDefinition, LIST_OPERATORS, NULLARY_OPERATORS, RANGE_OPERATORS } from './fields';
import { parseDateValue } from './dates';
import {
  RuleValidationError,
  SegmentCondition,
  SegmentDataType,
  SegmentLeafCondition,
  SegmentRuleInput,
} from './types';

/** Most nodes a rule may have; keeps compiled SQL and lint work bounded. @public */
export const MAX_RULE_NODES = 200;
/** Deepest nesting of condition groups. @public */
export const MAX_RULE_DEPTH = 10;
const MAX_LIST = 1000;
const MAX_STRING = 500;
/** Most groups or users a segment can be shared with. */
const MAX_VISIBILITY = 100;

const scheduleSchema = z
  .object({
    frequency: z.enum(['daily', 'weekly', 'monthly']),
    time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:mm (24-hour)'),
    timezone: z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. Asia/Taipei'),
    dayOfWeek: z.number().int().min(1).max(7).optional(),
    dayOfMonth: z.number().int().min(1).max(31).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.frequency === 'weekly' && s.dayOfWeek === undefined)
      ctx.addIssue({ code: 'custom', path: ['dayOfWeek'], message: 'is required for weekly schedules' });
    if (s.frequency === 'monthly' && s.dayOfMonth === undefined)
      ctx.addIssue({ code: 'custom', path: ['dayOfMonth'], message: 'is required for monthly schedules' });
  });

function isTimeZone(tz: string) {
  try {
    return tz.length > 0 && new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone !== undefined;
  } catch {
    return false;
  }
}

const ruleInputSchema = z
  .object({
    name: z.string().trim().min(1, 'is required').max(200),
    description: z.string().max(2000).optional(),
    status: z.enum(['active', 'inactive', 'draft']).optional(),
    priority: z.number().int().min(1).max(100000).optional(),
    conditions: z.array(z.unknown()).min(1, 'needs at least one condition'),
    logicalOperator: z.enum(['AND', 'OR']),
    parentSegmentId: z.string().min(1).max(100).optional().nullable(),
    schedule: scheduleSchema.optional().nullable(),
    visibility: z
      .array(
        z
          .string()
          .max(255)
          .regex(/^(group|user):[a-z0-9][\w.-]*\/[a-z0-9][\w.-]*$/i, 'must be an entity ref, e.g. group:default/marketing'),
      )
      .max(MAX_VISIBILITY, `at most ${MAX_VISIBILITY} entries are allowed`)
      .optional(),
  })
  .strict();

const LEAF_KEYS = new Set(['id', 'field', 'operator', 'value', 'dataType', 'not']);
const GROUP_KEYS = new Set(['id', 'logicalOperator', 'subConditions', 'not']);

/** Outcome of {@link validateRule}. @public */
export type RuleValidationResult =
  | { valid: true; errors: []; rule: SegmentRuleInput }
  | { valid: false; errors: RuleValidationError[] };

/**
 * Checks a rule's shape and every condition: known field, operator valid for
 * the field's type, value of the right type, ordered `between`, non-empty
 * lists and groups, no unknown keys. Errors name the path of the bad node.
 * @public
 */
export function validateRule(input: unknown): RuleValidationResult {
  const errors: RuleValidationError[] = [];
  const parsed = ruleInputSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      errors.push({ path: formatPath(issue.path), message: describeIssue(issue) });
    }
  }
  const conditions = (input as any)?.conditions;
  if (Array.isArray(conditions)) {
    const counter = { nodes: 0 };
    conditions.forEach((c, i) => checkNode(c, `conditions[${i}]`, 1, counter, errors));
    if (counter.nodes > MAX_RULE_NODES) {
      errors.push({ path: 'conditions', message: `has ${counter.nodes} nodes; at most ${MAX_RULE_NODES} are allowed` });
    }
  }
  if (errors.length || !parsed.success) return { valid: false, errors };
  const { parentSegmentId, schedule, visibility, ...rest } = parsed.data;
  const rule: SegmentRuleInput = {
    ...rest,
    conditions: conditions as SegmentCondition[],
    ...(parentSegmentId ? { parentSegmentId } : {}),
    ...(schedule ? { schedule } : {}),
    // Entity refs compare case-insensitively: store them lower-cased, once each.
    ...(visibility ? { visibility: [...new Set(visibility.map(v => v.toLowerCase()))] } : {}),
  };
  return { valid: true, errors: [], rule };
}

/**
 * Validates a list of conditions on its own (used by preview of partial rules).
 * @public
 */
export function validateConditions(conditions: unknown[]): RuleValidationError[] {
  const errors: RuleValidationError[] = [];
  const counter = { nodes: 0 };
  conditions.forEach((c, i) => checkNode(c, `conditions[${i}]`, 1, counter, errors));
  return errors;
}

function formatPath(path: (string | number)[]): string {
  const joined = path.reduce<string>((acc, p) => {
    if (typeof p === 'number') return `${acc}[${p}]`;
    return acc ? `${acc}.${p}` : String(p);
  }, '');
  return joined || '(rule)';
}

function describeIssue(issue: z.ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown keys: ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type' && issue.received === 'undefined') return 'is required';
  return issue.message;
}

function checkNode(
  node: unknown,
  path: string,
  depth: number,
  counter: { nodes: number },
  errors: RuleValidationError[],
): void {
  counter.nodes++;
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    errors.push({ path, message: 'must be a condition object' });
    return;
  }
  const obj = node as Record<string, unknown>;
  const isGroup = 'subConditions' in obj || 'logicalOperator' in obj;
  const allowed = isGroup ? GROUP_KEYS : LEAF_KEYS;
  const unknown = Object.keys(obj).filter(k => !allowed.has(k));
  if (unknown.length) {
    errors.push({ path, message: `unknown keys: ${unknown.join(', ')}` });
  }
  if (obj.not !== undefined && typeof obj.not !== 'boolean') {
    errors.push({ path: `${path}.not`, message: 'must be true or false' });
  }
  if (obj.id !== undefined && typeof obj.id !== 'string') {
    errors.push({ path: `${path}.id`, message: 'must be a string' });
  }
  if (isGroup) {
    if (obj.logicalOperator !== 'AND' && obj.logicalOperator !== 'OR') {
      errors.push({ path: `${path}.logicalOperator`, message: 'must be AND or OR' });
    }
    if (depth >= MAX_RULE_DEPTH) {
      errors.push({ path, message: `groups may be nested at most ${MAX_RULE_DEPTH} levels deep` });
      return;
    }
    const subs = obj.subConditions;
    if (!Array.isArray(subs) || subs.length === 0) {
      errors.push({ path: `${path}.subConditions`, message: 'a group needs at least one condition' });
      return;
    }
    subs.forEach((c, i) => checkNode(c, `${path}.subConditions[${i}]`, depth + 1, counter, errors));
    return;
  }
  checkLeaf(obj, path, errors);
}

function checkLeaf(obj: Record<string, unknown>, path: string, errors: RuleValidationError[]) {
  if (typeof obj.field !== 'string' || !obj.field) {
    errors.push({ path: `${path}.field`, message: 'is required' });
    return;
  }
  const declared = obj.dataType as SegmentDataType | undefined;
  const def = getFieldDefinition(obj.field, declared);
  if (!def) {
    errors.push({ path: `${path}.field`, message: `unknown field "${obj.field}"` });
    return;
  }
  if (declared === undefined) {
    errors.push({ path: `${path}.dataType`, message: `is required (${def.dataType} for ${def.name})` });
  } else if (declared !== def.dataType) {
    errors.push({ path: `${path}.dataType`, message: `${def.name} is ${def.dataType}, not ${String(declared)}` });
  }
  const op = obj.operator as SegmentLeafCondition['operator'];
  if (typeof op !== 'string' || !def.operators.includes(op)) {
    errors.push({
      path: `${path}.operator`,
      message: `operator "${String(op)}" is not valid for ${def.dataType} field ${def.name}; use one of ${def.operators.join(', ')}`,
    });
    return;
  }
  const valuePath = `${path}.value`;
  const elementType: SegmentDataType = def.dataType === 'array' ? 'string' : def.dataType;
  if (NULLARY_OPERATORS.includes(op)) {
    if (obj.value !== undefined && obj.value !== null) {
      errors.push({ path: valuePath, message: `${op} takes no value` });
    }
    return;
  }
  if (LIST_OPERATORS.includes(op)) {
    if (!Array.isArray(obj.value) || obj.value.length === 0) {
      errors.push({ path: valuePath, message: `${op} needs a non-empty list` });
      return;
    }
    if (obj.value.length > MAX_LIST) {
      errors.push({ path: valuePath, message: `at most ${MAX_LIST} values are allowed` });
    }
    obj.value.forEach((v, i) => checkScalar(v, elementType, `${valuePath}[${i}]`, errors));
    return;
  }
  if (RANGE_OPERATORS.includes(op)) {
    if (!Array.isArray(obj.value) || obj.value.length !== 2) {
      errors.push({ path: valuePath, message: `${op} needs two values [low, high]` });
      return;
    }
    const ok = obj.value.map((v, i) => checkScalar(v, elementType, `${valuePath}[${i}]`, errors));
    if (ok[0] && ok[1]) {
      const [lo, hi] = obj.value.map(v => comparable(v, elementType));
      if (lo! > hi!) {
        errors.push({ path: valuePath, message: `${op} needs low <= high, got [${obj.value.join(', ')}]` });
      }
    }
    return;
  }
  checkScalar(obj.value, elementType, valuePath, errors);
}

function checkScalar(v: unknown, type: SegmentDataType, path: string, errors: RuleValidationError[]): boolean {
  const fail = (message: string) => {
    errors.push({ path, message });
    return false;
  };
  switch (type) {
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? true : fail('must be a number');
    case 'boolean':
      return typeof v === 'boolean' ? true : fail('must be true or false');
    case 'date':
      return parseDateValue(v) !== undefined
        ? true
        : fail('must be a date YYYY-MM-DD or an ISO timestamp with offset');
    default:
      if (typeof v !== 'string') return fail('must be a string');
      return v.length <= MAX_STRING ? true : fail(`must be at most ${MAX_STRING} characters`);
  }
}

/**
 * Converts a validated scalar to the value the engine compares: dates become
 * epoch milliseconds, everything else is unchanged.
 * @public
 */
export function comparable(v: unknown, type: SegmentDataType): string | number | boolean {
  if (type === 'date') return parseDateValue(v)!;
  return v as string | number | boolean;
}

/** True when the node is a group. @public */
export function isGroupCondition(
  c: SegmentCondition,
): c is Extract<SegmentCondition, { subConditions: unknown }> {
  return (c as any).subConditions !== undefined;
}
