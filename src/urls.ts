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
