/** A SCIM request's `attributes` / `excludedAttributes` (RFC 7644 §3.9), as the service reads it. */
export interface Projection {
  attributes: string[];
  excludedAttributes: string[];
}

export const NO_PROJECTION: Projection = { attributes: [], excludedAttributes: [] };

/** Whether a projection returns `name` at all: skip the membership queries when it does not. */
export function wants(p: Projection, name: string): boolean {
  const lower = name.toLowerCase();
  const mentions = (list: string[]) => list.some((a) => a.toLowerCase() === lower || a.toLowerCase().startsWith(`${lower}.`) || a.toLowerCase().endsWith(`:${lower}`));
  if (p.attributes.length > 0) return mentions(p.attributes);
  return !p.excludedAttributes.some((a) => a.toLowerCase() === lower || a.toLowerCase().endsWith(`:${lower}`));
}
