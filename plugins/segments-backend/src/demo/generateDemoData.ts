import { Customer, DAY_MS, Order } from '@internal/plugin-segments-common';

/** A small, fast, seedable PRNG (mulberry32); the same seed gives the same data. */
export function createRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)],
    weighted: <T>(items: ReadonlyArray<readonly [T, number]>) => {
      let r = next() * items.reduce((s, [, w]) => s + w, 0);
      for (const [item, w] of items) {
        r -= w;
        if (r < 0) return item;
      }
      return items[items.length - 1][0];
    },
    normal,
    logNormal: (median: number, sigma: number) => median * Math.exp(sigma * normal()),
  };
}

const PLACES = [
  ['TW', ['Taipei', 'New Taipei', 'Taichung', 'Kaohsiung', 'Tainan', 'Hsinchu'], 40],
  ['JP', ['Tokyo', 'Osaka', 'Fukuoka', 'Sapporo'], 15],
  ['US', ['New York', 'San Francisco', 'Seattle', 'Chicago'], 12],
  ['SG', ['Singapore'], 8],
  ['HK', ['Hong Kong'], 8],
  ['KR', ['Seoul', 'Busan'], 7],
  ['DE', ['Berlin', 'Munich'], 5],
  ['GB', ['London', 'Manchester'], 5],
] as const;
const FIRST = ['Alex', 'Bo', 'Chen', 'Dana', 'Eli', 'Fang', 'Gil', 'Hana', 'Ivy', 'Jun', 'Kai', 'Lin', 'Mei', 'Noa', 'Oren', 'Ping', 'Rui', 'Sora', 'Tao', 'Uma', 'Vic', 'Wen', 'Yu', 'Zoe'];
const LAST = ['Ahn', 'Berg', 'Chang', 'Diaz', 'Evans', 'Fujita', 'Gao', 'Huang', 'Ito', 'Kim', 'Lee', 'Lin', 'Meyer', 'Ng', 'Ong', 'Park', 'Reyes', 'Sato', 'Tan', 'Wang', 'Wu', 'Xu', 'Yang', 'Zhou'];
const CATEGORIES = ['electronics', 'apparel', 'home', 'beauty', 'groceries', 'sports', 'books', 'toys'];
const TIERS = [['bronze', 50], ['silver', 30], ['gold', 15], ['platinum', 5]] as const;
const STATUSES = [['completed', 88], ['refunded', 7], ['cancelled', 5]] as const;
const CHANNELS = [['web', 45], ['app', 40], ['store', 15]] as const;

/** Options of {@link generateDemoBatches}. */
export interface DemoDataOptions {
  /** How many customers. */
  customers: number;
  /** PRNG seed; default 42. */
  seed?: number;
  /** The data's "today" (epoch ms); orders lie before it. Default: today 00:00 UTC. */
  now?: number;
  /** Customers per yielded batch; default 1000. */
  batchSize?: number;
}

/**
 * Generates synthetic customers and their orders in batches: several countries
 * and cities, tiers, skewed order counts (some never buy, a few buy hundreds of
 * times), log-normal amounts, refunds and cancellations, some missing fields and
 * custom attributes. Each customer has its own PRNG stream, so the data does not
 * depend on the batch size. All names and contacts are made up.
 */
export function* generateDemoBatches(options: DemoDataOptions): Generator<{ customers: Customer[]; orders: Order[] }> {
  const seed = options.seed ?? 42;
  const now = options.now ?? Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const batchSize = options.batchSize ?? 1000;
  for (let start = 0; start < options.customers; start += batchSize) {
    const customers: Customer[] = [];
    const orders: Order[] = [];
    const end = Math.min(options.customers, start + batchSize);
    for (let i = start; i < end; i++) {
      const { customer, orders: own } = generateCustomer(seed, i, now);
      customers.push(customer);
      orders.push(...own);
    }
    yield { customers, orders };
  }
}

function generateCustomer(seed: number, index: number, now: number) {
  const r = createRandom((seed * 2654435761) ^ (index * 40503 + 1));
  const id = `c${String(index + 1).padStart(7, '0')}`;
  const [country, cities] = r.weighted(PLACES.map(([c, cs, w]) => [[c, cs] as const, w] as const));
  const first = r.pick(FIRST);
  const last = r.pick(LAST);
  const createdAt = now - r.int(1, 5 * 365) * DAY_MS - r.int(0, DAY_MS - 1);
  const customer: Customer = {
    id,
    name: `${first} ${last}`,
    createdAt: new Date(createdAt).toISOString(),
    country,
    city: r.pick(cities),
    tier: r.weighted(TIERS),
  };
  if (r.next() < 0.9) customer.email = `${first}.${last}.${index + 1}@example.com`.toLowerCase();
  if (r.next() < 0.7) customer.phone = `+886 9${String(r.int(10000000, 99999999))}`;
  if (r.next() < 0.92) customer.gender = r.weighted([['female', 48], ['male', 48], ['other', 4]] as const);
  if (r.next() < 0.88) {
    const birth = now - r.int(18 * 365, 80 * 365) * DAY_MS;
    customer.birthDate = new Date(birth).toISOString().slice(0, 10);
  }
  const attributes: Record<string, string | number | boolean> = {};
  if (r.next() < 0.8) attributes.newsletter = r.next() < 0.45;
  if (r.next() < 0.6) attributes.loyaltyPoints = r.int(0, 20000);
  if (r.next() < 0.7) attributes.source = r.weighted([['organic', 50], ['ads', 30], ['referral', 20]] as const);
  if (Object.keys(attributes).length) customer.attributes = attributes;

  // Skewed activity: 15% never buy, most buy a few times, 0.5% buy hundreds of times.
  const kind = r.next();
  let count = r.int(100, 400);
  if (kind < 0.15) count = 0;
  else if (kind < 0.995) count = Math.min(80, Math.round(r.logNormal(6, 0.9)));
  const favourite = r.pick(CATEGORIES);
  // Churned customers stopped buying some time ago; active ones buy up to today.
  const lastActive = r.next() < 0.35 ? now - r.int(60, 900) * DAY_MS : now;
  const span = Math.max(DAY_MS, lastActive - createdAt);
  const orders: Order[] = [];
  for (let k = 0; k < count; k++) {
    const at = lastActive - Math.floor(Math.pow(r.next(), 1.6) * span);
    const order: Order = {
      id: `${id}-o${k + 1}`,
      customerId: id,
      orderedAt: new Date(at).toISOString(),
      amount: Math.round(r.logNormal(1800, 1.0) * 100) / 100,
      currency: 'TWD',
      status: r.weighted(STATUSES),
      channel: r.weighted(CHANNELS),
    };
    if (r.next() < 0.97) order.category = r.next() < 0.5 ? favourite : r.pick(CATEGORIES);
    orders.push(order);
  }
  return { customer, orders };
}
