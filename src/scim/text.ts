/**
 * The text rules every edge applies before anything reaches storage, so that SQLite and PostgreSQL give the
 * same answer: PostgreSQL refuses NUL in text and index keys over 2,704 bytes, which SQLite accepts. Pure.
 *
 * - C0 control characters other than tab, LF and CR, and lone UTF-16 surrogates, are refused in every string.
 * - Identifier-like strings (indexed) hold at most MAX_IDENTIFIER_LENGTH characters, any other string
 *   MAX_STRING_LENGTH; a multi-valued attribute other than `members` at most MAX_MULTI_VALUES values; JSON
 *   nests at most MAX_JSON_DEPTH deep. Characters are Unicode code points.
 */
import { badRequest, type ScimError } from './errors.ts';
import { MAX_JSON_DEPTH, deeperThan } from './json.ts';

export { MAX_JSON_DEPTH };

/** 512 code points are at most 2,048 bytes of UTF-8: under PostgreSQL's 2,704-byte btree limit. */
export const MAX_IDENTIFIER_LENGTH = 512;
export const MAX_STRING_LENGTH = 65_536;
export const MAX_MULTI_VALUES = 1_000;

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Anything worth a closer look: a control character or any surrogate (a pair is fine). One scan, no lookaround. */
const SUSPECT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF]/;

/** Why `text` cannot be stored, as a phrase that follows its name (`"userName" holds …`); undefined when fine. */
export function textProblem(text: string, maxLength = MAX_STRING_LENGTH): string | undefined {
  if (SUSPECT.test(text)) {
    const control = CONTROL.exec(text);
    if (control) return `holds the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    if (LONE_SURROGATE.test(text)) return 'holds a lone UTF-16 surrogate (not valid Unicode)';
  }
  if (text.length > maxLength && codePoints(text) > maxLength) return `is longer than ${maxLength} characters`;
  return undefined;
}

function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

type Container = Record<string, unknown> | unknown[];

const isContainer = (value: unknown): value is Container => typeof value === 'object' && value !== null;

export interface JsonTextProblem {
  /** Where it sits: `emails[0].value`, `Operations[1].data.userName`; '' for the document itself. */
  path: string;
  /** The problem, completing a sentence about `path` (see textProblem); for a key, names it as such. */
  problem: string;
}

/**
 * The first string or object key in a JSON document that breaks the text rule (control characters,
 * surrogates, `maxLength`), found without recursion. Bodies of 100,000 members are walked on every group
 * write, so paths are spelled out only for the one reported; a reported path never holds a bad character.
 */
export function findJsonTextProblem(value: unknown, maxLength = MAX_STRING_LENGTH): JsonTextProblem | undefined {
  if (typeof value === 'string') {
    const problem = textProblem(value, maxLength);
    return problem ? { path: '', problem } : undefined;
  }
  if (!isContainer(value)) return undefined;
  const stack: Container[] = [value];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const array = Array.isArray(node);
    for (const key in node) {
      const keyProblem = array ? undefined : textProblem(key, maxLength);
      if (keyProblem) return { path: pathTo(value, node), problem: `has an attribute name that ${keyProblem}` };
      const child = (node as Record<string, unknown>)[key];
      if (typeof child === 'string') {
        const problem = textProblem(child, maxLength);
        if (problem) return { path: join(pathTo(value, node), key, array), problem };
      } else if (isContainer(child)) {
        stack.push(child);
      }
    }
  }
  return undefined;
}

/** The path from `root` to `target` (by identity), searched without recursion. */
function pathTo(root: Container, target: Container): string {
  const stack: Array<[Container, string]> = [[root, '']];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (node === target) return path;
    const array = Array.isArray(node);
    for (const key in node) {
      const child = (node as Record<string, unknown>)[key];
      if (isContainer(child)) stack.push([child, join(path, key, array)]);
    }
  }
  return '';
}

function join(path: string, key: string, index: boolean): string {
  return index ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
}

/** `"emails[0].value" holds …`, or `The request body has …` for the document itself. */
export function describeJsonTextProblem({ path, problem }: JsonTextProblem): string {
  return path === '' ? `The request body ${problem}.` : `"${path}" ${problem}.`;
}

/** The rule for a whole SCIM request body: 400 invalidValue naming where it breaks; undefined when fine. */
export function checkScimBody(body: unknown): ScimError | undefined {
  if (deeperThan(body, MAX_JSON_DEPTH)) return badRequest('invalidValue', `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
  const problem = findJsonTextProblem(body);
  return problem ? badRequest('invalidValue', describeJsonTextProblem(problem)) : undefined;
}
