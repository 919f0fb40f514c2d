/**
 * Where a directory's SCIM service lives. The one place that knows the path: the HTTP routes are registered
 * under it, resources carry it in `meta.location`, and the management API hands it to the IT admin.
 */

/** The SCIM routes' prefix; the directory id follows it. */
export const SCIM_PATH = '/scim/v2';

/** `{publicUrl}/scim/v2/{directoryId}`: the base URL an IdP is configured with. */
export function scimBaseUrl(publicUrl: string, directoryId: string): string {
  return `${publicUrl}${SCIM_PATH}/${directoryId}`;
}

/** Where a portal link (setup link or invite) is opened; the token follows. */
export const PORTAL_LINK_PATH = '/portal/link';

/** `{publicUrl}/portal/link/{token}`: what `POST /portal/generate_link` and invites hand out. */
export function portalLinkUrl(publicUrl: string, token: string): string {
  return `${publicUrl}${PORTAL_LINK_PATH}/${token}`;
}
