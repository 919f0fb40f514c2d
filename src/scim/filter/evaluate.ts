/**
 * In-memory filter evaluation, for PATCH value filters on the elements of one multi-valued attribute (and for
 * whole resources). Semantics match the SQL compiler: strings compare case-insensitively unless caseExact,
 * dateTimes as instants, a multi-valued attribute matches if any element does, and `ne` on an absent
 * attribute is true.
 */
import type { AttrType } from '../schema/types.ts';
import type { AttrPath, CompareOp, Filter, Literal } from './ast.ts';
import { isObject } from '../json.ts';

export interface EvalContext {
  caseExact(path: AttrPath): boolean;
  type(path: AttrPath): AttrType | undefined;
}


function get(obj: unknown, key: string): unknown {
  if (!isObject(obj)) return undefined;
  const found = Object.keys(obj).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : obj[found];
}

/** The values a path reaches: several when it crosses a multi-valued attribute. */
function values(value: unknown, path: AttrPath): unknown[] {
  // An extension URN names the object stored under it; the core schema's URN names the resource itself.
  const extension = path.uri ? get(value, path.uri) : undefined;
  const container = isObject(extension) ? extension : value;
  let reached = flatten(get(container, path.attr));
  if (path.sub !== undefined) reached = reached.flatMap((v) => flatten(get(v, path.sub!)));
  else reached = reached.map((v) => (isObject(v) && 'value' in v ? v.value : v));
  return reached.filter((v) => v !== undefined);
}

function flatten(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

function present(v: unknown): boolean {
  return v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);
}

function compare(actual: unknown, op: CompareOp, expected: Exclude<Literal, null>, caseExact: boolean, type: AttrType | undefined): boolean {
  if (typeof expected === 'boolean' || typeof actual === 'boolean') {
    const a = typeof actual === 'string' ? actual.toLowerCase() === 'true' : actual;
    return op === 'eq' ? a === expected : op === 'ne' ? a !== expected : false;
  }
  if (typeof expected === 'number' && typeof actual === 'number') return relate(actual, op, expected);
  if (typeof actual !== 'string' && typeof actual !== 'number') return false;
  if (type === 'dateTime') {
    const a = Date.parse(String(actual));
    const e = Date.parse(String(expected));
    if (Number.isNaN(a) || Number.isNaN(e) || ['co', 'sw', 'ew'].includes(op)) return false;
    return relate(a, op, e);
  }
  let a = String(actual);
  let e = String(expected);
  if (!caseExact) {
    a = a.toLowerCase();
    e = e.toLowerCase();
  }
  if (op === 'co') return a.includes(e);
  if (op === 'sw') return a.startsWith(e);
  if (op === 'ew') return a.endsWith(e);
  return relate(a, op, e);
}

function relate<T extends string | number>(a: T, op: CompareOp, e: T): boolean {
  switch (op) {
    case 'eq':
      return a === e;
    case 'ne':
      return a !== e;
    case 'gt':
      return a > e;
    case 'ge':
      return a >= e;
    case 'lt':
      return a < e;
    case 'le':
      return a <= e;
    default:
      return false;
  }
}

export function matches(filter: Filter, value: unknown, ctx: EvalContext): boolean {
  switch (filter.kind) {
    case 'and':
      return matches(filter.left, value, ctx) && matches(filter.right, value, ctx);
    case 'or':
      return matches(filter.left, value, ctx) || matches(filter.right, value, ctx);
    case 'not':
      return !matches(filter.filter, value, ctx);
    case 'present':
      return values(value, filter.path).some(present);
    case 'valuePath': {
      const extension = filter.path.uri ? get(value, filter.path.uri) : undefined;
      const elements = flatten(get(isObject(extension) ? extension : value, filter.path.attr));
      return elements.some((el) => matches(filter.filter, el, ctx));
    }
    case 'compare': {
      const found = values(value, filter.path);
      const expected = filter.value;
      if (expected === null) return filter.op === 'eq' ? !found.some(present) : filter.op === 'ne' && found.some(present);
      const caseExact = ctx.caseExact(filter.path);
      const type = ctx.type(filter.path);
      if (filter.op === 'ne') return !found.some((v) => compare(v, 'eq', expected, caseExact, type));
      return found.some((v) => compare(v, filter.op, expected, caseExact, type));
    }
  }
}
