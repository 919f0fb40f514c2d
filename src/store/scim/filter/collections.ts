/**
 * The elements of a multi-valued attribute. Emails, a user's groups and a group's members are child tables,
 * reached with `r.id in (select …)`, which the planner drives from the child table's index; any other
 * multi-valued attribute is the JSON array in the resource.
 */
import { sql } from 'kysely';
import type { Filter } from '../../../scim/filter/ast.ts';
import * as d from '../sql-dialect.ts';
import { invalid, jsonKeys, subDef, type FilterContext, type Sql } from './context.ts';
import type { Resolved } from '../../../scim/schema/resolve.ts';
import { elementOperand, type Operand } from './operands.ts';

/** The elements of a multi-valued attribute: how to say "some element matches", and how to read one. */
export interface Collection {
  /** True when some element satisfies `inner` (or, without it, when there is any element). */
  any(inner: Sql | undefined): Sql;
  element(subName: string | undefined): Operand;
  /**
   * Set for the child tables (each `any` is one `r.id in (select …)` subquery); undefined for JSON arrays. Also
   * what an `or` merges by: a membership subquery joins the other side only to read its display name.
   */
  table?: 'emails' | 'groups' | 'groups with names' | 'members' | 'members with users';
}

/** The elements of `resolved`, for an element filter reading `filter`'s sub-attributes. */
export function collection(ctx: FilterContext, resolved: Resolved, filter: Filter | undefined): Collection {
  const { attr } = resolved;
  const core = resolved.schema === ctx.coreSchema;
  const emailColumns = ['value', 'type', 'primary'];
  // The emails table holds value, type and primary; other sub-attributes are read from the JSON array.
  if (core && ctx.resourceType === 'User' && attr.name === 'emails' && subNames(filter).every((n) => emailColumns.includes(n))) {
    return emails(ctx);
  }
  const readsDisplay = subNames(filter).includes('display');
  if (core && ctx.resourceType === 'User' && attr.name === 'groups') return userGroups(ctx, readsDisplay);
  if (core && ctx.resourceType === 'Group' && attr.name === 'members') return groupMembers(ctx, readsDisplay);
  return jsonCollection(ctx, resolved);
}

function emails(ctx: FilterContext): Collection {
  const { dialect } = ctx;
  return {
    table: 'emails',
    any: (inner) =>
      sql`r.id in (select e.user_id from directory_user_emails e where e.directory_id = ${ctx.directoryId}${inner ? sql` and ${inner}` : sql``})`,
    element: (sub) => {
      const name = (sub ?? 'value').toLowerCase();
      if (name === 'type') return { expr: d.lower(dialect, sql.ref('e.type')), type: 'string', caseExact: false, lowered: true, source: 'column', nullable: true };
      if (name === 'primary') return { expr: sql.ref('e.primary'), type: 'boolean', caseExact: true, source: 'column' };
      return { expr: sql.ref('e.value_lower'), type: 'string', caseExact: false, lowered: true, source: 'column' };
    },
  };
}

/**
 * A user's groups, from the membership rows; joined to the groups only to read their names (every row has its
 * group: the foreign key cascades deletes).
 */
function userGroups(ctx: FilterContext, withNames: boolean): Collection {
  const join = withNames ? sql` join directory_groups g on g.id = m.group_id` : sql``;
  return {
    table: withNames ? 'groups with names' : 'groups',
    any: (inner) => sql`r.id in (select m.user_id from directory_group_members m${join} where m.directory_id = ${ctx.directoryId}${inner ? sql` and ${inner}` : sql``})`,
    element: (sub) => membershipElement(sub, sql.ref('m.group_id'), sql.ref('g.display_name_lower'), 'direct'),
  };
}

/** A group's members, from the membership rows; joined to the users only to read their display names. */
function groupMembers(ctx: FilterContext, withUsers: boolean): Collection {
  const join = withUsers ? sql` join directory_users u on u.id = m.user_id` : sql``;
  return {
    table: withUsers ? 'members with users' : 'members',
    any: (inner) => sql`r.id in (select m.group_id from directory_group_members m${join} where m.directory_id = ${ctx.directoryId}${inner ? sql` and ${inner}` : sql``})`,
    element: (sub) => memberElement(ctx.dialect, sub),
  };
}

/** A group member's `value`, `display` or `type`, over the membership row `m` and the member user `u`. */
export function memberElement(dialect: d.Dialect, sub: string | undefined): Operand {
  const display = d.lower(dialect, sql`coalesce(${d.jsonText(dialect, sql.ref('u.resource'), ['displayName'])}, u.user_name)`);
  return membershipElement(sub, sql.ref('m.user_id'), display, 'User');
}

function membershipElement(sub: string | undefined, value: Sql, display: Sql, type: string): Operand {
  switch ((sub ?? 'value').toLowerCase()) {
    case 'value':
      return { expr: value, type: 'string', caseExact: true, source: 'column' };
    case 'display':
      return { expr: display, type: 'string', caseExact: false, lowered: true, source: 'column' };
    case 'type':
      return { expr: sql.lit(type), type: 'string', caseExact: false, source: 'constant' };
    default:
      throw invalid(`'${sub}' cannot be filtered on here; use value, display or type.`);
  }
}

/** Any other multi-valued attribute: the elements of its JSON array. */
function jsonCollection(ctx: FilterContext, resolved: Resolved): Collection {
  const { dialect } = ctx;
  const keys = jsonKeys(ctx, { ...resolved, sub: undefined });
  const element = sql.ref('j.value');
  const rows = d.jsonArrayRows(dialect, sql.ref('r.resource'), keys, 'j');
  return {
    any: (inner) => sql`exists (select 1 from ${rows}${inner ? sql` where ${inner}` : sql``})`,
    element: (sub) => {
      if (!resolved.attr.subAttributes) {
        // A multi-valued simple attribute: the element is the value.
        if (sub && sub !== 'value') throw invalid(`'${resolved.attr.name}' has no sub-attribute '${sub}'.`);
        return elementOperand(dialect, element, [], resolved.attr);
      }
      const def = subDef(resolved.attr, { attr: sub ?? 'value' });
      return elementOperand(dialect, element, [def.name], def);
    },
  };
}

/** Lowercased sub-attribute names an element filter reads. */
function subNames(filter: Filter | undefined): string[] {
  if (!filter) return [];
  switch (filter.kind) {
    case 'and':
    case 'or':
      return [...subNames(filter.left), ...subNames(filter.right)];
    case 'not':
      return subNames(filter.filter);
    case 'valuePath':
      return [filter.path.attr.toLowerCase()];
    default:
      return [(filter.path.sub ? `${filter.path.attr}.${filter.path.sub}` : filter.path.attr).toLowerCase()];
  }
}
