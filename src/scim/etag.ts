/** Weak ETags from resource versions (RFC 7644 §3.14): `W/"<version>"`. */

export const etagOf = (version: number): string => `W/"${version}"`;

/** The opaque tags of an If-Match / If-None-Match header; `*` is kept as is. */
function tags(header: string): string[] {
  return header
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map((t) => (t === '*' ? t : t.replace(/^W\//, '')));
}

/** Weak comparison, as RFC 7232 prescribes for If-None-Match and SCIM uses for both headers. */
export function etagMatches(header: string, version: number): boolean {
  const current = `"${version}"`;
  return tags(header).some((t) => t === '*' || t === current);
}
