import { OPERATORS_BY_TYPE } from '@internal/plugin-segments-common';
import { ruleToQuery } from '../../ruleMapping';
import { indexErrors, parseErrorPath } from './indexErrors';
import { stripCopiedIds } from './stripCopiedIds';
import { coerceValue, defaultOperator, defaultValue } from './valueDefaults';
import { isDeepEqual } from './isDeepEqual';

describe('parseErrorPath / indexErrors', () => {
  it('parses node paths and targets', () => {
    expect(parseErrorPath('conditions[1].subConditions[0].value[1]')).toEqual({
      nodePath: [1, 0],
      target: 'value',
      index: 1,
    });
    expect(parseErrorPath('conditions[2]')).toEqual({
      nodePath: [2],
      target: 'node',
    });
    expect(parseErrorPath('conditions[0].subConditions')).toEqual({
      nodePath: [0],
      target: 'subConditions',
    });
    expect(parseErrorPath('conditions')).toEqual({
      nodePath: [],
      target: 'node',
    });
    expect(parseErrorPath('logicalOperator')).toEqual({
      nodePath: [],
      target: 'logicalOperator',
    });
    expect(parseErrorPath('conditions[0].foo')).toEqual({
      nodePath: [0],
      target: 'other',
    });
    expect(parseErrorPath('name')).toBeUndefined();
  });

  it('attaches errors to node ids', () => {
    let n = 0;
    const query = ruleToQuery(
      {
        logicalOperator: 'AND',
        conditions: [
          { field: 'age', operator: 'gt', value: 1, dataType: 'number' },
          {
            logicalOperator: 'OR',
            subConditions: [
              { field: 'age', operator: 'gt', value: 'x', dataType: 'number' },
            ],
          },
        ],
      },
      { idGenerator: () => `n${n++}` },
    );
    const index = indexErrors(
      [
        {
          path: 'conditions[1].subConditions[0].value',
          message: 'must be a number',
        },
        { path: 'conditions', message: 'too many nodes' },
        { path: 'conditions[5]', message: 'gone' },
        { path: 'schedule.time', message: 'not ours' },
      ],
      query,
    );
    expect(index.byId.get('n3')).toEqual([
      {
        target: 'value',
        message: 'must be a number',
        path: 'conditions[1].subConditions[0].value',
      },
    ]);
    expect(index.byId.get('n0')).toEqual([
      { target: 'node', message: 'too many nodes', path: 'conditions' },
    ]);
    expect(index.unmatched).toEqual([
      { path: 'conditions[5]', message: 'gone' },
    ]);
  });
});

describe('stripCopiedIds', () => {
  it('drops ids only from copies', () => {
    const before = ruleToQuery({
      logicalOperator: 'AND',
      conditions: [
        { id: 'a', field: 'age', operator: 'gt', value: 1, dataType: 'number' },
      ],
    });
    const copy = { ...before.rules[0], id: 'other' };
    const after = { ...before, rules: [before.rules[0], copy] };
    const cleaned = stripCopiedIds(before, after);
    expect((cleaned.rules[0] as any).meta.segmentId).toBe('a');
    expect((cleaned.rules[1] as any).meta.segmentId).toBeUndefined();
    expect(stripCopiedIds(before, before)).toBe(before);
  });
});

describe('defaults and coercion', () => {
  const number = {
    dataType: 'number' as const,
    operators: OPERATORS_BY_TYPE.number,
  };
  const country = {
    dataType: 'string' as const,
    operators: OPERATORS_BY_TYPE.string,
    values: ['TW'],
  };
  it('picks a default operator and value per type', () => {
    expect(defaultOperator(number)).toBe('gte');
    expect(defaultValue('gte', number)).toBe(0);
    expect(defaultOperator(country)).toBe('eq');
    expect(defaultValue('in', country)).toEqual(['TW']);
    expect(defaultValue('isEmpty', country)).toBeUndefined();
    expect(
      defaultValue('between', {
        dataType: 'date',
        operators: OPERATORS_BY_TYPE.date,
      }),
    ).toHaveLength(2);
  });
  it('carries values across operators', () => {
    expect(coerceValue(5, 'between', number)).toEqual([5, 5]);
    expect(coerceValue(5, 'in', number)).toEqual([5]);
    expect(coerceValue([5, 9], 'eq', number)).toBe(5);
    expect(coerceValue([5, 9], 'notIn', number)).toEqual([5, 9]);
    expect(coerceValue(5, 'isEmpty', number)).toBeUndefined();
    expect(coerceValue(undefined, 'gt', number)).toBe(0);
  });
});

describe('isDeepEqual', () => {
  it('compares JSON-like data, ignoring undefined properties', () => {
    expect(isDeepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(isDeepEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(isDeepEqual({ a: [1] }, { a: { 0: 1 } })).toBe(false);
    expect(isDeepEqual({ not: false }, {})).toBe(false);
  });
});
