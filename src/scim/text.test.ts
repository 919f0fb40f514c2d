import { describe, expect, it } from 'vitest';
import {
  MAX_IDENTIFIER_LENGTH,
  MAX_STRING_LENGTH,
  checkScimBody,
  findJsonTextProblem,
  textProblem,
} from './text.ts';
import { deeperThan } from './json.ts';

const nest = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
};

describe('textProblem', () => {
  it('refuses every C0 control character but tab, LF and CR', () => {
    for (let c = 0; c < 0x20; c++) {
      const problem = textProblem(`a${String.fromCharCode(c)}b`);
      if (c === 0x09 || c === 0x0a || c === 0x0d) expect(problem, `U+${c.toString(16)}`).toBeUndefined();
      else expect(problem, `U+${c.toString(16)}`).toContain(`U+${c.toString(16).toUpperCase().padStart(4, '0')}`);
    }
    expect(textProblem('\u007f \u0080 é 中 😀')).toBeUndefined();
  });

  it('refuses lone surrogates, keeps pairs', () => {
    expect(textProblem('a\ud800')).toMatch(/lone UTF-16 surrogate/);
    expect(textProblem('\udc00a')).toMatch(/lone UTF-16 surrogate/);
    expect(textProblem('\udc00\ud800')).toMatch(/lone UTF-16 surrogate/);
    expect(textProblem('😀\ud83d\ude00')).toBeUndefined();
  });

  it('counts characters as code points', () => {
    expect(textProblem('x'.repeat(MAX_STRING_LENGTH))).toBeUndefined();
    expect(textProblem('x'.repeat(MAX_STRING_LENGTH + 1))).toMatch(/longer than 65536 characters/);
    expect(textProblem('😀'.repeat(MAX_IDENTIFIER_LENGTH), MAX_IDENTIFIER_LENGTH)).toBeUndefined();
    expect(textProblem('😀'.repeat(MAX_IDENTIFIER_LENGTH + 1), MAX_IDENTIFIER_LENGTH)).toMatch(/longer than 512/);
  });
});

describe('deeperThan (the depth rule)', () => {
  it('counts objects and arrays, scalars add nothing', () => {
    expect(deeperThan('x', 0)).toBe(false);
    expect(deeperThan({}, 1)).toBe(false);
    expect(deeperThan({ a: [] }, 1)).toBe(true);
    expect(deeperThan(nest(64), 64)).toBe(false);
    expect(deeperThan(nest(65), 64)).toBe(true);
    expect(deeperThan({ a: 1, b: [1, 2, { c: nest(63) }] }, 64)).toBe(true);
  });

  it('walks a document far deeper than the stack without recursion', () => {
    const deep = JSON.parse('['.repeat(200_000) + ']'.repeat(200_000)) as unknown;
    expect(deeperThan(deep, 64)).toBe(true);
  });
});

describe('findJsonTextProblem', () => {
  it('names where a bad string sits', () => {
    expect(findJsonTextProblem({ userName: 'ok', emails: [{ value: 'ok' }, { value: 'a\u0000b' }] })).toEqual({
      path: 'emails[1].value',
      problem: 'holds the control character U+0000',
    });
    expect(findJsonTextProblem(['\u0001'])?.path).toBe('[0]');
    expect(findJsonTextProblem({ a: { b: 'x'.repeat(11) } }, 10)?.path).toBe('a.b');
  });

  it('checks keys without echoing them', () => {
    const found = findJsonTextProblem({ 'urn:x': { 'bad\u0000key': 1 } });
    expect(found).toEqual({ path: 'urn:x', problem: 'has an attribute name that holds the control character U+0000' });
  });

  it('finds nothing in clean documents, tab/LF/CR included', () => {
    expect(findJsonTextProblem({ a: ['x\ty\r\nz', 1, true, null, { b: 'é' }] })).toBeUndefined();
  });
});

describe('checkScimBody', () => {
  it('is 400 invalidValue naming the attribute, or the depth', () => {
    expect(checkScimBody({ userName: 'nul\u0000x@a.com' })?.toJSON()).toMatchObject({ status: '400', scimType: 'invalidValue', detail: expect.stringContaining('"userName"') });
    expect(checkScimBody(nest(65))?.toJSON()).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('deeper than 64') });
    expect(checkScimBody({ userName: 'fine' })).toBeUndefined();
  });
});
