import { describe, expect, it } from 'vitest';
import { compileTransforms, MAX_MAP_ENTRIES } from './transforms.ts';

function run(transforms: unknown, value: unknown): unknown {
  const compiled = compileTransforms(transforms);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  return compiled.value(value);
}

function errors(transforms: unknown) {
  const compiled = compileTransforms(transforms, 'mappings[0].transforms');
  return compiled.ok ? [] : compiled.errors.map((e) => ({ field: e.field, code: e.code }));
}

describe('transforms', () => {
  it('lowercase, uppercase and trim act on strings and string elements, and pass the rest', () => {
    expect(run(['lowercase'], 'Sales EMEA')).toBe('sales emea');
    expect(run(['uppercase'], 'Sales emea')).toBe('SALES EMEA');
    expect(run(['trim'], '  Sales \t')).toBe('Sales');
    expect(run(['lowercase'], ['A', 1, null, 'B'])).toEqual(['a', 1, null, 'b']);
    expect(run(['trim'], [' a ', { x: ' y ' }])).toEqual(['a', { x: ' y ' }]);
    for (const t of ['lowercase', 'uppercase', 'trim']) {
      expect(run([t], 42)).toBe(42);
      expect(run([t], true)).toBe(true);
      expect(run([t], null)).toBeNull();
      expect(run([t], undefined)).toBeUndefined();
      expect(run([t], { a: 'B' })).toEqual({ a: 'B' });
    }
  });

  it('first takes a list’s first element and passes a non-list', () => {
    expect(run(['first'], ['a', 'b'])).toBe('a');
    expect(run(['first'], [])).toBeUndefined();
    expect(run(['first'], 'a')).toBe('a');
    expect(run(['first'], { a: 1 })).toEqual({ a: 1 });
  });

  it('split trims the parts and drops empty ones; non-strings pass', () => {
    expect(run([{ split: ';' }], 'a; b;;c ;')).toEqual(['a', 'b', 'c']);
    expect(run([{ split: ', ' }], 'x, y')).toEqual(['x', 'y']);
    expect(run([{ split: ';' }], '')).toEqual([]);
    expect(run([{ split: ';' }], ['a;b'])).toEqual(['a;b']);
    expect(run([{ split: ';' }], 7)).toBe(7);
  });

  it('join joins non-null scalar elements; non-lists pass', () => {
    expect(run([{ join: ', ' }], ['a', 1, true, null, { x: 1 }, ['y'], 'b'])).toBe('a, 1, true, b');
    expect(run([{ join: '|' }], [])).toBe('');
    expect(run([{ join: '|' }], 'a')).toBe('a');
  });

  it('map: exact match first, then case-insensitive, then default, else unchanged', () => {
    const map = { map: { FTE: 'employee', fte: 'exact-lower', Contractor: 'contractor', '1': 'one', true: 'yes' } };
    expect(run([map], 'FTE')).toBe('employee');
    expect(run([map], 'fte')).toBe('exact-lower');
    expect(run([map], 'Fte')).toBe('employee');
    expect(run([map], 'CONTRACTOR')).toBe('contractor');
    expect(run([map], 1)).toBe('one');
    expect(run([map], true)).toBe('yes');
    expect(run([map], 'Intern')).toBe('Intern');
    expect(run([{ ...map, default: 'other' }], 'Intern')).toBe('other');
    expect(run([{ ...map, default: null }], 'Intern')).toBeNull();
  });

  it('map leaves missing values and objects alone, maps lists element-wise', () => {
    const map = { map: { a: 'A' }, default: 'Z' };
    expect(run([map], null)).toBeNull();
    expect(run([map], undefined)).toBeUndefined();
    expect(run([map], { a: 1 })).toEqual({ a: 1 });
    expect(run([map], ['a', 'b', null])).toEqual(['A', 'Z', null]);
  });

  it('map does not reach Object.prototype', () => {
    expect(run([{ map: { a: 'A' } }], 'constructor')).toBe('constructor');
    expect(run([{ map: { a: 'A' } }], '__proto__')).toBe('__proto__');
    expect(run([{ map: { a: 'A' } }], 'toString')).toBe('toString');
  });

  it('applies transforms in order', () => {
    expect(run(['trim', { split: ',' }, 'uppercase', { join: '+' }], ' a,b ,c ')).toBe('A+B+C');
    expect(run([{ split: ' ' }, 'first', { map: { eng: 'Engineering' } }], 'ENG team')).toBe('Engineering');
    expect(run([], 'x')).toBe('x');
    expect(run(undefined, 'x')).toBe('x');
  });

  it('refuses invalid transforms with field errors', () => {
    expect(errors('lowercase')).toEqual([{ field: 'mappings[0].transforms', code: 'invalid_type' }]);
    expect(errors(['titlecase'])).toEqual([{ field: 'mappings[0].transforms[0]', code: 'invalid_transform' }]);
    expect(errors([42])).toEqual([{ field: 'mappings[0].transforms[0]', code: 'invalid_transform' }]);
    expect(errors(['trim', { split: '' }])).toEqual([{ field: 'mappings[0].transforms[1].split', code: 'invalid_transform' }]);
    expect(errors([{ join: 3 }])).toEqual([{ field: 'mappings[0].transforms[0].join', code: 'invalid_transform' }]);
    expect(errors([{ split: ',', join: ',' }])).toEqual([{ field: 'mappings[0].transforms[0]', code: 'invalid_transform' }]);
    expect(errors([{ split: 'x'.repeat(101) }])).toEqual([{ field: 'mappings[0].transforms[0].split', code: 'too_long' }]);
    expect(errors([{ split: '\u0000' }])).toEqual([{ field: 'mappings[0].transforms[0].split', code: 'invalid_value' }]);
    expect(errors([{ map: ['a'] }])).toEqual([{ field: 'mappings[0].transforms[0].map', code: 'invalid_transform' }]);
    expect(errors([{ map: {}, fallback: 1 }])).toEqual([{ field: 'mappings[0].transforms[0]', code: 'invalid_transform' }]);
    expect(errors([{ reverse: true }])).toEqual([{ field: 'mappings[0].transforms[0]', code: 'invalid_transform' }]);
    expect(errors(Array(21).fill('trim'))).toEqual([{ field: 'mappings[0].transforms', code: 'too_many' }]);
    expect(errors(Array(20).fill('trim'))).toEqual([]);
  });

  it('bounds maps: entry count, NUL in keys or values, size of a target', () => {
    const big = Object.fromEntries(Array.from({ length: MAX_MAP_ENTRIES + 1 }, (_, i) => [`k${i}`, i]));
    expect(errors([{ map: big }])).toEqual([{ field: 'mappings[0].transforms[0].map', code: 'too_many' }]);
    const full = Object.fromEntries(Array.from({ length: MAX_MAP_ENTRIES }, (_, i) => [`k${i}`, i]));
    expect(errors([{ map: full }])).toEqual([]);
    expect(errors([{ map: { 'a\u0000': 'x' } }])).toEqual([{ field: 'mappings[0].transforms[0].map', code: 'invalid_value' }]);
    expect(errors([{ map: { a: 'x\u0000' } }])).toEqual([{ field: 'mappings[0].transforms[0].map.a', code: 'invalid_value' }]);
    expect(errors([{ map: { a: 'x' }, default: 'y'.repeat(5000) }])).toEqual([{ field: 'mappings[0].transforms[0].default', code: 'too_long' }]);
  });
});
