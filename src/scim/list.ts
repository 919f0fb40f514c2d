/**
 * List and search parameters (RFC 7644 §3.4.2, §3.4.3), from a query string or a SearchRequest body, and the
 * ListResponse envelope. Pure: no I/O.
 */
import { badRequest } from './errors.ts';
import type { Filter } from './filter/ast.ts';
import { LIST_RESPONSE_SCHEMA, SEARCH_REQUEST_SCHEMA } from './schema/types.ts';

export interface ListRequest {
  filter?: string;
  /** `filter` parsed, where the edge already parsed it (a list's filter is then parsed once). */
  parsedFilter?: Filter;
  /** 1-based. */
  startIndex: number;
  count: number;
  sortBy?: string;
  sortOrder: 'ascending' | 'descending';
  attributes: string[];
  excludedAttributes: string[];
}

export interface ListLimits {
  /** The most resources one response holds (advertised as filter.maxResults). */
  maxResults: number;
  /** What `count` is when the client does not say. */
  defaultCount: number;
}

type Params = Record<string, unknown>;

/** The most distinct names `attributes` or `excludedAttributes` may hold (each). */
export const MAX_ATTRIBUTE_NAMES = 100;

/**
 * Query parameter names are matched case-insensitively: clients send `startindex`, `Count`. The first of
 * several spellings counts. Built once per request: a lookup lowercased every name for each parameter read.
 */
function byLowerName(params: Params): Map<string, unknown> {
  const found = new Map<string, unknown>();
  for (const key of Object.keys(params)) {
    const lower = key.toLowerCase();
    if (!found.has(lower)) found.set(lower, params[key]);
  }
  return found;
}

/** A single-valued parameter: a repeated query parameter counts its last value. */
function pick(params: Map<string, unknown>, name: string): unknown {
  const value = params.get(name);
  return Array.isArray(value) ? value[value.length - 1] : value;
}

function integer(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw badRequest('invalidValue', `${name} must be an integer, got ${JSON.stringify(value)}.`);
  return n;
}

function text(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest('invalidValue', `${name} must be a string.`);
  return value;
}

/**
 * `attributes=a,b` in a query (repeated parameters add up), or `["a","b"]` in a SearchRequest: every element
 * counts. Names are de-duplicated case-insensitively (first spelling kept); more than MAX_ATTRIBUTE_NAMES
 * distinct names are refused, so a request cannot make projection cost grow without bound.
 */
function attributeList(value: unknown, name: string): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  if (items.some((i) => typeof i !== 'string')) throw badRequest('invalidValue', `${name} must be a list of attribute names.`);
  const names = new Map<string, string>();
  for (const item of items as string[]) {
    for (const part of item.split(',')) {
      const trimmed = part.trim();
      if (trimmed === '' || names.has(trimmed.toLowerCase())) continue;
      if (names.size === MAX_ATTRIBUTE_NAMES) {
        throw badRequest('invalidValue', `${name} may name at most ${MAX_ATTRIBUTE_NAMES} distinct attributes.`);
      }
      names.set(trimmed.toLowerCase(), trimmed);
    }
  }
  return [...names.values()];
}

export function parseListRequest(given: Params, limits: ListLimits): ListRequest {
  const params = byLowerName(given);
  const startIndex = Math.max(1, integer(pick(params, 'startindex'), 'startIndex') ?? 1);
  const requested = integer(pick(params, 'count'), 'count');
  const count = Math.min(limits.maxResults, Math.max(0, requested ?? limits.defaultCount));
  const order = text(pick(params, 'sortorder'), 'sortOrder');
  if (order !== undefined && !/^(ascending|descending)$/i.test(order)) {
    throw badRequest('invalidValue', `sortOrder must be "ascending" or "descending", got "${order}".`);
  }
  const filter = text(pick(params, 'filter'), 'filter');
  const sortBy = text(pick(params, 'sortby'), 'sortBy');
  // Optional members are assigned, not spread into the literal: see docs/performance.md, "Object spread".
  const request: ListRequest = {
    startIndex,
    count,
    sortOrder: order?.toLowerCase() === 'descending' ? 'descending' : 'ascending',
    attributes: attributeList(params.get('attributes'), 'attributes'),
    excludedAttributes: attributeList(params.get('excludedattributes'), 'excludedAttributes'),
  };
  if (filter !== undefined && filter.trim() !== '') request.filter = filter;
  if (sortBy !== undefined && sortBy.trim() !== '') request.sortBy = sortBy.trim();
  return request;
}

/** A POST /.search body (RFC 7644 §3.4.3). */
export function parseSearchRequest(body: unknown, limits: ListLimits): ListRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('invalidSyntax', 'The search request body must be a JSON object.');
  }
  const schemas = (body as Params).schemas;
  if (schemas !== undefined && (!Array.isArray(schemas) || !schemas.includes(SEARCH_REQUEST_SCHEMA))) {
    throw badRequest('invalidSyntax', `A search request's schemas must include "${SEARCH_REQUEST_SCHEMA}".`);
  }
  return parseListRequest(body as Params, limits);
}

export function listResponse(resources: unknown[], totalResults: number, startIndex: number) {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults,
    itemsPerPage: resources.length,
    startIndex,
    Resources: resources,
  };
}
