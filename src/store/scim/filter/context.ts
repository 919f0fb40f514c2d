/** What the filter compiler works from: the resource type's attributes, and the directory filtered. */
import type { RawBuilder } from 'kysely';
import { badRequest } from '../../../scim/errors.ts';
import type { AttrPath } from '../../../scim/filter/ast.ts';
import { formatPath } from '../../../scim/filter/parser.ts';
import type { AttributeDef } from '../../../scim/schema/types.ts';
import type { Dialect } from '../sql-dialect.ts';

export type Sql = RawBuilder<unknown>;

export interface ResolvedAttribute {
  schema: string;
  attr: AttributeDef;
  sub?: AttributeDef;
}

export interface FilterContext {
  dialect: Dialect;
  /** The directory whose resources are filtered: child-table subqueries name it so its index prefix applies. */
  directoryId: string;
  /** 'User' or 'Group': decides the column and child-table mappings. */
  resourceType: 'User' | 'Group';
  /** The core schema URN of the resource type (its attributes are stored at the JSON top level). */
  coreSchema: string;
  resolve(path: AttrPath): ResolvedAttribute | undefined;
}

export const invalid = (detail: string) => badRequest('invalidFilter', detail);

/** `schemas` is not a schema attribute (RFC 7643 §3), but filters may name it; URIs compare case-insensitively. */
const SCHEMAS_ATTRIBUTE: AttributeDef = {
  name: 'schemas',
  type: 'reference',
  multiValued: true,
  description: 'The schema URIs of the resource.',
  required: true,
  caseExact: false,
  mutability: 'readOnly',
  returned: 'always',
  uniqueness: 'none',
};

/** The attribute a filter names; 400 invalidFilter when the resource type has none such. */
export function resolveFilterPath(ctx: FilterContext, path: AttrPath): ResolvedAttribute {
  // `schemas eq "urn:…"` (an RFC 7644 §3.4.2.2 example): the resource's schema URIs, compared like strings.
  if (!path.uri && !path.sub && path.attr.toLowerCase() === 'schemas') return { schema: ctx.coreSchema, attr: SCHEMAS_ATTRIBUTE };
  const resolved = ctx.resolve(path);
  if (!resolved) throw invalid(`Unknown attribute '${formatPath(path)}' in filter.`);
  return resolved;
}

/** JSON keys of an attribute in the stored resource: extensions live under their schema URN. */
export function jsonKeys(ctx: FilterContext, resolved: ResolvedAttribute): string[] {
  const base = resolved.schema === ctx.coreSchema ? [] : [resolved.schema];
  return [...base, resolved.attr.name, ...(resolved.sub ? [resolved.sub.name] : [])];
}

/** The sub-attribute of a complex `attr` that a path inside a value filter names. */
export function subDef(attr: AttributeDef, path: AttrPath): AttributeDef {
  const name = path.sub ? `${path.attr}.${path.sub}` : path.attr;
  const sub = attr.subAttributes?.find((s) => s.name.toLowerCase() === name.toLowerCase());
  if (!sub) throw invalid(`Unknown sub-attribute '${name}' of '${attr.name}' in filter.`);
  return sub;
}
