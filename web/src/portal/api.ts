/** The portal's routes (docs/portal.md, "Portal API"): one organization, a session cookie scoped to /portal. */
import { createClient, type Query } from '../lib/http.ts';
import type { MappingApi } from '../components/mapping/api.ts';
import { sourcesApiAt, type SourcesApi } from '../components/sources/api.ts';
import type {
  AttributeMapping,
  AttributePaths,
  CustomAttribute,
  GroupSummary,
  List,
  MappedUser,
  MappingPreviewRow,
  NewToken,
  PortalDirectory,
  Role,
  RoleMapping,
  ScimRequest,
} from '../lib/types.ts';

export interface PortalSession {
  object: 'portal_session';
  organization: { id: string; name: string; domains: (string | { domain: string })[] };
  csrf_token: string;
  expires_at: string;
  return_url: string | null;
  success_url: string | null;
  /** What the operator turned on: `google_consent`, an OAuth client for Google admin consent. */
  features?: { google_consent: boolean };
}

export type NewDirectory = PortalDirectory & { bearer_token?: string };

const sessionEnded = new Set<() => void>();
/** Called whenever the server says the session is over (a 401): the app shows its landing page. */
export const onSessionEnded = (listener: () => void) => {
  sessionEnded.add(listener);
  return () => void sessionEnded.delete(listener);
};

export const client = createClient({ sessionPath: '/portal/api/session', onUnauthorized: () => sessionEnded.forEach((l) => l()) });

const base = '/portal/api/directories';
const dir = (id: string) => `${base}/${encodeURIComponent(id)}`;

export const portalApi = {
  session: () => client.get<PortalSession>('/portal/api/session'),
  /** Google's consent screen for this directory, bound to this session. */
  googleAuthorize: (id: string) => client.get<{ object: 'google_authorization'; url: string }>(`${dir(id)}/google/authorize`),
  logout: () => client.send<void>('POST', '/portal/api/logout'),
  directories: () => client.get<List<PortalDirectory>>(base),
  directory: (id: string) => client.get<PortalDirectory>(dir(id)),
  /** Directories Guestlist pulls (API.md §8) answer without `bearer_token`. */
  createDirectory: (type: string) => client.send<NewDirectory>('POST', base, { type }),
  disconnect: (id: string) => client.send<void>('DELETE', dir(id)),
  createToken: (id: string) => client.send<NewToken>('POST', `${dir(id)}/tokens`),
  revokeToken: (id: string, tokenId: string) => client.send<unknown>('DELETE', `${dir(id)}/tokens/${encodeURIComponent(tokenId)}`),
  scimRequests: (id: string, query: Query) => client.get<List<ScimRequest>>(`${dir(id)}/scim_requests`, query),
};

/** The mapping screens' calls for one of the organization's directories (API.md §7, portal routes). */
export function portalMappingApi(id: string): MappingApi {
  return {
    customAttributes: () => client.get<List<CustomAttribute>>('/portal/api/custom_attributes'),
    roles: () => client.get<List<Role>>('/portal/api/roles'),
    attributeMapping: () => client.get<AttributeMapping>(`${dir(id)}/attribute_mapping`),
    saveAttributeMapping: (mappings) => client.send<AttributeMapping>('PUT', `${dir(id)}/attribute_mapping`, { mappings }),
    preview: (mappings) => client.send<List<MappingPreviewRow>>('POST', `${dir(id)}/attribute_mapping/preview`, { mappings }),
    attributePaths: () => client.get<AttributePaths>(`${dir(id)}/attribute_paths`),
    roleMapping: () => client.get<RoleMapping>(`${dir(id)}/role_mapping`),
    saveRoleMapping: (mappings) => client.send<RoleMapping>('PUT', `${dir(id)}/role_mapping`, { mappings }),
    groups: (query) => client.get<List<GroupSummary>>(`${dir(id)}/groups`, query),
    usersWithWarnings: (after) => client.get<List<MappedUser>>(`${dir(id)}/users`, { warnings: 'true', limit: 20, after }),
  };
}

/** The pulled-directory calls and the guard of any directory (API.md §8) for one of the organization's directories. */
export function portalSourcesApi(id: string): SourcesApi {
  return sourcesApiAt(client, dir(id));
}

/**
 * Bearer tokens revealed in this tab, by directory id: never stored anywhere else (not in the URL, not in
 * storage), so a reload forgets them, as the "shown once" promise says.
 */
export const revealedTokens = new Map<string, string>();
