import { SegmentCondition, SegmentLeafCondition } from '../types';
import { isGroupCondition } from '../validateRule';
import { NAtom } from './normalize';

const SYMBOLS: Record<string, string> = {
  eq: '=',
  ne: '!=',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
};

const show = (v: unknown): string =>
  typeof v === 'string' ? v : JSON.stringify(v);
const list = (v: unknown) =>
  `[${(Array.isArray(v) ? v : [v]).map(show).join(', ')}]`;

/**
 * A short human-readable form of a condition, e.g. `totalSpent > 100000`,
 * `country in [TW, JP]`, `NOT (age > 30)`.
 * @public
 */
export function describeCondition(c: SegmentCondition): string {
  let text: string;
  if (isGroupCondition(c)) {
    const parts = (c.subConditions ?? []).map(s => {
      const d = describeCondition(s);
      return isGroupCondition(s) && !s.not ? `(${d})` : d;
    });
    text = parts.join(` ${c.logicalOperator} `);
    return c.not ? `NOT (${text})` : text;
  }
  const leaf = c as SegmentLeafCondition;
  const f = leaf.field;
  switch (leaf.operator) {
    case 'in':
      text = `${f} in ${list(leaf.value)}`;
      break;
    case 'notIn':
      text = `${f} not in ${list(leaf.value)}`;
      break;
    case 'containsAll':
      text = `${f} contains all of ${list(leaf.value)}`;
      break;
    case 'between':
    case 'notBetween': {
      const [lo, hi] = Array.isArray(leaf.value) ? leaf.value : [];
      text = `${f} ${
        leaf.operator === 'between' ? 'between' : 'not between'
      } ${show(lo)} and ${show(hi)}`;
      break;
    }
    case 'contains':
      text = `${f} contains "${show(leaf.value)}"`;
      break;
    case 'startsWith':
      text = `${f} starts with "${show(leaf.value)}"`;
      break;
    case 'isEmpty':
      text = `${f} is empty`;
      break;
    case 'isNotEmpty':
      text = `${f} is not empty`;
      break;
    default:
      text = `${f} ${SYMBOLS[leaf.operator] ?? leaf.operator} ${show(
        leaf.value,
      )}`;
  }
  return leaf.not ? `NOT (${text})` : text;
}

/** `"a"`, `"a" and "b"`, `"a", "b" and "c"`. */
export function joinQuoted(items: string[]): string {
  const q = items.map(i => `"${i}"`);
  if (q.length <= 1) return q.join('');
  return `${q.slice(0, -1).join(', ')} and ${q[q.length - 1]}`;
}

/** Describes an atom through its source condition (or its path for opaque ones). */
export function describeAtom(a: NAtom): string {
  return a.leaf ? describeCondition(a.leaf) : a.path;
}

/** Why a set of conditions on linked order fields cannot hold together. */
export function linkReason(core: NAtom[]): string | undefined {
  const fields = new Set(core.map(a => a.model.field));
  if (core.length === 1) return core[0].model.note;
  const attributeKeys = new Set(
    core
      .filter(a => a.model.key.startsWith('attributes.'))
      .map(a => a.model.key),
  );
  if (
    attributeKeys.size > 1 &&
    attributeKeys.size >
      new Set([...attributeKeys].map(k => k.split(':')[0])).size
  ) {
    return 'an attribute has one value, so it cannot be present as two different types';
  }
  if (fields.size === 1) return undefined;
  const has = (...fs: string[]) => fs.some(f => fields.has(f));
  if (
    has('orderCount') &&
    has('avgOrderValue', 'firstOrderAt', 'lastOrderAt', 'daysSinceLastOrder')
  ) {
    return 'customers without completed orders have no average, first or last order and no daysSinceLastOrder; customers with orders always have them';
  }
  if (
    has('daysSinceLastOrder') &&
    has('ordersLast30d', 'ordersLast90d', 'ordersLast365d')
  ) {
    return 'ordersLastNd counts orders of the last N days, so it is at least 1 exactly when daysSinceLastOrder < N';
  }
  if (
    has('ordersLast30d', 'ordersLast90d', 'ordersLast365d') &&
    !has('spentLast30d', 'spentLast90d', 'spentLast365d', 'totalSpent')
  ) {
    return 'ordersLast30d <= ordersLast90d <= ordersLast365d <= orderCount';
  }
  if (
    has('spentLast30d', 'spentLast90d', 'spentLast365d') &&
    !has('ordersLast30d', 'ordersLast90d', 'ordersLast365d')
  ) {
    return 'spentLast30d <= spentLast90d <= spentLast365d <= totalSpent';
  }
  if (
    has(
      'orderCount',
      'totalSpent',
      'categories',
      'ordersLast30d',
      'ordersLast90d',
      'ordersLast365d',
      'spentLast30d',
      'spentLast90d',
      'spentLast365d',
    )
  ) {
    return 'order fields are linked: without completed orders, counts and sums are 0 and categories are empty';
  }
  return undefined;
}
