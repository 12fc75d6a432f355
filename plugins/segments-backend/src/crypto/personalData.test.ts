import path from 'path';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import request from 'supertest';
import { createRule, execute, ingest, leaf } from '../__testUtils__/api';
import { databases, startSegmentsBackend } from '../__testUtils__/testBackend';
import { DatabaseCustomerStore } from '../database/CustomerStore';
import { migrateDatabase } from '../database/migrateDatabase';
import { segmentsPlugin } from '../plugin';
import { rotatePersonalData, updateUnchanged } from './rotatePersonalData';
import { TEST_KEYS, testPersonalDataCodec } from './testKeys';
import { verifyStoredKeys } from './verifyStoredKeys';
import { withPersonalData } from './withPersonalData';

jest.setTimeout(120_000);

const ASOF = '2025-06-15T12:00:00.000Z';
const MIGRATIONS = path.resolve(__dirname, '../../migrations');
const PD_MIGRATION = '20261125030000_personal_data.js';

const ALICE = {
  id: 'c-alice',
  name: 'Alice Wang',
  email: 'Alice.Wang@Example.com',
  phone: '+886 912 345 678',
  birthDate: '1990-06-15', // 35 on ASOF
  country: 'TW',
  createdAt: '2024-01-01T00:00:00Z',
};
const BOB = {
  id: 'c-bob',
  name: 'Alice Wang', // same name: different ciphertext
  email: 'bob@example.com',
  phone: '+886 900 000 001',
  birthDate: '1990-06-16', // 34 on ASOF, 35 the next day
  country: 'TW',
  createdAt: '2024-01-01T00:00:00Z',
};
const CAROL = { id: 'c-carol', email: 'carol@example.com', country: 'JP', createdAt: '2024-01-01T00:00:00Z' };
const ORDERS = [ALICE, BOB, CAROL].map((c, i) => ({
  id: `o-${c.id}`,
  customerId: c.id,
  orderedAt: '2025-01-10T00:00:00Z',
  amount: 100 * (i + 1),
  status: 'completed',
  category: 'books',
}));

/** Starts the plugin on an existing database with the given `segments` config. */
async function startOn(knex: Knex, segments: object) {
  return startTestBackend({
    features: [
      segmentsPlugin,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({ data: { segments: { demoData: { enabled: false }, ...segments } } }),
    ],
  });
}

async function startupError(knex: Knex, segments: object): Promise<string> {
  try {
    const backend = await startOn(knex, segments);
    await backend.stop();
  } catch (error) {
    return String((error as Error).stack ?? error);
  }
  throw new Error('the backend started');
}

const count = async (knex: Knex, table: string, where: object = {}) =>
  Number((await knex(table).where(where).count({ n: '*' }))[0].n);

describe.each(databases.eachSupportedId())('personal data on %s', databaseId => {
  it('stores name, email, phone and birth date encrypted per value with the key id, and serves them in clear', async () => {
    const { server, knex } = await startSegmentsBackend(databaseId);
    await ingest(server, { customers: [ALICE, BOB, CAROL] });
    const codec = testPersonalDataCodec();

    const rows = await knex('customers').orderBy('id').select();
    const alice = rows.find(r => r.id === ALICE.id);
    const bob = rows.find(r => r.id === BOB.id);
    for (const row of [alice, bob]) {
      for (const column of ['name', 'email', 'phone', 'birth_date']) {
        expect([column, row[column]]).toEqual([column, expect.stringMatching(/^v1:test-a:[\w-]+:[\w-]+:[\w-]+$/)]);
      }
      expect(row.pd_key_id).toBe('test-a');
    }
    // Same name, different ciphertext (random IV; bound to the customer).
    expect(alice.name).not.toBe(bob.name);
    expect(alice.email_hmac).toBe(codec.emailHash('alice.wang@example.com'));
    expect(alice.email_hmac).not.toBe(bob.email_hmac);
    // Age stays computable in SQL.
    expect(Number(alice.birth_ymd)).toBe(19900615);
    // Only the fields given are stored.
    const carol = rows.find(r => r.id === CAROL.id);
    expect([carol.name, carol.phone, carol.birth_date, carol.birth_ymd]).toEqual([null, null, null, null]);
    expect(carol.email).toMatch(/^v1:test-a:/);

    const res = await request(server).get(`/api/segments/data/customers/${ALICE.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...ALICE, createdAt: '2024-01-01T00:00:00.000Z', orderCount: 0 });
  });

  it('finds customers by exact email through the keyed hash, in member lists too; names are not searchable', async () => {
    const { server } = await startSegmentsBackend(databaseId);
    await ingest(server, { customers: [ALICE, BOB, CAROL], orders: ORDERS });

    const lookup = (email: unknown) => request(server).post('/api/segments/data/customers/lookup').send({ email });
    expect((await lookup('  ALICE.wang@example.COM ')).body).toEqual({ items: [{ id: ALICE.id }] });
    expect((await lookup('nobody@example.com')).body).toEqual({ items: [] });
    expect((await lookup('alice')).body).toEqual({ items: [] });
    expect((await lookup(42)).status).toBe(400);
    const bad = await request(server).post('/api/segments/data/customers/lookup').send({ email: 'x@y.z', name: 'n' });
    expect(bad.status).toBe(400);

    const rule = await createRule(server, { name: 'Everyone', conditions: [leaf('totalSpent', 'gte', 0, 'number')] });
    await execute(server, { asOf: ASOF });
    const resultId = (await request(server).get(`/api/segments/rules/${rule.id}`)).body.latestResult.resultId;
    const members = async (query: string) => {
      const res = await request(server).get(`/api/segments/results/${resultId}/customers?${query}`);
      expect(res.status).toBe(200);
      return res.body.items.map((c: { id: string }) => c.id);
    };
    expect(await members(`search=${encodeURIComponent('alice.wang@example.com')}`)).toEqual([ALICE.id]);
    expect(await members('search=bob')).toEqual([BOB.id]); // part of the id
    expect(await members('search=Wang')).toEqual([]); // names are encrypted
    // Member lists show decrypted names.
    const listed = await request(server).get(`/api/segments/results/${resultId}/customers`);
    expect(listed.body.items.find((c: { id: string }) => c.id === ALICE.id).name).toBe('Alice Wang');
  });

  it('age conditions work on encrypted birth dates (exact at day precision; coarse, never higher, at month precision)', async () => {
    const age = (value: number) => ({
      rule: { name: 'age', logicalOperator: 'AND', conditions: [leaf('age', 'eq', value, 'number')] },
      asOf: ASOF,
    });
    const preview = async (server: any, value: number) => {
      const res = await request(server).post('/api/segments/rules/preview').send(age(value));
      expect(res.status).toBe(200);
      return res.body.sample.map((s: { id: string }) => s.id).sort();
    };
    const exact = await startSegmentsBackend(databaseId);
    await ingest(exact.server, { customers: [ALICE, BOB, CAROL] });
    expect(await preview(exact.server, 35)).toEqual([ALICE.id]);
    expect(await preview(exact.server, 34)).toEqual([BOB.id]);

    const coarse = await startSegmentsBackend(databaseId, { segments: { personalData: { agePrecision: 'month' } } });
    await ingest(coarse.server, { customers: [ALICE, BOB, CAROL] });
    const alice = await coarse.knex('customers').where({ id: ALICE.id }).first();
    expect(Number(alice.birth_ymd)).toBe(19900699);
    // Both were born in June 1990: 34 until the end of June 2025, never 35 early.
    expect(await preview(coarse.server, 35)).toEqual([]);
    expect(await preview(coarse.server, 34)).toEqual([ALICE.id, BOB.id]);
  });

  it('marketing opt-out: stored in clear, kept by upserts that do not state it, honoured by forMarketing member lists', async () => {
    const { server, knex } = await startSegmentsBackend(databaseId);
    await ingest(server, {
      customers: [{ ...ALICE, marketingOptOut: true }, { ...BOB, marketingOptOut: false }, CAROL],
      orders: ORDERS,
    });
    const optOut = async () =>
      Object.fromEntries(
        (await knex('customers').orderBy('id').select('id', 'marketing_opt_out')).map(r => [
          r.id,
          r.marketing_opt_out === null ? null : Boolean(r.marketing_opt_out),
        ]),
      );
    expect(await optOut()).toEqual({ [ALICE.id]: true, [BOB.id]: false, [CAROL.id]: null });
    // A sync that does not know about opt-outs does not undo one.
    await ingest(server, { customers: [{ ...ALICE, name: 'Alice W.' }] });
    expect((await optOut())[ALICE.id]).toBe(true);
    expect((await request(server).get(`/api/segments/data/customers/${ALICE.id}`)).body).toMatchObject({
      name: 'Alice W.',
      marketingOptOut: true,
    });
    const bad = await request(server)
      .post('/api/segments/data/customers')
      .send({ items: [{ ...CAROL, marketingOptOut: 'yes' }] });
    expect(bad.body.rejected).toEqual([
      { index: 0, id: CAROL.id, errors: [{ field: 'marketingOptOut', message: 'must be true or false' }] },
    ]);

    const rule = await createRule(server, { name: 'Everyone', conditions: [leaf('totalSpent', 'gte', 0, 'number')] });
    await execute(server, { asOf: ASOF });
    const resultId = (await request(server).get(`/api/segments/rules/${rule.id}`)).body.latestResult.resultId;
    const members = (query: string) => request(server).get(`/api/segments/results/${resultId}/customers?${query}`);
    const all = await members('');
    expect(all.body.items.map((c: { id: string }) => c.id)).toEqual([ALICE.id, BOB.id, CAROL.id]);
    const marketing = await members('forMarketing=true');
    expect(marketing.body).toMatchObject({ totalCount: 2 });
    expect(marketing.body.items.map((c: { id: string }) => c.id)).toEqual([BOB.id, CAROL.id]);
    expect((await members('forMarketing=false')).body.totalCount).toBe(3);
    expect((await members('forMarketing=yes')).status).toBe(400);
    // Opting back in.
    await ingest(server, { customers: [{ ...ALICE, marketingOptOut: false }] });
    expect((await members('forMarketing=true')).body.totalCount).toBe(3);
  });

  it('exports everything stored about a customer, decrypted, with current and past memberships', async () => {
    const { server } = await startSegmentsBackend(databaseId);
    await ingest(server, { customers: [{ ...ALICE, marketingOptOut: true }, BOB, CAROL], orders: ORDERS });
    const tw = await createRule(server, { name: 'Taiwan', priority: 1, conditions: [leaf('country', 'eq', 'TW', 'string')] });
    const books = await createRule(server, {
      name: 'Book buyers',
      priority: 2,
      conditions: [leaf('categories', 'in', ['books'], 'array')],
    });
    const first = await execute(server, { asOf: ASOF });
    expect(first.status).toBe('success');
    // Alice moves to Japan: she leaves "Taiwan" in the second run.
    await ingest(server, { customers: [{ ...ALICE, country: 'JP' }] });
    expect((await execute(server, { asOf: '2025-06-16T12:00:00.000Z' })).status).toBe('success');

    const res = await request(server).get(`/api/segments/data/customers/${ALICE.id}/export`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    // Set while the change awaits an incremental run (the change tracker's timing).
    const { pendingChangeSince, ...processing } = res.body.processing;
    expect(pendingChangeSince === undefined || Date.parse(pendingChangeSince) > 0).toBe(true);
    expect({ ...res.body, processing }).toEqual({
      exportedAt: expect.any(String),
      customer: { ...ALICE, country: 'JP', createdAt: '2024-01-01T00:00:00.000Z', marketingOptOut: true },
      orders: [
        {
          id: `o-${ALICE.id}`,
          customerId: ALICE.id,
          orderedAt: '2025-01-10T00:00:00.000Z',
          amount: 100,
          status: 'completed',
          category: 'books',
        },
      ],
      segments: {
        primarySegment: { segmentId: books.id, segmentName: 'Book buyers', executionId: expect.any(String) },
        memberships: expect.arrayContaining([
          {
            segmentId: tw.id,
            segmentName: 'Taiwan',
            current: false,
            joinedRun: 1,
            joinedAt: expect.any(String),
            leftRun: 2,
            leftAt: expect.any(String),
          },
          {
            segmentId: books.id,
            segmentName: 'Book buyers',
            current: true,
            joinedRun: 1,
            joinedAt: expect.any(String),
          },
        ]),
      },
      processing: {
        storedEncrypted: ['name', 'email', 'phone', 'birthDate'],
        encryptionKeyId: 'test-a',
        emailLookupHash: true,
        ageIndex: { value: 19900615, precision: 'day' },
        createdAt: '2024-01-01T00:00:00.000Z',
        updatedAt: expect.any(String),
        runsInProgress: [],
      },
    });
    expect(res.body.segments.memberships).toHaveLength(2);
    expect(Date.parse(res.body.segments.memberships.find((m: any) => m.segmentId === tw.id).leftAt)).toBeGreaterThan(
      Date.parse(res.body.segments.memberships.find((m: any) => m.segmentId === tw.id).joinedAt),
    );
    expect((await request(server).get('/api/segments/data/customers/nobody/export')).status).toBe(404);
  });

  it('erases a customer everywhere; other customers and audit records (without personal values) stay', async () => {
    const { server, knex } = await startSegmentsBackend(databaseId);
    await ingest(server, { customers: [ALICE, BOB, CAROL], orders: ORDERS });
    await createRule(server, { name: 'Taiwan', conditions: [leaf('country', 'eq', 'TW', 'string')] });
    await execute(server, { asOf: ASOF });
    await ingest(server, { customers: [{ ...ALICE, country: 'JP' }] });
    await execute(server, { asOf: ASOF });
    // Rows of a run in progress.
    await knex('segment_run_members').insert({ execution_id: 'e-running', segment_rule_id: 'r', customer_id: ALICE.id });
    await knex('segment_run_features').insert({
      execution_id: 'e-running',
      customer_id: ALICE.id,
      total_spent: 0,
      order_count: 0,
      spent_30d: 0,
      spent_90d: 0,
      spent_365d: 0,
      orders_30d: 0,
      orders_90d: 0,
      orders_365d: 0,
    });
    // An incremental run's customer list.
    await knex('segment_executions').insert({
      id: 'e-incremental',
      status: 'success',
      kind: 'incremental',
      as_of: 1,
      created_by: 'test',
      created_at: 1,
      customer_ids: JSON.stringify([BOB.id, ALICE.id]),
    });
    const perTable = async (id: string) => ({
      customers: await count(knex, 'customers', { id }),
      orders: await count(knex, 'orders', { customer_id: id }),
      memberships: await count(knex, 'segment_memberships', { customer_id: id }),
      primary: await count(knex, 'customer_primary_segments', { customer_id: id }),
      runMembers: await count(knex, 'segment_run_members', { customer_id: id }),
      runFeatures: await count(knex, 'segment_run_features', { customer_id: id }),
    });
    expect(await perTable(ALICE.id)).toEqual({
      customers: 1,
      orders: 1,
      memberships: 1, // joined in run 1, left in run 2: in the change list of run 2
      primary: 0,
      runMembers: 1,
      runFeatures: 1,
    });
    const bobBefore = await perTable(BOB.id);
    const audited = await count(knex, 'segment_audit_events');

    expect((await request(server).delete(`/api/segments/data/customers/${ALICE.id}`)).status).toBe(204);
    expect(await perTable(ALICE.id)).toEqual({
      customers: 0,
      orders: 0,
      memberships: 0,
      primary: 0,
      runMembers: 0,
      runFeatures: 0,
    });
    expect(await count(knex, 'customer_changes', { customer_id: ALICE.id })).toBe(0);
    const incremental = await knex('segment_executions').where({ id: 'e-incremental' }).first();
    expect(JSON.parse(incremental.customer_ids)).toEqual([BOB.id]);
    expect(await perTable(BOB.id)).toEqual(bobBefore);
    expect((await request(server).get(`/api/segments/data/customers/${ALICE.id}`)).status).toBe(404);
    expect((await request(server).get(`/api/segments/data/customers/${ALICE.id}/export`)).status).toBe(404);
    expect((await request(server).delete(`/api/segments/data/customers/${ALICE.id}`)).status).toBe(404);
    expect((await request(server).post('/api/segments/data/customers/lookup').send({ email: ALICE.email })).body).toEqual({
      items: [],
    });
    expect(await count(knex, 'segment_audit_events')).toBeGreaterThanOrEqual(audited);
    const auditRows = JSON.stringify(await knex('segment_audit_events').select());
    for (const value of [ALICE.name, ALICE.email, ALICE.phone, ALICE.birthDate]) expect(auditRows).not.toContain(value);
  });

  it('refuses to start without a key, with a changed secret, or without a key the data still uses', async () => {
    const knex = await databases.init(databaseId);
    expect(await startupError(knex, {})).toMatch(/segments\.encryption\.keys is not configured/);
    expect(await startupError(knex, { encryption: { keys: [{ id: 'k', secret: 'c2hvcnQ=' }] } })).toMatch(
      /segments\.encryption\.keys\[0\]\.secret \(key "k"\) must be 32 random bytes/,
    );

    const first = await startOn(knex, { encryption: { keys: [TEST_KEYS.a] } });
    await ingest(first.server, { customers: [ALICE] });
    await first.stop();

    const changed = await startupError(knex, { encryption: { keys: [{ id: 'test-a', secret: TEST_KEYS.b.secret }] } });
    expect(changed).toMatch(/key "test-a" cannot decrypt the stored customer data/);
    const removed = await startupError(knex, { encryption: { keys: [TEST_KEYS.b] } });
    expect(removed).toMatch(/encrypted with key\(s\) "test-a", which segments\.encryption\.keys does not contain/);
    for (const message of [changed, removed]) {
      for (const value of [ALICE.name, ALICE.email, ALICE.phone, TEST_KEYS.a.secret, TEST_KEYS.b.secret]) {
        expect(message).not.toContain(value);
      }
    }

    // The right ring starts, new key first.
    const rotated = await startOn(knex, { encryption: { keys: [TEST_KEYS.b, TEST_KEYS.a] } });
    const res = await request(rotated.server).get(`/api/segments/data/customers/${ALICE.id}`);
    expect(res.body.name).toBe(ALICE.name);
    await rotated.stop();
  });

  it('rotates keys: after the new key is added first and the rotation ran, the old key can be removed', async () => {
    const knex = await databases.init(databaseId);
    await migrateDatabase(withPersonalData(knex, testPersonalDataCodec()));
    const many = Array.from({ length: 23 }, (_, i) => ({
      id: `m${String(i).padStart(2, '0')}`,
      name: `Person ${i}`,
      email: `person${i}@example.com`,
      ...(i % 2 ? { phone: `+886 900 000 ${String(i).padStart(3, '0')}`, birthDate: `1985-03-0${(i % 9) + 1}` } : {}),
      createdAt: '2024-01-01T00:00:00Z',
    }));
    const noPersonalData = { id: 'zz-none', country: 'TW', createdAt: '2024-01-01T00:00:00Z' };
    await DatabaseCustomerStore.create({ database: knex, personalData: testPersonalDataCodec() }).ingestCustomers([
      ...many,
      noPersonalData,
    ]);
    expect(await count(knex, 'customers', { pd_key_id: 'test-a' })).toBe(23);

    const both = testPersonalDataCodec({ keys: [TEST_KEYS.b, TEST_KEYS.a] });
    // New rows written during the rotation window use the new key.
    const store = DatabaseCustomerStore.create({ database: knex, personalData: both });
    await store.ingestCustomers([{ ...many[0], name: 'Renamed' }]);
    const progress: number[] = [];
    const result = await rotatePersonalData({
      database: knex,
      codec: both,
      batchSize: 5,
      onProgress: p => progress.push(p.rewritten),
    });
    expect(result).toMatchObject({
      rewritten: 22,
      skipped: 0,
      activeKeyId: 'test-b',
      keyIdsInUse: ['test-b'],
      removableKeyIds: ['test-a'],
    });
    expect(progress).toEqual([5, 10, 15, 20, 22]);
    expect(await count(knex, 'customers', { pd_key_id: 'test-b' })).toBe(23);
    const stored = (await knex('customers').whereNotNull('pd_key_id').select())
      .flatMap(row => [row.name, row.email, row.phone, row.birth_date])
      .filter(v => v !== null);
    expect(stored.length).toBeGreaterThan(46);
    expect(stored).toEqual(stored.map(() => expect.stringMatching(/^v1:test-b:/)));
    // Only key B is needed now: values, email lookups and birth_ymd survive.
    const onlyB = testPersonalDataCodec({ keys: [TEST_KEYS.b] });
    expect(await verifyStoredKeys({ database: knex, codec: onlyB })).toEqual(['test-b']);
    const afterRotation = DatabaseCustomerStore.create({ database: knex, personalData: onlyB });
    expect(await afterRotation.getCustomer('m00')).toMatchObject({ name: 'Renamed', email: 'person0@example.com' });
    expect(await afterRotation.getCustomer('m01')).toMatchObject({
      name: 'Person 1',
      phone: '+886 900 000 001',
      birthDate: '1985-03-02',
    });
    expect(await afterRotation.findCustomerIdsByEmail('PERSON7@example.com')).toEqual(['m07']);
    expect(Number((await knex('customers').where({ id: 'm01' }).first()).birth_ymd)).toBe(19850302);
    expect(await afterRotation.getCustomer('zz-none')).toMatchObject({ id: 'zz-none', country: 'TW' });
    await expect(
      verifyStoredKeys({ database: knex, codec: testPersonalDataCodec({ keys: [TEST_KEYS.a] }) }),
    ).rejects.toThrow(/"test-b"/);

    // A row rewritten between the rotation's read and its update is left alone.
    const snapshot = await knex('customers').where({ id: 'm03' }).first();
    await afterRotation.ingestCustomers([{ ...many[3], name: 'Changed meanwhile' }]);
    const stale = { row: snapshot, columns: onlyB.encodeCustomer('m03', { name: 'Stale' }) };
    const fresh = await knex('customers').where({ id: 'm05' }).first();
    const current = { row: fresh, columns: onlyB.encodeCustomer('m05', onlyB.decodeCustomer(fresh)) };
    expect(await knex.transaction(tx => updateUnchanged(tx, [stale, current]))).toBe(1);
    expect(await afterRotation.getCustomer('m03')).toMatchObject({ name: 'Changed meanwhile' });
    expect(await afterRotation.getCustomer('m05')).toMatchObject({ name: 'Person 5', birthDate: '1985-03-06' });

    // A rerun has nothing to do; `all` rewrites everything (e.g. after a precision change).
    expect(await rotatePersonalData({ database: knex, codec: onlyB })).toMatchObject({ rewritten: 0 });
    const monthly = testPersonalDataCodec({ keys: [TEST_KEYS.b], agePrecision: 'month' });
    expect(await rotatePersonalData({ database: knex, codec: monthly, all: true })).toMatchObject({ rewritten: 23 });
    expect(Number((await knex('customers').where({ id: 'm01' }).first()).birth_ymd)).toBe(19850399);
  });

  it('the migration encrypts existing clear values on the way up and restores them on the way down', async () => {
    const knex = await databases.init(databaseId);
    const codec = testPersonalDataCodec();
    await migrateDatabase(knex); // empty: nothing to convert, no key needed
    await knex.migrate.down({ directory: MIGRATIONS, name: PD_MIGRATION });
    expect(await knex.schema.hasColumn('customers', 'email_hmac')).toBe(false);

    const legacy = [
      { id: 'l1', name: 'Legacy One', email: 'One@Example.com', phone: '+1 555 0101', birth_date: '1970-01-31', birth_ymd: 19700131 },
      { id: 'l2', name: null, email: null, phone: null, birth_date: null, birth_ymd: null },
    ];
    await knex('customers').insert(legacy.map(l => ({ ...l, country: 'US', created_at: 1, updated_at: 1 })));

    // Without the keys, the migration refuses before changing anything.
    await expect(knex.migrate.latest({ directory: MIGRATIONS })).rejects.toThrow(
      /1 customer\(s\) hold personal data in clear/,
    );
    expect(await knex.schema.hasColumn('customers', 'email_hmac')).toBe(false);
    expect((await knex('customers').where({ id: 'l1' }).first()).name).toBe('Legacy One');

    await withPersonalData(knex, codec).migrate.latest({ directory: MIGRATIONS });
    const l1 = await knex('customers').where({ id: 'l1' }).first();
    expect(l1).toMatchObject({
      name: expect.stringMatching(/^v1:test-a:/),
      email: expect.stringMatching(/^v1:test-a:/),
      phone: expect.stringMatching(/^v1:test-a:/),
      birth_date: expect.stringMatching(/^v1:test-a:/),
      email_hmac: codec.emailHash('one@example.com'),
      pd_key_id: 'test-a',
    });
    expect(Number(l1.birth_ymd)).toBe(19700131);
    expect(codec.decodeCustomer(l1)).toEqual({
      name: 'Legacy One',
      email: 'One@Example.com',
      phone: '+1 555 0101',
      birthDate: '1970-01-31',
    });
    expect((await knex('customers').where({ id: 'l2' }).first()).pd_key_id).toBeNull();

    // Down again: without keys it refuses; with them the clear values come back.
    await expect(knex.migrate.down({ directory: MIGRATIONS, name: PD_MIGRATION })).rejects.toThrow(
      /1 customer\(s\) hold encrypted personal data/,
    );
    await withPersonalData(knex, codec).migrate.down({ directory: MIGRATIONS, name: PD_MIGRATION });
    const back = await knex('customers').orderBy('id').select('id', 'name', 'email', 'phone', 'birth_date', 'birth_ymd');
    expect(back.map(r => ({ ...r, birth_ymd: r.birth_ymd === null ? null : Number(r.birth_ymd) }))).toEqual(legacy);
    expect(await knex.schema.hasColumn('customers', 'pd_key_id')).toBe(false);

    await withPersonalData(knex, codec).migrate.latest({ directory: MIGRATIONS });
    expect(codec.decodeCustomer(await knex('customers').where({ id: 'l1' }).first()).email).toBe('One@Example.com');
  });
});
