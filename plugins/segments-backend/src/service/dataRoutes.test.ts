import request from 'supertest';
import { databases, startSegmentsBackend } from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const customer = (id: string, extra: object = {}) => ({ id, createdAt: '2024-01-01T00:00:00Z', ...extra });

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
    expect(again.body.accepted).toBe(3);
    const ids = (await knex('customers').orderBy('id').select('id')).map(r => r.id);
    expect(ids).toEqual(['a', 'c', 'e']);

    const c = await request(server).get('/api/segments/data/customers/c');
    expect(c.body).toEqual({ id: 'c', createdAt: '2024-01-01T00:00:00.000Z', orderCount: 0 });
  });
});
