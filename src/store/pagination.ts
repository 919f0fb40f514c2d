/**
 * Cursor pagination over time-ordered ids, as the management API's list envelope needs it: `after` pages on
 * in the list's order, `before` pages back, and both together bound a window read from `after`. One extra row
 * is read to know whether a further page exists.
 */
import type { SelectQueryBuilder } from 'kysely';
import type { Page, PageQuery } from './store.ts';

export async function pageById<DB, TB extends keyof DB, Row extends { id: string }>(
  query: SelectQueryBuilder<DB, TB, Row>,
  idColumn: string,
  page: PageQuery,
): Promise<Page<Row>> {
  if (!page.reverseCursors) return pageInOrder(query, idColumn, page);
  // `order=normal`: the same list with the cursors' names swapped, going in and coming out.
  const { before, after, ...rest } = page;
  const swapped = await pageInOrder(query, idColumn, { ...rest, reverseCursors: false, ...(after !== undefined ? { before: after } : {}), ...(before !== undefined ? { after: before } : {}) });
  return { data: swapped.data, before: swapped.after, after: swapped.before };
}

async function pageInOrder<DB, TB extends keyof DB, Row extends { id: string }>(
  query: SelectQueryBuilder<DB, TB, Row>,
  idColumn: string,
  page: PageQuery,
): Promise<Page<Row>> {
  // With both cursors, `after` places the read and `before` only bounds it: a window, read forwards.
  const backwards = page.before !== undefined && page.after === undefined;
  const cursor = backwards ? page.before : page.after;
  // Reading backwards walks the opposite direction from the cursor, then flips the rows into list order.
  const direction = backwards ? (page.order === 'asc' ? 'desc' : 'asc') : page.order;
  let q = query as SelectQueryBuilder<any, any, Row>;
  if (cursor !== undefined) q = q.where(idColumn, direction === 'asc' ? '>' : '<', cursor);
  if (!backwards && page.before !== undefined) q = q.where(idColumn, direction === 'asc' ? '<' : '>', page.before);
  const rows = await q.orderBy(idColumn, direction).limit(page.limit + 1).execute();
  const more = rows.length > page.limit;
  const data = rows.slice(0, page.limit);
  if (backwards) data.reverse();
  const first = data[0]?.id ?? null;
  const last = data[data.length - 1]?.id ?? null;
  if (backwards) return { data, before: more ? first : null, after: last };
  return { data, before: cursor !== undefined ? first : null, after: more ? last : null };
}
