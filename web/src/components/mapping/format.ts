/** Words and short forms for mapping sources, transforms and values, the same in every mapping screen. */
import type { MappingSource, Transform } from '../../lib/types.ts';

export const TRANSFORM_KINDS = ['lowercase', 'uppercase', 'trim', 'first', 'split', 'join', 'map'] as const;
export type TransformKind = (typeof TRANSFORM_KINDS)[number];

export const TRANSFORM_LABELS: Record<TransformKind, string> = {
  lowercase: 'Lowercase',
  uppercase: 'Uppercase',
  trim: 'Trim spaces',
  first: 'First item of a list',
  split: 'Split text into a list',
  join: 'Join a list into text',
  map: 'Replace values (lookup table)',
};

export function transformKind(transform: Transform): TransformKind {
  if (typeof transform === 'string') return transform;
  if ('split' in transform) return 'split';
  if ('join' in transform) return 'join';
  return 'map';
}

/** A new transform of a kind, with a sensible argument. */
export function newTransform(kind: TransformKind): Transform {
  if (kind === 'split' || kind === 'join') return kind === 'split' ? { split: ',' } : { join: ', ' };
  if (kind === 'map') return { map: {} };
  return kind;
}

export function describeTransform(transform: Transform): string {
  if (typeof transform === 'string') return transform;
  if ('split' in transform) return `split "${transform.split}"`;
  if ('join' in transform) return `join "${transform.join}"`;
  const pairs = Object.entries(transform.map);
  const shown = pairs.slice(0, 2).map(([from, to]) => `${from} → ${formatValue(to)}`);
  const more = pairs.length > 2 ? ` +${pairs.length - 2}` : '';
  const fallback = 'default' in transform && transform.default !== undefined ? `, else ${formatValue(transform.default)}` : '';
  return `map ${shown.join(', ') || '(empty)'}${more}${fallback}`;
}

export const isConstant = (source: MappingSource | undefined): source is { constant: unknown } =>
  typeof source === 'object' && source !== null && 'constant' in source;

export function describeSource(source: MappingSource | undefined): string {
  if (source === undefined) return 'not mapped';
  if (isConstant(source)) return source.constant === null ? 'not mapped' : `constant ${formatValue(source.constant)}`;
  return source;
}

/** A value as a person reads it: text as is, anything else as compact JSON, nothing as an em dash. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value === '' ? '""' : value;
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** The long enterprise-extension URN shortened for narrow screens; the full path stays in a title. */
export function shortPath(path: string): string {
  const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:';
  return path.startsWith(enterprise) ? `enterprise:${path.slice(enterprise.length)}` : path;
}
