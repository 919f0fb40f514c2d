/**
 * Value rules of the tolerant edge, applied wherever an attribute's definition is known (bodies, PATCH values):
 * - Q3 boolean strings: `"True"`, `"false"` for boolean attributes (Entra without the aadOptscim062020 flag,
 *   Microsoft's tests, OneLogin templates). Only those two words are converted, never by truthiness.
 * - Q9 empty strings: `""` for an attribute means "no value" (Entra's legacy bodies, Okta's PUT echo).
 * - Q6 manager: a bare id string, `{value}` or `[{"$ref","value"}]` (Entra) all become `{value, $ref?}`.
 * - Q7 a multi-valued complex attribute sent as a JSON string (Entra's roles) is parsed.
 */
import { findByName } from '../scim/schema/resolve.ts';
import type { AttributeDef } from '../scim/schema/types.ts';
import { isObject, type Json } from '../scim/json.ts';

export function booleanFromString(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const lower = value.trim().toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : value;
}

function parseJsonString(value: string): unknown {
  const text = value.trim();
  if (!text.startsWith('[') && !text.startsWith('{')) return value;
  try {
    return JSON.parse(text);
  } catch {
    return value;
  }
}

/** Normalizes a value typed by `def`; `null` stands for "no value". */
export function normalizeValue(def: AttributeDef, value: unknown): unknown {
  if (value === '') return null;
  if (def.type === 'complex' && def.multiValued && typeof value === 'string') value = parseJsonString(value);
  if (def.name === 'manager' && def.type === 'complex') return normalizeManager(def, value);
  if (Array.isArray(value) && def.multiValued) return value.map((item) => normalizeSingle(def, item)).filter((item) => item !== null);
  return normalizeSingle(def, value);
}

function normalizeSingle(def: AttributeDef, value: unknown): unknown {
  if (value === '') return null;
  if (def.type === 'boolean') return booleanFromString(value);
  if (def.type === 'complex' && isObject(value)) return normalizeObject(def.subAttributes ?? [], value);
  return value;
}

function normalizeManager(def: AttributeDef, value: unknown): unknown {
  if (typeof value === 'string') return value.trim() === '' ? null : { value };
  if (Array.isArray(value)) return value.length === 0 ? null : normalizeManager(def, value[0]);
  return isObject(value) ? normalizeObject(def.subAttributes ?? [], value) : value;
}

/** Normalizes an object's attributes, matched case-insensitively by name; unknown keys pass through. */
export function normalizeObject(defs: AttributeDef[], value: Json): Json {
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    const def = findByName(defs, key);
    out[key] = def ? normalizeValue(def, v) : v;
  }
  return out;
}
