/**
 * A mapping's fingerprint: a short hash of everything that decides a user's mapped values. A user evaluated
 * under another fingerprint is stale, which is how a re-evaluation knows where it stands. Stable across key
 * order in objects (a mapping read back from PostgreSQL JSONB comes back with its keys reordered) and across
 * the order of defs and entries, which does not change the values.
 */
import { createHash } from 'node:crypto';
import type { AttributeMappingEntry, CustomAttributeDef } from './types.ts';

/** Bump when evaluation itself changes meaning, so that every user is evaluated again. */
const EVALUATION_VERSION = 1;

export function mappingFingerprint(defs: CustomAttributeDef[], mappings: AttributeMappingEntry[]): string {
  const names = new Set(defs.map((d) => d.name));
  const attributes = defs.map((d) => ({ name: d.name, type: d.type, required: d.required })).sort((a, b) => compare(a.name, b.name));
  // Only what evaluation reads: entries for defined attributes, first one per attribute, without `origin`.
  const seen = new Set<string>();
  const entries = mappings
    .filter((m) => names.has(m.attribute) && !seen.has(m.attribute) && seen.add(m.attribute))
    .map((m) => ({ attribute: m.attribute, source: m.source, transforms: m.transforms ?? [] }))
    .sort((a, b) => compare(a.attribute, b.attribute));
  const canonical = canonicalJson({ v: EVALUATION_VERSION, attributes, entries });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** JSON with object keys sorted at every level; undefined members left out, as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort(compare);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
