/** Case-insensitive attribute resolution against a resource type's schemas (RFC 7643 §2.1). */
import type { AttrPath } from '../filter/ast.ts';
import { COMMON_ATTRIBUTES, SCHEMAS } from './definitions.ts';
import type { AttributeDef, ResourceTypeDef } from './types.ts';

export interface Resolved {
  /** The URN of the schema holding the attribute (the core schema for common attributes). */
  schema: string;
  attr: AttributeDef;
  sub?: AttributeDef;
}

export const findByName = (defs: AttributeDef[] | undefined, name: string) =>
  defs?.find((d) => d.name.toLowerCase() === name.toLowerCase());

/** The schema URNs of a resource type, core first. */
export function schemaUrns(rt: ResourceTypeDef): string[] {
  return [rt.schema, ...rt.schemaExtensions.map((e) => e.schema)];
}

/** The canonical URN of one of the resource type's schemas, matched case-insensitively. */
export function findSchemaUrn(rt: ResourceTypeDef, urn: string): string | undefined {
  return schemaUrns(rt).find((s) => s.toLowerCase() === urn.toLowerCase());
}

function attributesOf(urn: string, rt: ResourceTypeDef): AttributeDef[] {
  const own = SCHEMAS[urn]?.attributes ?? [];
  return urn === rt.schema ? [...COMMON_ATTRIBUTES, ...own] : own;
}

export function resolveAttribute(rt: ResourceTypeDef, path: AttrPath): Resolved | undefined {
  const candidates = path.uri ? [findSchemaUrn(rt, path.uri)].filter((u): u is string => !!u) : schemaUrns(rt);
  for (const schema of candidates) {
    const attr = findByName(attributesOf(schema, rt), path.attr);
    if (!attr) continue;
    if (path.sub === undefined) return { schema, attr };
    const sub = findByName(attr.subAttributes, path.sub);
    return sub ? { schema, attr, sub } : undefined;
  }
  return undefined;
}
