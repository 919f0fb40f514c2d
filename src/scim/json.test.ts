import { expect, it } from 'vitest';
import { jsonEqual } from './json.ts';

it('compares JSON values as data', () => {
  expect(jsonEqual({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 })).toBe(true);
  expect(jsonEqual({ a: 1, gone: undefined }, { a: 1 })).toBe(true);
  expect(jsonEqual(undefined, null)).toBe(true);
  expect(jsonEqual([null], [undefined])).toBe(true);
  expect(jsonEqual({ a: null }, {})).toBe(false);
  expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
  expect(jsonEqual({ a: 1, b: 2 }, { a: 1 })).toBe(false);
  expect(jsonEqual([1, 2], [2, 1])).toBe(false);
  expect(jsonEqual([1], [1, 1])).toBe(false);
  expect(jsonEqual(1, '1')).toBe(false);
  expect(jsonEqual({}, [])).toBe(false);
  expect(jsonEqual({ a: { b: { c: true } } }, { a: { b: { c: false } } })).toBe(false);
  expect(jsonEqual('x', { x: 1 })).toBe(false);
  expect(jsonEqual(0, null)).toBe(false);
  expect(jsonEqual(false, undefined)).toBe(false);
});
