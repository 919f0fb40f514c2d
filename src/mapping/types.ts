/**
 * Custom attributes, attribute mappings and roles (API.md §7): the shapes the pure mapping core works on.
 * The operator defines attributes and roles; each directory maps its SCIM resources onto the attributes and its
 * groups onto the roles. Everything in src/mapping is pure: no I/O, no clock.
 */

export const ATTRIBUTE_TYPES = ['string', 'number', 'boolean', 'string_list', 'object'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/** An attribute the operator defined (`POST /custom_attributes`). */
export interface CustomAttributeDef {
  name: string;
  type: AttributeType;
  required: boolean;
}

/** A transform, applied in order to the value a source reached. */
export type Transform =
  | 'lowercase'
  | 'uppercase'
  | 'trim'
  | 'first'
  | { split: string }
  | { join: string }
  | { map: Record<string, unknown>; default?: unknown };

/** A SCIM attribute path (`name.givenName`, `emails[type eq "work"].value`, `urn:…:User:department`) or a constant. */
export type Source = string | { constant: unknown };

/** One attribute's mapping in a directory. */
export interface AttributeMappingEntry {
  attribute: string;
  source: Source;
  transforms?: Transform[];
}

/** What a required attribute lacks on a user. */
export interface MappingWarning {
  attribute: string;
  code: 'missing_required';
}

/** A user's mapped values: every defined attribute by name (null when unmapped, missing or of the wrong type). */
export interface MappedAttributes {
  values: Record<string, unknown>;
  warnings: MappingWarning[];
}

/** A role the operator defined (`POST /roles`); a higher priority wins. */
export interface RoleDef {
  slug: string;
  name: string;
  priority: number;
  default: boolean;
}

/** A field-level error in a mapping or definition the API refuses (422 `{field, code, message}`). */
export interface MappingFieldError {
  field: string;
  code: string;
  message: string;
}

/** What parsing or compiling admin input gives: the value, or every field error found (not just the first). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: MappingFieldError[] };

/** A source compiled once per mapping, then evaluated per user: no parsing in the per-user loop. */
export type SourceEvaluator = (resource: unknown) => unknown;

/** A list of transforms compiled into one function. */
export type TransformFn = (value: unknown) => unknown;

/** `POST /custom_attributes` once validated. */
export interface CustomAttributeInput {
  name: string;
  type: AttributeType;
  required: boolean;
  description: string | null;
}

/** `POST /roles` once validated; `PATCH /roles/{slug}` gives a part of it. */
export interface RoleInput {
  slug: string;
  name: string;
  priority: number;
  default: boolean;
}

/** A mapping entry as the directory applies it: its own (`custom`) or the directory type's (`default`). */
export type EffectiveMappingEntry = AttributeMappingEntry & { origin: 'default' | 'custom' };
