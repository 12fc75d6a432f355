import { Knex } from 'knex';
import {
  Customer,
  customerSchema,
  IngestResponse,
  Order,
  orderSchema,
  parseDateValue,
  toYmd,
} from '@internal/plugin-segments-common';
import { ZodError, ZodSchema } from 'zod';
import { chunks, num, optIso, parseJson } from './util';

/** Counts and date range of the stored data. */
export interface DataStats {
  customers: number;
  orders: number;
  ordersByStatus: Record<string, number>;
  firstOrderAt?: string;
  lastOrderAt?: string;
}

/** Customer and order data: the engine's input. */
export interface CustomerStore {
  ingestCustomers(items: unknown[]): Promise<IngestResponse>;
  ingestOrders(items: unknown[]): Promise<IngestResponse>;
  getCustomer(id: string): Promise<(Customer & { orderCount: number }) | undefined>;
  deleteCustomer(id: string): Promise<boolean>;
  getStats(): Promise<DataStats>;
  /** Bulk insert without validation, for trusted generated demo data. */
  insertRaw(customers: Customer[], orders: Order[]): Promise<void>;
}

const CHUNK = 500;

/** Knex implementation of {@link CustomerStore}. */
export class DatabaseCustomerStore implements CustomerStore {
  private constructor(private readonly db: Knex) {}

  static create(options: { database: Knex }) {
    return new DatabaseCustomerStore(options.database);
  }

  async ingestCustomers(items: unknown[]): Promise<IngestResponse> {
    const { good, rejected } = validateAll<Customer>(items, customerSchema);
    await this.db.transaction(async tx => {
      await upsert(tx, 'customers', dedupe(good.map(g => g.item)).map(customerToRow));
    });
    return { accepted: good.length, rejected };
  }

  async ingestOrders(items: unknown[]): Promise<IngestResponse> {
    const { good, rejected } = validateAll<Order>(items, orderSchema);
    const known = new Set<string>();
    const ids = [...new Set(good.map(g => g.item.customerId))];
    for (const part of chunks(ids, CHUNK)) {
      const rows = await this.db('customers').whereIn('id', part).select('id');
      rows.forEach(r => known.add(r.id));
    }
    const accepted = good.filter(g => {
      if (known.has(g.item.customerId)) return true;
      rejected.push({
        index: g.index,
        id: g.item.id,
        errors: [{ field: 'customerId', message: 'unknown customer; ingest the customer first' }],
      });
      return false;
    });
    rejected.sort((a, b) => a.index - b.index);
    await this.db.transaction(async tx => {
      await upsert(tx, 'orders', dedupe(accepted.map(g => g.item)).map(orderToRow));
    });
    return { accepted: accepted.length, rejected };
  }

  async insertRaw(customers: Customer[], orders: Order[]): Promise<void> {
    await this.db.transaction(async tx => {
      for (const part of chunks(customers.map(customerToRow), CHUNK)) {
        await tx('customers').insert(part);
      }
      for (const part of chunks(orders.map(orderToRow), CHUNK)) {
        await tx('orders').insert(part);
      }
    });
  }

  async getCustomer(id: string) {
    const row = await this.db('customers').where({ id }).first();
    if (!row) return undefined;
    const [{ n }] = await this.db('orders').where({ customer_id: id }).count({ n: '*' });
    return { ...rowToCustomer(row), orderCount: num(n) };
  }

  async deleteCustomer(id: string): Promise<boolean> {
    return this.db.transaction(async tx => {
      await tx('orders').where({ customer_id: id }).delete();
      await tx('segment_memberships').where({ customer_id: id }).delete();
      await tx('customer_primary_segments').where({ customer_id: id }).delete();
      return (await tx('customers').where({ id }).delete()) > 0;
    });
  }

  async getStats(): Promise<DataStats> {
    const [{ n: customers }] = await this.db('customers').count({ n: '*' });
    const byStatus = await this.db('orders')
      .select('status')
      .count({ n: '*' })
      .min({ first: 'ordered_at' })
      .max({ last: 'ordered_at' })
      .groupBy('status');
    const ordersByStatus: Record<string, number> = {};
    let first: number | undefined;
    let last: number | undefined;
    for (const r of byStatus as any[]) {
      ordersByStatus[r.status] = num(r.n);
      first = first === undefined ? num(r.first) : Math.min(first, num(r.first));
      last = last === undefined ? num(r.last) : Math.max(last, num(r.last));
    }
    return {
      customers: num(customers),
      orders: Object.values(ordersByStatus).reduce((a, b) => a + b, 0),
      ordersByStatus,
      firstOrderAt: optIso(first),
      lastOrderAt: optIso(last),
    };
  }
}

function validateAll<T>(items: unknown[], schema: ZodSchema<T>) {
  const good: Array<{ index: number; item: T }> = [];
  const rejected: IngestResponse['rejected'] = [];
  items.forEach((raw, index) => {
    const parsed = schema.safeParse(raw);
    if (parsed.success) {
      good.push({ index, item: parsed.data });
    } else {
      const rawId = (raw as any)?.id;
      rejected.push({
        index,
        ...(typeof rawId === 'string' ? { id: rawId } : {}),
        errors: fieldErrors(parsed.error),
      });
    }
  });
  return { good, rejected };
}

/** Zod issues as `{ field, message }`; never echoes the offending value. */
function fieldErrors(error: ZodError) {
  return error.issues.map(i => {
    if (i.code === 'unrecognized_keys') {
      return { field: i.keys.join(', '), message: 'unknown field' };
    }
    const message =
      i.code === 'invalid_type' && i.received === 'undefined' ? 'is required' : i.message;
    return { field: i.path.join('.') || '(item)', message };
  });
}

/** Within one request the last item with an id wins, as sequential upserts would. */
function dedupe<T extends { id: string }>(items: T[]): T[] {
  return [...new Map(items.map(i => [i.id, i])).values()];
}

async function upsert(tx: Knex.Transaction, table: string, rows: object[]) {
  for (const part of chunks(rows, CHUNK)) {
    await tx(table).insert(part).onConflict('id').merge();
  }
}

function customerToRow(c: Customer) {
  const birth = parseDateValue(c.birthDate);
  return {
    id: c.id,
    name: c.name ?? null,
    email: c.email ?? null,
    phone: c.phone ?? null,
    country: c.country ?? null,
    city: c.city ?? null,
    tier: c.tier ?? null,
    gender: c.gender ?? null,
    birth_date: c.birthDate ?? null,
    birth_ymd: birth === undefined ? null : toYmd(birth),
    created_at: Date.parse(c.createdAt),
    attributes: c.attributes ? JSON.stringify(c.attributes) : null,
    updated_at: Date.now(),
  };
}

function orderToRow(o: Order) {
  return {
    id: o.id,
    customer_id: o.customerId,
    ordered_at: Date.parse(o.orderedAt),
    amount: o.amount,
    currency: o.currency ?? null,
    status: o.status,
    category: o.category ?? null,
    channel: o.channel ?? null,
    updated_at: Date.now(),
  };
}

/** A stored customer row as the API shows it: absent values stay absent. */
export function rowToCustomer(row: any): Customer {
  const c: Customer = { id: row.id, createdAt: optIso(row.created_at)! };
  const optional = { name: row.name, email: row.email, phone: row.phone, country: row.country, city: row.city, tier: row.tier, gender: row.gender, birthDate: row.birth_date };
  for (const [k, v] of Object.entries(optional)) {
    if (v !== null && v !== undefined) (c as any)[k] = v;
  }
  const attributes = parseJson<Customer['attributes']>(row.attributes);
  if (attributes) c.attributes = attributes;
  return c;
}
