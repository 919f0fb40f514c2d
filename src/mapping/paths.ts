/**
 * Sources: a SCIM attribute path or a constant, compiled once and evaluated against each stored User resource.
 *
 * The grammar is the PATCH path's (RFC 7644 §3.5.2: attrPath [valFilter] [.subAttr]), so the parser and the
 * in-memory filter evaluator of src/scim are reused as they are. What a path reaches:
 *
 * - `userName`, `name.givenName`: the value (undefined when absent);
 * - `emails.value`: a sub-attribute across a multi-valued attribute gives the list of the elements' values;
 *   `emails`: the list itself;
 * - `emails[type eq "work"].value`: ONE element, the matching one with `primary: true`, else the first match.
 *   A mapping wants "the work email", a single value; an IdP sends one element per type anyway, and
 *   `emails.value` is there for the whole list;
 * - `urn:…:User:department`: the attribute in the extension object stored under the schema URN (keys matched
 *   case-insensitively, RFC 7643 §2.1). Any URN works, custom ones included (`urn:okta:acme:1.0:user:costCenter`):
 *   the attribute is after the last `:`. The core User URN names the resource itself.
 *
 * Tolerance for what IdPs store (the resource is the IdP's, not ours): an extension attribute kept as a
 * URN-qualified top-level key (`"urn:…:enterprise:2.0:User:department": "X"`, as Entra sometimes sends), and a
 * bare string where a complex `{value}` is expected (`manager: "id"` read as `manager.value`).
 */
import { isObject, type Json } from '../scim/json.ts';
import type { EvalContext } from '../scim/filter/evaluate.ts';
import { matches } from '../scim/filter/evaluate.ts';
import type { Filter, PatchPath } from '../scim/filter/ast.ts';
import { isSchemaUrn, parsePatchPath } from '../scim/filter/path.ts';
import { USER_SCHEMA } from '../scim/schema/types.ts';
import type { Parsed, Source, SourceEvaluator } from './types.ts';

export const MAX_PATH_LENGTH = 512;

/** Value filters compare case-insensitively (`type eq "Work"` matches `work`): no attribute here is caseExact. */
const FILTER_CONTEXT: EvalContext = { caseExact: () => false, type: () => undefined };

const CORE_USER = USER_SCHEMA.toLowerCase();

/** Compiles a source: a path string or `{constant: value}`. */
export function compileSource(source: Source, field = 'source'): Parsed<SourceEvaluator> {
  if (typeof source === 'string') return compileSourcePath(source, field);
  // Stored mappings are validated on the way in; this guards against a row edited by hand, not the API.
  if (typeof source !== 'object' || source === null || !('constant' in source)) {
    return { ok: false, errors: [{ field, code: 'invalid_type', message: 'source is a SCIM attribute path or {"constant": value}.' }] };
  }
  const constant = source.constant;
  // A constant object or list is copied per user, so that no caller can change what every other user gets.
  const evaluator: SourceEvaluator = typeof constant === 'object' && constant !== null ? () => structuredClone(constant) : () => constant;
  return { ok: true, value: evaluator };
}

/** Parses a path into its evaluator; an invalid path is an `invalid_path` field error. */
export function compileSourcePath(text: string, field = 'source'): Parsed<SourceEvaluator> {
  const fail = (message: string): Parsed<SourceEvaluator> => ({ ok: false, errors: [{ field, code: 'invalid_path', message }] });
  if (text.length > MAX_PATH_LENGTH) return { ok: false, errors: [{ field, code: 'too_long', message: `The path is longer than ${MAX_PATH_LENGTH} characters.` }] };
  if (isSchemaUrn(text)) return fail(`"${text}" names a schema, not an attribute in it.`);
  let parsed: PatchPath;
  try {
    parsed = parsePatchPath(text);
  } catch (error) {
    return fail(error instanceof Error ? error.message : 'The path is not valid.');
  }
  return { ok: true, value: evaluatorFor(parsed) };
}

/** A case-insensitive key reader; the lowercase name is computed once, at compile time. */
function reader(name: string): (obj: unknown) => unknown {
  const lower = name.toLowerCase();
  return (obj) => {
    if (!isObject(obj)) return undefined;
    if (Object.hasOwn(obj, name)) return obj[name];
    for (const key of Object.keys(obj)) if (key.toLowerCase() === lower) return obj[key];
    return undefined;
  };
}

/** Reads a sub-attribute; a scalar stands for its own `value` (Entra's `manager: "id"`). */
function subReader(sub: string): (v: unknown) => unknown {
  const read = reader(sub);
  const isValue = sub.toLowerCase() === 'value';
  return (v) => (isObject(v) ? read(v) : isValue && v !== null && typeof v !== 'object' ? v : undefined);
}

/** Reads the top-level attribute, from the resource, its extension object, or a URN-qualified top-level key. */
function attributeReader(uri: string | undefined, attr: string): (resource: Json) => unknown {
  const readAttr = reader(attr);
  if (uri === undefined) return readAttr;
  const readExtension = reader(uri);
  const readFlat = reader(`${uri}:${attr}`);
  const core = uri.toLowerCase() === CORE_USER;
  return (resource) => {
    const extension = readExtension(resource);
    const nested = isObject(extension) ? readAttr(extension) : undefined;
    if (nested !== undefined) return nested;
    if (core) return readAttr(resource);
    return readFlat(resource);
  };
}

function evaluatorFor(parsed: PatchPath): SourceEvaluator {
  const { uri, attr, sub } = parsed.path;
  const readAttribute = attributeReader(uri, attr);
  if (parsed.filter) return filtered(readAttribute, parsed.filter, parsed.subAfterFilter);
  if (sub === undefined) return (resource) => (isObject(resource) ? readAttribute(resource) : undefined);
  const readSub = subReader(sub);
  // `urn:…:User:manager.value` may itself be a top-level key.
  const readFlatSub = uri === undefined ? undefined : reader(`${uri}:${attr}.${sub}`);
  return (resource) => {
    if (!isObject(resource)) return undefined;
    const value = readAttribute(resource);
    if (value === undefined) return readFlatSub?.(resource);
    if (!Array.isArray(value)) return readSub(value);
    return value.map(readSub).filter((v) => v !== undefined && v !== null);
  };
}

function filtered(readAttribute: (r: Json) => unknown, filter: Filter, subAfterFilter: string | undefined): SourceEvaluator {
  const readSub = subAfterFilter === undefined ? undefined : subReader(subAfterFilter);
  const readPrimary = reader('primary');
  return (resource) => {
    if (!isObject(resource)) return undefined;
    const value = readAttribute(resource);
    // A filter on a single-valued complex attribute (RFC 7644 §3.5.2) tests that one value.
    const elements = Array.isArray(value) ? value : [value];
    let chosen: unknown;
    for (const element of elements) {
      if (!isObject(element) || !matches(filter, element, FILTER_CONTEXT)) continue;
      if (chosen === undefined) chosen = element;
      const primary = readPrimary(element);
      if (primary === true || (typeof primary === 'string' && primary.toLowerCase() === 'true')) {
        chosen = element;
        break;
      }
    }
    if (chosen === undefined) return undefined;
    return readSub ? readSub(chosen) : chosen;
  };
}
