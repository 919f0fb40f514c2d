/**
 * Many rows, each with values of its own, in one statement: the rows travel as parameters and are read back as
 * a table (`v`), which an UPDATE joins by key, or a WHERE matches against. One round trip however many rows,
 * where an UPDATE per row would cost one each on PostgreSQL, and the statement's text stays the same whatever
 * their number, so it is cheap to build.
 *
 * On PostgreSQL the rows are one array per column, unnested; every key column also gets a `= any(array)`
 * condition, which the planner turns into an index lookup (a join against the unnested rows alone may be a hash
 * join over a sequential scan of the whole table). On SQLite they are one JSON parameter, read with json_each;
 * SQLite looks each key up by index by itself.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../store/db.ts';
import type { KyselyStore } from '../store/kysely-store.ts';

/** How a column is typed in `v`: keys compare byte-wise, like the `key` columns (collate "C" on PostgreSQL). */
export type ColumnKind = 'key' | 'text' | 'integer' | 'timestamp';

type Dialect = KyselyStore['dialect'];

const PG_ARRAYS: Record<ColumnKind, string> = { key: 'text[]', text: 'text[]', integer: 'integer[]', timestamp: 'timestamptz[]' };

const columnOf = (rows: Record<string, unknown>[], name: string) => rows.map((r) => r[name] ?? null);

/** `rows` as a FROM item named `v` with these columns (trusted identifiers, never input). */
export function rowsTable(dialect: Dialect, columns: Record<string, ColumnKind>, rows: Record<string, unknown>[]): RawBuilder<unknown> {
  const names = Object.keys(columns);
  if (dialect === 'postgres') {
    const arrays = sql.join(names.map((n) => sql`${columnOf(rows, n)}::${sql.raw(PG_ARRAYS[columns[n]!])}`));
    const select = names.map((n) => (columns[n] === 'key' ? `u.${n} collate "C" as ${n}` : `u.${n}`)).join(', ');
    return sql`(select ${sql.raw(select)} from unnest(${arrays}) as u(${sql.raw(names.join(', '))})) as v`;
  }
  // Arrays, not objects, keep the parameter small; each column is read by position.
  const json = JSON.stringify(rows.map((r) => names.map((n) => r[n] ?? null)));
  const select = names.map((n, i) => `value ->> ${i} as ${n}`).join(', ');
  return sql`(select ${sql.raw(select)} from json_each(${json})) as v`;
}

/** On PostgreSQL, `<column> = any(<the rows' values>)` for each key column: what lets the planner use an index. */
function indexHints(dialect: Dialect, columns: Record<string, string>, rows: Record<string, unknown>[]): RawBuilder<unknown> {
  if (dialect !== 'postgres') return sql``;
  return sql.join(
    Object.entries(columns).map(([name, ref]) => sql` and ${sql.raw(ref)} = any(${[...new Set(columnOf(rows, name))]}::text[])`),
    sql``,
  );
}

/**
 * `update <table> set <set> from v where <table>.<key> = v.<key> …`: `set` is SQL over the table's columns and
 * v's. Nothing to do for no rows.
 */
export async function updateFrom(db: Executor, dialect: Dialect, table: string, keys: string[], columns: Record<string, ColumnKind>, set: string, rows: Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  const on = keys.map((k) => `${table}.${k} = v.${k}`).join(' and ');
  const hints = indexHints(dialect, Object.fromEntries(keys.map((k) => [k, `${table}.${k}`])), rows);
  await sql`update ${sql.raw(table)} set ${sql.raw(set)} from ${rowsTable(dialect, columns, rows)} where ${sql.raw(on)}${hints}`.execute(db);
}

/** The key columns (by name in `rows`: trusted, qualified column names) match one of the rows. */
export function isAmong(dialect: Dialect, columns: Record<string, string>, rows: Record<string, unknown>[]): RawBuilder<boolean> {
  const names = Object.keys(columns);
  const kinds = Object.fromEntries(names.map((n) => [n, 'key' as const]));
  const matched = sql<boolean>`(${sql.raw(Object.values(columns).join(', '))}) in (select ${sql.raw(names.join(', '))} from ${rowsTable(dialect, kinds, rows)})`;
  return sql<boolean>`(${matched}${indexHints(dialect, columns, rows)})`;
}
