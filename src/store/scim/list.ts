/**
 * A page of a directory's users or groups, for a SCIM list request: a compiled filter and sort key, the total
 * count, and an offset page in a stable order.
 */
import { sql, type Compilable, type Expression, type Selectable, type SqlBool } from 'kysely';
import type { DirectoryGroupsTable, DirectoryUsersTable, Executor } from '../db.ts';
import type { ResourceList, ResourceListQuery, Row } from './records.ts';
import type { Dialect } from './sql-dialect.ts';
import type { StatementShapes } from './statement-shapes.ts';

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

/** How a list is run beyond its query: a computed column for lookups, an extra predicate, and the shape cache. */
export interface ListOptions {
  /**
   * A column computed for the one row of an at-most-one lookup (`extra`; null otherwise), e.g. a user's groups
   * as JSON: the lookup an IdP makes before each write then costs one statement. Also for a page of few matches
   * (`fewMatches`); not for other pages, where a database may compute it for every row an offset skips or sorts.
   */
  extra?: Expression<unknown>;
  /** ANDed before the filter (a user list skips users the IdP deleted while the app keeps them). */
  also?: Expression<SqlBool>;
  /** With a query that has a shape: statements come from their templates (statement-shapes.ts). */
  shapes?: StatementShapes;
  /** Part of the shape key: whatever else changes the statements (`extra`, `also`). */
  variant?: string;
}

type StatementName = 'first' | 'count' | 'page' | 'page-sorted';

/** A list's statements, each built only when run: the one row of a lookup, the count, and a page. */
function listStatements(db: Executor, table: ResourceTable, directoryId: string, q: ResourceListQuery, options: ListOptions) {
  const base = () => {
    const where = q.where;
    const predicate = options.also && where ? sql<SqlBool>`${options.also} and (${where})` : (options.also ?? where);
    return filteredResources(db, table, directoryId, predicate);
  };
  const columns = (withExtra: boolean) =>
    base()
      .selectAll('r')
      .select(sql<unknown>`${withExtra && options.extra ? options.extra : sql`null`}`.as('extra'));
  const page = (sortInMemory: boolean) => {
    // Few rows match an indexed equality, so computing `extra` for each (even those an offset skips) is cheap.
    let rows = columns(q.fewMatches === true);
    if (q.sortKey) {
      const key = q.sortKey;
      // Resources without the attribute sort last in either direction; id keeps equal keys stable.
      rows = rows.orderBy(sql`(${key}) is null`).orderBy(key, q.descending ? 'desc' : 'asc');
    }
    return rows.orderBy(sortInMemory ? sql`+r.id` : sql.ref('r.id')).offset(q.offset).limit(q.limit);
  };
  return {
    // At most one row matches, so it needs no ordering, and the page holds the whole result.
    first: () => columns(true).limit(1),
    count: () => base().select((eb) => eb.fn.countAll<number>().as('n')),
    page: () => page(false),
    'page-sorted': () => page(true),
  } satisfies Record<StatementName, () => Compilable>;
}

export async function listResources<T>(
  db: Executor,
  dialect: Dialect,
  table: ResourceTable,
  directoryId: string,
  q: ResourceListQuery,
  decode: (row: Row) => T,
  options: ListOptions = {},
): Promise<ResourceList<T>> {
  const run = statementRunner(db, dialect, table, directoryId, q, options);
  if (q.atMostOne && q.offset === 0 && q.limit > 0) {
    const result = await run('first');
    return { total: result.length, rows: result.map((r) => decode(r)) };
  }
  const count = async () => Number((await run('count'))[0]!.n);
  // SQLite would walk the (directory_id, id) index to avoid a sort, filtering every row of the directory, even
  // when the filter's own index finds a handful (externalId is not unique, so its estimate is "several"). With
  // a filter and a small result, `+r.id` stops that index from serving ORDER BY, so the filter's index is used
  // and the few rows sorted. PostgreSQL's statistics choose well by themselves.
  const filtered = q.filtered === true || options.also !== undefined;
  const page = (total: number | undefined) => run(dialect === 'sqlite' && filtered && total !== undefined && total <= SORT_IN_MEMORY ? 'page-sorted' : 'page');
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
 * Runs a list's statements: from the shape cache when the query has a shape (the probe query is the same list
 * with probe values for the directory, the filter's values, the limit and the offset), else built each time.
 */
function statementRunner(db: Executor, dialect: Dialect, table: ResourceTable, directoryId: string, q: ResourceListQuery, options: ListOptions) {
  const { shape } = q;
  const { shapes } = options;
  if (!shape || !shapes) {
    const built = listStatements(db, table, directoryId, q, options);
    return async (name: StatementName) => (await built[name]().execute()) as Row[];
  }
  // Built only when a statement is not (yet) templated.
  let real: ReturnType<typeof listStatements> | undefined;
  // On SQLite the limit and offset are written into the SQL (sqlite-dialect.ts), so they are part of the shape.
  // Elsewhere a zero is a constant (zeros choose statements) and any other value an argument.
  const literal = dialect === 'sqlite';
  const paging = literal ? [] : [...(q.limit > 0 ? [q.limit] : []), ...(q.offset > 0 ? [q.offset] : [])];
  const args = [...shape.args, ...paging];
  const prefix = `${table}|${options.variant ?? ''}|${literal ? `${q.limit}|${q.offset}` : `${q.limit > 0}|${q.offset > 0}`}|${shape.key}`;
  return (name: StatementName) =>
    shapes.rows(db, {
      key: `${name}|${prefix}`,
      args,
      build: () => (real ??= listStatements(db, table, directoryId, q, options))[name](),
      probe: (probes) => {
        const n = shape.args.length;
        const probeQuery = shape.probe(probes.slice(0, n));
        const limit = literal || q.limit === 0 ? q.limit : (probes[n] as number);
        const offset = literal || q.offset === 0 ? q.offset : (probes[q.limit > 0 ? n + 1 : n] as number);
        return listStatements(db, table, probes[0] as string, { ...probeQuery, limit, offset }, options)[name]();
      },
    });
}
