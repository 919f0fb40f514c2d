/**
 * `pr` and the comparison operators (RFC 7644 §3.4.2.2) over an operand, by its type. Every comparison is
 * two-valued (never NULL), so `not` and `ne` treat an absent attribute as "not equal", as the in-memory
 * evaluator does; values are always bound parameters.
 */
import { sql } from 'kysely';
import type { CompareOp, Literal } from '../../../scim/filter/ast.ts';
import * as d from '../sql-dialect.ts';
import { invalid, type Sql } from './context.ts';
import type { Operand } from './operands.ts';

export function present(dialect: d.Dialect, o: Operand): Sql {
  if (o.source !== 'json') {
    return o.type === 'string' ? sql`(${o.expr} is not null and ${o.expr} <> '')` : sql`(${o.expr} is not null)`;
  }
  const empty = dialect === 'sqlite' ? sql`'[]', '{}', ''` : sql`'[]', '{}', '""'`;
  const raw = dialect === 'sqlite' ? sql`coalesce(${o.expr}, '')` : sql`coalesce(${o.jsonValue}::text, '')`;
  return sql`(coalesce(${o.jsonType}, 'null') <> 'null' and ${raw} not in (${empty}))`;
}

/** `o op value`; `name` is the attribute as the filter wrote it, for error details. */
export function compare(dialect: d.Dialect, o: Operand, op: CompareOp, value: Literal, name: string): Sql {
  if (value === null) {
    if (op === 'eq') return sql`(not ${present(dialect, o)})`;
    if (op === 'ne') return present(dialect, o);
    throw invalid(`'${op}' cannot compare '${name}' with null.`);
  }
  switch (o.type) {
    case 'boolean':
      return compareBoolean(dialect, o, op, value, name);
    case 'integer':
    case 'decimal':
      return compareNumber(dialect, o, op, value, name);
    case 'complex':
      throw invalid(`'${name}' is complex: compare one of its sub-attributes.`);
    default:
      return compareText(dialect, o, op, value, name);
  }
}

function compareBoolean(dialect: d.Dialect, o: Operand, op: CompareOp, value: Literal, name: string): Sql {
  const flag = typeof value === 'boolean' ? value : typeof value === 'string' ? parseBool(value) : undefined;
  if (flag === undefined) throw invalid(`'${name}' is a boolean; compare it with true or false.`);
  if (op !== 'eq' && op !== 'ne') throw invalid(`'${op}' is not defined for the boolean '${name}'.`);
  let test: Sql;
  if (o.source === 'column') test = sql`${o.expr} = ${flag ? 1 : 0}`;
  else if (dialect === 'sqlite') test = sql`(${o.jsonType} = ${flag ? 'true' : 'false'})`;
  else test = sql`(${o.jsonValue} = ${flag ? 'true' : 'false'}::jsonb)`;
  const positive = twoValued(o, test);
  return op === 'eq' ? positive : sql`(not ${positive})`;
}

function compareNumber(dialect: d.Dialect, o: Operand, op: CompareOp, value: Literal, name: string): Sql {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw invalid(`'${name}' is a number; compare it with a number.`);
  if (!['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op)) throw invalid(`'${op}' is not defined for the number '${name}'.`);
  const num =
    dialect === 'sqlite'
      ? sql`(case when ${o.jsonType} in ('integer', 'real') then ${o.jsonValue} end)`
      : sql`(case when ${o.jsonType} = 'number' then (${o.jsonValue})::numeric end)`;
  return relate(o, num, op, n);
}

function compareText(dialect: d.Dialect, o: Operand, op: CompareOp, value: Literal, name: string): Sql {
  let v = String(value);
  if (o.type === 'dateTime') v = dateTimeValue(op, v, name);
  let expr = o.expr;
  if (!o.caseExact) {
    v = v.toLowerCase();
    if (!o.lowered) expr = d.lower(dialect, expr);
  }
  if (o.source === 'json' && dialect === 'postgres') expr = d.bytewise('postgres', expr);
  if (o.type === 'dateTime' && o.source === 'column' && dialect === 'postgres') {
    return relate(o, expr, op, sql`${v}::timestamptz`);
  }
  switch (op) {
    case 'co':
      return twoValued(o, d.contains(dialect, expr, v));
    case 'sw':
      return twoValued(o, d.startsWith(expr, v));
    case 'ew':
      return twoValued(o, d.endsWith(dialect, expr, v));
    default:
      return relate(o, expr, op, v);
  }
}

/**
 * `o eq v1 or o eq v2 …` as `o in (v1, v2, …)`, for text operands other than dateTime: the same values,
 * lowercased as compareText does, and the same two-valued guard around the whole.
 */
export function compareIn(dialect: d.Dialect, o: Operand, values: string[]): Sql {
  let expr = o.expr;
  let vs = values;
  if (!o.caseExact) {
    vs = vs.map((v) => v.toLowerCase());
    if (!o.lowered) expr = d.lower(dialect, expr);
  }
  if (o.source === 'json' && dialect === 'postgres') expr = d.bytewise('postgres', expr);
  const distinct = [...new Set(vs)];
  if (distinct.length === 1) return twoValued(o, sql`${expr} = ${distinct[0]}`);
  return twoValued(o, sql`${expr} in (${sql.join(distinct)})`);
}

/** A dateTime the filter compares with, as the ISO string both databases store. */
function dateTimeValue(op: CompareOp, v: string, name: string): string {
  if (op === 'co' || op === 'sw' || op === 'ew') throw invalid(`'${op}' is not defined for the dateTime '${name}'.`);
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw invalid(`'${v}' is not a valid dateTime for '${name}'.`);
  // `Date.parse("12345")` is the year 12345, which PostgreSQL's timestamps refuse: years 1–9999 only.
  const year = new Date(ms).getUTCFullYear();
  if (year < 1 || year > 9999) throw invalid(`'${v}' is outside the years 1–9999 for '${name}'.`);
  return new Date(ms).toISOString();
}

function relate(o: Operand, expr: Sql, op: CompareOp, v: unknown): Sql {
  const symbol = { eq: '=', ne: '=', gt: '>', ge: '>=', lt: '<', le: '<=' }[op as 'eq'];
  if (!symbol) throw invalid(`'${op}' is not defined here.`);
  const positive = twoValued(o, sql`${expr} ${sql.raw(symbol)} ${v}`);
  return op === 'ne' ? sql`(not ${positive})` : positive;
}

/**
 * Makes a comparison never NULL while keeping it index-friendly: a NOT NULL column compares as is, a nullable
 * column is guarded with `is not null and`, and a JSON expression is coalesced to false.
 */
function twoValued(o: Operand, test: Sql): Sql {
  if (o.source === 'json') return sql`coalesce((${test}), false)`;
  if (o.nullable) return sql`(${o.expr} is not null and ${test})`;
  return sql`(${test})`;
}

function parseBool(value: string): boolean | undefined {
  const lower = value.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}
