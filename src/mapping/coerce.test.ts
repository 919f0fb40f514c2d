import { describe, expect, it } from 'vitest';
import { fitsType, fitValue } from './coerce.ts';
import type { AttributeType } from './types.ts';

const table = (type: AttributeType, rows: [unknown, unknown][]) => {
  for (const [input, expected] of rows) expect(fitValue(input, type), `${type} ${JSON.stringify(input)}`).toEqual(expected);
};

describe('type fitting', () => {
  it('string', () => {
    table('string', [
      ['Sales', 'Sales'],
      [' padded ', ' padded '],
      ['', null],
      ['  \t', null],
      [42, '42'],
      [-3.5, '-3.5'],
      [Number.NaN, null],
      [Number.POSITIVE_INFINITY, null],
      [true, 'true'],
      [false, 'false'],
      [['a'], null],
      [{ value: 'a' }, null],
      [null, null],
      [undefined, null],
    ]);
  });

  it('number', () => {
    table('number', [
      [42, 42],
      [-3.5, -3.5],
      [0, 0],
      ['42', 42],
      ['-3.5', -3.5],
      ['007', 7],
      ['1e3', null],
      [' 4', null],
      ['4.', null],
      ['.5', null],
      ['', null],
      ['12abc', null],
      ['9'.repeat(400), null],
      [Number.NaN, null],
      [Number.NEGATIVE_INFINITY, null],
      [true, null],
      [[1], null],
      [undefined, null],
    ]);
  });

  it('boolean', () => {
    table('boolean', [
      [true, true],
      [false, false],
      ['true', true],
      ['TRUE', true],
      ['False', false],
      ['1', true],
      ['0', false],
      ['yes', null],
      [1, null],
      [0, null],
      ['', null],
      [[true], null],
      [null, null],
    ]);
  });

  it('string_list', () => {
    table('string_list', [
      [['a', 'b'], ['a', 'b']],
      [['a', 1, true, null, '', ' ', { x: 1 }, ['y']], ['a', '1', 'true']],
      ['solo', ['solo']],
      [7, ['7']],
      ['', null],
      [[], null],
      [[null, ''], null],
      [{ a: 'b' }, null],
      [undefined, null],
    ]);
  });

  it('object', () => {
    table('object', [
      [{ value: 'm-1' }, { value: 'm-1' }],
      [{}, {}],
      [[{ a: 1 }], null],
      ['{}', null],
      [1, null],
      [null, null],
    ]);
  });

  it('fitsType agrees with fitValue on what it produces', () => {
    const inputs: unknown[] = ['a', '', '42', 42, Number.NaN, true, 'TRUE', ['a', 2], [], { a: 1 }, null, undefined];
    for (const type of ['string', 'number', 'boolean', 'string_list', 'object'] as const) {
      for (const input of inputs) expect(fitsType(fitValue(input, type), type)).toBe(true);
    }
    expect(fitsType('x', 'number')).toBe(false);
    expect(fitsType(['x', ''], 'string_list')).toBe(false);
  });
});
