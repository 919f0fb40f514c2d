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

/**
 * `value eq "a" or value eq "b"` → ['a', 'b']; undefined for any other filter shape. Walks with a stack and
 * appends to one list: a chain of 10,000 `or`s neither recurses 10,000 deep nor copies the list at each level.
 */
export function valueEqualities(filter: Filter): string[] | undefined {
  const ids: string[] = [];
  const stack = [filter];
  while (stack.length > 0) {
    const term = stack.pop()!;
    if (term.kind === 'or') {
      stack.push(term.right, term.left);
      continue;
    }
    if (term.kind !== 'compare' || term.op !== 'eq' || term.path.attr.toLowerCase() !== 'value' || term.path.sub || term.path.uri) return undefined;
    if (typeof term.value !== 'string') return undefined;
    ids.push(term.value);
  }
  return ids;
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
