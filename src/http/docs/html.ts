/**
 * HTML pieces for the reference page: escaping, the little Markdown the document's descriptions use (code
 * spans, bold, paragraphs), and safe reads of the document, which arrives as plain JSON.
 */
import { isObject, type Json } from '../../scim/json.ts';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);

/** `code` and **bold**, over escaped text (a backtick is not escaped, so the spans survive escaping). */
export const inline = (text: string) =>
  escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');

/** Paragraphs split on blank lines; single newlines are spaces. */
export const prose = (text: string) =>
  text
    .split(/\n{2,}/)
    .filter((p) => p.trim() !== '')
    .map((p) => `<p>${inline(p.replace(/\n/g, ' '))}</p>`)
    .join('\n');

export const obj = (v: unknown): Json => (isObject(v) ? v : {});
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A local `$ref` (`#/components/parameters/X`) followed within the document; anything else as it is. */
export function deref(doc: Json, node: unknown): Json {
  const ref = str(obj(node).$ref);
  if (!ref.startsWith('#/')) return obj(node);
  return ref
    .slice(2)
    .split('/')
    .reduce<Json>((at, key) => obj(at[key.replace(/~1/g, '/').replace(/~0/g, '~')]), doc);
}

/** `#/components/schemas/Directory` → `Directory`. */
export const refName = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1);

/** An id for an HTML anchor: letters, digits, `-`, `_` and `.` only. */
export const anchor = (kind: string, name: string) => `${kind}-${name.replace(/[^\w.-]/g, '_')}`;

export function table(head: string[], rows: string[][]): string {
  if (rows.length === 0) return '';
  const th = head.map((h) => `<th>${h}</th>`).join('');
  const tr = rows.map((cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}
