/**
 * PATCH paths (RFC 7644 §3.5.2): PATH = attrPath / valuePath [subAttr]. Reuses the filter parser for the
 * value filter; syntax errors are 400 invalidPath, a compared value that breaks the text rule 400 invalidValue.
 */
import { ScimError, badRequest } from '../errors.ts';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../schema/types.ts';
import type { PatchPath } from './ast.ts';
import { Parser, parseAttrPath } from './parser.ts';

const KNOWN_SCHEMAS = [USER_SCHEMA, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA].map((s) => s.toLowerCase());

/** True when the text names a whole schema (a bare extension URN), not an attribute in it. */
export function isSchemaUrn(text: string): boolean {
  return KNOWN_SCHEMAS.includes(text.trim().toLowerCase());
}

export function parsePatchPath(text: string): PatchPath {
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof ScimError && error.scimType !== 'invalidValue') throw badRequest('invalidPath', error.message.replace(/filter/g, 'path'));
    throw error;
  }
}

function parse(text: string): PatchPath {
  if (typeof text !== 'string' || text.trim() === '') throw badRequest('invalidPath', 'The path is empty.');
  const bracket = text.indexOf('[');
  if (bracket < 0) return { path: parseAttrPath(text.trim()) };
  const path = parseAttrPath(text.slice(0, bracket).trim());
  if (path.sub !== undefined) throw badRequest('invalidPath', `A value filter follows an attribute, not a sub-attribute, at position ${bracket + 1}.`);
  const parser = new Parser(text);
  parser.pos = bracket + 1;
  parser.within = path;
  const filter = parser.filter(true);
  if (text[parser.pos] !== ']') parser.fail('"]"');
  const rest = text.slice(parser.pos + 1).trim();
  if (rest === '') return { path, filter };
  const sub = /^\.(\$ref|[A-Za-z][A-Za-z0-9_-]*)$/.exec(rest);
  if (!sub) throw badRequest('invalidPath', `Expected ".subAttribute" or the end of the path at position ${parser.pos + 2}.`);
  return { path, filter, subAfterFilter: sub[1]! };
}
