/**
 * Q3: boolean attributes sent as strings. Entra (without the aadOptscim062020 flag), Microsoft's reference tests
 * and OneLogin templates send `"active": "True"` / `"primary": "False"`. Only the case-insensitive words true and
 * false are converted, and only where the schema says the attribute is boolean: `Boolean("False")` would be
 * true, so nothing is ever coerced by truthiness.
 */
import { findByName } from '../scim/schema/resolve.ts';
import type { AttributeDef } from '../scim/schema/types.ts';
import { isObject, type Json } from '../scim/json.ts';


export function booleanFromString(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const lower = value.trim().toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : value;
}

/** Converts boolean strings in `value`, typed by `def` (recursing into complex and multi-valued values). */
export function coerceBooleans(def: AttributeDef, value: unknown): unknown {
  if (Array.isArray(value) && def.multiValued) return value.map((item) => coerceSingle(def, item));
  return coerceSingle(def, value);
}

function coerceSingle(def: AttributeDef, value: unknown): unknown {
  if (def.type === 'boolean') return booleanFromString(value);
  if (def.type === 'complex' && isObject(value)) return coerceObject(def.subAttributes ?? [], value);
  return value;
}

/** Converts the boolean strings among an object's attributes, matched case-insensitively by name. */
export function coerceObject(defs: AttributeDef[], value: Json): Json {
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    const def = findByName(defs, key);
    out[key] = def ? coerceBooleans(def, v) : v;
  }
  return out;
}
