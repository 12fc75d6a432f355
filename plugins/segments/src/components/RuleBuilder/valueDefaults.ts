import { DateTime } from 'luxon';
import {
  LIST_OPERATORS,
  NULLARY_OPERATORS,
  RANGE_OPERATORS,
  SegmentDataType,
  SegmentOperator,
} from '@internal/plugin-segments-common';

/** What kind of value an operator takes. */
export type OperatorArity = 'none' | 'list' | 'range' | 'single';

/** The kind of value `operator` takes. */
export function operatorArity(operator: string): OperatorArity {
  const op = operator as SegmentOperator;
  if (NULLARY_OPERATORS.includes(op)) return 'none';
  if (LIST_OPERATORS.includes(op)) return 'list';
  if (RANGE_OPERATORS.includes(op)) return 'range';
  return 'single';
}

/** The part of a field the defaults depend on. */
export interface FieldShape {
  dataType: SegmentDataType;
  operators: SegmentOperator[];
  values?: string[];
}

const PREFERRED_OPERATOR: Record<SegmentDataType, SegmentOperator[]> = {
  string: ['eq', 'in'],
  number: ['gte', 'gt', 'eq'],
  date: ['gte', 'gt'],
  boolean: ['eq'],
  array: ['in', 'containsAll'],
};

/** The operator a new rule on `field` starts with. */
export function defaultOperator(field: FieldShape): SegmentOperator {
  return (
    PREFERRED_OPERATOR[field.dataType].find(op =>
      field.operators.includes(op),
    ) ??
    field.operators[0] ??
    'eq'
  );
}

function today(offsetDays = 0): string {
  return DateTime.utc().plus({ days: offsetDays }).toISODate()!;
}

function defaultScalar(field: FieldShape): unknown {
  switch (field.dataType) {
    case 'number':
      return 0;
    case 'date':
      return today();
    case 'boolean':
      return true;
    default:
      return field.values?.[0] ?? '';
  }
}

/**
 * A valid starting value for `operator` on `field`: nothing for `isEmpty`,
 * the first known value (or an empty list) for lists, a range for `between`,
 * 0 / today / true / the first known value otherwise.
 */
export function defaultValue(
  operator: SegmentOperator,
  field: FieldShape,
): unknown {
  switch (operatorArity(operator)) {
    case 'none':
      return undefined;
    case 'list':
      return field.values?.length ? [field.values[0]] : [];
    case 'range':
      if (field.dataType === 'date') return [today(-30), today()];
      return [0, 100];
    default:
      return defaultScalar(field);
  }
}

function isBlank(v: unknown) {
  return v === undefined || v === null || v === '';
}

/**
 * Carries a value over to another operator of the same field: a single value
 * becomes a one-element list or the range `[v, v]`, a list or range gives its
 * first element to a single-value operator, and so on. Falls back to
 * {@link defaultValue} when nothing can be kept.
 */
export function coerceValue(
  value: unknown,
  toOperator: SegmentOperator,
  field: FieldShape,
): unknown {
  const to = operatorArity(toOperator);
  if (to === 'none') return undefined;
  const items = (Array.isArray(value) ? value : [value]).filter(
    v => !isBlank(v),
  );
  if (items.length === 0) return defaultValue(toOperator, field);
  switch (to) {
    case 'list':
      return Array.from(new Set(items));
    case 'range':
      if (Array.isArray(value) && value.length === 2) return [...value];
      return [items[0], items[items.length > 1 ? 1 : 0]];
    default:
      return items[0];
  }
}
