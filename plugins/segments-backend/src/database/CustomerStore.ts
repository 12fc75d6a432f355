import { Knex } from 'knex';
import {
  Customer,
  CustomerDataExport,
  customerSchema,
  IngestResponse,
  Order,
  orderSchema,
  parseTimestamp,
} from '@internal/plugin-segments-common';
import { ZodError, ZodSchema } from 'zod';
import { PersonalDataCodec } from '../crypto/PersonalDataCodec';
import { chunks, num, optIso, parseJson } from './util';
import { sampleBucket } from '../engine/sampleBucket';

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
  /** Erases a customer everywhere (see {@link DatabaseCustomerStore.eraseCustomer}); false when unknown. */
  deleteCustomer(id: string): Promise<boolean>;
  /** Everything stored about a customer, personal data decrypted; undefined when unknown. */
  exportCustomer(id: string): Promise<CustomerDataExport | undefined>;
  /** Ids of the customers with this email (exact match, case-insensitive), found through the keyed hash. */
  findCustomerIdsByEmail(email: string): Promise<string[]>;
  getStats(): Promise<DataStats>;
  /** Bulk insert without validation, for trusted generated demo data. */
  insertRaw(customers: Customer[], orders: Order[]): Promise<void>;
}

const CHUNK = 500;

/** Counts of what {@link DatabaseCustomerStore.eraseCustomer} removed, per table. */
export type ErasureCounts = Record<string, number>;

/**
 * Tables with rows about one customer (`customer_id`), erased with the
 * customer. Tables of later migrations are skipped while they do not exist.
 */
const CUSTOMER_TABLES = [
  'orders',
  'segment_memberships',
  'customer_primary_segments',
  'segment_run_members',
  'segment_run_features',
  'customer_changes',
];

/**
 * Knex implementation of {@link CustomerStore}. Name, email, phone and birth
 * date are stored encrypted by the {@link PersonalDataCodec}.
 */
export class DatabaseCustomerStore implements CustomerStore {
  private existingTables?: Promise<Set<string>>;

  private constructor(
    private readonly db: Knex,
    private readonly personalData: PersonalDataCodec,
  ) {}

  static create(options: { database: Knex; personalData: PersonalDataCodec }) {
    if (!options.personalData) throw new Error('DatabaseCustomerStore needs a PersonalDataCodec (personalData)');
    return new DatabaseCustomerStore(options.database, options.personalData);
  }

  async ingestCustomers(items: unknown[]): Promise<IngestResponse> {
    const { good, rejected } = validateAll<Customer>(items, customerSchema);
    const rows = dedupe(good.map(g => g.item)).map(c => customerToRow(c, this.personalData));
    await this.db.transaction(async tx => {
      for (const part of chunks(rows, CHUNK)) {
        // A customer sent without marketingOptOut keeps the stored choice:
        // a sync that does not know about opt-outs must not undo one.
        const columns = Object.keys(part[0]).filter(c => c !== 'id');
        const merge = Object.fromEntries(
          columns.map(c => [
            c,
            c === 'marketing_opt_out'
              ? tx.raw('COALESCE(excluded.??, ??.??)', [c, 'customers', c])
              : tx.raw('excluded.??', [c]),
          ]),
        );
        await tx('customers').insert(part).onConflict('id').merge(merge);
      }
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
      for (const part of chunks(customers.map(c => customerToRow(c, this.personalData)), CHUNK)) {
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
    return { ...rowToCustomer(row, this.personalData), orderCount: num(n) };
  }

  async deleteCustomer(id: string): Promise<boolean> {
    return (await this.eraseCustomer(id)) !== undefined;
  }

  /**
   * GDPR/PDPA erasure: removes the customer row (with its encrypted personal
   * data), orders, memberships (current and past, hence the change lists),
   * primary segment, rows of runs in progress and pending change marks, and
   * the id from incremental runs' customer lists, in one transaction.
   * Aggregates of past results (counts, revenue) and audit records (ids,
   * never values) stay. Undefined when nothing was stored about the id.
   */
  async eraseCustomer(id: string): Promise<ErasureCounts | undefined> {
    const tables = await this.tables();
    const counts = await this.db.transaction(async tx => {
      const out: ErasureCounts = {};
      for (const table of CUSTOMER_TABLES.filter(t => tables.has(t))) {
        out[table] = await tx(table).where({ customer_id: id }).delete();
      }
      if (tables.has('segment_executions.customer_ids')) {
        out.segment_executions = await scrubExecutionCustomerLists(tx, id);
      }
      out.customers = await tx('customers').where({ id }).delete();
      return out;
    });
    return Object.values(counts).some(n => n > 0) ? counts : undefined;
  }

  async exportCustomer(id: string): Promise<CustomerDataExport | undefined> {
    const row = await this.db('customers').where({ id }).first();
    if (!row) return undefined;
    const tables = await this.tables();
    const customer = rowToCustomer(row, this.personalData);
    const orders = (await this.db('orders').where({ customer_id: id }).orderBy(['ordered_at', 'id'])).map(rowToOrder);

    const spells = await this.db('segment_memberships as m')
      .leftJoin('segment_rules as r', 'r.id', 'm.segment_rule_id')
      .leftJoin('segment_results as jr', j =>
        j.on('jr.segment_rule_id', 'm.segment_rule_id').andOn('jr.seq', 'm.from_seq'),
      )
      .leftJoin('segment_results as lr', j =>
        j.on('lr.segment_rule_id', 'm.segment_rule_id').andOn('lr.seq', 'm.to_seq'),
      )
      .where('m.customer_id', id)
      .orderBy([{ column: 'm.segment_rule_id' }, { column: 'm.from_seq' }])
      .select(
        'm.segment_rule_id',
        'm.from_seq',
        'm.to_seq',
        'r.name',
        'jr.executed_at as joined_at',
        'lr.executed_at as left_at',
      );
    const primary = await this.db('customer_primary_segments as p')
      .leftJoin('segment_rules as r', 'r.id', 'p.segment_rule_id')
      .where('p.customer_id', id)
      .first('p.segment_rule_id', 'p.execution_id', 'r.name');
    const runIds = new Set<string>();
    for (const table of ['segment_run_members', 'segment_run_features']) {
      for (const r of await this.db(table).where({ customer_id: id }).distinct('execution_id')) runIds.add(r.execution_id);
    }
    const change = tables.has('customer_changes')
      ? await this.db('customer_changes').where({ customer_id: id }).first()
      : undefined;

    return {
      exportedAt: new Date().toISOString(),
      customer: { ...customer, marketingOptOut: customer.marketingOptOut ?? false },
      orders,
      segments: {
        ...(primary
          ? { primarySegment: { segmentId: primary.segment_rule_id, ...(primary.name ? { segmentName: primary.name } : {}), executionId: primary.execution_id } }
          : {}),
        memberships: spells.map(m => ({
          segmentId: m.segment_rule_id,
          ...(m.name ? { segmentName: m.name } : {}),
          current: m.to_seq === null,
          joinedRun: num(m.from_seq),
          ...(m.joined_at !== null ? { joinedAt: optIso(m.joined_at) } : {}),
          ...(m.to_seq !== null ? { leftRun: num(m.to_seq) } : {}),
          ...(m.left_at !== null ? { leftAt: optIso(m.left_at) } : {}),
        })),
      },
      processing: {
        storedEncrypted: (['name', 'email', 'phone', 'birthDate'] as const).filter(f => customer[f] !== undefined),
        ...(row.pd_key_id ? { encryptionKeyId: row.pd_key_id } : {}),
        emailLookupHash: row.email_hmac !== null && row.email_hmac !== undefined,
        ...(row.birth_ymd !== null && row.birth_ymd !== undefined
          ? { ageIndex: { value: num(row.birth_ymd), precision: this.personalData.agePrecision } }
          : {}),
        createdAt: customer.createdAt,
        updatedAt: optIso(row.updated_at)!,
        runsInProgress: [...runIds].sort(),
        ...(change ? { pendingChangeSince: optIso(change.changed_at) } : {}),
      },
    };
  }

  async findCustomerIdsByEmail(email: string): Promise<string[]> {
    const rows = await this.db('customers')
      .whereIn('email_hmac', this.personalData.emailLookupHashes(email))
      .orderBy('id')
      .select('id');
    return rows.map(r => r.id);
  }

  /** Tables (and `table.column`s) of later migrations that exist, looked up once. */
  private tables(): Promise<Set<string>> {
    this.existingTables ??= (async () => {
      const found = new Set(['orders', 'segment_memberships', 'customer_primary_segments', 'segment_run_members', 'segment_run_features']);
      if (await this.db.schema.hasTable('customer_changes')) found.add('customer_changes');
      if (await this.db.schema.hasColumn('segment_executions', 'customer_ids')) found.add('segment_executions.customer_ids');
      return found;
    })();
    return this.existingTables;
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

/**
 * A customer as a `customers` row: name, email, phone and birth date
 * encrypted by `personalData` (with `email_hmac`, `pd_key_id` and the clear
 * `birth_ymd` for age conditions); `marketing_opt_out` null when not stated.
 */
export function customerToRow(c: Customer, personalData: PersonalDataCodec) {
  const pd = personalData.encodeCustomer(c.id, c);
  return {
    id: c.id,
    name: pd.name,
    email: pd.email,
    phone: pd.phone,
    country: c.country ?? null,
    city: c.city ?? null,
    tier: c.tier ?? null,
    gender: c.gender ?? null,
    birth_date: pd.birth_date,
    birth_ymd: pd.birth_ymd,
    created_at: parseTimestamp(c.createdAt)!,
    attributes: c.attributes ? JSON.stringify(c.attributes) : null,
    updated_at: Date.now(),
    email_hmac: pd.email_hmac,
    pd_key_id: pd.pd_key_id,
    marketing_opt_out: c.marketingOptOut ?? null,
    sample_bucket: sampleBucket(c.id),
  };
}

export function orderToRow(o: Order) {
  return {
    id: o.id,
    customer_id: o.customerId,
    ordered_at: parseTimestamp(o.orderedAt)!,
    amount: o.amount,
    currency: o.currency ?? null,
    status: o.status,
    category: o.category ?? null,
    channel: o.channel ?? null,
    updated_at: Date.now(),
    sample_bucket: sampleBucket(o.customerId),
  };
}

/** A stored customer row as the API shows it, personal data decrypted: absent values stay absent. */
export function rowToCustomer(row: any, personalData: PersonalDataCodec): Customer {
  const c: Customer = { id: row.id, createdAt: optIso(row.created_at)! };
  const pd = personalData.decodeCustomer(row);
  const optional = { name: pd.name, email: pd.email, phone: pd.phone, country: row.country, city: row.city, tier: row.tier, gender: row.gender, birthDate: pd.birthDate };
  for (const [k, v] of Object.entries(optional)) {
    if (v !== null && v !== undefined) (c as any)[k] = v;
  }
  const attributes = parseJson<Customer['attributes']>(row.attributes);
  if (attributes) c.attributes = attributes;
  if (row.marketing_opt_out !== null && row.marketing_opt_out !== undefined) {
    c.marketingOptOut = Boolean(row.marketing_opt_out);
  }
  return c;
}

function rowToOrder(row: any): Order {
  const o: Order = {
    id: row.id,
    customerId: row.customer_id,
    orderedAt: optIso(row.ordered_at)!,
    amount: num(row.amount),
    status: row.status,
  };
  for (const [k, v] of Object.entries({ currency: row.currency, category: row.category, channel: row.channel })) {
    if (v !== null && v !== undefined) (o as any)[k] = v;
  }
  return o;
}

/** Removes a customer id from the JSON lists of incremental runs; returns how many runs changed. */
async function scrubExecutionCustomerLists(tx: Knex.Transaction, id: string): Promise<number> {
  const needle = `%${JSON.stringify(id).replace(/[\\%_]/g, m => `\\${m}`)}%`;
  const rows = await tx('segment_executions')
    .whereRaw(`customer_ids LIKE ? ESCAPE '\\'`, [needle])
    .select('id', 'customer_ids');
  let changed = 0;
  for (const r of rows) {
    const list = parseJson<unknown[]>(r.customer_ids);
    if (!Array.isArray(list) || !list.includes(id)) continue;
    await tx('segment_executions')
      .where({ id: r.id })
      .update({ customer_ids: JSON.stringify(list.filter(x => x !== id)) });
    changed += 1;
  }
  return changed;
}
