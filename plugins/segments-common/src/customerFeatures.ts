import { DAY_MS, parseDateValue, toYmd } from './dates';
import { Customer, Order } from './types';

/**
 * What the engine knows about one customer at an evaluation time `asOf`.
 * Absent values are `undefined`; they make every comparison false.
 * @public
 */
export interface CustomerFeatures {
  country?: string;
  city?: string;
  tier?: string;
  gender?: string;
  createdAt?: number;
  age?: number;
  totalSpent: number;
  orderCount: number;
  avgOrderValue?: number;
  firstOrderAt?: number;
  lastOrderAt?: number;
  daysSinceLastOrder?: number;
  spentLast30d: number;
  spentLast90d: number;
  spentLast365d: number;
  ordersLast30d: number;
  ordersLast90d: number;
  ordersLast365d: number;
  categories: string[];
  attributes: Record<string, string | number | boolean>;
}

/** The rolling windows, in days, of the `...LastNd` fields. @public */
export const WINDOWS = [30, 90, 365] as const;

/**
 * Computes a customer's features in TypeScript, with exactly the semantics of
 * the SQL the engine runs (used for explanations and to test the SQL).
 * @public
 */
export function computeCustomerFeatures(
  customer: Customer,
  orders: Order[],
  asOf: number,
): CustomerFeatures {
  return computeFeaturesOfGroups(
    customer,
    orders.map(o => ({ ...o, count: 1 })),
    asOf,
  );
}

/**
 * `count` orders with the same time, amount (each), status and category: the
 * rule checks describe made-up customers with millions of orders this way,
 * without building one object per order.
 * @public
 */
export type OrderGroup = Pick<
  Order,
  'orderedAt' | 'amount' | 'status' | 'category'
> & {
  count: number;
};

/** {@link computeCustomerFeatures} over order groups (same semantics). @public */
export function computeFeaturesOfGroups(
  customer: Customer,
  orders: OrderGroup[],
  asOf: number,
): CustomerFeatures {
  const counted = orders
    .map(o => ({ ...o, at: Date.parse(o.orderedAt) }))
    .filter(o => o.status === 'completed' && o.at <= asOf && o.count > 0);
  const f: CustomerFeatures = {
    country: customer.country,
    city: customer.city,
    tier: customer.tier,
    gender: customer.gender,
    createdAt: Date.parse(customer.createdAt),
    age: ageAt(customer.birthDate, asOf),
    totalSpent: 0,
    orderCount: 0,
    spentLast30d: 0,
    spentLast90d: 0,
    spentLast365d: 0,
    ordersLast30d: 0,
    ordersLast90d: 0,
    ordersLast365d: 0,
    categories: [],
    attributes: customer.attributes ?? {},
  };
  const categories = new Set<string>();
  for (const o of counted) {
    // One order at a time adds exactly as SQL's SUM does; groups multiply.
    const spent = o.count === 1 ? o.amount : o.amount * o.count;
    f.orderCount += o.count;
    f.totalSpent += spent;
    if (o.category !== undefined) categories.add(o.category);
    f.firstOrderAt =
      f.firstOrderAt === undefined ? o.at : Math.min(f.firstOrderAt, o.at);
    f.lastOrderAt =
      f.lastOrderAt === undefined ? o.at : Math.max(f.lastOrderAt, o.at);
    for (const days of WINDOWS) {
      if (o.at > asOf - days * DAY_MS) {
        (f as any)[`spentLast${days}d`] += spent;
        (f as any)[`ordersLast${days}d`] += o.count;
      }
    }
  }
  f.categories = [...categories].sort();
  if (f.orderCount > 0) {
    f.avgOrderValue = f.totalSpent / f.orderCount;
    f.daysSinceLastOrder = Math.floor((asOf - f.lastOrderAt!) / DAY_MS);
  }
  return f;
}

/**
 * Whole years between a `YYYY-MM-DD` birth date and `asOf` (UTC calendar);
 * undefined when unknown or in the future. Someone born on 29 February turns a
 * year older on 1 March in common years.
 * @public
 */
export function ageAt(
  birthDate: string | undefined,
  asOf: number,
): number | undefined {
  const ms = parseDateValue(birthDate);
  if (ms === undefined) return undefined;
  const birth = toYmd(ms);
  const now = toYmd(asOf);
  return birth <= now ? Math.floor((now - birth) / 10000) : undefined;
}
