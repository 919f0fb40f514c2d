/**
 * A page of a directory's users or groups, for a SCIM list request: a compiled filter and sort key, the total
 * count, and an offset page in a stable order.
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Executor } from '../db.ts';
import type { ResourceList, ResourceListQuery, Row } from './records.ts';
import type { Dialect } from './sql-dialect.ts';

export type ResourceTable = 'directory_users' | 'directory_groups';

/** Up to this many matching rows, sorting them beats walking the directory in id order (see idOrder). */
const SORT_IN_MEMORY = 10_000;

/** The resources of a directory matching a compiled filter, as a query to select from (also for EXPLAIN). */
export function filteredResources(db: Executor, table: ResourceTable, directoryId: string, where: unknown) {
  const base = db.selectFrom(`${table} as r` as 'directory_users as r').where('r.directory_id', '=', directoryId);
  return where ? base.where(where as Expression<SqlBool>) : base;
}

export async function listResources<T>(
  db: Executor,
  dialect: Dialect,
  table: ResourceTable,
  directoryId: string,
  q: ResourceListQuery,
  decode: (row: Row) => T,
): Promise<ResourceList<T>> {
  const base = filteredResources(db, table, directoryId, q.where);
  if (q.atMostOne && q.offset === 0 && q.limit > 0) {
    // At most one row matches, so it needs no ordering, and the page holds the whole result.
    const result = await base.selectAll('r').limit(1).execute();
    return { total: result.length, rows: result.map((r) => decode(r as Row)) };
  }
  const counted = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const total = Number(counted.n);
  if (q.limit === 0 || q.offset >= total) return { total, rows: [] };
  let rows = base.selectAll('r');
  if (q.sortKey) {
    const key = q.sortKey as Expression<unknown>;
    // Resources without the attribute sort last in either direction; id keeps equal keys stable.
    rows = rows.orderBy(sql`(${key}) is null`).orderBy(key, q.descending ? 'desc' : 'asc');
  }
  const result = await rows.orderBy(idOrder(dialect, q.where !== undefined, total)).offset(q.offset).limit(q.limit).execute();
  return { total, rows: result.map((r) => decode(r as Row)) };
}

/**
 * The id ordering term. SQLite would walk the (directory_id, id) index to avoid a sort, filtering every row
 * of the directory, even when the filter's own index finds a handful (externalId is not unique, so its
 * estimate is "several"). With a filter and a small result, `+r.id` stops that index from serving ORDER BY,
 * so the filter's index is used and the few rows sorted. PostgreSQL's statistics choose well by themselves.
 */
function idOrder(dialect: Dialect, filtered: boolean, total: number) {
  return dialect === 'sqlite' && filtered && total <= SORT_IN_MEMORY ? sql`+r.id` : sql.ref('r.id');
}
