import { ATTRIBUTE_PREFIX, getFieldDefinition } from '../fields';
import { SegmentLeafCondition } from '../types';
import { comparable } from '../validateRule';
import {
  above,
  allReals,
  arrSet,
  below,
  BOOL_FALSE,
  BOOL_MISSING,
  BOOL_TRUE,
  closed,
  complement,
  NumSet,
  numSet,
  strSet,
  ValueSet,
} from './valueSets';

/** What the lint knows about the values one field can take, for any customer and `asOf`. */
export interface FieldModel {
  /** Field name, with the declared type for attributes (`attributes.vip:boolean`). */
  key: string;
  field: string;
  kind: ValueSet['kind'];
  integer: boolean;
  /** Every value the field can have (missing included when possible). */
  universe: ValueSet;
  /** Why the universe is narrower than the type, for messages. */
  note?: string;
}

const COUNT_FIELDS = [
  'orderCount',
  'ordersLast30d',
  'ordersLast90d',
  'ordersLast365d',
];
const SUM_FIELDS = [
  'totalSpent',
  'spentLast30d',
  'spentLast90d',
  'spentLast365d',
];

/** Order-derived fields, linked to each other by the invariants of the feature computation. */
export const ORDER_FIELDS = new Set([
  ...COUNT_FIELDS,
  ...SUM_FIELDS,
  'avgOrderValue',
  'firstOrderAt',
  'lastOrderAt',
  'daysSinceLastOrder',
  'categories',
]);

const cache = new Map<string, FieldModel>();

/** The model of a condition's field; attributes are keyed by name and declared type. */
export function fieldModel(field: string, dataType: string): FieldModel {
  const isAttribute = field.startsWith(ATTRIBUTE_PREFIX);
  const key = isAttribute ? `${field}:${dataType}` : field;
  const hit = cache.get(key);
  if (hit) return hit;
  const type = isAttribute
    ? dataType
    : getFieldDefinition(field)?.dataType ?? dataType;
  const model = buildModel(key, field, type);
  cache.set(key, model);
  return model;
}

/** The model of an opaque condition (one the lint cannot read, e.g. invalid while typing). */
export function opaqueModel(path: string): FieldModel {
  return {
    key: `?${path}`,
    field: path,
    kind: 'bool',
    integer: false,
    universe: { kind: 'bool', mask: BOOL_TRUE | BOOL_FALSE },
  };
}

function buildModel(key: string, field: string, dataType: string): FieldModel {
  const m = (
    kind: ValueSet['kind'],
    universe: ValueSet,
    integer = false,
    note?: string,
  ): FieldModel => ({
    key,
    field,
    kind,
    integer,
    universe,
    ...(note ? { note } : {}),
  });
  const nonNegative = [above(0, false)];
  if (COUNT_FIELDS.includes(field)) {
    return m(
      'num',
      numSet(nonNegative, false, true),
      true,
      `${field} is a whole number >= 0 and never empty (0 without orders)`,
    );
  }
  if (SUM_FIELDS.includes(field)) {
    return m(
      'num',
      numSet(nonNegative, false),
      false,
      `${field} is >= 0 and never empty (0 without orders; amounts are >= 0)`,
    );
  }
  switch (field) {
    case 'avgOrderValue':
      return m(
        'num',
        numSet(nonNegative, true),
        false,
        'avgOrderValue is >= 0 (amounts are >= 0)',
      );
    case 'daysSinceLastOrder':
      return m(
        'num',
        numSet(nonNegative, true, true),
        true,
        'daysSinceLastOrder is a whole number of days >= 0',
      );
    case 'age':
      return m(
        'num',
        numSet(nonNegative, true, true),
        true,
        'age is a whole number of years >= 0',
      );
    case 'categories':
      return m('arr', arrSet({}));
    default:
      break;
  }
  switch (dataType) {
    case 'number':
      return m('num', numSet([allReals()], true));
    case 'date':
      // Epoch milliseconds: whole numbers.
      return m('num', numSet([allReals()], true, true), true);
    case 'boolean':
      return m('bool', {
        kind: 'bool',
        mask: BOOL_TRUE | BOOL_FALSE | BOOL_MISSING,
      });
    default:
      return m('str', strSet('notIn', [], true));
  }
}

/**
 * The set of values for which a valid leaf holds, before its own `not`.
 * Mirrors `evaluateLeaf`: every operator but `isEmpty` is false on a missing value.
 */
export function leafSet(leaf: SegmentLeafCondition): ValueSet {
  const def = getFieldDefinition(leaf.field, leaf.dataType)!;
  const op = leaf.operator;
  if (def.dataType === 'array') {
    const list = [...new Set((leaf.value as string[]) ?? [])];
    switch (op) {
      case 'in':
        return arrSet({ anyOf: [list] });
      case 'notIn':
        return arrSet({ forbidden: list });
      case 'containsAll':
        return arrSet({ required: list });
      case 'isEmpty':
        return arrSet({ empty: true });
      case 'isNotEmpty':
        return arrSet({ nonEmpty: true });
      default:
        throw new Error(`operator ${op} on an array`);
    }
  }
  if (def.dataType === 'boolean') {
    const present = BOOL_TRUE | BOOL_FALSE;
    const bit = (v: unknown) => (v === true ? BOOL_TRUE : BOOL_FALSE);
    switch (op) {
      case 'eq':
        return { kind: 'bool', mask: bit(leaf.value) };
      case 'ne':
        return { kind: 'bool', mask: present & ~bit(leaf.value) };
      case 'isEmpty':
        return { kind: 'bool', mask: BOOL_MISSING };
      case 'isNotEmpty':
        return { kind: 'bool', mask: present };
      default:
        throw new Error(`operator ${op} on a boolean`);
    }
  }
  if (def.dataType === 'string') {
    const v = leaf.value as string;
    switch (op) {
      case 'eq':
        return strSet('in', [v]);
      case 'ne':
        return strSet('notIn', [v]);
      case 'in':
        return strSet('in', leaf.value as string[]);
      case 'notIn':
        return strSet('notIn', leaf.value as string[]);
      case 'contains':
        return strSet('notIn', [], false, [{ op: 'contains', value: v }]);
      case 'startsWith':
        return strSet('notIn', [], false, [{ op: 'startsWith', value: v }]);
      case 'isEmpty':
        return strSet('in', [], true);
      case 'isNotEmpty':
        return strSet('notIn', []);
      default:
        throw new Error(`operator ${op} on a string`);
    }
  }
  // number or date
  const c = (v: unknown) => comparable(v, def.dataType) as number;
  const points = () => (leaf.value as unknown[]).map(v => closed(c(v), c(v)));
  switch (op) {
    case 'eq':
      return numSet([closed(c(leaf.value), c(leaf.value))]);
    case 'ne':
      return numSet([below(c(leaf.value), true), above(c(leaf.value), true)]);
    case 'gt':
      return numSet([above(c(leaf.value), true)]);
    case 'gte':
      return numSet([above(c(leaf.value), false)]);
    case 'lt':
      return numSet([below(c(leaf.value), true)]);
    case 'lte':
      return numSet([below(c(leaf.value), false)]);
    case 'in':
      return numSet(points());
    case 'notIn':
      // present and none of the points
      return { ...(complement(numSet(points())) as NumSet), missing: false };
    case 'between': {
      const [lo, hi] = (leaf.value as unknown[]).map(c);
      return numSet([closed(lo, hi)]);
    }
    case 'notBetween': {
      const [lo, hi] = (leaf.value as unknown[]).map(c);
      return numSet([below(lo, true), above(hi, true)]);
    }
    case 'isEmpty':
      return numSet([], true);
    case 'isNotEmpty':
      return numSet([allReals()]);
    default:
      throw new Error(`operator ${op} on a ${def.dataType}`);
  }
}
