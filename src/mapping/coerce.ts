/**
 * Type fitting: after the transforms, a value is fitted to its attribute's type, and what does not fit is
 * null. The host app then reads `custom_attributes` without checking types: a `number` attribute is a number
 * or null, never the string an IdP happened to send.
 *
 * | type          | fits                                                                   | null                          |
 * | ------------- | ---------------------------------------------------------------------- | ----------------------------- |
 * | `string`      | strings; finite numbers and booleans as their text                     | `""`, whitespace only, lists, objects |
 * | `number`      | finite numbers; strings that are a plain decimal (`"42"`, `"-3.5"`)    | anything else (`"1e3"`, `" 4"`) |
 * | `boolean`     | booleans; `"true"`/`"false"` in any case, `"1"`/`"0"`                   | anything else (`1`, `"yes"`)  |
 * | `string_list` | lists, elements as for `string` (unfit ones dropped); a single scalar as a one-element list | no element left |
 * | `object`      | a plain JSON object                                                    | lists, scalars                |
 *
 * undefined (missing) is null for every type.
 */
import { isObject } from '../scim/json.ts';
import type { AttributeType } from './types.ts';

const DECIMAL = /^-?\d+(\.\d+)?$/;

function fitString(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value === 'boolean') return String(value);
  return null;
}

function fitNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || !DECIMAL.test(value)) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function fitBoolean(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return null;
  const lower = value.toLowerCase();
  return lower === 'true' || value === '1' ? true : lower === 'false' || value === '0' ? false : null;
}

function fitStringList(value: unknown): string[] | null {
  const list = (Array.isArray(value) ? value : [value]).map(fitString).filter((s): s is string => s !== null);
  return list.length > 0 ? list : null;
}

const FITS: Record<AttributeType, (value: unknown) => unknown> = {
  string: fitString,
  number: fitNumber,
  boolean: fitBoolean,
  string_list: fitStringList,
  object: (value) => (isObject(value) ? value : null),
};

/** The value fitted to `type`, or null. */
export function fitValue(value: unknown, type: AttributeType): unknown {
  return FITS[type](value);
}

/** Whether a value is already of `type` (null counts: it is every type's "no value"). */
export function fitsType(value: unknown, type: AttributeType): boolean {
  if (value === null) return true;
  switch (type) {
    case 'string':
      return typeof value === 'string' && value.trim() !== '';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'string_list':
      return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v.trim() !== '');
    case 'object':
      return isObject(value);
  }
}
