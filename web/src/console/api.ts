/**
 * The operator console's calls: its session routes (docs/portal.md) and the management API (API.md §3), which
 * answers a console session as it answers the API key.
 */
import { createClient, type Query } from '../lib/http.ts';
import type { MappingApi } from '../components/mapping/api.ts';
import { sourcesApiAt, type SourcesApi } from '../components/sources/api.ts';
import type {
  AttributeMapping,
  AttributePaths,
  AttributeType,
  AuditLog,
  CustomAttribute,
  Directory,
  DirectoryGroup,
  DirectoryUser,
  GuestlistEvent,
  List,
  NewToken,
  Organization,
  PulledSettings,
  MappedUser,
  MappingPreviewRow,
  PortalInvite,
  Role,
  RoleMapping,
  ScimRequest,
  TokenSummary,
  WebhookDelivery,
  WebhookEndpoint,
} from '../lib/types.ts';

export interface ConsoleSession {
  object: 'console_session';
  csrf_token: string;
  expires_at: string;
}

const sessionEnded = new Set<() => void>();
export const onSessionEnded = (listener: () => void) => {
  sessionEnded.add(listener);
  return () => void sessionEnded.delete(listener);
};

export const client = createClient({ sessionPath: '/console/api/session', onUnauthorized: () => sessionEnded.forEach((l) => l()) });

const id = (value: string) => encodeURIComponent(value);

export const consoleApi = {
  session: () => client.get<ConsoleSession>('/console/api/session'),
  login: (credentials: { api_key: string } | { password: string }) => client.send<ConsoleSession>('POST', '/console/api/login', credentials),
  logout: () => client.send<void>('POST', '/console/api/logout'),

  organizations: (query: Query) => client.get<List<Organization>>('/organizations', query),
  organization: (orgId: string) => client.get<Organization>(`/organizations/${id(orgId)}`),
  createOrganization: (body: { name: string; domains?: string[] }) => client.send<Organization>('POST', '/organizations', body),

  directories: (query: Query) => client.get<List<Directory>>('/directories', query),
  directory: (dirId: string) => client.get<Directory>(`/directories/${id(dirId)}`),
  updateSettings: (dirId: string, settings: PulledSettings) => client.send<Directory>('PATCH', `/directories/${id(dirId)}`, { settings }),
  tokens: (dirId: string) => client.get<List<TokenSummary>>(`/directories/${id(dirId)}/tokens`, { limit: 100 }),
  createToken: (dirId: string) => client.send<NewToken>('POST', `/directories/${id(dirId)}/tokens`),
  revokeToken: (dirId: string, tokenId: string) => client.send<unknown>('DELETE', `/directories/${id(dirId)}/tokens/${id(tokenId)}`),
  scimRequests: (dirId: string, query: Query) => client.get<List<ScimRequest>>(`/directories/${id(dirId)}/scim_requests`, query),

  users: (query: Query) => client.get<List<DirectoryUser>>('/directory_users', query),
  user: (userId: string) => client.get<DirectoryUser>(`/directory_users/${id(userId)}`),
  groups: (query: Query) => client.get<List<DirectoryGroup>>('/directory_groups', query),
  group: (groupId: string) => client.get<DirectoryGroup>(`/directory_groups/${id(groupId)}`),

  events: (query: Query) => client.get<List<GuestlistEvent>>('/events', query),

  webhooks: (query: Query) => client.get<List<WebhookEndpoint>>('/webhook_endpoints', query),
  webhook: (weId: string) => client.get<WebhookEndpoint>(`/webhook_endpoints/${id(weId)}`),
  createWebhook: (body: { endpoint_url: string; events: string[] }) => client.send<WebhookEndpoint>('POST', '/webhook_endpoints', body),
  updateWebhook: (weId: string, body: Partial<Pick<WebhookEndpoint, 'status' | 'events' | 'endpoint_url'>>) =>
    client.send<WebhookEndpoint>('PATCH', `/webhook_endpoints/${id(weId)}`, body),
  deleteWebhook: (weId: string) => client.send<unknown>('DELETE', `/webhook_endpoints/${id(weId)}`),
  rotateSecret: (weId: string) => client.send<WebhookEndpoint>('POST', `/webhook_endpoints/${id(weId)}/rotate_secret`),
  deliveries: (weId: string, query: Query) => client.get<List<WebhookDelivery>>(`/webhook_endpoints/${id(weId)}/deliveries`, query),
  resend: (weId: string, deliveryId: string) =>
    client.send<unknown>('POST', `/webhook_endpoints/${id(weId)}/deliveries/${id(deliveryId)}/resend`),

  generateLink: (organization: string) => client.send<{ link: string }>('POST', '/portal/generate_link', { organization, intent: 'dsync' }),
  invites: (organizationId: string) => client.get<List<PortalInvite>>('/portal/invites', { organization_id: organizationId, limit: 100 }),
  createInvite: (organization: string, expiresInDays: number) =>
    client.send<PortalInvite>('POST', '/portal/invites', { organization, expires_in_days: expiresInDays }),
  revokeInvite: (inviteId: string) => client.send<PortalInvite>('DELETE', `/portal/invites/${id(inviteId)}`),

  auditLogs: (query: Query) => client.get<List<AuditLog>>('/audit_logs', query),

  customAttributes: () => client.get<List<CustomAttribute>>('/custom_attributes'),
  createCustomAttribute: (body: { name: string; type: AttributeType; required?: boolean; description?: string }) =>
    client.send<CustomAttribute>('POST', '/custom_attributes', body),
  deleteCustomAttribute: (attrId: string) => client.send<void>('DELETE', `/custom_attributes/${id(attrId)}`),

  roles: () => client.get<List<Role>>('/roles'),
  createRole: (body: { slug: string; name: string; priority: number; default?: boolean }) => client.send<Role>('POST', '/roles', body),
  updateRole: (slug: string, body: { name?: string; priority?: number; default?: boolean }) => client.send<Role>('PATCH', `/roles/${id(slug)}`, body),
  deleteRole: (slug: string) => client.send<void>('DELETE', `/roles/${id(slug)}`),
};

/** The mapping screens' calls for one directory, over the management API. */
export function consoleMappingApi(dirId: string): MappingApi {
  const dir = `/directories/${id(dirId)}`;
  return {
    customAttributes: consoleApi.customAttributes,
    roles: consoleApi.roles,
    attributeMapping: () => client.get<AttributeMapping>(`${dir}/attribute_mapping`),
    saveAttributeMapping: (mappings) => client.send<AttributeMapping>('PUT', `${dir}/attribute_mapping`, { mappings }),
    preview: (mappings) => client.send<List<MappingPreviewRow>>('POST', `${dir}/attribute_mapping/preview`, { mappings }),
    attributePaths: () => client.get<AttributePaths>(`${dir}/attribute_paths`),
    roleMapping: () => client.get<RoleMapping>(`${dir}/role_mapping`),
    saveRoleMapping: (mappings) => client.send<RoleMapping>('PUT', `${dir}/role_mapping`, { mappings }),
    groups: (query) => client.get<List<DirectoryGroup>>('/directory_groups', { directory: dirId, ...query }),
    usersWithWarnings: (after) => client.get<List<MappedUser>>('/directory_users', { directory: dirId, warnings: 'true', limit: 20, after }),
  };
}

/** The pulled-directory calls and the guard of any directory (API.md §8) for one directory, over the management API. */
export function consoleSourcesApi(dirId: string): SourcesApi {
  return sourcesApiAt(client, `/directories/${id(dirId)}`);
}
