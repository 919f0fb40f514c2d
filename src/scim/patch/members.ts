/**
 * Group membership PATCH operations become MemberOps (rows), never a rewritten `members` array.
 */
import { badRequest } from '../errors.ts';
import type { Filter } from '../filter/ast.ts';
import type { MemberOp } from './types.ts';

/** Reads `[{value: id}, …]` (or one `{value}`) into ids; every element needs a string `value`. */
export function memberValues(value: unknown): string[] {
  const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return items.map((item, i) => {
    const v = item && typeof item === 'object' ? (item as Record<string, unknown>).value ?? findValue(item as Record<string, unknown>) : undefined;
    if (typeof v !== 'string' || v === '') throw badRequest('invalidValue', `members[${i}] needs a string "value" (the member's id).`);
    return v;
  });
}

function findValue(item: Record<string, unknown>): unknown {
  const key = Object.keys(item).find((k) => k.toLowerCase() === 'value');
  return key === undefined ? undefined : item[key];
}

/** `value eq "a" or value eq "b"` → ['a', 'b']; undefined for any other filter shape. */
export function valueEqualities(filter: Filter): string[] | undefined {
  if (filter.kind === 'or') {
    const left = valueEqualities(filter.left);
    const right = valueEqualities(filter.right);
    return left && right ? [...left, ...right] : undefined;
  }
  if (filter.kind === 'compare' && filter.op === 'eq' && filter.path.attr.toLowerCase() === 'value' && !filter.path.sub && !filter.path.uri) {
    return typeof filter.value === 'string' ? [filter.value] : undefined;
  }
  return undefined;
}

export function memberOp(op: 'add' | 'replace' | 'remove', filter: Filter | undefined, sub: string | undefined, value: unknown): MemberOp {
  if (sub !== undefined) throw badRequest('invalidPath', `members.${sub} cannot be modified: a member is identified by its value.`);
  if (op === 'add') {
    if (filter) throw badRequest('invalidPath', 'add takes "members" without a filter.');
    return { op: 'add', ids: memberValues(value) };
  }
  if (op === 'replace') {
    if (filter) throw badRequest('invalidPath', 'replace takes "members" without a filter; use remove and add.');
    return { op: 'replace', ids: memberValues(value) };
  }
  if (filter) {
    const ids = valueEqualities(filter);
    return ids ? { op: 'remove', ids } : { op: 'removeWhere', filter };
  }
  // `remove members` with a value list removes only those (Entra's default form); without one, all.
  if (value !== undefined && value !== null) return { op: 'remove', ids: memberValues(value) };
  return { op: 'removeAll' };
}
