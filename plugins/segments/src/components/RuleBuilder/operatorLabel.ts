import type {
  SegmentDataType,
  SegmentOperator,
} from '@internal/plugin-segments-common';

const LABELS: Record<SegmentOperator, string> = {
  eq: '=',
  ne: '≠',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  in: 'is one of',
  notIn: 'is not one of',
  between: 'between',
  notBetween: 'not between',
  contains: 'contains',
  startsWith: 'starts with',
  containsAll: 'contains all of',
  isEmpty: 'is empty',
  isNotEmpty: 'is not empty',
};

const DATE_LABELS: Partial<Record<SegmentOperator, string>> = {
  eq: 'is on',
  ne: 'is not on',
  gt: 'is after',
  gte: 'is on or after',
  lt: 'is before',
  lte: 'is on or before',
};

const ARRAY_LABELS: Partial<Record<SegmentOperator, string>> = {
  in: 'has any of',
  notIn: 'has none of',
  containsAll: 'has all of',
};

/**
 * A readable label of an operator for a field of the given type, e.g. `≥`,
 * `is one of`, `is on or after` (dates), `has any of` (arrays).
 * @public
 */
export function operatorLabel(
  operator: SegmentOperator,
  dataType?: SegmentDataType,
): string {
  let specific: string | undefined;
  if (dataType === 'date') specific = DATE_LABELS[operator];
  if (dataType === 'array') specific = ARRAY_LABELS[operator];
  return specific ?? LABELS[operator] ?? operator;
}
