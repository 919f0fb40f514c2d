/**
 * The tolerant edge for resource bodies (POST, PUT, Bulk data): rewrites what real IdPs send into the RFC
 * form the strict core validates (value rules in values.ts, URN spelling in urns.ts). Each rule names the IdP
 * behaviour it absorbs (../shared/IDP-DIALECTS.md).
 */
import { COMMON_ATTRIBUTES, SCHEMAS } from '../scim/schema/definitions.ts';
import type { ResourceTypeDef } from '../scim/schema/types.ts';
import { canonicalUrn } from './urns.ts';
import { normalizeObject } from './values.ts';
import { isObject, type Json } from '../scim/json.ts';

export function normalizeResourceBody(rt: ResourceTypeDef, body: unknown): unknown {
  if (!isObject(body)) return body;
  const core = [...COMMON_ATTRIBUTES, ...(SCHEMAS[rt.schema]?.attributes ?? [])];
  const out: Json = {};
  for (const [key, value] of Object.entries(normalizeObject(core, body))) {
    const urn = canonicalUrn(rt, key);
    if (urn && urn !== rt.schema) out[urn] = isObject(value) ? normalizeObject(SCHEMAS[urn]?.attributes ?? [], value) : value;
    else out[key] = value;
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
