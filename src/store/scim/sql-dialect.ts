/**
 * The handful of SQL spellings that differ between SQLite and PostgreSQL when querying SCIM resources:
 * JSON extraction, string functions, Unicode lowercasing. Everything else in the filter compiler is shared.
 */
import { sql, type RawBuilder } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/** JSON path into a `resource` column: keys are bound as parameters, never spliced into SQL text. */
export function jsonText(dialect: Dialect, column: RawBuilder<unknown>, keys: string[]): RawBuilder<unknown> {
  if (dialect === 'sqlite') return sql`json_extract(${column}, ${sqlitePath(keys)})`;
  return sql`(${column} #>> ${keys}::text[])`;
}

/** The JSON value itself (not its text): used for type checks, arrays and numbers. */
export function jsonValue(dialect: Dialect, column: RawBuilder<unknown>, keys: string[]): RawBuilder<unknown> {
  if (dialect === 'sqlite') return sql`json_extract(${column}, ${sqlitePath(keys)})`;
  return sql`(${column} #> ${keys}::text[])`;
}

/** The JSON type name: SQLite's json_type vocabulary, mapped to PostgreSQL's jsonb_typeof. */
export function jsonType(dialect: Dialect, column: RawBuilder<unknown>, keys: string[]): RawBuilder<unknown> {
  if (dialect === 'sqlite') return sql`json_type(${column}, ${sqlitePath(keys)})`;
  return sql`jsonb_typeof(${column} #> ${keys}::text[])`;
}

function sqlitePath(keys: string[]): string {
  // Attribute names never start with a digit, so an all-digit key is an array index.
  return '$' + keys.map((k) => (/^\d+$/.test(k) ? `[${k}]` : `."${k.replace(/"/g, '""')}"`)).join('');
}

/** Unicode lowercasing identical to JavaScript's toLowerCase (SQLite: a registered function). */
export function lower(dialect: Dialect, expr: RawBuilder<unknown>): RawBuilder<unknown> {
  return dialect === 'sqlite' ? sql`gl_lower(${expr})` : sql`lower(${expr})`;
}

/** Byte-order comparison, matching SQLite's default BINARY collation. */
export function bytewise(dialect: Dialect, expr: RawBuilder<unknown>): RawBuilder<unknown> {
  return dialect === 'sqlite' ? expr : sql`(${expr} collate "C")`;
}

export function contains(dialect: Dialect, expr: RawBuilder<unknown>, value: string): RawBuilder<unknown> {
  return dialect === 'sqlite' ? sql`instr(${expr}, ${value}) > 0` : sql`strpos(${expr}, ${value}) > 0`;
}

export function endsWith(dialect: Dialect, expr: RawBuilder<unknown>, value: string): RawBuilder<unknown> {
  const n = [...value].length;
  if (n === 0) return sql`${expr} is not null`;
  return dialect === 'sqlite' ? sql`substr(${expr}, ${-n}) = ${value}` : sql`right(${expr}, ${n}) = ${value}`;
}

/** A prefix match that an ordinary b-tree index can serve: v ≤ x < v + U+10FFFF. */
export function startsWith(expr: RawBuilder<unknown>, value: string): RawBuilder<unknown> {
  return sql`(${expr} >= ${value} and ${expr} < ${value + '\u{10FFFF}'})`;
}

/** Rows of a JSON array in `column` at `keys`, as a FROM item named `alias` whose element is `alias.value`. */
export function jsonArrayRows(dialect: Dialect, column: RawBuilder<unknown>, keys: string[], alias: string): RawBuilder<unknown> {
  if (dialect === 'sqlite') return sql`json_each(${column}, ${sqlitePath(keys)}) as ${sql.id(alias)}`;
  return sql`jsonb_array_elements(case when jsonb_typeof(${column} #> ${keys}::text[]) = 'array' then ${column} #> ${keys}::text[] else '[]'::jsonb end) as ${sql.id(alias)}(value)`;
}
