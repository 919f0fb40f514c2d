/**
 * Roles from groups (API.md §7): a user's roles are those its groups map to, highest priority first; its
 * `role` is the first of them, else the default role.
 */
import type { RoleDef } from './types.ts';

/** Priority descending, then slug ascending, so that equal priorities still give one stable answer. */
function byPriority(a: RoleDef, b: RoleDef): number {
  return b.priority - a.priority || (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0);
}

/**
 * `groupRoleSlugs`: the role slugs the user's groups map to, repeats allowed. Slugs of roles since deleted
 * are ignored. Null when no role is defined: the caller keeps its behaviour from before roles existed.
 */
export function resolveRoles(defs: RoleDef[], groupRoleSlugs: string[]): { role: string; roles: string[] } | null {
  if (defs.length === 0) return null;
  const wanted = new Set(groupRoleSlugs);
  const known = new Map(defs.map((d) => [d.slug, d]));
  const held = [...known.values()].filter((d) => wanted.has(d.slug)).sort(byPriority);
  const ranked = [...known.values()].sort(byPriority);
  // With no default flagged (which the API should prevent), the highest priority role stands in for it.
  const fallback = ranked.find((d) => d.default) ?? ranked[0]!;
  const roles = held.length > 0 ? held.map((d) => d.slug) : [fallback.slug];
  return { role: roles[0]!, roles };
}
