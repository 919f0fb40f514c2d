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
