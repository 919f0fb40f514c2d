/**
 * A page of a directory's users or groups, for a SCIM list request: a compiled filter and sort key, the total
 * count, and an offset page in a stable order.
 */
import { sql, type Expression, type Selectable, type SqlBool } from 'kysely';
import type { DirectoryGroupsTable, DirectoryUsersTable, Executor } from '../db.ts';
import type { ResourceList, ResourceListQuery, Row } from './records.ts';
import type { Dialect } from './sql-dialect.ts';

export type ResourceTable = 'directory_users' | 'directory_groups';
type ResourceRow = Selectable<DirectoryUsersTable> | Selectable<DirectoryGroupsTable>;

/** Up to this many matching rows, sorting them beats walking the directory in id order (see idOrder). */
const SORT_IN_MEMORY = 10_000;

/** The resources of a directory matching a compiled filter, as a query to select from (also for EXPLAIN). */
export function filteredResources(db: Executor, table: ResourceTable, directoryId: string, where: Expression<SqlBool> | undefined) {
  // One query for either table, typed by the row either can give (Kysely types a table name only as a literal).
  const from = sql<ResourceRow>`${sql.table(table)}`.as('r');
  const base = db.selectFrom(from).where('r.directory_id', '=', directoryId);
  return where ? base.where(where) : base;
}

export async function listResources<T>(
  db: Executor,
  dialect: Dialect,
  table: ResourceTable,
  directoryId: string,
  q: ResourceListQuery,
  decode: (row: Row) => T,
  /**
   * A column computed for the one row of an at-most-one lookup (`extra`; null otherwise), e.g. a user's groups
   * as JSON: the lookup an IdP makes before each write then costs one statement. Also for a page of few matches
   * (`fewMatches`); not for other pages, where a database may compute it for every row an offset skips or sorts.
   */
  extra?: Expression<unknown>,
): Promise<ResourceList<T>> {
  const base = filteredResources(db, table, directoryId, q.where);
  const columns = (query: typeof base, withExtra = false) => query.selectAll('r').select(sql<unknown>`${withExtra && extra ? extra : sql`null`}`.as('extra'));
  if (q.atMostOne && q.offset === 0 && q.limit > 0) {
    // At most one row matches, so it needs no ordering, and the page holds the whole result.
    const result = await columns(base, true).limit(1).execute();
    return { total: result.length, rows: result.map((r) => decode(r)) };
  }
  const count = async () => Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const page = (total: number | undefined) => {
    // Few rows match an indexed equality, so computing `extra` for each (even those an offset skips) is cheap.
    let rows = columns(base, q.fewMatches === true);
    if (q.sortKey) {
      const key = q.sortKey;
      // Resources without the attribute sort last in either direction; id keeps equal keys stable.
      rows = rows.orderBy(sql`(${key}) is null`).orderBy(key, q.descending ? 'desc' : 'asc');
    }
    return rows.orderBy(idOrder(dialect, q.where !== undefined, total)).offset(q.offset).limit(q.limit).execute();
  };
  if (q.limit > 0 && (q.fewMatches || dialect === 'postgres')) {
    // The page first: unless it is full (or empty past the start), it tells the total, and the count (a second
    // statement, on PostgreSQL a second round trip) is not needed. SQLite's id order is chosen for few rows.
    const result = await page(q.fewMatches ? 0 : undefined);
    const known = result.length > 0 && result.length < q.limit ? q.offset + result.length : result.length === 0 && q.offset === 0 ? 0 : undefined;
    return { total: known ?? (await count()), rows: result.map((r) => decode(r)) };
  }
  const total = await count();
  if (q.limit === 0 || q.offset >= total) return { total, rows: [] };
  const result = await page(total);
  return { total, rows: result.map((r) => decode(r)) };
}

/**
 * The id ordering term. SQLite would walk the (directory_id, id) index to avoid a sort, filtering every row
 * of the directory, even when the filter's own index finds a handful (externalId is not unique, so its
 * estimate is "several"). With a filter and a small result, `+r.id` stops that index from serving ORDER BY,
 * so the filter's index is used and the few rows sorted. PostgreSQL's statistics choose well by themselves.
 */
function idOrder(dialect: Dialect, filtered: boolean, total: number | undefined) {
  return dialect === 'sqlite' && filtered && total !== undefined && total <= SORT_IN_MEMORY ? sql`+r.id` : sql.ref('r.id');
}
