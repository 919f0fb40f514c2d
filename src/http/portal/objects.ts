/** The portal's objects (docs/portal.md § Portal API): the management API's, plus what the IT admin needs. */
import type { DirectoryRecord, OrganizationRecord, TokenRecord } from '../../store/store.ts';
import type { LinkRecord } from '../../store/portal.ts';
import type { ActiveSession } from '../../portal/sessions.ts';
import { directoryObject } from '../objects.ts';

/** Entra ID's SCIM client needs this flag to behave as RFC 7644 says (docs/dialects.md). */
const ENTRA_FLAG = '?aadOptscim062020';

export function portalDirectoryObject(dir: DirectoryRecord, tokens: TokenRecord[], publicUrl: string) {
  const base = directoryObject(dir, publicUrl);
  return {
    ...base,
    scim_base_url: dir.type === 'azure scim v2.0' ? `${base.scim_base_url}${ENTRA_FLAG}` : base.scim_base_url,
    tokens: tokens.filter((t) => t.revoked_at === null).map((t) => ({ id: t.id, token_suffix: t.token_suffix, created_at: t.created_at, last_used_at: t.last_used_at })),
    // The time of the directory's last SCIM request, and of its last one that changed something (the request log's).
    last_request_at: dir.last_request_at,
    last_sync_at: dir.last_sync_at,
  };
}

/** `features.google_consent`: the operator configured an OAuth client, so Google can be connected by admin consent. */
export function portalSessionObject(session: ActiveSession, org: OrganizationRecord, link: LinkRecord | undefined, features = { google_consent: false }) {
  return {
    object: 'portal_session' as const,
    organization: { id: org.id, name: org.name, domains: org.domains.map((d) => d.domain) },
    csrf_token: session.csrf_token,
    expires_at: session.expires_at,
    return_url: link?.return_url ?? null,
    success_url: link?.success_url ?? null,
    features,
  };
}
