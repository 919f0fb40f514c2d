/**
 * Beyond LARGE_WRITE member (or other multi-valued) values, a write runs in a transaction of its own instead of
 * a shared batch: on SQLite a batch holds the one write lock, so several large writes in one would add up to a
 * stall for every other write of the process.
 */
const LARGE_WRITE = 100;

/** A resource body carrying many multi-valued values (emails, addresses, …). */
export function isLargeResource(body: unknown): boolean {
  return resourceValueCount(body) > LARGE_WRITE;
}

/** A PATCH carrying many values. */
export function isLargePatch(body: unknown): boolean {
  return patchValueCount(body) > LARGE_WRITE;
}

/** A membership change of many members (the members, or just how many). */
export function isLargeMembership(ids: { length: number }): boolean {
  return ids.length > LARGE_WRITE;
}

/** Values of the multi-valued attributes a resource body carries (emails, addresses, …). */
function resourceValueCount(body: unknown): number {
  if (!body || typeof body !== 'object') return 0;
  let count = 0;
  for (const [key, value] of Object.entries(body)) if (key !== 'schemas' && Array.isArray(value)) count += value.length;
  return count;
}

/** Member values a PATCH carries (an estimate: values of every operation, and `members` inside object values). */
function patchValueCount(body: unknown): number {
  const ops = (body as { Operations?: unknown } | null)?.Operations;
  if (!Array.isArray(ops)) return 0;
  let count = 0;
  for (const op of ops) {
    const value = (op as { value?: unknown } | null)?.value;
    if (Array.isArray(value)) count += value.length;
    else if (value && typeof value === 'object') {
      const members = Object.entries(value).find(([k]) => k.toLowerCase() === 'members')?.[1];
      if (Array.isArray(members)) count += members.length;
    }
  }
  return count;
}
