import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, deeperThan, forEachString, jsonEqual, mapStrings } from './json.ts';

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

describe('client JSON nested 100,000 deep', () => {
  const nested = (depth: number, leaf: unknown = 'bulkId:x'): unknown => {
    let value: unknown = leaf;
    for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { k: value };
    return value;
  };

  it('compares without overflowing the stack', () => {
    expect(jsonEqual(nested(100_000), nested(100_000))).toBe(true);
    expect(jsonEqual(nested(100_000), nested(100_000, 'y'))).toBe(false);
    expect(jsonEqual(nested(100_000), nested(99_999))).toBe(false);
  });

  it('measures depth, stopping at the limit', () => {
    expect(deeperThan(nested(100_000), MAX_JSON_DEPTH)).toBe(true);
    expect(deeperThan(nested(64), 64)).toBe(false);
    expect(deeperThan(nested(65), 64)).toBe(true);
    expect(deeperThan('text', 0)).toBe(false);
    expect(deeperThan({ a: [1, { b: {} }] }, 4)).toBe(false);
    expect(deeperThan({ a: [1, { b: {} }] }, 3)).toBe(true);
  });

  it('visits and maps every string', () => {
    const seen: string[] = [];
    forEachString(nested(100_000), (s) => seen.push(s));
    expect(seen).toEqual(['bulkId:x']);
    const mapped = mapStrings(nested(100_000), (s) => s.toUpperCase());
    expect(jsonEqual(mapped, nested(100_000, 'BULKID:X'))).toBe(true);
  });
});

it('maps strings into a copy that keeps key order and own __proto__ keys', () => {
  const source = JSON.parse('{"b":"x","a":["y",1,null,{"__proto__":"z","c":true}]}');
  const mapped = mapStrings(source, (s) => `${s}!`) as Record<string, any>;
  expect(JSON.stringify(mapped)).toBe('{"b":"x!","a":["y!",1,null,{"__proto__":"z!","c":true}]}');
  expect(Object.getPrototypeOf(mapped.a[3])).toBe(Object.prototype);
  expect(source.b).toBe('x');
  expect(mapStrings(undefined, (s) => s)).toBeUndefined();
});
