import {
  computeCustomerFeatures,
  Customer,
  CustomerFeatures,
  evaluateConditions,
  Order,
} from '@internal/plugin-segments-common';
import { Knex } from 'knex';
import { dialectOf } from '../database/util';
import { compileRule, RuleLevel } from '../engine/compileRule';
import { featureRelation } from '../engine/featureRelation';

/** Rows of a raw query on either driver. */
function rowsOf(result: any): any[] {
  return Array.isArray(result) ? result : result.rows;
}

/** Member ids, sorted, of the rule levels evaluated in SQL over the feature relation (the preview path). */
export async function sqlMembers(knex: Knex, levels: RuleLevel[], asOf: number): Promise<string[]> {
  const dialect = dialectOf(knex);
  const pred = compileRule({ dialect, asOf, levels });
  const rel = featureRelation({ dialect, asOf, aggregates: pred.aggregates });
  const rows = rowsOf(
    await knex.raw(`SELECT f.customer_id FROM (${rel.sql}) f WHERE ${pred.sql}`, [...rel.bindings, ...pred.bindings]),
  );
  return rows.map(r => String(r.customer_id)).sort();
}

/** Features of every customer at `asOf`, computed by the TypeScript reference. */
export function tsFeatures(customers: Customer[], orders: Order[], asOf: number): Map<string, CustomerFeatures> {
  const byCustomer = new Map<string, Order[]>();
  for (const o of orders) {
    if (!byCustomer.has(o.customerId)) byCustomer.set(o.customerId, []);
    byCustomer.get(o.customerId)!.push(o);
  }
  return new Map(customers.map(c => [c.id, computeCustomerFeatures(c, byCustomer.get(c.id) ?? [], asOf)]));
}

/** Member ids, sorted, of the rule levels evaluated by the TypeScript evaluator. */
export function tsMembers(features: Map<string, CustomerFeatures>, levels: RuleLevel[]): string[] {
  return [...features]
    .filter(([, f]) => levels.every(l => evaluateConditions(l.conditions, l.logicalOperator, f)))
    .map(([id]) => id)
    .sort();
}

/** Polls until `check` returns a value other than undefined. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise(r => setTimeout(r, 25));
  }
}
