/** What a SCIM request must meet before and during its write: an id of ours, a matching If-Match, a free name. */
import { isId, printableId as shown } from '../ids.ts';
import { ScimError, conflict, notFound } from '../scim/errors.ts';
import { etagMatches } from '../scim/etag.ts';
import { isUniqueViolation } from '../store/errors.ts';

/**
 * Ids are ours (`directory_user_…`, `directory_group_…`): anything else (NUL, control characters, 10,000
 * characters) names no resource, answered 404 without a query (PostgreSQL refuses NUL in text with an error).
 */
export function assertId(id: string, kind: 'User' | 'Group'): void {
  if (!isId(id, kind === 'User' ? 'directory_user' : 'directory_group')) throw notFound(`${kind} not found: "${shown(id)}" is not a ${kind} id.`);
}

/** The request's If-Match header, if any, must match the resource's version (else 412). */
export function checkIfMatch(ifMatch: string | undefined, version: number): void {
  if (ifMatch !== undefined && !etagMatches(ifMatch, version)) {
    throw new ScimError(412, undefined, 'The resource has changed: its ETag no longer matches If-Match.');
  }
}

/** A unique index violation (a duplicate, or a concurrent writer that won) is a 409 uniqueness. */
export async function guardUnique<T>(detail: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(detail);
    throw error;
  }
}
