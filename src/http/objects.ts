/**
 * The API's objects (API.md §3) as TypeBox schemas, which validate nothing at runtime here but drive response
 * serialization and the OpenAPI document, and the functions that build them from records. The management API
 * answers with them, and events carry them: the SCIM endpoint records `dsync.activated` with a directory object.
 */
import { Type, type Static, type TString } from '@sinclair/typebox';
import type { DirectoryRecord, OrganizationRecord, TokenRecord } from '../store/store.ts';
import { scimBaseUrl } from '../urls.ts';

export const Nullable = <T extends TString>(t: T) => Type.Union([t, Type.Null()]);

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
] as const;

export const OrganizationDomain = Type.Object({
  object: Type.Literal('organization_domain'),
  id: Type.String(),
  organization_id: Type.String(),
  domain: Type.String(),
});

export const Organization = Type.Object(
  {
    object: Type.Literal('organization'),
    id: Type.String(),
    name: Type.String(),
    domains: Type.Array(OrganizationDomain),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'Organization' },
);

export const DirectorySettings = Type.Object(
  {
    inactive_users: Type.Optional(
      Type.Union([Type.Literal('retain'), Type.Literal('delete')], {
        description: '`retain` keeps deactivated users as `inactive`; `delete` deletes them on deactivation.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const Directory = Type.Object(
  {
    object: Type.Literal('directory'),
    id: Type.String(),
    organization_id: Type.String(),
    external_key: Type.String({ description: "WorkOS's key of the directory in its SCIM URL; here, the directory's id." }),
    type: Type.String(),
    state: Type.String(),
    name: Type.String(),
    domain: Nullable(Type.String()),
    scim_base_url: Type.String(),
    settings: DirectorySettings,
    metadata: Type.Object({
      users: Type.Object({ active: Type.Integer(), inactive: Type.Integer() }),
      groups: Type.Integer(),
    }),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'Directory' },
);

export const DirectoryWithToken = Type.Composite([
  Directory,
  Type.Object({
    bearer_token: Type.String({ description: 'The first SCIM bearer token. Shown only in this response.' }),
    bearer_token_id: Type.String(),
  }),
]);

export const DirectoryToken = Type.Object(
  {
    object: Type.Literal('directory_token'),
    id: Type.String(),
    directory_id: Type.String(),
    token_suffix: Type.String(),
    state: Type.Union([Type.Literal('active'), Type.Literal('revoked')]),
    created_at: Type.String({ format: 'date-time' }),
    last_used_at: Nullable(Type.String({ format: 'date-time' })),
    revoked_at: Nullable(Type.String({ format: 'date-time' })),
  },
  { $id: 'DirectoryToken' },
);

export const NewDirectoryToken = Type.Composite([
  DirectoryToken,
  Type.Object({ token: Type.String({ description: 'The bearer token. Shown only in this response.' }) }),
]);

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
