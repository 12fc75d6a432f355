import { SegmentDataType, SegmentFieldInfo, SegmentOperator } from './types';

/** Operators allowed for each data type. @public */
export const OPERATORS_BY_TYPE: Record<SegmentDataType, SegmentOperator[]> = {
  string: ['eq', 'ne', 'in', 'notIn', 'contains', 'startsWith', 'isEmpty', 'isNotEmpty'],
  number: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between', 'notBetween', 'in', 'notIn', 'isEmpty', 'isNotEmpty'],
  date: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between', 'notBetween', 'isEmpty', 'isNotEmpty'],
  boolean: ['eq', 'ne', 'isEmpty', 'isNotEmpty'],
  array: ['in', 'notIn', 'containsAll', 'isEmpty', 'isNotEmpty'],
};

/** Operators that take no value. @public */
export const NULLARY_OPERATORS: SegmentOperator[] = ['isEmpty', 'isNotEmpty'];
/** Operators that take a non-empty list. @public */
export const LIST_OPERATORS: SegmentOperator[] = ['in', 'notIn', 'containsAll'];
/** Operators that take `[low, high]`, both ends included. @public */
export const RANGE_OPERATORS: SegmentOperator[] = ['between', 'notBetween'];

type FieldDef = Omit<SegmentFieldInfo, 'operators' | 'values'>;

const field = (
  name: string,
  label: string,
  dataType: SegmentDataType,
  group: FieldDef['group'],
  description?: string,
): FieldDef => ({ name, label, dataType, group, description });

/**
 * The built-in fields. Order-derived fields count only completed orders placed
 * at or before the evaluation time `asOf`.
 * @public
 */
export const SEGMENT_FIELDS: FieldDef[] = [
  field('country', 'Country', 'string', 'customer'),
  field('city', 'City', 'string', 'customer'),
  field('tier', 'Tier', 'string', 'customer'),
  field('gender', 'Gender', 'string', 'customer'),
  field('createdAt', 'Customer since', 'date', 'customer'),
  field('age', 'Age', 'number', 'customer', 'Whole years at asOf'),
  field('totalSpent', 'Total spent', 'number', 'orders'),
  field('orderCount', 'Order count', 'number', 'orders'),
  field('avgOrderValue', 'Average order value', 'number', 'orders'),
  field('firstOrderAt', 'First order', 'date', 'orders'),
  field('lastOrderAt', 'Last order', 'date', 'orders'),
  field('daysSinceLastOrder', 'Days since last order', 'number', 'orders', 'Whole days from the last order to asOf'),
  field('spentLast30d', 'Spent in last 30 days', 'number', 'orders'),
  field('spentLast90d', 'Spent in last 90 days', 'number', 'orders'),
  field('spentLast365d', 'Spent in last 365 days', 'number', 'orders'),
  field('ordersLast30d', 'Orders in last 30 days', 'number', 'orders'),
  field('ordersLast90d', 'Orders in last 90 days', 'number', 'orders'),
  field('ordersLast365d', 'Orders in last 365 days', 'number', 'orders'),
  field('categories', 'Purchased categories', 'array', 'orders', 'Categories of completed orders'),
];

/** Prefix of custom attribute fields, e.g. `attributes.newsletter`. @public */
export const ATTRIBUTE_PREFIX = 'attributes.';

/** Attribute keys: letters, digits, `_` and `-` only, so they can be embedded in JSON paths safely. @public */
export const ATTRIBUTE_KEY_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Looks up a field by name. Attribute fields take the data type the condition
 * declares (string, number or boolean).
 * @public
 */
export function getFieldDefinition(
  name: string,
  declaredType?: SegmentDataType,
): SegmentFieldInfo | undefined {
  if (name.startsWith(ATTRIBUTE_PREFIX)) {
    const key = name.slice(ATTRIBUTE_PREFIX.length);
    if (!ATTRIBUTE_KEY_PATTERN.test(key)) return undefined;
    const dataType =
      declaredType && ['string', 'number', 'boolean'].includes(declaredType)
        ? declaredType
        : 'string';
    return {
      name,
      label: `Attribute: ${key}`,
      dataType,
      group: 'attributes',
      operators: OPERATORS_BY_TYPE[dataType],
    };
  }
  const def = SEGMENT_FIELDS.find(f => f.name === name);
  return def && { ...def, operators: OPERATORS_BY_TYPE[def.dataType] };
}
