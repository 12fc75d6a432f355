import { parseDateValue, parseTimestamp } from './dates';
import { customerSchema, orderSchema } from './ingestSchemas';
import { idSchema, textProblem } from './text';

describe('parseTimestamp', () => {
  it.each([
    ['2024-01-01T00:00:00Z', Date.UTC(2024, 0, 1)],
    ['2024-01-01T08:00:00+08:00', Date.UTC(2024, 0, 1)],
    ['2023-12-31T20:00:00-04:00', Date.UTC(2024, 0, 1)],
    ['2024-01-01T00:00:00+23:59', Date.UTC(2023, 11, 31, 0, 1)],
    ['2024-01-01T00:00Z', Date.UTC(2024, 0, 1)],
    ['2024-01-01T00:00:00.123456789Z', Date.UTC(2024, 0, 1) + 123],
    ['2024-01-01T00:00:00.5Z', Date.UTC(2024, 0, 1) + 500],
    ['2024-02-29T12:00:00Z', Date.UTC(2024, 1, 29, 12)],
    ['0001-01-01T00:00:00Z', -62135596800000],
  ])('%s', (value, ms) => expect(parseTimestamp(value)).toBe(ms));

  it.each([
    '2024-01-01T00:00:00+99:99',
    '2024-01-01T00:00:00+24:00',
    '2024-01-01T00:00:00+05:60',
    '2024-01-01T24:00:00Z',
    '2024-01-01T23:60:00Z',
    '2024-01-01T00:00:60Z',
    '2024-02-30T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2024-01-01T00:00:00',
    '2024-01-01',
    '2024-1-01T00:00:00Z',
    ' 2024-01-01T00:00:00Z',
    '+275760-09-13T00:00:00Z',
  ])('refuses %s', value => expect(parseTimestamp(value)).toBeUndefined());

  it('is the parser of date values in conditions too', () => {
    expect(parseDateValue('2024-05-01')).toBe(Date.UTC(2024, 4, 1));
    expect(parseDateValue('2024-05-01T08:00:00+08:00')).toBe(
      Date.UTC(2024, 4, 1),
    );
    expect(parseDateValue('2024-05-01T00:00:00+99:99')).toBeUndefined();
    expect(parseDateValue('2024-02-30')).toBeUndefined();
  });
});

describe('text inputs', () => {
  it('refuses NUL and lone surrogates without quoting the text', () => {
    expect(textProblem('Ada\u0000')).toMatch(/NUL/);
    expect(textProblem('x\uD800y')).toMatch(/lone surrogate/);
    expect(textProblem('x\uDC00')).toMatch(/lone surrogate/);
    expect(textProblem('emoji 😀 and 中文')).toBeUndefined();
    expect(textProblem('secret\uD800')).not.toMatch(/secret/);
  });

  it('trims ids the same way everywhere', () => {
    expect(idSchema.parse('  c1 ')).toBe('c1');
    expect(idSchema.safeParse('   ').success).toBe(false);
    expect(idSchema.safeParse('x'.repeat(101)).success).toBe(false);
  });

  it('ingestion refuses bad offsets, reserved attribute keys and huge amounts', () => {
    const customer = { id: 'c1', createdAt: '2024-01-01T00:00:00+24:00' };
    expect(customerSchema.safeParse(customer).success).toBe(false);
    const proto = JSON.parse(
      '{"id":"c1","createdAt":"2024-01-01T00:00:00Z","attributes":{"__proto__":"x"}}',
    );
    const r = customerSchema.safeParse(proto);
    expect(r.success).toBe(false);
    expect(JSON.stringify((r as any).error.issues)).toMatch(/reserved/);
    const order = {
      id: 'o1',
      customerId: 'c1',
      orderedAt: '2024-01-01T00:00:00Z',
      status: 'completed',
    };
    expect(orderSchema.safeParse({ ...order, amount: 1.7e308 }).success).toBe(
      false,
    );
    expect(orderSchema.safeParse({ ...order, amount: 1e12 }).success).toBe(
      true,
    );
    expect(
      customerSchema.parse({
        id: ' c1 ',
        createdAt: '2024-01-01T00:00:00Z',
        name: ' Ada ',
      }),
    ).toMatchObject({ id: 'c1', name: 'Ada' });
  });
});
