import {
  computeFeaturesOfGroups,
  CustomerFeatures,
  OrderGroup,
} from '../customerFeatures';
import { DAY_MS, toYmd } from '../dates';
import { evaluateConditions } from '../evaluateRule';
import { Customer } from '../types';
import { fieldModel } from './fieldModel';
import { DomainState } from './solver';
import { LintRuleInput } from './types';
import {
  above,
  allowsMissing,
  ArrSet,
  arrWitness,
  BOOL_FALSE,
  BOOL_TRUE,
  closed,
  intersect,
  numHas,
  NumSet,
  numSet,
  StrSet,
  strWitness,
} from './valueSets';

/** Data of one made-up customer; its orders come in groups, however many there are. */
export interface WitnessData {
  customer: Customer;
  orders: OrderGroup[];
  asOf: number;
}

const DEFAULT_AS_OF = Date.UTC(2025, 0, 1, 12);
const WINDOWS = [30, 90, 365];

/** A present value of a number set, near `prefer` when possible. */
function pickNum(set: NumSet, prefer?: number): number | undefined {
  if (prefer !== undefined && numHas(set, prefer)) return prefer;
  const r = set.ranges[0];
  if (!r) return undefined;
  if (Number.isFinite(r.lo)) {
    if (!r.loOpen) return r.lo;
    if (Number.isFinite(r.hi)) {
      const mid = (r.lo + r.hi) / 2;
      return mid > r.lo && mid < r.hi ? mid : undefined;
    }
    return Math.floor(r.lo) + 1;
  }
  if (Number.isFinite(r.hi)) return r.hiOpen ? Math.ceil(r.hi) - 1 : r.hi;
  return prefer ?? 0;
}

function boolWitness(mask: number): boolean | undefined {
  if (mask & BOOL_TRUE) return true;
  if (mask & BOOL_FALSE) return false;
  return undefined;
}

/** The least value of `set` that is >= from (or > when open), as a concrete number. */
function pickFrom(set: NumSet, from: number, open = false): number | undefined {
  const restricted = intersect(set, numSet([above(from, open)])) as NumSet;
  return pickNum(restricted, open ? undefined : from);
}

/**
 * Builds a customer (with orders and an `asOf`) whose features lie in the
 * domains of a satisfiable branch. Best effort: the caller must check the
 * result with the evaluator; undefined when no construction was found.
 */
export function buildWitness(state: DomainState): WitnessData | undefined {
  const num = (field: string) =>
    (state.get(field)?.set ?? fieldModel(field, 'number').universe) as NumSet;
  const orders: OrderGroup[] = [];
  let asOf = DEFAULT_AS_OF;

  const n = num('orderCount');
  const categories = (state.get('categories')?.set ??
    fieldModel('categories', 'array').universe) as ArrSet;
  const cats = arrWitness(categories);
  if (cats === undefined || cats === 'unknown') return undefined;
  const noOrders =
    numHas(n, 0) &&
    numHas(num('totalSpent'), 0) &&
    [
      'avgOrderValue',
      'firstOrderAt',
      'lastOrderAt',
      'daysSinceLastOrder',
    ].every(f => allowsMissing(num(f))) &&
    WINDOWS.every(
      w =>
        numHas(num(`spentLast${w}d`), 0) && numHas(num(`ordersLast${w}d`), 0),
    ) &&
    cats.length === 0;

  if (!noOrders) {
    const built = buildOrders(num, cats);
    if (!built) return undefined;
    orders.push(...built.orders);
    asOf = built.asOf;
  }

  const customer: Customer = {
    id: 'witness',
    createdAt: new Date(DEFAULT_AS_OF - 400 * DAY_MS).toISOString(),
  };
  const attributes: Record<string, string | number | boolean> = {};
  for (const [key, { model, set }] of state) {
    if (model.kind === 'arr' || key.startsWith('?')) continue;
    if (allowsMissing(set) && key !== 'createdAt') continue;
    if (model.field === 'age') {
      const age = pickNum(set as NumSet, 30);
      if (age === undefined) return undefined;
      const ymd = toYmd(asOf);
      const y = Math.floor(ymd / 10000) - age;
      const md = ymd % 10000 === 229 ? 228 : ymd % 10000;
      customer.birthDate = `${String(y).padStart(4, '0')}-${String(
        Math.floor(md / 100),
      ).padStart(2, '0')}-${String(md % 100).padStart(2, '0')}`;
      continue;
    }
    if (model.field === 'createdAt') {
      const at =
        allowsMissing(set) && !(set as NumSet).ranges.length
          ? undefined
          : pickNum(set as NumSet, DEFAULT_AS_OF);
      if (at === undefined) return undefined;
      customer.createdAt = new Date(at).toISOString();
      continue;
    }
    let value: string | number | boolean | undefined;
    if (set.kind === 'str') value = strWitness(set as StrSet) ?? undefined;
    else if (set.kind === 'bool') value = boolWitness(set.mask);
    else if (set.kind === 'num' && model.key.startsWith('attributes.'))
      value = pickNum(set);
    else continue; // order fields were handled above
    if (value === undefined) return undefined;
    if (model.key.startsWith('attributes.'))
      attributes[model.field.slice('attributes.'.length)] = value;
    else (customer as any)[model.field] = value;
  }
  if (Object.keys(attributes).length) customer.attributes = attributes;
  return { customer, orders, asOf };
}

/**
 * Completed orders in groups, giving each wanted category to one order: the
 * first orders take one category each, the rest share the first category.
 */
class OrderGroups {
  readonly list: OrderGroup[] = [];
  private placed = 0;
  constructor(private readonly cats: string[]) {}

  add(at: number, amount: number, count: number) {
    let left = count;
    while (left > 0) {
      const single = this.placed < this.cats.length;
      const n = single ? 1 : left;
      const category = this.cats.length
        ? this.cats[single ? this.placed : 0]
        : undefined;
      this.list.push({
        orderedAt: new Date(at).toISOString(),
        amount,
        status: 'completed',
        count: n,
        ...(category !== undefined ? { category } : {}),
      });
      this.placed += n;
      left -= n;
    }
  }
}

function buildOrders(num: (field: string) => NumSet, cats: string[]) {
  const days = num('daysSinceLastOrder');
  const buckets = [
    closed(0, 29),
    closed(30, 89),
    closed(90, 364),
    above(365, false),
  ];
  for (const [b, bucket] of buckets.entries()) {
    const d = pickNum(
      intersect(days, numSet([bucket]), true) as NumSet,
      b === 0 ? 1 : undefined,
    );
    if (d === undefined) continue;
    // Order counts per window, smallest first.
    const counts: number[] = [];
    let ok = true;
    let from = 0;
    for (let i = 0; i < 3; i++) {
      const must = b <= i ? Math.max(from, 1) : 0;
      const counts30to365 = num(`ordersLast${WINDOWS[i]}d`);
      let c: number | undefined;
      if (b <= i) c = pickFrom(counts30to365, must);
      else if (numHas(counts30to365, 0)) c = 0;
      if (c === undefined || c < from) {
        ok = false;
        break;
      }
      counts.push(c);
      from = c;
    }
    if (!ok) continue;
    const total = pickFrom(num('orderCount'), Math.max(from, 1, cats.length));
    if (total === undefined) continue;
    counts.push(total);
    // Sums per window: least values bottom-up, then top-down so that a window
    // bucket without orders adds nothing.
    const sumFields = [
      'spentLast30d',
      'spentLast90d',
      'spentLast365d',
      'totalSpent',
    ];
    const emptyBucket = counts.map(
      (cnt, i) => cnt === (i === 0 ? 0 : counts[i - 1]),
    );
    const lower: number[] = [];
    let s = 0;
    for (const field of sumFields) {
      const v = pickFrom(num(field), s);
      if (v === undefined) {
        ok = false;
        break;
      }
      lower.push(v);
      s = v;
    }
    if (!ok) continue;
    const sums = [...lower];
    for (let i = 2; i >= 0; i--) if (emptyBucket[i + 1]) sums[i] = sums[i + 1];
    if (emptyBucket[0] && sums[0] !== 0) continue;
    if (!sums.every((v, i) => numHas(num(sumFields[i]), v))) continue;
    const last = pickNum(num('lastOrderAt'), DEFAULT_AS_OF - d * DAY_MS);
    if (last === undefined) continue;
    const asOf = last + d * DAY_MS + 1000;
    const bounds = [
      asOf,
      asOf - 30 * DAY_MS,
      asOf - 90 * DAY_MS,
      asOf - 365 * DAY_MS,
    ];
    const perBucket = counts.map((c, i) => c - (i === 0 ? 0 : counts[i - 1]));
    const amounts = sums.map((v, i) => v - (i === 0 ? 0 : sums[i - 1]));
    const oldest = Math.max(...perBucket.map((c, i) => (c > 0 ? i : -1)));
    const groups = new OrderGroups(cats);
    let first = pickNum(num('firstOrderAt'), last);
    for (let i = 0; i < 4 && first !== undefined; i++) {
      // Orders of window bucket i lie in (asOf - W_i, asOf - W_(i-1)] and not after the last order.
      const c = perBucket[i];
      if (!c) continue;
      const latest = Math.min(last, bounds[i]);
      const earliest = i < 3 ? bounds[i + 1] + 1 : -Infinity;
      if (i === oldest) {
        const f = pickNum(
          intersect(
            num('firstOrderAt'),
            numSet([closed(earliest, latest)]),
            true,
          ) as NumSet,
          latest,
        );
        if (f === undefined || (c === 1 && i === b && f !== last)) {
          first = undefined;
          break;
        }
        first = f;
      }
      // The bucket's first order may be the last one, its final order the
      // first one; the others all sit at `latest`.
      const each = amounts[i] / c;
      const firstAt = i === b ? last : latest;
      const finalAt = i === oldest ? first! : latest;
      groups.add(firstAt, each, 1);
      if (c > 2) groups.add(latest, each, c - 2);
      if (c > 1) groups.add(finalAt, each, 1);
    }
    if (first === undefined) continue;
    return { orders: groups.list, asOf };
  }
  return undefined;
}

/** True when a customer's features meet every level (a conjunction) of a rule. */
export function matchesLevels(
  levels: LintRuleInput[],
  features: CustomerFeatures,
): boolean {
  return levels.every(l =>
    evaluateConditions(l.conditions, l.logicalOperator, features),
  );
}

/** Features of witness data. */
export function witnessFeatures(w: WitnessData): CustomerFeatures {
  return computeFeaturesOfGroups(w.customer, w.orders, w.asOf);
}
