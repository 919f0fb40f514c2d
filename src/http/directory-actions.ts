/**
 * What the management API and the portal both do to directories: create one (with its first token), add and
 * revoke tokens, delete it. The routes check who may (the API key; a portal session's organization) and shape
 * the answers; the rules live here once.
 */
import { generateDirectoryToken } from '../directory/tokens.ts';
import { newId } from '../ids.ts';
import type { DirectoryRecord, OrganizationRecord, TokenRecord } from '../store/store.ts';
import type { AppContext } from './context.ts';
import { ApiError, invalid } from './errors.ts';
import { isPulled } from '../sources/kinds.ts';
import { DIRECTORY_TYPES, directoryObject, tokenObject } from './objects.ts';

const DEFAULT_SETTINGS = { inactive_users: 'retain' };

const TYPE_LABELS: Record<string, string> = {
  'generic scim v2.0': 'SCIM',
  'okta scim v2.0': 'Okta',
  'azure scim v2.0': 'Microsoft Entra ID',
  'onelogin scim v2.0': 'OneLogin',
  'jump cloud scim v2.0': 'JumpCloud',
  'pingfederate scim v2.0': 'PingFederate',
  'rippling scim v2.0': 'Rippling',
  'cyberark scim v2.0': 'CyberArk',
  'sailpoint scim v2.0': 'SailPoint',
  'gsuite directory': 'Google Workspace',
  workday: 'Workday',
  bamboohr: 'BambooHR',
};

/** 422 naming the accepted values, unless `type` is one of them. */
export function checkDirectoryType(type: string): void {
  if (!(DIRECTORY_TYPES as readonly string[]).includes(type)) {
    throw invalid('type', 'invalid', `type must be one of: ${DIRECTORY_TYPES.join(', ')}.`);
  }
}

export interface NewDirectoryRequest {
  type: string;
  name?: string | undefined;
  domain?: string | undefined;
}

export function directoryActions({ store, config }: Pick<AppContext, 'store' | 'config'>) {
  const present = (dir: DirectoryRecord) => directoryObject(dir, config.publicUrl);
  return {
    present,

    /**
     * A new directory of `org` and its first token (whose secret is returned once); a directory Guestlist pulls
     * has no token (its credentials for the source come with PUT /directories/{id}/connection).
     */
    async create(org: OrganizationRecord, request: NewDirectoryRequest): Promise<{ dir: DirectoryRecord; secret?: string; tokenId?: string }> {
      checkDirectoryType(request.type);
      const name = request.name?.trim() || `${org.name} ${TYPE_LABELS[request.type]}`;
      const domain = request.domain?.trim().toLowerCase() || org.domains[0]?.domain || null;
      const input = { id: newId('directory'), organization_id: org.id, type: request.type, name, domain, settings: DEFAULT_SETTINGS };
      if (isPulled(request.type)) return { dir: await store.createDirectory(input, undefined, tokenObject) };
      const { secret, token } = generateDirectoryToken();
      const dir = await store.createDirectory(input, token, tokenObject);
      return { dir, secret, tokenId: token.id };
    },

    /** Throws StoreConflict('token_limit_reached') when two are active. */
    async createToken(dir: DirectoryRecord): Promise<{ record: TokenRecord; secret: string }> {
      if (isPulled(dir.type)) throw new ApiError(422, 'not_scim', `A ${dir.type} directory is pulled by Guestlist: it has no SCIM token.`);
      const { secret, token } = generateDirectoryToken();
      return { record: await store.createToken(dir.id, token, tokenObject), secret };
    },

    revokeToken: (dir: DirectoryRecord, tokenId: string) => store.revokeToken(dir.id, tokenId, tokenObject),

    /** Deletes it and everything in it, with one `dsync.deleted`; false when it was gone already. */
    delete: (id: string) => store.deleteDirectory(id, present),
  };
}

export type DirectoryActions = ReturnType<typeof directoryActions>;
