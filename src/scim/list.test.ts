import { describe, expect, it } from 'vitest';
import { ScimError } from './errors.ts';
import { MAX_ATTRIBUTE_NAMES, parseListRequest, parseSearchRequest } from './list.ts';
import { SEARCH_REQUEST_SCHEMA } from './schema/types.ts';

const LIMITS = { maxResults: 1000, defaultCount: 100 };
const names = (n: number) => Array.from({ length: n }, (_, i) => `attr${i}`);
const refusal = (fn: () => unknown): ScimError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('expected a ScimError');
};

describe('attributes and excludedAttributes', () => {
  it('count every element of a SearchRequest array', () => {
    const search = parseSearchRequest({ schemas: [SEARCH_REQUEST_SCHEMA], attributes: ['userName', 'emails'], excludedAttributes: ['title', 'name'] }, LIMITS);
    expect(search.attributes).toEqual(['userName', 'emails']);
    expect(search.excludedAttributes).toEqual(['title', 'name']);
  });

  it('count every repeated query parameter, each split on commas', () => {
    expect(parseListRequest({ attributes: ['userName,emails', 'title'] }, LIMITS).attributes).toEqual(['userName', 'emails', 'title']);
    expect(parseListRequest({ count: ['5', '7'] }, LIMITS).count).toBe(7);
  });

  it('are de-duplicated case-insensitively, keeping the first spelling', () => {
    const repeated = Array.from({ length: 100_000 }, (_, i) => (i % 2 ? 'USERNAME' : 'userName')).join(',');
    expect(parseListRequest({ attributes: `${repeated},emails` }, LIMITS).attributes).toEqual(['userName', 'emails']);
  });

  it(`hold at most ${MAX_ATTRIBUTE_NAMES} distinct names each: 400 invalidValue saying the limit`, () => {
    expect(parseListRequest({ attributes: names(MAX_ATTRIBUTE_NAMES).join(',') }, LIMITS).attributes).toHaveLength(100);
    for (const params of [{ attributes: names(101).join(',') }, { excludedAttributes: names(101).join(',') }, { attributes: names(100_000) }]) {
      const error = refusal(() => parseListRequest(params, LIMITS));
      expect(error.status).toBe(400);
      expect(error.scimType).toBe('invalidValue');
      expect(error.message).toContain('100');
    }
    const search = refusal(() => parseSearchRequest({ attributes: names(101) }, LIMITS));
    expect(search.scimType).toBe('invalidValue');
  });

  it('refuse a list holding anything but strings', () => {
    expect(refusal(() => parseSearchRequest({ attributes: ['userName', 3] }, LIMITS)).scimType).toBe('invalidValue');
  });
});

describe('parameter names', () => {
  it('match case-insensitively, the first spelling counting', () => {
    const r = parseListRequest({ StartIndex: '3', COUNT: '7', sortby: 'userName', SortOrder: 'Descending', Filter: 'userName pr', EXCLUDEDattributes: 'title' }, LIMITS);
    expect(r).toEqual({ filter: 'userName pr', startIndex: 3, count: 7, sortBy: 'userName', sortOrder: 'descending', attributes: [], excludedAttributes: ['title'] });
    expect(parseListRequest({ count: '2', Count: '9' }, LIMITS).count).toBe(2);
  });
});
