/**
 * Which filters can match at most one resource: an equality on a unique attribute, as IdPs send to look a user
 * up before creating it. Such a list needs no separate count (see ResourceListQuery.atMostOne).
 */
import type { Filter } from '../scim/filter/ast.ts';
import type { ResourceTypeDef } from '../scim/schema/types.ts';

/** Attributes unique within a directory (userName and displayName case-insensitively, by their indexes). */
const UNIQUE_ATTRIBUTES: Record<string, string[]> = { User: ['id', 'username'], Group: ['id', 'displayname'] };

/** Whether `filter` can match at most one resource: an equality on a unique attribute, alone or in an `and`. */
export function matchesAtMostOne(filter: Filter, rt: ResourceTypeDef): boolean {
  // A stack, not recursion: the filter comes from the client.
  const stack = [filter];
  while (stack.length > 0) {
    const term = stack.pop()!;
    if (term.kind === 'and') stack.push(term.right, term.left);
    else if (uniqueEquality(term, rt)) return true;
  }
  return false;
}

/**
 * Attributes whose equality an index answers with a handful of rows in practice: the unique ones, externalId,
 * and the `value` of emails (users) and members (groups), as IdPs look resources up.
 */
const INDEXED_ATTRIBUTES: Record<string, string[]> = { User: ['id', 'username', 'externalid'], Group: ['id', 'displayname', 'externalid'] };
const INDEXED_VALUES: Record<string, string> = { User: 'emails', Group: 'members' };

/**
 * Whether `filter` selects by an equality on an indexed attribute (alone or in an `and`): few rows match, so a
 * list reads its page first and counts only when the page is full (see ResourceListQuery.fewMatches).
 */
export function matchesFew(filter: Filter, rt: ResourceTypeDef): boolean {
  const stack = [filter];
  while (stack.length > 0) {
    const term = stack.pop()!;
    if (term.kind === 'and') stack.push(term.right, term.left);
    else if (indexedEquality(term, rt)) return true;
  }
  return false;
}

function indexedEquality(term: Filter, rt: ResourceTypeDef): boolean {
  const values = INDEXED_VALUES[rt.id];
  if (term.kind === 'valuePath') {
    // `emails[type eq "work" and value eq "…"]`: the inner equality on value is the indexed one.
    if (term.path.attr.toLowerCase() !== values || !ownSchema(term.path, rt)) return false;
    const inner = [term.filter];
    while (inner.length > 0) {
      const t = inner.pop()!;
      if (t.kind === 'and') inner.push(t.right, t.left);
      else if (t.kind === 'compare' && t.op === 'eq' && typeof t.value === 'string' && t.path.sub === undefined && t.path.attr.toLowerCase() === 'value') return true;
    }
    return false;
  }
  if (term.kind !== 'compare' || term.op !== 'eq' || typeof term.value !== 'string' || !ownSchema(term.path, rt)) return false;
  const attr = term.path.attr.toLowerCase();
  if (term.path.sub !== undefined) return attr === values && term.path.sub.toLowerCase() === 'value';
  return (INDEXED_ATTRIBUTES[rt.id] ?? []).includes(attr);
}

function ownSchema(path: { uri?: string }, rt: ResourceTypeDef): boolean {
  return path.uri === undefined || path.uri.toLowerCase() === rt.schema.toLowerCase();
}

function uniqueEquality(term: Filter, rt: ResourceTypeDef): boolean {
  if (term.kind !== 'compare' || term.op !== 'eq' || term.path.sub !== undefined || typeof term.value !== 'string') return false;
  if (term.path.uri !== undefined && term.path.uri.toLowerCase() !== rt.schema.toLowerCase()) return false;
  return (UNIQUE_ATTRIBUTES[rt.id] ?? []).includes(term.path.attr.toLowerCase());
}
