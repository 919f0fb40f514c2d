/**
 * Q8: schema URNs misspelled by IdP templates (`…:enterprise:2.0User`, `…:Enterprise:2.0:user`). A key or
 * path prefix that differs from a known schema URN only in case and punctuation is read as that URN, so the
 * extension's data is kept instead of being ignored as unknown.
 */
import { schemaUrns } from '../scim/schema/resolve.ts';
import type { ResourceTypeDef } from '../scim/schema/types.ts';

const compact = (urn: string) => urn.toLowerCase().replace(/[^a-z0-9]/g, '');

export function canonicalUrn(rt: ResourceTypeDef, text: string): string | undefined {
  if (!/^urn:/i.test(text)) return undefined;
  const key = compact(text);
  return schemaUrns(rt).find((urn) => compact(urn) === key);
}

/** Rewrites a misspelled schema URN at the start of a PATCH path or attribute key. */
export function canonicalPathPrefix(rt: ResourceTypeDef, path: string): string {
  if (!/^urn:/i.test(path)) return path;
  const whole = canonicalUrn(rt, path);
  if (whole) return whole;
  // `urn:…:User:attr.sub` or `urn:…:User:attr[filter]`: the URN ends at the last ':' before the attribute.
  const bracket = path.indexOf('[');
  const head = bracket < 0 ? path : path.slice(0, bracket);
  const cut = head.lastIndexOf(':');
  if (cut < 0) return path;
  const urn = canonicalUrn(rt, path.slice(0, cut));
  return urn ? urn + path.slice(cut) : path;
}
