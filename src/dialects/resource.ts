/**
 * The tolerant edge for resource bodies (POST, PUT, Bulk data): rewrites what real IdPs send into the RFC
 * form the strict core validates. Each rule names the IdP behaviour it absorbs (../shared/IDP-DIALECTS.md).
 */
import { COMMON_ATTRIBUTES, SCHEMAS } from '../scim/schema/definitions.ts';
import { findSchemaUrn } from '../scim/schema/resolve.ts';
import type { ResourceTypeDef } from '../scim/schema/types.ts';
import { coerceObject } from './booleans.ts';
import { isObject, type Json } from '../scim/json.ts';


export function normalizeResourceBody(rt: ResourceTypeDef, body: unknown): unknown {
  if (!isObject(body)) return body;
  const core = [...COMMON_ATTRIBUTES, ...(SCHEMAS[rt.schema]?.attributes ?? [])];
  const out = coerceObject(core, body);
  for (const key of Object.keys(out)) {
    const urn = findSchemaUrn(rt, key);
    if (urn && urn !== rt.schema && isObject(out[key])) out[key] = coerceObject(SCHEMAS[urn]?.attributes ?? [], out[key] as Json);
  }
  out.schemas = normalizeSchemas(rt, out.schemas);
  return out;
}

/**
 * Q8: `schemas` missing (Microsoft's tests, OneLogin templates), incomplete or misspelled. The core schema is
 * what the request is about, by its endpoint, so it is always present; unknown URIs are left for the core to
 * ignore.
 */
function normalizeSchemas(rt: ResourceTypeDef, schemas: unknown): string[] {
  const list = Array.isArray(schemas) ? schemas.filter((s): s is string => typeof s === 'string') : [];
  return list.some((s) => s.toLowerCase() === rt.schema.toLowerCase()) ? list : [rt.schema, ...list];
}
