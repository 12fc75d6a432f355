import { Knex } from 'knex';
import { Customer, Order } from '@internal/plugin-segments-common';
import { databases } from '../__testUtils__/testBackend';
import { ENCRYPTED_CUSTOMER_COLUMNS } from '../crypto/PersonalDataCodec';
import { testPersonalDataCodec } from '../crypto/testKeys';
import {
  DatabaseCustomerStore,
  rowToCustomer,
} from '../database/CustomerStore';
import { migrateDatabase } from '../database/migrateDatabase';
import { BulkBatch, bulkInsertBatch, bulkLoad } from './bulkInsert';
import { generateDemoBatches } from './generateDemoData';

jest.setTimeout(120_000);

const personalData = testPersonalDataCodec();

/** Values that break naive array literals, CSV or SQL quoting. */
const tricky: BulkBatch = {
  customers: [
    {
      id: 'x"quote',
      createdAt: '1960-02-29T23:59:59.999Z',
      name: 'O\'Brien "The \\ Backslash", {braces}, commas',
      email: 'null@example.com',
      phone: 'NULL',
      country: '',
      city: 'São Paulo\tTab\nNewline',
      tier: ' spaced ',
      gender: '女',
      birthDate: '2000-02-29',
      attributes: {
        'quote"key': 'va\\lue "x"',
        n: 0.1 + 0.2,
        big: 2 ** 53 - 1,
        flag: false,
        emoji: '😀',
      },
      marketingOptOut: true,
    },
    { id: 'x-minimal', createdAt: '2024-01-01T00:00:00Z' },
    {
      id: 'x{brace}',
      createdAt: '2024-01-01T08:00:00+08:00',
      attributes: {},
      marketingOptOut: false,
      email: 'A.B@Example.COM ',
    },
  ],
  orders: [
    {
      id: 'xo,1',
      customerId: 'x"quote',
      orderedAt: '2025-12-31T23:59:59.001Z',
      amount: 0.1 + 0.2,
      status: 'completed',
      currency: 'T"D',
      category: 'a\\b',
      channel: '{web}',
    },
    {
      id: 'xo-2',
      customerId: 'x-minimal',
      orderedAt: '1999-01-01T00:00:00Z',
      amount: 0,
      status: 'refunded',
    },
    {
      id: 'xo-3',
      customerId: 'x{brace}',
      orderedAt: '2024-06-30T12:00:00Z',
      amount: 1e9 + 0.5,
      status: 'cancelled',
      category: '',
    },
  ],
};

const NOW = Date.UTC(2026, 0, 1);

function demoBatches(): BulkBatch[] {
  return [
    ...generateDemoBatches({
      customers: 250,
      seed: 7,
      now: NOW,
      batchSize: 60,
    }),
    tricky,
  ];
}

/**
 * Every stored row of a table, by id, without `updated_at` (the load's wall
 * clock) and with encrypted values replaced by their decryption (ciphertexts
 * differ on every write: random IVs).
 */
async function tableRows(knex: Knex, table: string) {
  const rows = await knex(table).orderBy('id').select();
  return rows.map(({ updated_at, ...rest }) => {
    expect(updated_at).not.toBeNull();
    if (table !== 'customers') return rest;
    const clear = personalData.decodeCustomer(rest);
    for (const column of ENCRYPTED_CUSTOMER_COLUMNS) {
      if (rest[column] !== null) expect(rest[column]).toMatch(/^v1:/);
      delete rest[column];
    }
    return { ...rest, clear };
  });
}

async function freshDatabase(id: Parameters<typeof databases.init>[0]) {
  const knex = await databases.init(id);
  await migrateDatabase(knex);
  return knex;
}

async function indexDefinitions(knex: Knex) {
  if (knex.client.config.client === 'pg') {
    const { rows } = await knex.raw(
      `SELECT indexdef AS def FROM pg_indexes WHERE tablename IN ('customers', 'orders')
       UNION ALL SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' AND conrelid = 'orders'::regclass
       ORDER BY 1`,
    );
    return rows.map((r: any) => r.def);
  }
  const rows = await knex.raw(
    `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('customers', 'orders') ORDER BY name`,
  );
  return rows.map((r: any) => `${r.name}: ${r.sql}`);
}

describe.each(databases.eachSupportedId())('bulkInsert on %s', databaseId => {
  it('stores exactly the rows the ingestion mapping stores', async () => {
    const batches = demoBatches();
    const viaStore = await freshDatabase(databaseId);
    const store = DatabaseCustomerStore.create({
      database: viaStore,
      personalData,
    });
    for (const b of batches) await store.insertRaw(b.customers, b.orders);

    const viaBulk = await freshDatabase(databaseId);
    const indexesBefore = await indexDefinitions(viaBulk);
    const progress: string[] = [];
    const result = await bulkLoad(viaBulk, batches, {
      personalData,
      deferIndexes: true,
      concurrency: 3,
      transactionSize: 100,
      onProgress: p => progress.push(p.phase),
    });

    const customers = batches.flatMap(b => b.customers);
    const orders = batches.flatMap(b => b.orders);
    expect(result).toMatchObject({
      customers: customers.length,
      orders: orders.length,
    });
    expect(orders.length).toBeGreaterThan(1000);
    expect(progress).toEqual(
      expect.arrayContaining(['load', 'indexes', 'analyze', 'done']),
    );
    expect(await indexDefinitions(viaBulk)).toEqual(indexesBefore);

    const expectedCustomers = await tableRows(viaStore, 'customers');
    const actualCustomers = await tableRows(viaBulk, 'customers');
    expect(actualCustomers).toHaveLength(customers.length);
    expect(actualCustomers).toEqual(expectedCustomers);
    expect(await tableRows(viaBulk, 'orders')).toEqual(
      await tableRows(viaStore, 'orders'),
    );

    // And back through the API's row mapping: what was generated comes out.
    const byId = new Map(customers.map(c => [c.id, c]));
    for (const row of await viaBulk('customers').select()) {
      expect(rowToCustomer(row, personalData)).toEqual(
        normalizeCustomer(byId.get(row.id)!),
      );
    }
  });

  it('upserts like the ingestion API when asked, last row of a batch wins', async () => {
    const knex = await freshDatabase(databaseId);
    const customer: Customer = {
      id: 'u1',
      createdAt: '2024-01-01T00:00:00.000Z',
      tier: 'gold',
      attributes: { a: 1 },
      marketingOptOut: true,
    };
    const order: Order = {
      id: 'uo1',
      customerId: 'u1',
      orderedAt: '2024-02-01T00:00:00.000Z',
      amount: 10,
      status: 'completed',
    };
    await bulkInsertBatch(
      knex,
      { customers: [customer], orders: [order] },
      { personalData },
    );

    await bulkInsertBatch(
      knex,
      {
        customers: [
          { ...customer, tier: 'silver' },
          { id: 'u1', createdAt: '2024-01-01T00:00:00.000Z', name: 'Last' },
        ],
        orders: [{ ...order, amount: 20, status: 'refunded' }],
      },
      { personalData, upsert: true },
    );
    const [row] = await knex('customers').select();
    // A customer sent without marketingOptOut keeps the stored choice, as in the ingestion API.
    expect(rowToCustomer(row, personalData)).toEqual({
      id: 'u1',
      createdAt: '2024-01-01T00:00:00.000Z',
      name: 'Last',
      marketingOptOut: true,
    });
    const orders = await knex('orders').select('id', 'amount', 'status');
    expect(orders).toEqual([{ id: 'uo1', amount: 20, status: 'refunded' }]);
  });
});

describe.each(databases.eachSupportedId())(
  'bulkInsert failures on %s',
  databaseId => {
    it('rejects a duplicate id without upsert', async () => {
      const knex = await freshDatabase(databaseId);
      const customer: Customer = {
        id: 'd1',
        createdAt: '2024-01-01T00:00:00.000Z',
      };
      await bulkInsertBatch(
        knex,
        { customers: [customer], orders: [] },
        { personalData },
      );
      await expect(
        bulkInsertBatch(
          knex,
          { customers: [customer], orders: [] },
          { personalData },
        ),
      ).rejects.toThrow();
    });

    it('restores the indexes when a load fails halfway', async () => {
      const knex = await freshDatabase(databaseId);
      const before = await indexDefinitions(knex);
      const [first] = demoBatches();
      await expect(
        bulkLoad(knex, [first, first], {
          personalData,
          deferIndexes: true,
          concurrency: 1,
          transactionSize: 1,
        }),
      ).rejects.toThrow();
      expect(await indexDefinitions(knex)).toEqual(before);
    });
  },
);

/** A customer as it reads back: ISO timestamps in UTC with milliseconds. */
function normalizeCustomer(c: Customer): Customer {
  return { ...c, createdAt: new Date(c.createdAt).toISOString() };
}
