/**
 * The API's objects (API.md §3) as TypeBox schemas, which validate nothing at runtime here but drive response
 * serialization and the OpenAPI document, and the functions that build them from records. The management API
 * answers with them, and events carry them: the SCIM endpoint records `dsync.activated` with a directory object.
 * Each object with an `$id` is registered once (openapi/components.ts) and referenced with ref().
 */
import { Type, type Static } from '@sinclair/typebox';
import type { DirectoryRecord, DirectoryState, OrganizationRecord, TokenRecord } from '../store/store.ts';
import { scimBaseUrl } from '../urls.ts';
import { Nullable, StringEnum, ref } from './schema.ts';

export const DIRECTORY_TYPES = [
  'generic scim v2.0',
  'okta scim v2.0',
  'azure scim v2.0',
  'onelogin scim v2.0',
  'jump cloud scim v2.0',
  'pingfederate scim v2.0',
  'rippling scim v2.0',
  'cyberark scim v2.0',
  'sailpoint scim v2.0',
  'gsuite directory',
  'workday',
  'bamboohr',
] as const;

/** Every directory state, with its meaning (a Record, so a new DirectoryState cannot be left undocumented). */
const DIRECTORY_STATES: Record<DirectoryState, string> = {
  linked: 'the IdP has made its first authenticated request',
  unlinked: 'before that',
  deleting: 'while it is being deleted (only in `dsync.deleted`)',
  invalid_credentials: 'a pulled directory whose source refused the stored credentials (nothing was deleted; connect again)',
};

const Timestamp = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });

/** `{message, code, errors?}`: every management API error (API.md §3). */
export const ApiErrorObject = Type.Object(
  {
    message: Type.String({ description: 'What went wrong, for a person.' }),
    code: Type.String({ description: 'What went wrong, for a program: `validation_error`, `entity_not_found`, `unauthorized`, …' }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: 'The field or parameter at fault (`domains.0`, `settings.inactive_users`, `limit`).' }),
          code: Type.String({ description: '`required`, `invalid`, `not_found`, `conflict`, …' }),
          message: Type.Optional(Type.String()),
        }),
      ),
    ),
  },
  { $id: 'Error', description: 'An error.' },
);

export const OrganizationDomain = Type.Object(
  {
    object: Type.Literal('organization_domain'),
    id: Type.String(),
    organization_id: Type.String(),
    domain: Type.String({ description: 'Lowercase.' }),
  },
  { $id: 'OrganizationDomain' },
);

export const Organization = Type.Object(
  {
    object: Type.Literal('organization'),
    id: Type.String({ description: '`org_…`' }),
    name: Type.String(),
    domains: Type.Array(ref(OrganizationDomain)),
    created_at: Timestamp(),
    updated_at: Timestamp(),
  },
  { $id: 'Organization', description: "A customer of the host app, and the email domains it owns." },
);

export const DirectorySettings = Type.Object(
  {
    inactive_users: Type.Optional(
      StringEnum(['retain', 'delete'], {
        description: '`retain` (the default) keeps deactivated users as `inactive`; `delete` deletes them on deactivation.',
      }),
    ),
    sync_interval_minutes: Type.Optional(Type.Integer({ minimum: 5, maximum: 10_080, description: 'Pulled directories: minutes between scheduled syncs (default 30).' })),
    group_filter: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 1000, description: 'Google Workspace: only these groups (ids or emails), and only their members. Empty: everything.' }),
    ),
    deprovision_guard: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean({ description: 'Default: on for pulled directories, off for SCIM ones.' })),
          max_share: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'The share of active users (default 0.3).' })),
          min_users: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'At least this many users (default 10).' })),
          window_minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_080, description: 'Within this window (default 60).' })),
        },
        { additionalProperties: false, description: 'The mass-deprovision guard (docs/sources.md).' },
      ),
    ),
  },
  { additionalProperties: false },
);

const directoryFields = {
  object: Type.Literal('directory'),
  id: Type.String({ description: '`directory_…`' }),
  organization_id: Type.String(),
  external_key: Type.String({ description: "WorkOS's key of the directory in its SCIM URL; here, the directory's id." }),
  type: StringEnum<string>(DIRECTORY_TYPES, { description: 'The identity provider it is set up for.' }),
  state: StringEnum<string>(Object.keys(DIRECTORY_STATES), {
    description: Object.entries(DIRECTORY_STATES).map(([state, meaning]) => `\`${state}\`: ${meaning}`).join('; ') + '.',
  }),
  name: Type.String(),
  domain: Nullable(Type.String()),
  scim_base_url: Type.String({ description: 'The SCIM base URL to give the IdP.' }),
  settings: DirectorySettings,
  metadata: Type.Object({
    users: Type.Object({ active: Type.Integer(), inactive: Type.Integer() }),
    groups: Type.Integer(),
  }),
  created_at: Timestamp(),
  updated_at: Timestamp(),
};

export const Directory = Type.Object(directoryFields, {
  $id: 'Directory',
  description: 'A connection to one identity provider, for one organization.',
});

/**
 * A directory as lifecycle events carry it: `state` in the event vocabulary WorkOS's SDKs expect (`active` /
 * `inactive` where the REST object says `linked` / `unlinked`; src/directory/lifecycle-events.ts), and, in
 * `dsync.activated`, the organization's domains.
 */
export const DirectoryEvent = Type.Object(
  {
    ...directoryFields,
    state: StringEnum<string>(['active', 'inactive', 'deleting', 'invalid_credentials'], {
      description: "The directory's state in the event vocabulary: `active` (linked), `inactive` (unlinked), `deleting`.",
    }),
    domains: Type.Optional(Type.Array(ref(OrganizationDomain), { description: "The organization's domains (`dsync.activated`)." })),
  },
  { $id: 'DirectoryEvent', description: 'A directory as `dsync.activated` and `dsync.deleted` carry it.' },
);

export const DirectoryWithToken = Type.Object(
  {
    ...directoryFields,
    bearer_token: Type.Optional(Type.String({ description: 'The first SCIM bearer token. Shown only in this response. Absent for a directory Guestlist pulls.' })),
    bearer_token_id: Type.Optional(Type.String()),
  },
  { $id: 'DirectoryWithToken', description: 'A new directory, with its first SCIM bearer token.' },
);

const tokenFields = {
  object: Type.Literal('directory_token'),
  id: Type.String({ description: '`directory_token_…`' }),
  directory_id: Type.String(),
  token_suffix: Type.String({ description: "The token's last characters, to tell tokens apart." }),
  state: StringEnum(['active', 'revoked']),
  created_at: Timestamp(),
  last_used_at: Nullable(Timestamp()),
  revoked_at: Nullable(Timestamp()),
};

export const DirectoryToken = Type.Object(tokenFields, {
  $id: 'DirectoryToken',
  description: "A SCIM bearer token of a directory (never the secret itself).",
});

export const NewDirectoryToken = Type.Object(
  { ...tokenFields, token: Type.String({ description: 'The bearer token. Shown only in this response.' }) },
  { $id: 'NewDirectoryToken', description: 'A new SCIM bearer token, with its secret.' },
);

export function organizationObject(org: OrganizationRecord): Static<typeof Organization> {
  return {
    object: 'organization',
    id: org.id,
    name: org.name,
    domains: org.domains.map((d) => ({ object: 'organization_domain', id: d.id, organization_id: org.id, domain: d.domain })),
    created_at: org.created_at,
    updated_at: org.updated_at,
  };
}

export function directoryObject(dir: DirectoryRecord, publicUrl: string): Static<typeof Directory> {
  return {
    object: 'directory',
    id: dir.id,
    organization_id: dir.organization_id,
    external_key: dir.id,
    type: dir.type,
    state: dir.state,
    name: dir.name,
    domain: dir.domain,
    scim_base_url: scimBaseUrl(publicUrl, dir.id),
    settings: dir.settings as Static<typeof DirectorySettings>,
    metadata: { users: { active: dir.users_active, inactive: dir.users_inactive }, groups: dir.groups_count },
    created_at: dir.created_at,
    updated_at: dir.updated_at,
  };
}

export function tokenObject(token: TokenRecord): Static<typeof DirectoryToken> {
  return {
    object: 'directory_token',
    id: token.id,
    directory_id: token.directory_id,
    token_suffix: token.token_suffix,
    state: token.revoked_at ? 'revoked' : 'active',
    created_at: token.created_at,
    last_used_at: token.last_used_at,
    revoked_at: token.revoked_at,
  };
}
