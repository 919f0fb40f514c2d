/**
 * Transforms, applied in order to what a source reached. Each one is total: a value it does not apply to
 * passes through unchanged, so a user whose IdP sent an unexpected shape gets a null from type fitting later,
 * never an error in the middle of a SCIM write.
 *
 * - `lowercase`, `uppercase`, `trim`: strings, and the string elements of a list.
 * - `first`: the first element of a list (undefined when empty); a non-list passes through.
 * - `{split: sep}`: a string becomes its parts, each trimmed, empty parts dropped: `"a; b;"` split on `;` is
 *   `["a", "b"]`, since IdP fields are typed by hand and a trailing or doubled separator means nothing.
 * - `{join: sep}`: a list becomes the text of its non-null scalar elements joined (objects and lists skipped).
 * - `{map: {from: to}, default?}`: a scalar is looked up by its text (`42` as "42", `true` as "true"), exact
 *   key first, then case-insensitively; with no match, `default` when given, else the value unchanged. A list
 *   is mapped element by element. A missing value (null, undefined) stays missing: `default` is for values
 *   the map does not know, not for absent ones, so a required attribute still warns.
 */
import { deeperThan, isObject } from '../scim/json.ts';
import { textProblem } from '../scim/text.ts';
import type { MappingFieldError, Parsed, TransformFn } from './types.ts';

export const MAX_TRANSFORMS = 20;
export const MAX_MAP_ENTRIES = 1_000;
export const MAX_SEPARATOR_LENGTH = 100;
/** A map's target and default are admin data stored with the mapping, bounded like a constant. */
export const MAX_MAP_VALUE_BYTES = 4_096;

const NAMED = ['lowercase', 'uppercase', 'trim', 'first'] as const;

/** Applies `fn` to a string, or to each string element of a list. */
const onStrings = (fn: (s: string) => string) => (value: unknown) =>
  typeof value === 'string' ? fn(value) : Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? fn(v) : v)) : value;

const NAMED_FNS: Record<(typeof NAMED)[number], TransformFn> = {
  lowercase: onStrings((s) => s.toLowerCase()),
  uppercase: onStrings((s) => s.toUpperCase()),
  trim: onStrings((s) => s.trim()),
  first: (value) => (Array.isArray(value) ? value[0] : value),
};

const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

export function split(separator: string): TransformFn {
  return (value) =>
    typeof value === 'string'
      ? value
          .split(separator)
          .map((part) => part.trim())
          .filter((part) => part !== '')
      : value;
}

export function join(separator: string): TransformFn {
  return (value) => (Array.isArray(value) ? value.filter(isScalar).map(String).join(separator) : value);
}

export function lookup(table: Record<string, unknown>, fallback: { value: unknown } | undefined): TransformFn {
  // Maps, not the object: a value "constructor" or "__proto__" must not find Object.prototype's members.
  const exact = new Map<string, unknown>();
  const folded = new Map<string, unknown>();
  for (const [from, to] of Object.entries(table)) {
    exact.set(from, to);
    // The first key wins among keys that differ only in case, as the exact match would in reading order.
    if (!folded.has(from.toLowerCase())) folded.set(from.toLowerCase(), to);
  }
  const copy = (v: unknown) => (typeof v === 'object' && v !== null ? structuredClone(v) : v);
  const one = (value: unknown): unknown => {
    if (!isScalar(value)) return value;
    const text = String(value);
    if (exact.has(text)) return copy(exact.get(text));
    const lower = text.toLowerCase();
    if (folded.has(lower)) return copy(folded.get(lower));
    return fallback ? copy(fallback.value) : value;
  };
  return (value) => (Array.isArray(value) ? value.map(one) : one(value));
}

/** Validates a transform list and compiles it into one function. */
export function compileTransforms(input: unknown, field = 'transforms'): Parsed<TransformFn> {
  if (input === undefined || input === null) return { ok: true, value: (v) => v };
  if (!Array.isArray(input)) return { ok: false, errors: [{ field, code: 'invalid_type', message: 'transforms must be a list.' }] };
  if (input.length > MAX_TRANSFORMS) {
    return { ok: false, errors: [{ field, code: 'too_many', message: `At most ${MAX_TRANSFORMS} transforms are allowed.` }] };
  }
  const errors: MappingFieldError[] = [];
  const fns: TransformFn[] = [];
  input.forEach((t, i) => {
    const compiled = compileTransform(t, `${field}[${i}]`);
    if (compiled.ok) fns.push(compiled.value);
    else errors.push(...compiled.errors);
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: (value) => fns.reduce((v, fn) => fn(v), value) };
}

function compileTransform(t: unknown, field: string): Parsed<TransformFn> {
  const fail = (message: string, code = 'invalid_transform'): Parsed<TransformFn> => ({ ok: false, errors: [{ field, code, message }] });
  if (typeof t === 'string') {
    const fn = (NAMED as readonly string[]).includes(t) ? NAMED_FNS[t as (typeof NAMED)[number]] : undefined;
    return fn ? { ok: true, value: fn } : fail(`Unknown transform "${t.slice(0, 50)}": expected one of ${NAMED.join(', ')}, {split}, {join}, {map}.`);
  }
  if (!isObject(t)) return fail('A transform is a name or an object ({split}, {join} or {map}).');
  const keys = Object.keys(t);
  if ('split' in t || 'join' in t) {
    const name = 'split' in t ? 'split' : 'join';
    if (keys.length !== 1) return fail(`{${name}} takes no other key.`);
    return separator(t[name], `${field}.${name}`, name === 'split' ? split : join);
  }
  if ('map' in t) {
    const extra = keys.filter((k) => k !== 'map' && k !== 'default');
    if (extra.length > 0) return fail(`{map} takes only "map" and "default", not "${extra[0]!.slice(0, 50)}".`);
    return compileMap(t.map, 'default' in t ? { value: t.default } : undefined, field);
  }
  return fail(`Unknown transform {${keys.map((k) => k.slice(0, 50)).join(', ')}}.`);
}

function separator(sep: unknown, field: string, make: (sep: string) => TransformFn): Parsed<TransformFn> {
  const fail = (code: string, message: string): Parsed<TransformFn> => ({ ok: false, errors: [{ field, code, message }] });
  if (typeof sep !== 'string') return fail('invalid_transform', 'The separator must be a string.');
  if (sep === '') return fail('invalid_transform', 'The separator must not be empty.');
  if (sep.length > MAX_SEPARATOR_LENGTH) return fail('too_long', `The separator is longer than ${MAX_SEPARATOR_LENGTH} characters.`);
  const problem = textProblem(sep);
  if (problem) return fail('invalid_value', `The separator ${problem}.`);
  return { ok: true, value: make(sep) };
}

function compileMap(table: unknown, fallback: { value: unknown } | undefined, field: string): Parsed<TransformFn> {
  const mapField = `${field}.map`;
  if (!isObject(table)) return { ok: false, errors: [{ field: mapField, code: 'invalid_transform', message: '{map} takes an object of from → to.' }] };
  const entries = Object.entries(table);
  if (entries.length > MAX_MAP_ENTRIES) {
    return { ok: false, errors: [{ field: mapField, code: 'too_many', message: `A map holds at most ${MAX_MAP_ENTRIES} entries.` }] };
  }
  const errors: MappingFieldError[] = [];
  for (const [from, to] of entries) {
    const keyProblem = textProblem(from, 1_000);
    if (keyProblem) errors.push({ field: mapField, code: 'invalid_value', message: `A key of the map ${keyProblem}.` });
    errors.push(...jsonValueErrors(to, `${mapField}.${from.slice(0, 100)}`));
  }
  if (fallback) errors.push(...jsonValueErrors(fallback.value, `${field}.default`));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: lookup(table, fallback) };
}

/**
 * Errors for admin JSON kept with a mapping (a constant, a map's target): at most `maxBytes` of UTF-8 once
 * serialized, nested at most 16 deep, and no string that storage refuses (NUL: PostgreSQL rejects it).
 */
export function jsonValueErrors(value: unknown, field: string, maxBytes = MAX_MAP_VALUE_BYTES): MappingFieldError[] {
  if (value === undefined) return [{ field, code: 'required', message: 'A value is required (null is one).' }];
  if (deeperThan(value, 16)) return [{ field, code: 'too_deep', message: 'The value nests deeper than 16 levels.' }];
  const problems: string[] = [];
  visitStrings(value, (s) => {
    const problem = textProblem(s);
    if (problem) problems.push(problem);
  });
  if (problems.length > 0) return [{ field, code: 'invalid_value', message: `A string in the value ${problems[0]}.` }];
  if (new TextEncoder().encode(JSON.stringify(value)).length > maxBytes) {
    return [{ field, code: 'too_long', message: `The value is longer than ${maxBytes} bytes as JSON.` }];
  }
  return [];
}

/** Every string in a JSON value, object keys included (a key reaches storage too). Iterative: no stack to overflow. */
function visitStrings(value: unknown, visit: (s: string) => void): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'string') visit(node);
    else if (Array.isArray(node)) for (const v of node) stack.push(v);
    else if (isObject(node)) for (const [k, v] of Object.entries(node)) stack.push(k, v);
  }
}
