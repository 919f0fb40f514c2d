/**
 * What WorkOS's official SDKs need of each object to deserialize it, field by field, from the colleague's study
 * of their sources ("WorkOS SDK models", /tmp/workos-sdk-models.md; § numbers below are that file's, and
 * "item N" its §11 checklist). Each field says which SDK fails without it, so a violation names the SDK it
 * would break. SDK names: Node v11; Python new (oagen, v6+) and v5 (pydantic); Go v6 and legacy; Ruby 7;
 * Kotlin new (the Java SDK, Jackson) and legacy v4; .NET new and legacy; PHP new (strict_types) and legacy.
 */

export type Kind = 'string' | 'boolean' | 'integer' | 'object' | 'array' | 'timestamp';

export interface Field {
  kind: Kind;
  /** null is allowed (the key must still be there unless `optional`). */
  nullable?: boolean;
  /** The key may be absent. */
  optional?: boolean;
  /** The only values a strict enum accepts. */
  oneOf?: readonly string[];
  /** An object's own fields, or the fields of each item of an array. */
  fields?: Shape;
  /** Which SDK throws without it, and where the study says so. */
  why: string;
}

export type Shape = Record<string, Field>;

/** `2024-01-01T00:00:00.000Z`: UTC, `Z`, exactly 3 fractional digits (item 16). */
export const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function fieldViolations(value: unknown, field: Field, at: string): string[] {
  if (value === null) return field.nullable ? [] : [`${at} is null (${field.why})`];
  const actual = kindOf(value);
  if (field.kind === 'timestamp') {
    return typeof value === 'string' && TIMESTAMP.test(value) ? [] : [`${at} = ${JSON.stringify(value)} is not an ISO timestamp with Z and milliseconds (${field.why})`];
  }
  if (actual !== field.kind) return [`${at} is ${actual}, not ${field.kind} (${field.why})`];
  if (field.oneOf && !field.oneOf.includes(value as string)) return [`${at} = ${JSON.stringify(value)} is not one of ${field.oneOf.join('|')} (${field.why})`];
  if (!field.fields) return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => violations(item, field.fields!, `${at}[${i}]`));
  return violations(value, field.fields, at);
}

/** Every way `value` fails `shape`: missing keys, nulls, wrong types, values outside a strict enum. */
export function violations(value: unknown, shape: Shape, at = '$'): string[] {
  if (kindOf(value) !== 'object') return [`${at} is ${kindOf(value)}, not an object`];
  const object = value as Record<string, unknown>;
  return Object.entries(shape).flatMap(([key, field]) => {
    if (!(key in object)) return field.optional ? [] : [`${at}.${key} is missing (${field.why})`];
    return fieldViolations(object[key], field, `${at}.${key}`);
  });
}

const f = (kind: Kind, why: string, more: Partial<Field> = {}): Field => ({ kind, why, ...more });

// ── Enums ──────────────────────────────────────────────────────────────────────────────────────────────

/** Directory User `state`: Python v5 `Literal`, legacy Kotlin and legacy .NET strict; never `suspended` (item 10). */
export const USER_STATES = ['active', 'inactive'] as const;

/** REST Directory `state`: strict in Kotlin new, .NET new and PHP new (§4, item 20). */
export const REST_DIRECTORY_STATES = ['linked', 'unlinked', 'validating', 'invalid_credentials', 'deleting'] as const;

/** Directory `state` inside events: Python `DsyncActivatedDataState`, Node `EventDirectory` (§4, item 25). */
export const EVENT_DIRECTORY_STATES = ['active', 'inactive', 'validating', 'invalid_credentials', 'deleting'] as const;

/** Directory `type` values in every SDK's enum, new and legacy (§4). */
export const TYPES_EVERY_SDK_KNOWS = [
  'azure scim v2.0',
  'generic scim v2.0',
  'okta scim v2.0',
  'gsuite directory',
  'bamboohr',
  'workday',
  'jump cloud scim v2.0',
  'cyberark scim v2.0',
  'fourth hr',
  'hibob',
  'onelogin scim v2.0',
  'pingfederate scim v2.0',
  'people hr',
  'rippling scim v2.0',
] as const;

/** Known to the new SDKs only (PHP new and .NET new are strict; legacy Kotlin and .NET lack them) (§4). */
export const TYPES_NEW_SDKS_KNOW = [...TYPES_EVERY_SDK_KNOWS, 'sailpoint scim v2.0', 'pending', 's3', 'sftp', 'sftp workday', 'gusto', 'rippling'] as const;

/** Event names every SDK knows; legacy Kotlin's `EventType` throws on any other (§10, item 27). */
export const DSYNC_EVENTS = [
  'dsync.activated',
  'dsync.deleted',
  'dsync.group.created',
  'dsync.group.deleted',
  'dsync.group.updated',
  'dsync.group.user_added',
  'dsync.group.user_removed',
  'dsync.user.created',
  'dsync.user.deleted',
  'dsync.user.updated',
] as const;

/** Known to Python new and Go v6 (typed models), passed through by Node and Ruby; not legacy Kotlin (§7.2). */
export const TOKEN_EVENTS = ['dsync.token.created', 'dsync.token.revoked'] as const;

// ── Objects ────────────────────────────────────────────────────────────────────────────────────────────

/** DirectoryGroup (§5, item 17), alone, inside `user.groups`, and as event data. */
export const DIRECTORY_GROUP: Shape = {
  object: f('string', 'Python v5 Literal["directory_group"]; PHP new R! string (§5)', { oneOf: ['directory_group'] }),
  id: f('string', 'Kotlin new, PHP new, Python v5: R! (§5)'),
  idp_id: f('string', 'Kotlin new, PHP new, Python v5: R! (§5)'),
  directory_id: f('string', 'Kotlin new, PHP new, Python v5: R! (§5)'),
  organization_id: f('string', 'Kotlin new non-null String, PHP new R! string, Python v5 R! str (§5, item 17)'),
  name: f('string', 'Kotlin new, PHP new, Python v5: R! (§5)'),
  raw_attributes: f('object', 'Python v5 R! Mapping, legacy Kotlin Group.rawAttributes R! Map (§5, item 17)'),
  created_at: f('timestamp', 'Kotlin new R! OffsetDateTime, Python new parsed, Python v5 R! (§5, item 16)'),
  updated_at: f('timestamp', 'Kotlin new R! OffsetDateTime, Python new parsed, Python v5 R! (§5, item 16)'),
};

const EMAIL: Shape = {
  primary: f('boolean', 'legacy .NET Email.Primary is a non-null bool; legacy Go Primary bool (§3, item 12)'),
  type: f('string', 'Python new/v5, Kotlin new: optional string, null accepted (§3, item 12)', { nullable: true }),
  value: f('string', 'every SDK reads it as the address (§3, item 12)'),
};

const SLUG: Shape = { slug: f('string', 'Python new SlimRole, Kotlin new SlimRole(slug: String), PHP new SlimRole::fromArray (§3, item 14)') };

/** DirectoryUser as events carry it: no `groups` (§7.2, items 8–14, 16). */
export const DIRECTORY_USER: Shape = {
  object: f('string', 'Python v5 Literal["directory_user"]; PHP new R! string (§3, item 8)', { oneOf: ['directory_user'] }),
  id: f('string', 'Kotlin new, PHP new, Python v5: R! (§3, item 9)'),
  directory_id: f('string', 'Kotlin new, PHP new, Python v5: R! (§3, item 9)'),
  organization_id: f('string', 'Kotlin new non-null String, PHP new R! string, Python v5 R! str (§3, item 9)'),
  idp_id: f('string', 'Kotlin new, PHP new, Python v5: R! (§3, item 9)'),
  email: f('string', 'Python new: the key must exist, null allowed (§3, item 13)', { nullable: true }),
  first_name: f('string', 'read by every SDK as string|null (§3, item 8)', { nullable: true }),
  last_name: f('string', 'read by every SDK as string|null (§3, item 8)', { nullable: true }),
  username: f('string', 'Python new/v5, Kotlin new, PHP new: optional string (§3, item 8)', { nullable: true }),
  job_title: f('string', 'Python new/v5, Kotlin new, PHP new: optional string (§3, item 8)', { nullable: true }),
  state: f('string', 'Python v5 Literal, legacy Kotlin strict {active, inactive}; PHP new/.NET new/Kotlin new strict (§3, item 10)', { oneOf: USER_STATES }),
  raw_attributes: f('object', 'Python v5, Kotlin new, PHP new R! object; Go map (an array fails) (§3, item 11)'),
  custom_attributes: f('object', 'Python new/v5, Kotlin new, PHP new R! object (§3, item 11)'),
  emails: f('array', 'Python v5 R! list; legacy Kotlin R! List<Email> (§3, item 12)', { fields: EMAIL }),
  role: f('object', 'if present: Python new, Kotlin new and PHP new require {slug: string} (§3, item 14)', { optional: true, nullable: true, fields: SLUG }),
  roles: f('array', 'if present: Python new, PHP new read [{slug}] (§3, item 14)', { optional: true, nullable: true, fields: SLUG }),
  created_at: f('timestamp', 'Kotlin new OffsetDateTime, PHP new DateTimeImmutable, Python new parsed, Go v1/v2 time.Time (§3, item 16)'),
  updated_at: f('timestamp', 'Kotlin new OffsetDateTime, PHP new DateTimeImmutable, Python new parsed, Go v1/v2 time.Time (§3, item 16)'),
};

/** DirectoryUserWithGroups: every REST user, list items too (§3, item 15). */
export const REST_DIRECTORY_USER: Shape = {
  ...DIRECTORY_USER,
  groups: f('array', 'Node v11 groups.map, Python v5, Kotlin new, PHP new: R! array of full groups (§3, item 15)', { fields: DIRECTORY_GROUP }),
};

/** Directory (§4, items 18–20). */
export const DIRECTORY: Shape = {
  object: f('string', 'Python v5 Literal["directory"]; PHP new R! string (§4)', { oneOf: ['directory'] }),
  id: f('string', 'Kotlin new, PHP new, Python v5: R! (§4)'),
  organization_id: f('string', 'Python v5 R! str, Kotlin new non-null, PHP new R! string (§4, item 18)'),
  external_key: f('string', 'Kotlin new non-null, PHP new R! string, Python v5 R! (§4, item 18)'),
  name: f('string', 'Kotlin new, PHP new, Python v5, legacy Kotlin: R! (§4)'),
  type: f('string', 'PHP new and .NET new strict enums (§4, item 19)', { oneOf: TYPES_NEW_SDKS_KNOW }),
  state: f('string', 'Kotlin new, .NET new, PHP new strict; Node maps linked→active (§4, item 20)', { oneOf: REST_DIRECTORY_STATES }),
  domain: f('string', 'Python new/v5, Kotlin new, PHP new: optional, null accepted (§4, item 18)', { nullable: true }),
  // The study left `metadata` unread (§12) and advised omitting it; API.md requires it. Python new's
  // directory_sync/models/directory_metadata.py (@541f5717) reads {users: {active, inactive}, groups}, all required.
  metadata: f('object', 'Python new DirectoryMetadata.from_dict: data["users"], data["groups"] (directory_metadata.py)', {
    optional: true,
    fields: {
      users: f('object', 'Python new DirectoryMetadataUser: data["active"], data["inactive"] (directory_metadata_user.py)', {
        fields: {
          active: f('integer', 'Python new DirectoryMetadataUser.active: int'),
          inactive: f('integer', 'Python new DirectoryMetadataUser.inactive: int'),
        },
      }),
      groups: f('integer', 'Python new DirectoryMetadata.groups: int'),
    },
  }),
  created_at: f('timestamp', 'Kotlin new R! OffsetDateTime, Python new parsed (§4, item 16)'),
  updated_at: f('timestamp', 'Kotlin new R! OffsetDateTime, Python new parsed (§4, item 16)'),
};

/** The list envelope (§6, item 6). */
export const LIST: Shape = {
  object: f('string', 'Python v5 ListResource: R! Literal["list"] (§6, item 6)', { oneOf: ['list'] }),
  data: f('array', 'Node list.data.map; Python v5 R! (§6, item 6)'),
  list_metadata: f('object', 'Node auto-pagination reads .after; Python new: explicit null is an AttributeError (§6, item 6)', {
    fields: {
      before: f('string', 'Python new/v5 Optional[str]; both keys expected by legacy PHP (§6, item 6)', { nullable: true }),
      after: f('string', 'every SDK pages on it (§6, items 6–7)', { nullable: true }),
    },
  }),
};

/** Event envelope (§7.1, item 21). */
export const EVENT: Shape = {
  object: f('string', 'Python v5 Literal["event"]; PHP new R! string; Python new typed Dsync* models R (§7.1)', { oneOf: ['event'] }),
  id: f('string', 'every SDK: R (§7.1)'),
  event: f('string', 'the discriminator; legacy Kotlin throws on an unknown name (§7.1, item 27)', { oneOf: [...DSYNC_EVENTS, ...TOKEN_EVENTS] }),
  data: f('object', 'Node dereferences it; PHP new R! array; Kotlin new R! (§7.1)'),
  created_at: f('timestamp', 'Python new parsed, Kotlin new OffsetDateTime, PHP new DateTimeImmutable (§7.1, item 21)'),
  context: f('object', 'optional in Python new, Go v6, Kotlin new, PHP new (§7.1)', { optional: true, nullable: true }),
};

const DOMAIN: Shape = {
  object: f('string', 'Python v5: domain items R! object "organization_domain" (§7.2, item 25)', { oneOf: ['organization_domain'] }),
  id: f('string', 'Python new and v5: R (§7.2, item 25)'),
  domain: f('string', 'Python new and v5: R (§7.2, item 25)'),
  organization_id: f('string', 'Python v5: R! str (§7.2, item 25)'),
};

/** `dsync.deleted` data (§7.2, item 26). */
export const DELETED_DIRECTORY: Shape = {
  object: f('string', 'Python new DsyncDeletedData: R (§7.2, item 26)', { oneOf: ['directory'] }),
  id: f('string', 'Python new DsyncDeletedData: R (§7.2, item 26)'),
  organization_id: f('string', 'Python v5 R! str (§7.2, item 26)'),
  type: f('string', 'Python new R; legacy Kotlin deserializes it as a REST Directory (§7.2, item 26)', { oneOf: TYPES_NEW_SDKS_KNOW }),
  state: f('string', 'the event vocabulary (Python DsyncActivatedDataState, Node EventDirectory) (§4, item 26)', { oneOf: EVENT_DIRECTORY_STATES }),
  name: f('string', 'Python new R; legacy Kotlin R! (§7.2, item 26)'),
  created_at: f('timestamp', 'Python new R, parsed (§7.2, item 26)'),
  updated_at: f('timestamp', 'Python new R, parsed (§7.2, item 26)'),
};

/** `dsync.activated` data (§7.2, item 25). */
export const ACTIVATED_DIRECTORY: Shape = {
  ...DELETED_DIRECTORY,
  state: f('string', 'the event vocabulary, normally active (Python DsyncActivatedDataState, Node EventDirectory) (§4, item 25)', { oneOf: EVENT_DIRECTORY_STATES }),
  external_key: f('string', 'Python new R; Python v5 R! (§7.2, item 25)'),
  domains: f('array', 'Python new R; Node EventDirectory.domains (§7.2, item 25)', { fields: DOMAIN }),
};

const PREVIOUS = f('object', 'Node copies it to previousAttributes; Python/Go optional object (§7.2, items 22–23)');

function membership(): Shape {
  return {
    directory_id: f('string', 'Python new data["directory_id"] (§7.2, item 24)'),
    user: f('object', 'Node dereferences data.user; Python data["user"] (§7.2, item 24)', { fields: DIRECTORY_USER }),
    group: f('object', 'Node dereferences data.group; Python data["group"] (§7.2, item 24)', { fields: DIRECTORY_GROUP }),
  };
}

/** `dsync.token.*` data, as Python new and Go v6 type it: {object, id, directory_id, token_suffix, created_at} (§7.2). */
const TOKEN: Shape = {
  object: f('string', 'Python new/Go v6 token models (§7.2)', { oneOf: ['directory_token'] }),
  id: f('string', 'Python new/Go v6 token models (§7.2)'),
  directory_id: f('string', 'Python new/Go v6 token models (§7.2)'),
  token_suffix: f('string', 'Python new/Go v6 token models (§7.2)'),
  created_at: f('timestamp', 'Python new/Go v6 token models (§7.2)'),
};

/** The data each event type carries (§7.2). */
export const EVENT_DATA: Record<string, Shape> = {
  'dsync.activated': ACTIVATED_DIRECTORY,
  'dsync.deleted': DELETED_DIRECTORY,
  'dsync.user.created': DIRECTORY_USER,
  'dsync.user.deleted': DIRECTORY_USER,
  'dsync.user.updated': { ...DIRECTORY_USER, previous_attributes: PREVIOUS },
  'dsync.group.created': DIRECTORY_GROUP,
  'dsync.group.deleted': DIRECTORY_GROUP,
  'dsync.group.updated': { ...DIRECTORY_GROUP, previous_attributes: PREVIOUS },
  'dsync.group.user_added': membership(),
  'dsync.group.user_removed': membership(),
  'dsync.token.created': TOKEN,
  'dsync.token.revoked': TOKEN,
};

/** `WorkOS-Signature`: the one form every SDK's parser accepts (§10, item 28). */
export const WORKOS_SIGNATURE = /^t=(\d{13}), v1=([0-9a-f]{64})$/;
