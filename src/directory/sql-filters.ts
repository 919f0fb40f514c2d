/**
 * SCIM filters and sorts, compiled for the store: a resource type's filter context, a list request as the
 * store's query, and PATCH's `members[…]` selection.
 */
import type { Expression, SqlBool } from 'kysely';
import type { Filter } from '../scim/filter/ast.ts';
import { parseFilter } from '../scim/filter/parser.ts';
import type { ListRequest } from '../scim/list.ts';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../scim/schema/definitions.ts';
import { resolveAttribute } from '../scim/schema/resolve.ts';
import type { ResourceTypeDef } from '../scim/schema/types.ts';
import { compileFilter, compileMemberFilter } from '../store/scim/filter-sql.ts';
import type { FilterContext } from '../store/scim/filter/context.ts';
import { compileSortKey } from '../store/scim/filter/sort-key.ts';
import type { ResourceListQuery } from '../store/scim/records.ts';
import type { Dialect } from '../store/scim/sql-dialect.ts';
import { matchesAtMostOne, matchesFew } from './at-most-one.ts';
import { filterShape } from './list-shape.ts';

function filterContext(dialect: Dialect, rt: ResourceTypeDef, directoryId: string): FilterContext {
  return {
    dialect,
    directoryId,
    resourceType: rt.id,
    coreSchema: rt.schema,
    resolve: (path) => resolveAttribute(rt, path),
  };
}

/**
 * A list request as the store's query. The filter is compiled only when the store reads `where`, which a list
 * run from its shape's statement templates never does; the shape's probe is the same query with other values.
 */
export function listQuery(dialect: Dialect, rt: ResourceTypeDef, directoryId: string, request: ListRequest): ResourceListQuery {
  const filter = request.filter !== undefined ? (request.parsedFilter ?? parseFilter(request.filter)) : undefined;
  const shape = filter ? filterShape(filter, request.filter!) : undefined;
  const query = storeQuery(dialect, rt, directoryId, request, filter);
  if (filter && !shape) return query;
  // Not spread: that would read `where`, compiling the filter.
  query.shape = {
    // JSON, not joined with a separator: no sortBy text can make two different lists' keys equal.
    key: JSON.stringify([rt.id, request.sortBy ?? null, request.sortOrder, shape?.key ?? null]),
    args: [directoryId, ...(shape?.values ?? [])],
    probe: (probes) => storeQuery(dialect, rt, probes[0] as string, request, shape?.with(probes.slice(1) as string[])),
  };
  return query;
}

function storeQuery(dialect: Dialect, rt: ResourceTypeDef, directoryId: string, request: ListRequest, filter: Filter | undefined): ResourceListQuery {
  let where: Expression<SqlBool> | undefined;
  return {
    get where() {
      if (filter && !where) where = compileFilter(filter, filterContext(dialect, rt, directoryId));
      return where;
    },
    filtered: filter !== undefined,
    sortKey: request.sortBy ? compileSortKey(request.sortBy, filterContext(dialect, rt, directoryId)) : undefined,
    descending: request.sortOrder === 'descending',
    offset: request.startIndex - 1,
    limit: request.count,
    atMostOne: filter !== undefined && matchesAtMostOne(filter, rt),
    fewMatches: filter !== undefined && matchesFew(filter, rt),
  };
}

/**
 * A list an index bounds (a lookup by a unique or indexed attribute) reads a few rows; any other may scan a
 * whole directory, so it runs where it cannot hold the event loop (KyselyStore.scanReader).
 */
export function boundedByIndex(query: ResourceListQuery): boolean {
  return query.atMostOne === true || query.fewMatches === true;
}

/** The members a PATCH `members[…]` filter selects, as a predicate over the membership `m` and user `u`. */
export function memberPredicate(dialect: Dialect, filter: Filter, directoryId: string): Expression<SqlBool> {
  return compileMemberFilter(filter, filterContext(dialect, GROUP_RESOURCE_TYPE, directoryId));
}

/**
 * The console's free-text search, as a SCIM filter over the resource `r`: a case-insensitive substring of the
 * userName, any email or a name part (users), or of the displayName (groups). The text is a JSON string in
 * the filter, so no character of it can change the filter's meaning.
 */
export function searchPredicate(dialect: Dialect, kind: 'user' | 'group', directoryId: string, text: string): Expression<SqlBool> {
  const value = JSON.stringify(text);
  const paths = kind === 'user' ? ['userName', 'emails.value', 'name.formatted', 'name.givenName', 'name.familyName', 'displayName'] : ['displayName'];
  const filter = parseFilter(paths.map((path) => `${path} co ${value}`).join(' or '));
  return compileFilter(filter, filterContext(dialect, kind === 'user' ? USER_RESOURCE_TYPE : GROUP_RESOURCE_TYPE, directoryId));
}
