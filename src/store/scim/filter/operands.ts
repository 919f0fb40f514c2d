/**
 * What a filter compares: an indexed column where IdPs query (id, userName, externalId, displayName, active, meta
 * times), else a value read from the stored resource JSON, inside the database.
 */
import { sql } from 'kysely';
import type { AttrType, AttributeDef } from '../../../scim/schema/types.ts';
import * as d from '../sql-dialect.ts';
import { invalid, jsonKeys, type FilterContext, type ResolvedAttribute, type Sql } from './context.ts';

/** A value the filter compares: a column or a JSON-extracted value, with how to compare it. */
export interface Operand {
  /** The SQL expression (text, integer flag, or JSON value). */
  expr: Sql;
  type: AttrType;
  caseExact: boolean;
  /** The column already holds the JavaScript-lowercased value. */
  lowered?: boolean;
  /** 'column' (native SQL value), 'json' (extracted; booleans and numbers need JSON-aware comparison). */
  source: 'column' | 'json' | 'constant';
  /** A column that may hold NULL (JSON operands always may). */
  nullable?: boolean;
  /** For JSON operands: the raw JSON value and its type name, for presence and number checks. */
  jsonValue?: Sql;
  jsonType?: Sql;
}

export function operand(ctx: FilterContext, resolved: ResolvedAttribute): Operand {
  const column = columnOperand(ctx, resolved);
  if (column) return column;
  const def = resolved.sub ?? resolved.attr;
  return jsonOperand(ctx.dialect, jsonKeys(ctx, resolved), def);
}

/** The indexed columns; undefined for attributes that live only in the JSON. */
function columnOperand(ctx: FilterContext, resolved: ResolvedAttribute): Operand | undefined {
  if (resolved.schema !== ctx.coreSchema) return undefined;
  const name = resolved.sub ? `${resolved.attr.name}.${resolved.sub.name}` : resolved.attr.name;
  const text = (column: string, caseExact: boolean, lowered = false, nullable = false): Operand => ({
    expr: sql.ref(`r.${column}`),
    type: 'string',
    caseExact,
    lowered,
    source: 'column',
    nullable,
  });
  switch (name) {
    case 'id':
      return text('id', true);
    case 'externalId':
      return text('external_id', true, false, true);
    case 'userName':
      return ctx.resourceType === 'User' ? text('user_name_lower', false, true) : undefined;
    case 'displayName':
      return ctx.resourceType === 'Group' ? text('display_name_lower', false, true) : undefined;
    case 'active':
      return ctx.resourceType === 'User' ? { expr: sql.ref('r.active'), type: 'boolean', caseExact: true, source: 'column' } : undefined;
    case 'meta.created':
      return { expr: sql.ref('r.created_at'), type: 'dateTime', caseExact: true, source: 'column' };
    case 'meta.lastModified':
      return { expr: sql.ref('r.updated_at'), type: 'dateTime', caseExact: true, source: 'column' };
    case 'meta.resourceType':
      return { expr: sql.lit(ctx.resourceType), type: 'string', caseExact: true, source: 'constant' };
    case 'meta.location':
    case 'meta.version':
      throw invalid(`'${name}' cannot be filtered on.`);
    default:
      return undefined;
  }
}

/** The value at `keys` in a JSON column (the resource's, unless another is given). */
export function jsonOperand(dialect: d.Dialect, keys: string[], def: AttributeDef, column: Sql = sql.ref('r.resource')): Operand {
  return {
    expr: d.jsonText(dialect, column, keys),
    type: def.type,
    caseExact: def.caseExact,
    source: 'json',
    nullable: true,
    jsonValue: d.jsonValue(dialect, column, keys),
    jsonType: d.jsonType(dialect, column, keys),
  };
}

/** An element of a JSON array (`element`, from jsonArrayRows), or the value at `keys` inside it. */
export function elementOperand(dialect: d.Dialect, element: Sql, keys: string[], def: AttributeDef): Operand {
  if (dialect === 'sqlite') {
    // json_each's value is SQL for scalars and JSON text for objects.
    const expr = keys.length === 0 ? element : d.jsonText(dialect, element, keys);
    const type = keys.length === 0 ? sql`j.type` : d.jsonType(dialect, element, keys);
    return { expr, type: def.type, caseExact: def.caseExact, source: 'json', nullable: true, jsonValue: expr, jsonType: type };
  }
  return jsonOperand(dialect, keys, def, element);
}
