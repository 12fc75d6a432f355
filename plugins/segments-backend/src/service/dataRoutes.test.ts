import request from 'supertest';
import { databases, startSegmentsBackend } from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const customer = (id: string, extra: object = {}) => ({ id, createdAt: '2024-01-01T00:00:00Z', ...extra });
const order = (id: string, customerId: string, extra: object = {}) => ({
  id,
  customerId,
  orderedAt: '2024-03-01T10:00:00Z',
  amount: 100,
  status: 'completed',
  ...extra,
});

const count = async (knex: any, table: string) => Number((await knex(table).count({ n: '*' }))[0].n);

describe.each(databases.eachSupportedId())('ingestion API on %s', databaseId => {
  it('stores the valid rows, rejects the invalid ones by field, and is idempotent', async () => {
    const { server, knex } = await startSegmentsBackend(databaseId);
    const body = {
      items: [
        customer('a', { country: 'TW', attributes: { vip: true, points: 3 } }),
        customer('b', { email: 'not-an-email' }),
        customer('c'),
        { id: 'd' },
        customer('e', { birthDate: '1990-02-28' }),
      ],
    };
    const first = await request(server).post('/api/segments/data/customers').send(body);
    expect(first.status).toBe(200);
    expect(first.body.accepted).toBe(3);
    expect(first.body.rejected).toEqual([
      { index: 1, id: 'b', errors: [{ field: 'email', message: 'must be an email address' }] },
      { index: 3, id: 'd', errors: [{ field: 'createdAt', message: 'is required' }] },
    ]);
    const again = await request(server).post('/api/segments/data/customers').send(body);
    expect(again.body).toEqual(first.body);
    const ids = (await knex('customers').orderBy('id').select('id')).map(r => r.id);
    expect(ids).toEqual(['a', 'c', 'e']);

    const c = await request(server).get('/api/segments/data/customers/c');
    expect(c.body).toEqual({ id: 'c', createdAt: '2024-01-01T00:00:00.000Z', orderCount: 0 });
  });

  it('names every bad field of a rejected customer and stores none of it', async () => {
    const { server, knex } = await startSegmentsBackend(databaseId);
    const res = await request(server)
      .post('/api/segments/data/customers')
      .send({
        items: [
          customer('ok-1'),
          customer('bad-1', { birthDate: '1990-02-30', attributes: { nested: { a: 1 } }, color: 'red' }),
          customer('ok-2', { tier: 'gold' }),
          { id: '', createdAt: 'yesterday' },
          customer('ok-3', { phone: '+886 912-345-678' }),
        ],
      });
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(3);
    expect(res.body.rejected.map((r: any) => r.index)).toEqual([1, 3]);
    expect(res.body.rejected[0].id).toBe('bad-1');
    expect(res.body.rejected[0].errors.map((e: any) => e.field).sort()).toEqual([
      'attributes.nested',
      'birthDate',
      'color',
    ]);
    expect(res.body.rejected[1].errors.map((e: any) => e.field).sort()).toEqual(['createdAt', 'id']);
    // The answer never echoes the bad values.
    expect(JSON.stringify(res.body)).not.toMatch(/yesterday|1990-02-30/);
    expect((await knex('customers').orderBy('id').select('id')).map(r => r.id)).toEqual(['ok-1', 'ok-2', 'ok-3']);
  });

  it('keeps missing optional fields missing (null in the database, absent in GET)', async () => {
    const { server, knex } = await startSegmentsBackend(databaseId);
    await request(server)
      .post('/api/segments/data/customers')
      .send({
        items: [
          customer('bare'),
          customer('full', {
            name: 'Full Name',
            email: 'full@example.com',
            phone: '+1 555 0100',
            country: 'TW',
            city: 'Taipei',
            tier: 'gold',
            gender: 'F',
            birthDate: '1990-05-01',
            attributes: { vip: false, points: 0, note: '' },
          }),
        ],
      })
      .expect(200);
    await request(server)
      .post('/api/segments/data/orders')
      .send({ items: [order('o-bare', 'bare')] })
      .expect(200);

    const row = await knex('customers').where({ id: 'bare' }).first();
    for (const column of ['name', 'email', 'phone', 'country', 'city', 'tier', 'gender', 'birth_date', 'birth_ymd', 'attributes']) {
      expect([column, row[column]]).toEqual([column, null]);
    }
    const orderRow = await knex('orders').where({ id: 'o-bare' }).first();
    expect([orderRow.currency, orderRow.category, orderRow.channel]).toEqual([null, null, null]);

    const bare = await request(server).get('/api/segments/data/customers/bare');
    expect(bare.status).toBe(200);
    expect(bare.body).toEqual({ id: 'bare', createdAt: '2024-01-01T00:00:00.000Z', orderCount: 1 });

    // Falsy values that are present stay present.
    const full = await request(server).get('/api/segments/data/customers/full');
    expect(full.body).toEqual({
      id: 'full',
      name: 'Full Name',
      email: 'full@example.com',
      phone: '+1 555 0100',
      country: 'TW',
      city: 'Taipei',
      tier: 'gold',
      gender: 'F',
      birthDate: '1990-05-01',
      createdAt: '2024-01-01T00:00:00.000Z',
      attributes: { vip: false, points: 0, note: '' },
      orderCount: 0,
    });
    expect((await request(server).get('/api/segments/data/customers/nobody')).status).toBe(404);
  });

  it('upserts customers by id', async () => {
    const { server, knex } = await startSegmentsBackend(databaseId);
    await request(server)
      .post('/api/segments/data/customers')
      .send({ items: [customer('u', { country: 'TW', tier: 'gold' })] })
      .expect(200);
    await request(server)
      .post('/api/segments/data/customers')
      .send({ items: [customer('u', { country: 'JP' })] })
      .expect(200);
    expect(await count(knex, 'customers')).toBe(1);
    const res = await request(server).get('/api/segments/data/customers/u');
    expect(res.body).toEqual({ id: 'u', country: 'JP', createdAt: '2024-01-01T00:00:00.000Z', orderCount: 0 });
  });

  it('rejects an order whose customer is unknown for that row only, and ingests orders idempotently', async () => {
    const { server, knex } = await startSegmentsBackend(databaseId);
    await request(server)
      .post('/api/segments/data/customers')
      .send({ items: [customer('c1'), customer('c2')] })
      .expect(200);
    const body = {
      items: [
        order('o1', 'c1', { amount: 10.5, currency: 'TWD', category: 'books', channel: 'web' }),
        order('o2', 'ghost'),
        order('o3', 'c2', { status: 'refunded' }),
        order('o4', 'c1', { amount: -1, status: 'lost', orderedAt: '2024-03-01' }),
        order('o5', 'c2', { status: 'cancelled', amount: 0 }),
      ],
    };
    const first = await request(server).post('/api/segments/data/orders').send(body);
    expect(first.status).toBe(200);
    expect(first.body.accepted).toBe(3);
    expect(first.body.rejected).toEqual([
      { index: 1, id: 'o2', errors: [{ field: 'customerId', message: expect.stringMatching(/unknown customer/) }] },
      { index: 3, id: 'o4', errors: expect.any(Array) },
    ]);
    expect(first.body.rejected[1].errors.map((e: any) => e.field).sort()).toEqual(['amount', 'orderedAt', 'status']);

    const snapshot = async () =>
      (await knex('orders').orderBy('id').select('id', 'customer_id', 'ordered_at', 'amount', 'currency', 'status', 'category', 'channel')).map(
        r => ({ ...r, ordered_at: Number(r.ordered_at), amount: Number(r.amount) }),
      );
    const before = await snapshot();
    expect(before).toEqual([
      { id: 'o1', customer_id: 'c1', ordered_at: Date.parse('2024-03-01T10:00:00Z'), amount: 10.5, currency: 'TWD', status: 'completed', category: 'books', channel: 'web' },
      { id: 'o3', customer_id: 'c2', ordered_at: Date.parse('2024-03-01T10:00:00Z'), amount: 100, currency: null, status: 'refunded', category: null, channel: null },
      { id: 'o5', customer_id: 'c2', ordered_at: Date.parse('2024-03-01T10:00:00Z'), amount: 0, currency: null, status: 'cancelled', category: null, channel: null },
    ]);

    const again = await request(server).post('/api/segments/data/orders').send(body);
    expect(again.body).toEqual(first.body);
    expect(await snapshot()).toEqual(before);

    // An upsert changes an order in place.
    await request(server)
      .post('/api/segments/data/orders')
      .send({ items: [order('o3', 'c2', { status: 'completed', amount: 7 })] })
      .expect(200);
    expect((await snapshot()).find(o => o.id === 'o3')).toMatchObject({ status: 'completed', amount: 7 });
    expect(await count(knex, 'orders')).toBe(3);
    expect((await request(server).get('/api/segments/data/customers/c2')).body.orderCount).toBe(2);
  });

  it('refuses more than 10,000 items with a clear message and stores nothing', async () => {
    const { server, knex } = await startSegmentsBackend(databaseId);
    const customers = Array.from({ length: 10_001 }, (_, i) => customer(`c${i}`));
    const res = await request(server).post('/api/segments/data/customers').send({ items: customers });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.error.message).toMatch(/at most 10000 items/);
    expect(await count(knex, 'customers')).toBe(0);

    // Exactly 10,000 is fine.
    const ok = await request(server).post('/api/segments/data/customers').send({ items: customers.slice(0, 10_000) });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ accepted: 10_000, rejected: [] });
    expect(await count(knex, 'customers')).toBe(10_000);

    const orders = Array.from({ length: 10_001 }, (_, i) => order(`o${i}`, `c${i % 100}`));
    const tooMany = await request(server).post('/api/segments/data/orders').send({ items: orders });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toMatch(/at most 10000 items/);
    expect(await count(knex, 'orders')).toBe(0);
  });

  it('answers 400 for a body that is not { items: [...] }', async () => {
    const { server, knex } = await startSegmentsBackend(databaseId);
    for (const body of [{}, { items: 'many' }, { items: null }, { items: { 0: customer('x') } }, [customer('x')]]) {
      for (const path of ['/api/segments/data/customers', '/api/segments/data/orders']) {
        const res = await request(server).post(path).send(body as any);
        expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
        expect(res.body.error.message).toMatch(/items: must be an array/);
      }
    }
    expect(await count(knex, 'customers')).toBe(0);
  });

  it('answers stats, and deletes a customer with its orders', async () => {
    const { server, knex } = await startSegmentsBackend(databaseId);
    const empty = await request(server).get('/api/segments/data/stats');
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ customers: 0, orders: 0, ordersByStatus: {} });

    await request(server)
      .post('/api/segments/data/customers')
      .send({ items: [customer('c1'), customer('c2'), customer('c3')] })
      .expect(200);
    await request(server)
      .post('/api/segments/data/orders')
      .send({
        items: [
          order('o1', 'c1', { orderedAt: '2023-12-31T23:00:00Z' }),
          order('o2', 'c1', { status: 'refunded' }),
          order('o3', 'c2', { orderedAt: '2024-06-30T08:00:00+08:00' }),
          order('o4', 'c2', { status: 'cancelled', orderedAt: '2024-01-15T00:00:00Z' }),
          order('o5', 'c3'),
        ],
      })
      .expect(200);
    const stats = await request(server).get('/api/segments/data/stats');
    expect(stats.body).toEqual({
      customers: 3,
      orders: 5,
      ordersByStatus: { completed: 3, refunded: 1, cancelled: 1 },
      firstOrderAt: '2023-12-31T23:00:00.000Z',
      lastOrderAt: '2024-06-30T00:00:00.000Z',
    });

    const del = await request(server).delete('/api/segments/data/customers/c2');
    expect(del.status).toBe(204);
    expect((await request(server).get('/api/segments/data/customers/c2')).status).toBe(404);
    expect((await knex('orders').orderBy('id').select('id')).map(r => r.id)).toEqual(['o1', 'o2', 'o5']);
    const after = await request(server).get('/api/segments/data/stats');
    expect(after.body).toEqual({
      customers: 2,
      orders: 3,
      ordersByStatus: { completed: 2, refunded: 1 },
      firstOrderAt: '2023-12-31T23:00:00.000Z',
      lastOrderAt: '2024-03-01T10:00:00.000Z',
    });

    const unknown = await request(server).delete('/api/segments/data/customers/c2');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/No customer with id c2/);
  });
});
