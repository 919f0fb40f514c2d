/**
 * JSON helpers for client data. Every walk here is iterative (an explicit stack, never recursion): a body may
 * nest arrays 10,000 deep, and a recursive walk would overflow the call stack (a 500) instead of answering.
 */

/** A JSON object, as SCIM bodies and resources are. */
export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The published nesting limit for client JSON (objects and arrays, the outermost counting 1). */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether two JSON values are equal as data: object key order does not matter, a key whose value is undefined
 * counts as absent, and a missing value (undefined) equals null. Compares in place, without serializing: it runs
 * on every update, to find no-ops and the attributes an event reports as changed.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  const pending: unknown[] = [a, b];
  while (pending.length > 0) {
    const y = pending.pop();
    const x = pending.pop();
    if (!levelEqual(x, y, pending)) return false;
  }
  return true;
}

/** Compares one level; pairs of children still to compare are pushed onto `pending`. */
function levelEqual(a: unknown, b: unknown, pending: unknown[]): boolean {
  if (a === b) return true;
  if (a === undefined || a === null || b === undefined || b === null) return (a ?? null) === (b ?? null);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!leafOrPush(a[i], b[i], pending)) return false;
    return true;
  }
  if (!isObject(a) || !isObject(b)) return false;
  let count = 0;
  for (const key of Object.keys(a)) {
    if (a[key] === undefined) continue;
    count += 1;
    if (b[key] === undefined || !leafOrPush(a[key], b[key], pending)) return false;
  }
  for (const key of Object.keys(b)) if (b[key] !== undefined) count -= 1;
  return count === 0;
}

/** Scalars are compared at once (most values are); containers wait on the stack. */
function leafOrPush(a: unknown, b: unknown, pending: unknown[]): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return levelEqual(a, b, pending);
  pending.push(a, b);
  return true;
}

/** Whether `value` nests objects and arrays deeper than `limit` (the outermost counts 1). Stops early. */
export function deeperThan(value: unknown, limit: number): boolean {
  // Two stacks side by side, not a pair per node: a Group of 100,000 members would otherwise allocate 100,000
  // pairs (and as many Object.values arrays) just to be checked.
  const nodes: object[] = [];
  const depths: number[] = [];
  const push = (child: unknown, depth: number) => {
    if (typeof child !== 'object' || child === null) return;
    nodes.push(child);
    depths.push(depth);
  };
  push(value, 1);
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > limit) return true;
    if (Array.isArray(node)) for (const child of node) push(child, depth + 1);
    else for (const key of Object.keys(node)) push((node as Record<string, unknown>)[key], depth + 1);
  }
  return false;
}

/** Calls `visit` with every string in a JSON value (object keys excluded). */
export function forEachString(value: unknown, visit: (s: string) => void): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'string') visit(node);
    else if (typeof node === 'object' && node !== null) for (const child of Object.values(node)) stack.push(child);
  }
}

/** A copy of a JSON value with every string (object keys excluded) replaced by `fn(string)`. */
export function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  const root: { v: unknown } = { v: undefined };
  // Each entry: a source node and where its copy goes.
  const stack: [unknown, Json | unknown[], string | number][] = [[value, root as Json, 'v']];
  while (stack.length > 0) {
    const [node, parent, key] = stack.pop()!;
    let copy: unknown = node;
    if (typeof node === 'string') copy = fn(node);
    else if (Array.isArray(node)) {
      copy = new Array(node.length);
      node.forEach((child, i) => stack.push([child, copy as unknown[], i]));
    } else if (isObject(node)) {
      const object: Json = {};
      // Keys are set now, in order, so the copy keeps the original key order when the values arrive.
      for (const [k, child] of Object.entries(node)) {
        setOwn(object, k, undefined);
        stack.push([child, object, k]);
      }
      copy = object;
    }
    setOwn(parent as Json, key, copy);
  }
  return root.v;
}

/** An own property even for the key `__proto__` (which plain assignment would treat as the prototype). */
function setOwn(target: Json | unknown[], key: string | number, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else (target as Record<string | number, unknown>)[key] = value;
}
