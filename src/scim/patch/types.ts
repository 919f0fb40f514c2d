import type { Filter } from '../filter/ast.ts';
import type { ScimResource } from '../schema/types.ts';

/**
 * A change to a Group's membership, produced by the PATCH engine instead of rewriting a `members` array:
 * memberships are rows, so a PATCH touching 10,000 members never loads the other 90,000.
 */
export type MemberOp =
  | { op: 'add'; ids: string[] }
  | { op: 'remove'; ids: string[] }
  /** `remove members[<filter>]` where the filter is not a plain list of `value eq` terms. */
  | { op: 'removeWhere'; filter: Filter }
  | { op: 'removeAll' }
  /** `replace members` with a list: the membership becomes exactly these ids. */
  | { op: 'replace'; ids: string[] };

export interface PatchResult {
  /** The resource after every non-membership operation. For Groups it never contains `members`. */
  resource: ScimResource;
  /** Membership operations, in request order (always empty for Users). */
  memberOps: MemberOp[];
}
