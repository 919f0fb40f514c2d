/**
 * The tolerant edge for PATCH bodies. Rewrites into RFC 7644 §3.5.2 form:
 * - Q1: `op` in any case (`Add`, `Replace`, `Remove`: Entra's default, Microsoft's tests).
 * - Q3: boolean strings for boolean attributes (`{"op":"Replace","path":"active","value":"False"}`: Entra).
 * - Q8: missing `schemas`; `operations` in another case.
 */
import { parsePatchPath, isSchemaUrn } from '../scim/filter/path.ts';
import { SCHEMAS } from '../scim/schema/definitions.ts';
import { findSchemaUrn, resolveAttribute } from '../scim/schema/resolve.ts';
import { PATCH_OP_SCHEMA, type ResourceTypeDef } from '../scim/schema/types.ts';
import { coerceBooleans, coerceObject } from './booleans.ts';
import { isObject, type Json } from '../scim/json.ts';


function field(obj: Json, name: string): unknown {
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : obj[key];
}

export function normalizePatchBody(rt: ResourceTypeDef, body: unknown): unknown {
  if (!isObject(body)) return body;
  const operations = field(body, 'Operations');
  const schemas = Array.isArray(body.schemas) && body.schemas.includes(PATCH_OP_SCHEMA) ? body.schemas : [PATCH_OP_SCHEMA];
  return {
    ...body,
    schemas,
    Operations: Array.isArray(operations) ? operations.map((op) => normalizeOperation(rt, op)) : operations,
  };
}

function normalizeOperation(rt: ResourceTypeDef, raw: unknown): unknown {
  if (!isObject(raw)) return raw;
  const op = field(raw, 'op');
  const path = field(raw, 'path');
  const value = field(raw, 'value');
  return {
    op: typeof op === 'string' ? op.trim().toLowerCase() : op,
    ...(path !== undefined ? { path } : {}),
    ...(value !== undefined ? { value: typedValue(rt, path, value) } : {}),
  };
}

/** Converts boolean strings in an operation's value, typed by the attribute its path names. */
function typedValue(rt: ResourceTypeDef, path: unknown, value: unknown): unknown {
  if (typeof path !== 'string' || path.trim() === '') {
    return isObject(value) ? pathlessValue(rt, value) : value;
  }
  if (isSchemaUrn(path)) return isObject(value) ? coerceObject(SCHEMAS[findSchemaUrn(rt, path) ?? '']?.attributes ?? [], value) : value;
  try {
    const parsed = parsePatchPath(path);
    const resolved = resolveAttribute(rt, parsed.path);
    if (!resolved) return value;
    const subName = parsed.subAfterFilter;
    const target = subName ? resolved.attr.subAttributes?.find((s) => s.name.toLowerCase() === subName.toLowerCase()) : resolved.sub ?? resolved.attr;
    if (!target) return value;
    // `emails[…]` without a sub-attribute takes one element, even though `emails` is multi-valued.
    return parsed.filter && !subName ? coerceBooleans({ ...target, multiValued: false }, value) : coerceBooleans(target, value);
  } catch {
    return value; // The core reports the bad path.
  }
}

function pathlessValue(rt: ResourceTypeDef, value: Json): Json {
  // Each key of a path-less value is itself a path (Q2), so it is typed like one.
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) out[key] = typedValue(rt, key, v);
  return out;
}
