/**
 * The tolerant edge for PATCH bodies. Rewrites into RFC 7644 §3.5.2 form:
 * - Q1: `op` in any case (`Add`, `Replace`, `Remove`: Entra's default, Microsoft's tests).
 * - Q3, Q6, Q7, Q9: values typed by the attribute the path names (values.ts).
 * - Q8: missing `schemas`; `operations` in another case; misspelled schema URNs in paths and keys.
 * - Q5: a filtered `replace` that matches nothing creates the element (PATCH_TOLERANCE), as Entra expects.
 */
import { parsePatchPath, isSchemaUrn } from '../scim/filter/path.ts';
import { SCHEMAS } from '../scim/schema/definitions.ts';
import { findSchemaUrn, resolveAttribute } from '../scim/schema/resolve.ts';
import { PATCH_OP_SCHEMA, type ResourceTypeDef } from '../scim/schema/types.ts';
import { canonicalPathPrefix, canonicalUrn } from './urns.ts';
import { normalizeObject, normalizeValue } from './values.ts';
import { isObject, type Json } from '../scim/json.ts';

function field(obj: Json, name: string): unknown {
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : obj[key];
}

/** The PATCH engine's tolerant readings, passed along with every normalized PATCH. */
export const PATCH_TOLERANCE = { replaceCreatesMissing: true } as const;

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
  const canonicalPath = typeof path === 'string' ? canonicalPathPrefix(rt, path.trim()) : path;
  return {
    op: typeof op === 'string' ? op.trim().toLowerCase() : op,
    ...(canonicalPath !== undefined ? { path: canonicalPath } : {}),
    ...(value !== undefined ? { value: typedValue(rt, canonicalPath, value) } : {}),
  };
}

/** Converts boolean strings in an operation's value, typed by the attribute its path names. */
function typedValue(rt: ResourceTypeDef, path: unknown, value: unknown): unknown {
  if (typeof path !== 'string' || path.trim() === '') {
    return isObject(value) ? pathlessValue(rt, value) : value;
  }
  if (isSchemaUrn(path)) return isObject(value) ? normalizeObject(SCHEMAS[findSchemaUrn(rt, path) ?? '']?.attributes ?? [], value) : value;
  try {
    const parsed = parsePatchPath(path);
    const resolved = resolveAttribute(rt, parsed.path);
    if (!resolved) return value;
    const subName = parsed.subAfterFilter;
    const target = subName ? resolved.attr.subAttributes?.find((s) => s.name.toLowerCase() === subName.toLowerCase()) : resolved.sub ?? resolved.attr;
    if (!target) return value;
    // `emails[…]` without a sub-attribute takes one element, even though `emails` is multi-valued.
    return parsed.filter && !subName ? normalizeValue({ ...target, multiValued: false }, value) : normalizeValue(target, value);
  } catch {
    return value; // The core reports the bad path.
  }
}

function pathlessValue(rt: ResourceTypeDef, value: Json): Json {
  // Each key of a path-less value is itself a path (Q2), so it is typed like one.
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    const canonical = canonicalUrn(rt, key) ?? canonicalPathPrefix(rt, key);
    out[canonical] = typedValue(rt, canonical, v);
  }
  return out;
}
