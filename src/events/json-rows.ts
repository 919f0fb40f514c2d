/**
 * Many rows, each with values of its own, updated in one statement: the rows travel as one JSON parameter and
 * are read back as a table (`v`) with the dialect's JSON function, joined to the table updated by its key. One
 * round trip however many rows, where an UPDATE per row would cost one each on PostgreSQL.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../store/db.ts';
import type { DispatchStore } from './queues.ts';

/** How a column is typed in `v`: keys compare byte-wise, like the `key` columns (collate "C" on PostgreSQL). */
export type ColumnKind = 'key' | 'text' | 'integer' | 'timestamp';

const PG_TYPES: Record<ColumnKind, string> = { key: 'text', text: 'text', integer: 'integer', timestamp: 'timestamptz' };

/** `rows` as a FROM item named `v` with these columns. */
export function jsonTable(dialect: DispatchStore['dialect'], columns: Record<string, ColumnKind>, rows: Record<string, unknown>[]): RawBuilder<unknown> {
  const names = Object.keys(columns);
  const json = JSON.stringify(rows.map((r) => names.map((n) => r[n] ?? null)));
  if (dialect === 'postgres') {
    // Arrays, not objects, keep the parameter small; each column is read by position.
    const select = names.map((n, i) => `(r->>${i})::${PG_TYPES[columns[n]!]}${columns[n] === 'key' ? ' collate "C"' : ''} as ${n}`).join(', ');
    return sql`(select ${sql.raw(select)} from jsonb_array_elements(${json}::jsonb) as r) as v`;
  }
  const select = names.map((n, i) => `value ->> ${i} as ${n}`).join(', ');
  return sql`(select ${sql.raw(select)} from json_each(${json})) as v`;
}

/**
 * `update <table> set <set> from v where <table>.<key> = v.<key> …`: `set` is SQL over the table's columns and
 * v's (column names are trusted identifiers, never input).
 */
export async function updateFrom(
  db: Executor,
  dialect: DispatchStore['dialect'],
  table: string,
  keys: string[],
  columns: Record<string, ColumnKind>,
  set: string,
  rows: Record<string, unknown>[],
): Promise<void> {
  if (rows.length === 0) return;
  const on = keys.map((k) => `${table}.${k} = v.${k}`).join(' and ');
  await sql`update ${sql.raw(table)} set ${sql.raw(set)} from ${jsonTable(dialect, columns, rows)} where ${sql.raw(on)}`.execute(db);
}
