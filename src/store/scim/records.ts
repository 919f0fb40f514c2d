/**
 * Stored SCIM resources: the records the store hands out, and their rows. A resource's indexed attributes are
 * columns; the rest is its canonical JSON, without id, meta and the membership attributes, which are rows of
 * their own.
 */
import type { Expression, SqlBool } from 'kysely';
import type { MappedAttributes } from '../../mapping/types.ts';
import { fromFlag, fromJson, toFlag, toJson } from '../codec.ts';

/** A stored SCIM User: indexed columns plus the canonical resource JSON (without id, meta and groups). */
export interface UserRecord {
  id: string;
  directory_id: string;
  user_name: string;
  external_id: string | null;
  active: boolean;
  version: number;
  resource: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  /** What the attribute mapping made of the user; null before any evaluation (no attribute defined then). */
  mapped: MappedAttributes | null;
  /** Resolved role slugs, highest priority first; null while the operator defines no role. */
  role_slugs: string[] | null;
  /** The mapping configuration `mapped` and `role_slugs` were computed with (src/mapping/fingerprint.ts). */
  mapped_fingerprint: string | null;
  /**
   * The app's `active` where the deprovision guard keeps it apart from SCIM's (a held or discarded
   * deactivation); null: the app sees SCIM's.
   */
  app_active: boolean | null;
  /** The IdP deleted the user while the guard keeps it for the app: no SCIM read finds it. */
  scim_deleted: boolean;
}

/** Whether the app sees the user active: SCIM's `active`, unless the deprovision guard holds a deactivation. */
export const appActive = (user: Pick<UserRecord, 'active' | 'app_active'>): boolean => user.app_active ?? user.active;

/**
 * The unique-index key a deleted-but-kept user holds instead of its userName, which the IdP may give to a new
 * user. The id makes it unique; a real userName equal to it would have to guess an id.
 */
const hiddenUserNameKey = (id: string) => `scim-deleted:${id}`;

/** What a user's mapping adds to its record. */
export type UserMapping = Pick<UserRecord, 'mapped' | 'role_slugs' | 'mapped_fingerprint'>;

/** A stored SCIM Group: the resource JSON never holds members; they are rows of their own. */
export interface GroupRecord {
  id: string;
  directory_id: string;
  display_name: string;
  external_id: string | null;
  version: number;
  resource: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface EmailRow {
  value: string;
  type: string | null;
  primary: boolean;
}

/** A membership as SCIM shows it: the other side's id and display name. */
export interface MemberRef {
  id: string;
  display: string;
}

export interface ResourceListQuery {
  /**
   * A compiled SQL predicate over the resource table aliased `r` (see filter-sql.ts). May be a getter that
   * compiles the filter when first read: a list run from its shape's templates never reads it.
   */
  readonly where?: Expression<SqlBool>;
  /** There is a filter (`where` is defined), known without compiling it. */
  filtered?: boolean;
  /** Lists of one shape differ only in the values bound (see statement-shapes.ts). */
  shape?: ListShape;
  /** A compiled SQL sort key over `r`, or undefined for the stable default (creation order). */
  sortKey?: Expression<unknown>;
  descending: boolean;
  /** 0-based offset. */
  offset: number;
  limit: number;
  /**
   * The filter matches at most one resource (an equality on a unique attribute, as IdPs look a user up before
   * creating it): the page itself then gives the total, with no separate count.
   */
  atMostOne?: boolean;
  /**
   * The filter selects by an equality on an indexed attribute (externalId, an email, a member): few rows match,
   * so the page is read first and gives the total unless it is full (no count in the usual lookup).
   */
  fewMatches?: boolean;
}

export interface ListShape {
  /** Equal for two lists whose statements differ only in the values bound. */
  key: string;
  /** Those values: the directory id, then the filter's distinct string values (the store adds limit and offset). */
  args: readonly unknown[];
  /** The same list with `probes` in place of `args`, in order. */
  probe(probes: readonly unknown[]): ResourceListQuery;
}

export interface ResourceList<T> {
  total: number;
  rows: T[];
}

export type Row = Record<string, unknown>;

export function toUser(row: Row): UserRecord {
  const user = toStoredUser(row);
  user.resource = fromJson(user.resource);
  return user as UserRecord;
}

/**
 * A user read to be answered: its resource as the database handed it back (on SQLite the stored JSON text,
 * which a read without projection answers from, unparsed: render.ts, renderUserText).
 */
export type StoredUser = Omit<UserRecord, 'resource'> & { resource: UserRecord['resource'] | string };

/** The user with its resource parsed (in place). */
export function parsedUser(user: StoredUser): UserRecord {
  if (typeof user.resource === 'string') user.resource = JSON.parse(user.resource) as UserRecord['resource'];
  return user as UserRecord;
}

export function toStoredUser(row: Row): StoredUser {
  return {
    id: row.id as string,
    directory_id: row.directory_id as string,
    user_name: row.user_name as string,
    external_id: (row.external_id as string | null) ?? null,
    active: fromFlag(row.active),
    version: Number(row.version),
    resource: row.resource as UserRecord['resource'] | string,
    created_at: row.created_at as string,
    updated_at: row.updated_at as string,
    mapped: row.mapped == null ? null : fromJson<MappedAttributes>(row.mapped),
    role_slugs: row.role_slugs == null ? null : fromJson<string[]>(row.role_slugs),
    mapped_fingerprint: (row.mapped_fingerprint as string | null) ?? null,
    app_active: row.app_active == null ? null : fromFlag(row.app_active),
    scim_deleted: row.scim_deleted == null ? false : fromFlag(row.scim_deleted),
  };
}

export function toGroup(row: Row): GroupRecord {
  return {
    id: row.id as string,
    directory_id: row.directory_id as string,
    display_name: row.display_name as string,
    external_id: (row.external_id as string | null) ?? null,
    version: Number(row.version),
    resource: fromJson(row.resource),
    created_at: row.created_at as string,
    updated_at: row.updated_at as string,
  };
}

export function userRow(user: UserRecord) {
  return {
    id: user.id,
    directory_id: user.directory_id,
    user_name: user.user_name,
    user_name_lower: user.scim_deleted ? hiddenUserNameKey(user.id) : user.user_name.toLowerCase(),
    external_id: user.external_id,
    active: toFlag(user.active),
    app_active: user.app_active === null ? null : toFlag(user.app_active),
    scim_deleted: toFlag(user.scim_deleted),
    version: user.version,
    resource: toJson(user.resource),
    created_at: user.created_at,
    updated_at: user.updated_at,
    ...mappingColumns(user),
  };
}

/** A user's mapping columns, as stored. */
export function mappingColumns(user: UserMapping) {
  return {
    mapped: user.mapped === null ? null : toJson(user.mapped),
    role_slugs: user.role_slugs === null ? null : toJson(user.role_slugs),
    mapped_fingerprint: user.mapped_fingerprint,
    warning_count: user.mapped?.warnings.length ?? 0,
  };
}

export function emailRows(user: UserRecord, emails: EmailRow[]) {
  return emails.map((e, position) => ({
    user_id: user.id,
    directory_id: user.directory_id,
    position,
    value: e.value,
    value_lower: e.value.toLowerCase(),
    type: e.type,
    primary: toFlag(e.primary),
  }));
}

export function groupRow(group: GroupRecord) {
  return {
    id: group.id,
    directory_id: group.directory_id,
    display_name: group.display_name,
    display_name_lower: group.display_name.toLowerCase(),
    external_id: group.external_id,
    version: group.version,
    resource: toJson(group.resource),
    created_at: group.created_at,
    updated_at: group.updated_at,
  };
}
