/**
 * Strict, schema-driven validation of a resource body (RFC 7643). Attribute names match case-insensitively
 * and come out in the RFC's casing; read-only and unknown attributes are dropped; `password` is dropped (never
 * stored); `null` means absent. Wrong types, and strings or lists beyond the limits of ../text.ts, answer 400
 * invalidValue naming the attribute.
 */
import { badRequest } from '../errors.ts';
import { COMMON_ATTRIBUTES, SCHEMAS } from './definitions.ts';
import { findByName, findSchemaUrn } from './resolve.ts';
import type { AttributeDef, ResourceTypeDef, ScimResource } from './types.ts';
import { isObject, type Json } from '../json.ts';
import { MAX_IDENTIFIER_LENGTH, MAX_MULTI_VALUES, MAX_STRING_LENGTH, textProblem } from '../text.ts';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const BASE64 = /^[A-Za-z0-9+/_\-\s]*={0,2}\s*$/;

export interface ValidateOptions {
  mode: 'create' | 'replace';
}

/** Identifier-like attributes, by resource type: indexed columns, so bounded to MAX_IDENTIFIER_LENGTH. */
const IDENTIFIERS: Record<string, ReadonlySet<string>> = {
  User: new Set(['userName', 'externalId', 'emails.value', 'phoneNumbers.value']),
  Group: new Set(['displayName', 'externalId', 'members.value']),
};
const NO_IDENTIFIERS: ReadonlySet<string> = new Set();

/** What validation needs to know beyond an attribute's definition. */
interface Context {
  /** Attribute paths (`emails.value`) held to MAX_IDENTIFIER_LENGTH. */
  identifiers: ReadonlySet<string>;
}

/** Whether a value on input is dropped: read-only attributes are ignored, and passwords never kept. */
export function isDroppedOnInput(def: AttributeDef): boolean {
  return def.mutability === 'readOnly' || def.mutability === 'writeOnly';
}

export function validateResource(rt: ResourceTypeDef, body: unknown, _options: ValidateOptions): ScimResource {
  if (!isObject(body)) throw badRequest('invalidSyntax', 'The resource must be a JSON object.');
  const schemas = body.schemas ?? findKey(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === rt.schema.toLowerCase())) {
    throw badRequest('invalidSyntax', `"schemas" must include "${rt.schema}".`);
  }
  const ctx: Context = { identifiers: IDENTIFIERS[rt.id] ?? NO_IDENTIFIERS };
  const out: Json = { schemas: [rt.schema] };
  const core = [...COMMON_ATTRIBUTES, ...(SCHEMAS[rt.schema]?.attributes ?? [])];
  for (const [key, value] of Object.entries(body)) {
    if (key.toLowerCase() === 'schemas') continue;
    const extension = findSchemaUrn(rt, key);
    if (extension && extension !== rt.schema) {
      const block = validateExtension(extension, value, ctx);
      if (block) {
        out[extension] = block;
        (out.schemas as string[]).push(extension);
      }
      continue;
    }
    const def = findByName(core, key);
    if (!def || isDroppedOnInput(def)) continue;
    const checked = validateValue(def, value, def.name, ctx);
    if (checked !== undefined) out[def.name] = checked;
  }
  for (const def of core) {
    if (def.required && (out[def.name] === undefined || out[def.name] === '')) {
      throw badRequest('invalidValue', `"${def.name}" is required.`);
    }
  }
  return out;
}

function findKey(obj: Json, name: string): unknown {
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : obj[key];
}

function validateExtension(urn: string, value: unknown, ctx: Context): Json | undefined {
  if (value === null || value === undefined) return undefined;
  if (!isObject(value)) throw badRequest('invalidValue', `"${urn}" must be an object of its attributes.`);
  const defs = SCHEMAS[urn]?.attributes ?? [];
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    const def = findByName(defs, key);
    if (!def || isDroppedOnInput(def)) continue;
    const checked = validateValue(def, v, `${urn}:${def.name}`, ctx);
    if (checked !== undefined) out[def.name] = checked;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Validates one attribute's value; undefined means "absent". */
export function validateValue(def: AttributeDef, value: unknown, label: string, ctx: Context = { identifiers: NO_IDENTIFIERS }): unknown {
  if (value === null || value === undefined) return undefined;
  if (!def.multiValued) return validateSingle(def, value, label, ctx);
  if (!Array.isArray(value)) throw badRequest('invalidValue', `"${label}" is multi-valued: send an array.`);
  // Members are rows, never a stored list: a group may have 100,000.
  if (def.name !== 'members' && value.length > MAX_MULTI_VALUES) {
    throw badRequest('invalidValue', `"${label}" holds more than ${MAX_MULTI_VALUES} values.`);
  }
  const items = value
    .map((item, i) => (item === null ? undefined : validateSingle(def, item, `${label}[${i}]`, ctx)))
    .filter((item) => item !== undefined);
  if (def.type === 'complex' && items.filter((i) => isObject(i) && i.primary === true).length > 1) {
    throw badRequest('invalidValue', `At most one value of "${label}" may be primary.`);
  }
  if (def.name === 'members') {
    items.forEach((m, i) => {
      if (!isObject(m) || typeof m.value !== 'string' || m.value === '') {
        throw badRequest('invalidValue', `"${label}[${i}].value" (the member's id) is required.`);
      }
    });
  }
  return items.length > 0 ? items : undefined;
}

function validateSingle(def: AttributeDef, value: unknown, label: string, ctx: Context): unknown {
  const wrong = (what: string) => badRequest('invalidValue', `"${label}" must be ${what}.`);
  switch (def.type) {
    case 'string':
    case 'reference':
      if (typeof value !== 'string') throw wrong('a string');
      return checkText(value, label, ctx);
    case 'binary':
      if (typeof value !== 'string' || !BASE64.test(value)) throw wrong('base64 text');
      return checkText(value, label, ctx);
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong('true or false');
      return value;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw wrong('an integer');
      return value;
    case 'decimal':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw wrong('a number');
      return value;
    case 'dateTime':
      if (typeof value !== 'string' || !ISO_DATE.test(value) || Number.isNaN(Date.parse(value))) throw wrong('an ISO 8601 dateTime');
      return value;
    case 'complex':
      return validateComplex(def, value, label, ctx);
  }
}

/** The text rule (../text.ts): no control characters or lone surrogates, and a bounded length. */
function checkText(value: string, label: string, ctx: Context): string {
  const max = ctx.identifiers.has(label.replace(/\[\d+\]/g, '')) ? MAX_IDENTIFIER_LENGTH : MAX_STRING_LENGTH;
  const problem = textProblem(value, max);
  if (problem) throw badRequest('invalidValue', `"${label}" ${problem}.`);
  return value;
}

function validateComplex(def: AttributeDef, value: unknown, label: string, ctx: Context): Json | undefined {
  if (!isObject(value)) throw badRequest('invalidValue', `"${label}" is complex: send an object.`);
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    const sub = findByName(def.subAttributes, key);
    // members.display is derived by the server, but is kept in validation so PATCH filters can name it.
    if (!sub || (isDroppedOnInput(sub) && !(def.name === 'members' && sub.name === 'display'))) continue;
    const checked = validateValue(sub, v, `${label}.${sub.name}`, ctx);
    if (checked !== undefined) out[sub.name] = checked;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
