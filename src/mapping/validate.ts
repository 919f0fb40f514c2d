/**
 * Validation of the admin input this module owns: `PUT /directories/{id}/attribute_mapping`,
 * `POST /custom_attributes`, `POST /roles` and `PATCH /roles/{slug}`. Every problem is reported at once, each
 * as `{field, code, message}` with the field named as in the body (`mappings[2].source`), for a 422.
 *
 * Codes: `required`, `invalid_type`, `invalid_value` (a string storage refuses: NUL, which PostgreSQL rejects,
 * other control characters, lone surrogates; or a value outside an enumeration), `invalid_format`, `too_long`,
 * `too_many`, `too_deep`, `out_of_range`, `unknown_field`, `unknown_attribute`, `duplicate_attribute`,
 * `invalid_path`, `invalid_transform`, `type_mismatch`, `immutable`.
 */
import { isObject, type Json } from '../scim/json.ts';
import { textProblem } from '../scim/text.ts';
import { fitValue } from './coerce.ts';
import { compileSourcePath, MAX_PATH_LENGTH } from './paths.ts';
import { compileTransforms, jsonValueErrors } from './transforms.ts';
import { ATTRIBUTE_TYPES } from './types.ts';
import type { AttributeMappingEntry, AttributeType, CustomAttributeDef, CustomAttributeInput, MappingFieldError, RoleInput, Source, Transform } from './types.ts';

export const MAX_MAPPINGS = 200;
export const MAX_CONSTANT_BYTES = 4_096;
export const MAX_DESCRIPTION_LENGTH = 500;
export const MAX_ROLE_NAME_LENGTH = 100;
export const MAX_PRIORITY = 1_000_000;

/**
 * Attribute names are snake_case, like every field of the API (`first_name`), because they become keys of
 * `custom_attributes` in host apps: lowercase only, so that no two attributes differ only by case, and safe as
 * an identifier in most languages and as a JSON path segment in SQL.
 */
export const ATTRIBUTE_NAME = /^[a-z][a-z0-9_]{0,63}$/;
/** A role slug is what host apps compare (`role.slug === "admin"`); dashes allowed, as in URL slugs. */
export const ROLE_SLUG = /^[a-z0-9][a-z0-9_-]{0,63}$/;

type Result<K extends string, T> = ({ ok: true } & Record<K, T>) | { ok: false; errors: MappingFieldError[] };

const error = (field: string, code: string, message: string): MappingFieldError => ({ field, code, message });

/** Fields of a mapping entry. `origin` is what GET adds to an entry; a client PUTting back what it read is not wrong. */
const ENTRY_KEYS = new Set(['attribute', 'source', 'transforms', 'origin']);

export function parseAttributeMapping(body: unknown, defs: CustomAttributeDef[]): Result<'mappings', AttributeMappingEntry[]> {
  // Other top-level keys (`object`, `directory_id`, `state`) are what GET answers; only `mappings` is read.
  if (!isObject(body)) return { ok: false, errors: [error('body', 'invalid_type', 'The body must be an object {mappings: […]}.')] };
  const list = body.mappings;
  if (list === undefined || list === null) return { ok: false, errors: [error('mappings', 'required', 'mappings is required (a list, possibly empty).')] };
  if (!Array.isArray(list)) return { ok: false, errors: [error('mappings', 'invalid_type', 'mappings must be a list.')] };
  if (list.length > MAX_MAPPINGS) return { ok: false, errors: [error('mappings', 'too_many', `At most ${MAX_MAPPINGS} mappings are allowed.`)] };
  const types = new Map(defs.map((d) => [d.name, d.type]));
  const seen = new Set<string>();
  const errors: MappingFieldError[] = [];
  const mappings: AttributeMappingEntry[] = [];
  list.forEach((item, i) => {
    const entry = parseEntry(item, `mappings[${i}]`, types, seen, errors);
    if (entry) mappings.push(entry);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, mappings };
}

function parseEntry(item: unknown, field: string, types: Map<string, AttributeType>, seen: Set<string>, errors: MappingFieldError[]): AttributeMappingEntry | undefined {
  if (!isObject(item)) {
    errors.push(error(field, 'invalid_type', 'A mapping is an object {attribute, source, transforms?}.'));
    return undefined;
  }
  const before = errors.length;
  errors.push(...unknownFields(item, ENTRY_KEYS, field));
  const attribute = parseMappedAttribute(item.attribute, `${field}.attribute`, types, seen, errors);
  const source = parseSource(item.source, `${field}.source`, errors);
  const transforms = compileTransforms(item.transforms, `${field}.transforms`);
  if (!transforms.ok) errors.push(...transforms.errors);
  if (errors.length > before || attribute === undefined || source === undefined || !transforms.ok) return undefined;
  // A constant that can never fit its attribute's type is a mistake now, not a silent null on every user.
  const type = types.get(attribute);
  if (typeof source === 'object' && source.constant !== null && type && fitValue(transforms.value(source.constant), type) === null) {
    errors.push(error(`${field}.source`, 'type_mismatch', `The constant, once transformed, is not a ${type}.`));
    return undefined;
  }
  const hasTransforms = Array.isArray(item.transforms) && item.transforms.length > 0;
  return { attribute, source, ...(hasTransforms ? { transforms: item.transforms as Transform[] } : {}) };
}

function parseMappedAttribute(value: unknown, field: string, types: Map<string, AttributeType>, seen: Set<string>, errors: MappingFieldError[]): string | undefined {
  const name = requiredString(value, field, errors, 64);
  if (name === undefined) return undefined;
  if (!types.has(name)) {
    errors.push(error(field, 'unknown_attribute', `No custom attribute is named "${name}".`));
    return undefined;
  }
  if (seen.has(name)) {
    errors.push(error(field, 'duplicate_attribute', `"${name}" is mapped more than once.`));
    return undefined;
  }
  seen.add(name);
  return name;
}

function parseSource(value: unknown, field: string, errors: MappingFieldError[]): Source | undefined {
  if (value === undefined || value === null) {
    errors.push(error(field, 'required', 'source is required: a SCIM attribute path or {"constant": value}.'));
    return undefined;
  }
  if (typeof value === 'string') {
    const path = requiredString(value, field, errors, MAX_PATH_LENGTH);
    if (path === undefined) return undefined;
    const compiled = compileSourcePath(path, field);
    if (!compiled.ok) errors.push(...compiled.errors);
    return compiled.ok ? path : undefined;
  }
  if (!isObject(value) || !('constant' in value) || Object.keys(value).length !== 1) {
    errors.push(error(field, 'invalid_type', 'source is a SCIM attribute path or {"constant": value}.'));
    return undefined;
  }
  const problems = jsonValueErrors(value.constant, `${field}.constant`, MAX_CONSTANT_BYTES);
  errors.push(...problems);
  return problems.length > 0 ? undefined : { constant: value.constant };
}

export function parseCustomAttributeInput(body: unknown): Result<'attribute', CustomAttributeInput> {
  if (!isObject(body)) return { ok: false, errors: [error('body', 'invalid_type', 'The body must be an object {name, type, required?, description?}.')] };
  const errors = unknownFields(body, new Set(['name', 'type', 'required', 'description']), '');
  const name = requiredString(body.name, 'name', errors, 64);
  if (name !== undefined && !ATTRIBUTE_NAME.test(name)) {
    errors.push(error('name', 'invalid_format', 'name is snake_case: a lowercase letter, then lowercase letters, digits or "_" (64 at most).'));
  }
  const type = body.type;
  if (type === undefined || type === null) errors.push(error('type', 'required', 'type is required.'));
  else if (!(ATTRIBUTE_TYPES as readonly unknown[]).includes(type)) errors.push(error('type', 'invalid_value', `type is one of ${ATTRIBUTE_TYPES.join(', ')}.`));
  const required = optionalBoolean(body.required, 'required', errors);
  const description = optionalString(body.description, 'description', MAX_DESCRIPTION_LENGTH, errors);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, attribute: { name: name!, type: type as AttributeType, required: required ?? false, description: description ?? null } };
}

/**
 * `POST /roles` (partial false: slug, name and priority required) or `PATCH /roles/{slug}` (partial true).
 * A PATCH cannot change the slug: role mappings and every user's `role.slug` name the role by it.
 */
export function parseRoleInput(body: unknown, partial: boolean): Result<'role', Partial<RoleInput>> {
  if (!isObject(body)) return { ok: false, errors: [error('body', 'invalid_type', 'The body must be an object {slug, name, priority, default?}.')] };
  const errors = unknownFields(body, new Set(['slug', 'name', 'priority', 'default']), '');
  const role: Partial<RoleInput> = {};
  if (partial && body.slug !== undefined) errors.push(error('slug', 'immutable', 'A role keeps its slug; create a new role instead.'));
  else if (!partial || body.slug !== undefined) {
    const slug = requiredString(body.slug, 'slug', errors, 64);
    if (slug !== undefined && !ROLE_SLUG.test(slug)) errors.push(error('slug', 'invalid_format', 'slug is lowercase letters, digits, "_" or "-", starting with a letter or digit.'));
    else if (slug !== undefined) role.slug = slug;
  }
  if (!partial || body.name !== undefined) {
    const name = requiredString(body.name, 'name', errors, MAX_ROLE_NAME_LENGTH);
    if (name !== undefined) role.name = name;
  }
  if (!partial || body.priority !== undefined) {
    const priority = parsePriority(body.priority, errors);
    if (priority !== undefined) role.priority = priority;
  }
  const isDefault = optionalBoolean(body.default, 'default', errors);
  if (isDefault !== undefined) role.default = isDefault;
  else if (!partial) role.default = false;
  return errors.length > 0 ? { ok: false, errors } : { ok: true, role };
}

function parsePriority(value: unknown, errors: MappingFieldError[]): number | undefined {
  if (value === undefined || value === null) errors.push(error('priority', 'required', 'priority is required.'));
  else if (typeof value !== 'number' || !Number.isInteger(value)) errors.push(error('priority', 'invalid_type', 'priority must be an integer.'));
  else if (Math.abs(value) > MAX_PRIORITY) errors.push(error('priority', 'out_of_range', `priority is between -${MAX_PRIORITY} and ${MAX_PRIORITY}.`));
  else return value;
  return undefined;
}

/** A non-blank string of at most `max` characters that storage accepts. */
function requiredString(value: unknown, field: string, errors: MappingFieldError[], max: number): string | undefined {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    errors.push(error(field, 'required', `${field} is required.`));
    return undefined;
  }
  if (typeof value !== 'string') {
    errors.push(error(field, 'invalid_type', `${field} must be a string.`));
    return undefined;
  }
  const problem = textProblem(value, max);
  if (problem) errors.push(error(field, problem.startsWith('is longer') ? 'too_long' : 'invalid_value', `${field} ${problem}.`));
  return problem ? undefined : value;
}

function optionalString(value: unknown, field: string, max: number, errors: MappingFieldError[]): string | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value === 'string' && value.trim() === '') return null;
  return requiredString(value, field, errors, max);
}

function optionalBoolean(value: unknown, field: string, errors: MappingFieldError[]): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  errors.push(error(field, 'invalid_type', `${field} must be true or false.`));
  return undefined;
}

/** A misspelt field (`requried`) is refused rather than silently ignored. */
function unknownFields(object: Json, known: Set<string>, prefix: string): MappingFieldError[] {
  return Object.keys(object)
    .filter((k) => !known.has(k))
    .slice(0, 10)
    .map((k) => error(prefix ? `${prefix}.${k.slice(0, 100)}` : k.slice(0, 100), 'unknown_field', `Unknown field "${k.slice(0, 100)}".`));
}
