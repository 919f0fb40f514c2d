/** A GET list endpoint as an AutoPaginatable: the caller's filters stay, the cursor moves. */
import type { HttpClient } from '../http.js';
import type { List } from '../objects.js';
import { AutoPaginatable, type Cursor, type NextCursor } from '../pagination.js';
import type { QueryParams } from '../query.js';

export function listOf<T>(http: HttpClient, path: string, params: QueryParams, next?: NextCursor<T>): AutoPaginatable<T> {
  const { before, after, ...filters } = params;
  const start: Cursor = {
    ...(typeof before === 'string' ? { before } : {}),
    ...(typeof after === 'string' ? { after } : {}),
  };
  return new AutoPaginatable<T>((cursor) => http.request<List<T>>('GET', path, { query: { ...filters, ...cursor } }), start, next);
}

const NO_CURSORS = { before: null, after: null };

/**
 * A list endpoint that answers everything at once, `{object: 'list', data}` without `list_metadata`
 * (`/custom_attributes`, `/roles`): one page, given null cursors so that it reads like every other list.
 */
export function wholeListOf<T>(http: HttpClient, path: string): AutoPaginatable<T> {
  return new AutoPaginatable<T>(async () => {
    const page = await http.request<Omit<List<T>, 'list_metadata'> & Partial<Pick<List<T>, 'list_metadata'>>>('GET', path);
    return { ...page, list_metadata: page.list_metadata ?? NO_CURSORS };
  }, {}, () => undefined);
}
