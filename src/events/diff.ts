/**
 * `previous_attributes` of a `*.updated` event: the shallow previous values of what changed. Nested objects
 * that carry many attributes (raw_attributes, custom_attributes) are diffed one level down, so a change to one
 * SCIM attribute reports that attribute, not the whole resource. A value that did not exist before is null.
 */
import { isObject, jsonEqual, type Json } from '../scim/json.ts';

const IGNORED = new Set(['updated_at', 'version']);
const NESTED = new Set(['raw_attributes', 'custom_attributes']);

function shallow(before: Json, after: Json, ignored: Set<string>): Json {
  const out: Json = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (ignored.has(key) || jsonEqual(before[key], after[key])) continue;
    out[key] = before[key] ?? null;
  }
  return out;
}

export function previousAttributes(before: Json, after: Json): Json {
  const out = shallow(before, after, IGNORED);
  for (const key of NESTED) {
    if (!(key in out)) continue;
    const b = before[key];
    const a = after[key];
    if (isObject(b) && isObject(a)) out[key] = shallow(b, a, key === 'raw_attributes' ? new Set(['meta']) : new Set());
  }
  if (isObject(out.raw_attributes) && Object.keys(out.raw_attributes).length === 0) delete out.raw_attributes;
  return out;
}
