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

function uniqueEquality(term: Filter, rt: ResourceTypeDef): boolean {
  if (term.kind !== 'compare' || term.op !== 'eq' || term.path.sub !== undefined || typeof term.value !== 'string') return false;
  if (term.path.uri !== undefined && term.path.uri.toLowerCase() !== rt.schema.toLowerCase()) return false;
  return (UNIQUE_ATTRIBUTES[rt.id] ?? []).includes(term.path.attr.toLowerCase());
}
