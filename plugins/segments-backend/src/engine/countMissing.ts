import { Knex } from 'knex';
import {
  getFieldDefinition,
  isGroupCondition,
  SegmentCondition,
  SegmentDataType,
} from '@internal/plugin-segments-common';
import { compileRule, RuleLevel } from './compileRule';
import { rowsOf } from './rowsOf';
import { forEachKeyRange, rangeFilter } from './slicing';
import { Dialect } from './types';

/** Fields that can be missing, and how the log names what is missing. */
const MISSING_LABELS: Record<string, string> = {
  country: 'country',
  city: 'city',
  tier: 'tier',
  gender: 'gender',
  age: 'birthDate',
  avgOrderValue: 'completed orders',
  firstOrderAt: 'completed orders',
  lastOrderAt: 'completed orders',
  daysSinceLastOrder: 'completed orders',
};

/**
 * Counts, per field a rule reads that a customer can lack, the customers of a
 * run that lack it: conditions on those fields are false for them, so the
 * segment skipped them for that condition.
 */
export async function countMissing(options: {
  db: Knex;
  dialect: Dialect;
  executionId: string;
  asOf: number;
  levels: RuleLevel[];
  /** Counts a slice of customers at a time (see forEachKeyRange). */
  sliced?: boolean;
}): Promise<Array<{ label: string; count: number }>> {
  const fields = new Map<string, SegmentDataType>();
  const walk = (c: SegmentCondition) => {
    if (isGroupCondition(c)) c.subConditions.forEach(walk);
    else if (MISSING_LABELS[c.field] || c.field.startsWith('attributes.'))
      fields.set(c.field, c.dataType);
  };
  options.levels.forEach(l => l.conditions.forEach(walk));
  const byLabel = new Map<string, string>();
  for (const [field] of fields)
    byLabel.set(MISSING_LABELS[field] ?? field, field);
  if (!byLabel.size) return [];
  const columns = [...byLabel.entries()].map(([label, field], i) => {
    const dataType = getFieldDefinition(field, fields.get(field))!.dataType;
    const pred = compileRule({
      dialect: options.dialect,
      asOf: options.asOf,
      levels: [
        {
          logicalOperator: 'AND',
          conditions: [{ field, operator: 'isEmpty', dataType }],
        },
      ],
    });
    return {
      label,
      sql: `SUM(CASE WHEN ${pred.sql} THEN 1 ELSE 0 END) AS m${i}`,
      bindings: pred.bindings,
    };
  });
  const totals = columns.map(() => 0);
  const { executionId } = options;
  await forEachKeyRange(
    options.db,
    {
      sql: 'SELECT customer_id AS k FROM segment_run_features WHERE execution_id = ?',
      bindings: [executionId],
    },
    async range => {
      const r = rangeFilter('f.customer_id', range);
      const [row] = rowsOf(
        await options.db.raw(
          `SELECT ${columns
            .map(c => c.sql)
            .join(', ')} FROM segment_run_features f WHERE f.execution_id = ?${
            r.sql
          }`,
          [...columns.flatMap(c => c.bindings), executionId, ...r.bindings],
        ),
      );
      columns.forEach((_, i) => (totals[i] += Number(row?.[`m${i}`] ?? 0)));
    },
    options.sliced ?? false,
  );
  return columns.map((c, i) => ({ label: c.label, count: totals[i] }));
}
