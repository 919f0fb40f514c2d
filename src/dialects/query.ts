/**
 * The tolerant edge for list and search parameters:
 * - Q10: unquoted filter values (`externalId eq jyoung`, `meta.created gt 2015-10-10T14:38:21-07:00`: Entra,
 *   Microsoft's tests). Such a filter is parsed leniently and re-printed in RFC form for the strict core; a
 *   filter that is already in RFC form passes as sent, so the limits the core applies are the ones its sender
 *   sees (a re-print may be longer, and once nested every `or` in brackets).
 * - `attributes=emails[type eq "work"]` (Microsoft's tests): a value filter in an attribute list names the
 *   attribute; the filter is dropped, so the attribute is returned rather than silently omitted.
 */
import { formatFilter, parseFilter } from '../scim/filter/parser.ts';
import type { Filter } from '../scim/filter/ast.ts';
import type { ListRequest } from '../scim/list.ts';

export function normalizeListRequest(request: ListRequest): ListRequest {
  return Object.assign({}, request, request.filter !== undefined ? normalizeFilter(request.filter) : {}, {
    attributes: request.attributes.map(stripValueFilter),
    excludedAttributes: request.excludedAttributes.map(stripValueFilter),
  });
}

function normalizeFilter(text: string): { filter: string; parsedFilter: Filter } {
  try {
    return { filter: text, parsedFilter: parseFilter(text) };
  } catch {
    // Not RFC form: read it leniently, whose error (if any) is the one to report.
    const parsedFilter = parseFilter(text, { bareWordValues: true });
    return { filter: formatFilter(parsedFilter), parsedFilter };
  }
}

function stripValueFilter(name: string): string {
  const bracket = name.indexOf('[');
  if (bracket < 0) return name;
  const close = name.lastIndexOf(']');
  return name.slice(0, bracket) + (close > bracket ? name.slice(close + 1) : '');
}
