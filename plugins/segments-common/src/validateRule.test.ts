import { MAX_RULE_DEPTH, validateRule, validateConditions } from './validateRule';
import { SegmentCondition } from './types';

const rule = (conditions: unknown[], extra: object = {}) => ({
  name: 'Test',
  logicalOperator: 'AND',
  conditions,
  ...extra,
});

const leaf = (field: string, operator: string, value: unknown, dataType: string, extra: object = {}) => ({
  field,
  operator,
  value,
  dataType,
  ...extra,
});

/** The errors of an invalid rule; fails the test when the rule is valid. */
function errorsOf(input: unknown) {
  const result = validateRule(input);
  if (result.valid) throw new Error(`expected ${JSON.stringify(input)} to be invalid`);
  return result.errors;
}

describe('validateRule', () => {
  it('accepts a valid nested rule and returns it without nulls', () => {
    const conditions: SegmentCondition[] = [
      leaf('totalSpent', 'gt', 100000, 'number') as SegmentCondition,
      {
        logicalOperator: 'OR',
        not: true,
        subConditions: [
          leaf('country', 'in', ['TW', 'JP'], 'string') as SegmentCondition,
          leaf('createdAt', 'between', ['2024-01-01', '2024-12-31T23:59:59Z'], 'date') as SegmentCondition,
          leaf('categories', 'containsAll', ['books'], 'array') as SegmentCondition,
          leaf('attributes.vip', 'eq', true, 'boolean') as SegmentCondition,
          { field: 'city', operator: 'isEmpty', dataType: 'string' },
        ],
      },
    ];
    const result = validateRule(rule(conditions, { parentSegmentId: null, schedule: null, priority: 3 }));
    expect(result.valid).toBe(true);
    expect(result.errors).toEqual([]);
    const parsed = result.valid ? result.rule : undefined;
    expect(parsed).toEqual({ name: 'Test', logicalOperator: 'AND', priority: 3, conditions });
    expect('parentSegmentId' in parsed!).toBe(false);
  });

  it('rejects an unknown field with the path of the field', () => {
    expect(errorsOf(rule([leaf('totalSpend', 'gt', 1, 'number')]))).toEqual([
      { path: 'conditions[0].field', message: 'unknown field "totalSpend"' },
    ]);
    // Attribute keys are restricted to a safe alphabet.
    expect(errorsOf(rule([leaf('attributes.a"b', 'eq', 'x', 'string')]))).toEqual([
      { path: 'conditions[0].field', message: 'unknown field "attributes.a"b"' },
    ]);
    expect(errorsOf(rule([{ operator: 'eq', value: 1, dataType: 'number' }]))).toEqual([
      { path: 'conditions[0].field', message: 'is required' },
    ]);
  });

  it('rejects an operator that is not valid for the field type', () => {
    const errors = errorsOf(rule([leaf('country', 'gt', 'TW', 'string')]));
    expect(errors).toHaveLength(1);
    expect(errors[0].path).toBe('conditions[0].operator');
    expect(errors[0].message).toMatch(/"gt" is not valid for string field country/);
    expect(errorsOf(rule([leaf('attributes.vip', 'lt', true, 'boolean')]))[0].path).toBe('conditions[0].operator');
    expect(errorsOf(rule([leaf('categories', 'eq', 'books', 'array')]))[0].path).toBe('conditions[0].operator');
    expect(errorsOf(rule([leaf('createdAt', 'contains', '2024', 'date')]))[0].path).toBe('conditions[0].operator');
    expect(errorsOf(rule([leaf('totalSpent', 'like', 1, 'number')]))[0].path).toBe('conditions[0].operator');
  });

  it('rejects a declared data type that does not match the field', () => {
    expect(errorsOf(rule([leaf('totalSpent', 'eq', 1, 'string')]))).toEqual([
      expect.objectContaining({ path: 'conditions[0].dataType' }),
    ]);
    expect(errorsOf(rule([{ field: 'totalSpent', operator: 'eq', value: 1 }]))).toEqual([
      expect.objectContaining({ path: 'conditions[0].dataType', message: expect.stringMatching(/is required/) }),
    ]);
  });

  it.each([
    ['number as string', leaf('totalSpent', 'gt', '100', 'number'), 'conditions[0].value', 'must be a number'],
    ['NaN-like number', leaf('totalSpent', 'gt', null, 'number'), 'conditions[0].value', 'must be a number'],
    ['string as number', leaf('country', 'eq', 5, 'string'), 'conditions[0].value', 'must be a string'],
    ['boolean as string', leaf('attributes.vip', 'eq', 'true', 'boolean'), 'conditions[0].value', 'must be true or false'],
    ['bad date', leaf('createdAt', 'gt', '2024-02-30', 'date'), 'conditions[0].value', expect.stringMatching(/must be a date/)],
    ['date without offset', leaf('createdAt', 'gt', '2024-02-01T10:00:00', 'date'), 'conditions[0].value', expect.stringMatching(/must be a date/)],
    ['list element of wrong type', leaf('totalSpent', 'in', [1, 'two'], 'number'), 'conditions[0].value[1]', 'must be a number'],
    ['category as number', leaf('categories', 'in', ['books', 3], 'array'), 'conditions[0].value[1]', 'must be a string'],
    ['in without a list', leaf('country', 'in', 'TW', 'string'), 'conditions[0].value', 'in needs a non-empty list'],
    ['value for isEmpty', leaf('country', 'isEmpty', 'TW', 'string'), 'conditions[0].value', 'isEmpty takes no value'],
  ])('rejects a value of the wrong type (%s)', (_name, condition, path, message) => {
    expect(errorsOf(rule([condition]))).toEqual([{ path, message }]);
  });

  it('rejects between without two ordered values', () => {
    expect(errorsOf(rule([leaf('totalSpent', 'between', [10, 5], 'number')]))).toEqual([
      { path: 'conditions[0].value', message: expect.stringMatching(/low <= high/) },
    ]);
    expect(errorsOf(rule([leaf('createdAt', 'between', ['2024-02-01', '2024-01-31T23:59:59Z'], 'date')]))).toEqual([
      { path: 'conditions[0].value', message: expect.stringMatching(/low <= high/) },
    ]);
    for (const value of [[1], [1, 2, 3], 5, undefined, []]) {
      expect(errorsOf(rule([leaf('totalSpent', 'between', value, 'number')]))).toEqual([
        { path: 'conditions[0].value', message: 'between needs two values [low, high]' },
      ]);
    }
    expect(errorsOf(rule([leaf('age', 'notBetween', [1, 'x'], 'number')]))).toEqual([
      { path: 'conditions[0].value[1]', message: 'must be a number' },
    ]);
    // Equal ends are fine (both ends are included).
    expect(validateRule(rule([leaf('totalSpent', 'between', [5, 5], 'number')])).valid).toBe(true);
  });

  it('rejects empty lists for in, notIn and containsAll', () => {
    for (const [field, operator, dataType] of [
      ['country', 'in', 'string'],
      ['totalSpent', 'notIn', 'number'],
      ['categories', 'containsAll', 'array'],
      ['categories', 'in', 'array'],
    ]) {
      expect(errorsOf(rule([leaf(field, operator, [], dataType)]))).toEqual([
        { path: 'conditions[0].value', message: `${operator} needs a non-empty list` },
      ]);
    }
  });

  it('rejects empty groups and an empty rule', () => {
    expect(errorsOf(rule([{ logicalOperator: 'AND', subConditions: [] }]))).toEqual([
      { path: 'conditions[0].subConditions', message: 'a group needs at least one condition' },
    ]);
    expect(errorsOf(rule([{ logicalOperator: 'OR' }]))).toEqual([
      { path: 'conditions[0].subConditions', message: 'a group needs at least one condition' },
    ]);
    expect(errorsOf(rule([]))).toEqual([{ path: 'conditions', message: 'needs at least one condition' }]);
  });

  it('rejects unknown keys on the rule, on leaves and on groups', () => {
    expect(errorsOf(rule([leaf('age', 'gt', 1, 'number')], { color: 'red' }))).toEqual([
      { path: '(rule)', message: 'unknown keys: color' },
    ]);
    expect(errorsOf(rule([leaf('age', 'gt', 1, 'number', { operand: 2 })]))).toEqual([
      { path: 'conditions[0]', message: 'unknown keys: operand' },
    ]);
    expect(
      errorsOf(rule([{ logicalOperator: 'AND', subConditions: [leaf('age', 'gt', 1, 'number')], field: 'age' }])),
    ).toEqual([{ path: 'conditions[0]', message: 'unknown keys: field' }]);
  });

  it('names the path of a bad node deep inside groups', () => {
    const input = rule([
      leaf('age', 'gt', 1, 'number'),
      {
        logicalOperator: 'OR',
        subConditions: [
          leaf('totalSpent', 'gt', 'lots', 'number'),
          {
            logicalOperator: 'AND',
            subConditions: [leaf('country', 'eq', 'TW', 'string'), leaf('country', 'in', [], 'string')],
          },
        ],
      },
      { logicalOperator: 'XOR', subConditions: [leaf('tier', 'eq', 'gold', 'string', { not: 'yes' })] },
    ]);
    expect(errorsOf(input)).toEqual([
      { path: 'conditions[1].subConditions[0].value', message: 'must be a number' },
      { path: 'conditions[1].subConditions[1].subConditions[1].value', message: 'in needs a non-empty list' },
      { path: 'conditions[2].logicalOperator', message: 'must be AND or OR' },
      { path: 'conditions[2].subConditions[0].not', message: 'must be true or false' },
    ]);
  });

  it('checks the rule envelope', () => {
    const errors = errorsOf({ conditions: [leaf('age', 'gt', 1, 'number')], logicalOperator: 'XOR', priority: 0 });
    expect(errors.map(e => e.path).sort()).toEqual(['logicalOperator', 'name', 'priority']);
    expect(errors.find(e => e.path === 'name')!.message).toBe('is required');
    expect(errorsOf(null)).toEqual([expect.objectContaining({ path: '(rule)' })]);
    expect(errorsOf(rule([42]))).toEqual([{ path: 'conditions[0]', message: 'must be a condition object' }]);
    expect(
      errorsOf(rule([leaf('age', 'gt', 1, 'number')], { schedule: { frequency: 'weekly', time: '25:00', timezone: 'Mars/Base' } }))
        .map(e => e.path)
        .sort(),
    ).toEqual(['schedule.dayOfWeek', 'schedule.time', 'schedule.timezone']);
  });

  it('limits nesting depth', () => {
    let node: unknown = leaf('age', 'gt', 1, 'number');
    for (let i = 0; i < MAX_RULE_DEPTH; i++) node = { logicalOperator: 'AND', subConditions: [node] };
    const errors = errorsOf(rule([node]));
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/nested at most/);
  });

  it('validates condition lists on their own', () => {
    expect(validateConditions([leaf('age', 'gt', 1, 'number')])).toEqual([]);
    expect(validateConditions([leaf('age', 'gt', 'x', 'number')])).toEqual([
      { path: 'conditions[0].value', message: 'must be a number' },
    ]);
  });
});
