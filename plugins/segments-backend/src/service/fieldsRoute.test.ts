import { OPERATORS_BY_TYPE, SEGMENT_FIELDS } from '@internal/plugin-segments-common';
import request from 'supertest';
import { ingest } from '../__testUtils__/api';
import { databases, startSegmentsBackend } from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

describe.each(databases.eachSupportedId())('GET /fields on %s', databaseId => {
  it('lists every field with its type and operators, enumeration values and attribute keys from the data', async () => {
    const { server } = await startSegmentsBackend(databaseId);
    await ingest(server, {
      customers: [
        { id: 'a', createdAt: '2024-01-01T00:00:00Z', country: 'TW', tier: 'gold', attributes: { vip: true, points: 3, code: 'x' } },
        { id: 'b', createdAt: '2024-01-01T00:00:00Z', country: 'JP', city: 'Tokyo', attributes: { vip: false } },
        { id: 'c', createdAt: '2024-01-01T00:00:00Z', country: 'TW' },
      ],
      orders: [
        { id: 'o1', customerId: 'a', orderedAt: '2024-02-01T00:00:00Z', amount: 1, status: 'completed', category: 'toys' },
        { id: 'o2', customerId: 'b', orderedAt: '2024-02-01T00:00:00Z', amount: 1, status: 'refunded', category: 'books' },
        { id: 'o3', customerId: 'b', orderedAt: '2024-02-01T00:00:00Z', amount: 1, status: 'completed' },
      ],
    });
    const res = await request(server).get('/api/segments/fields');
    expect(res.status).toBe(200);
    const byName = new Map<string, any>(res.body.items.map((f: { name: string }) => [f.name, f]));
    for (const f of SEGMENT_FIELDS) {
      expect(byName.get(f.name)).toMatchObject({
        name: f.name,
        label: f.label,
        dataType: f.dataType,
        operators: OPERATORS_BY_TYPE[f.dataType],
      });
    }
    expect(byName.get('country').values).toEqual(['JP', 'TW']);
    expect(byName.get('city').values).toEqual(['Tokyo']);
    expect(byName.get('tier').values).toEqual(['gold']);
    expect(byName.get('gender').values).toEqual([]);
    expect(byName.get('categories').values).toEqual(['books', 'toys']);
    expect(byName.get('totalSpent').values).toBeUndefined();
    expect(byName.get('attributes.vip')).toMatchObject({ dataType: 'boolean', operators: OPERATORS_BY_TYPE.boolean, group: 'attributes' });
    expect(byName.get('attributes.points')).toMatchObject({ dataType: 'number', operators: OPERATORS_BY_TYPE.number });
    expect(byName.get('attributes.code')).toMatchObject({ dataType: 'string', operators: OPERATORS_BY_TYPE.string });
    expect(res.body.items).toHaveLength(SEGMENT_FIELDS.length + 3);
  });
});
