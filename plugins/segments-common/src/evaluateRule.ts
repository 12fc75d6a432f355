import { CustomerFeatures } from './customerFeatures';
import { getFieldDefinition } from './fields';
import { comparable, isGroupCondition } from './validateRule';
import { SegmentCondition, SegmentLeafCondition } from './types';

type Value = string | number | boolean;

/**
 * The value of a field for a customer, or undefined when missing.
 * @public
 */
export function featureValue(
  features: CustomerFeatures,
  field: string,
): Value | string[] | undefined {
  if (field.startsWith('attributes.')) {
    return features.attributes[field.slice('attributes.'.length)];
  }
  return (features as any)[field];
}

/**
 * Evaluates one leaf with the engine's two-valued semantics: a missing value
 * (or one of the wrong type) makes the comparison false, except `isEmpty`.
 * The leaf's own `not` is not applied here.
 * @public
 */
export function evaluateLeaf(c: SegmentLeafCondition, features: CustomerFeatures): boolean {
  const def = getFieldDefinition(c.field, c.dataType)!;
  const raw = featureValue(features, c.field);
  if (def.dataType === 'array') {
    const items = (raw as string[] | undefined) ?? [];
    const list = (c.value as string[]) ?? [];
    switch (c.operator) {
      case 'in': return items.some(i => list.includes(i));
      case 'notIn': return !items.some(i => list.includes(i));
      case 'containsAll': return list.every(v => items.includes(v));
      case 'isEmpty': return items.length === 0;
      case 'isNotEmpty': return items.length > 0;
      default: return false;
    }
  }
  const jsType = def.dataType === 'date' ? 'number' : def.dataType;
  const x = typeof raw === jsType ? (raw as Value) : undefined;
  if (c.operator === 'isEmpty') return x === undefined;
  if (c.operator === 'isNotEmpty') return x !== undefined;
  if (x === undefined) return false;
  const cmp = (v: unknown) => comparable(v, def.dataType);
  switch (c.operator) {
    case 'eq': return x === cmp(c.value);
    case 'ne': return x !== cmp(c.value);
    case 'gt': return x > cmp(c.value);
    case 'gte': return x >= cmp(c.value);
    case 'lt': return x < cmp(c.value);
    case 'lte': return x <= cmp(c.value);
    case 'in': return (c.value as unknown[]).map(cmp).includes(x);
    case 'notIn': return !(c.value as unknown[]).map(cmp).includes(x);
    case 'between':
    case 'notBetween': {
      const [lo, hi] = (c.value as unknown[]).map(cmp);
      const inside = x >= lo && x <= hi;
      return c.operator === 'between' ? inside : !inside;
    }
    case 'contains': return String(x).includes(String(c.value));
    case 'startsWith': return String(x).startsWith(String(c.value));
    default: return false;
  }
}

/**
 * Evaluates a condition tree (with `not` on any node) for one customer.
 * @public
 */
export function evaluateCondition(c: SegmentCondition, features: CustomerFeatures): boolean {
  let result: boolean;
  if (isGroupCondition(c)) {
    result = evaluateConditions(c.subConditions, c.logicalOperator, features);
  } else {
    result = evaluateLeaf(c, features);
  }
  return c.not ? !result : result;
}

/**
 * Evaluates a list of conditions joined by `logicalOperator`.
 * @public
 */
export function evaluateConditions(
  conditions: SegmentCondition[],
  logicalOperator: 'AND' | 'OR',
  features: CustomerFeatures,
): boolean {
  return logicalOperator === 'AND'
    ? conditions.every(s => evaluateCondition(s, features))
    : conditions.some(s => evaluateCondition(s, features));
}
