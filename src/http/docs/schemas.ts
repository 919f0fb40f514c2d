/**
 * JSON Schema (2020-12, as the OpenAPI 3.1 document holds it) as HTML: a one-line type (`string | null`,
 * `array of Directory`, enum values) and a field table that opens inline objects as `parent.child` rows and
 * links `$ref`s to the schema section.
 */
import type { Json } from '../../scim/json.ts';
import { anchor, escapeHtml, inline, list, obj, refName, str, table } from './html.ts';

/** Deeper inline objects are shown by their type alone. */
const MAX_DEPTH = 4;

const code = (value: unknown) => `<code>${escapeHtml(JSON.stringify(value))}</code>`;

export const schemaLink = (ref: string) => `<a href="#${anchor('schema', refName(ref))}">${escapeHtml(refName(ref))}</a>`;

/** `type` as a list: 2020-12 allows `['integer', 'null']`. */
const typesOf = (schema: Json): string[] => (Array.isArray(schema.type) ? schema.type.map(str) : [str(schema.type)].filter(Boolean));

function plainType(schema: Json, type: string): string {
  if (type === 'array') return `array of ${typeHtml(obj(schema.items))}`;
  const format = str(schema.format);
  return format ? `${type} <small>(${escapeHtml(format)})</small>` : type;
}

export function typeHtml(schema: Json): string {
  if (typeof schema.$ref === 'string') return schemaLink(schema.$ref);
  if (Array.isArray(schema.enum)) return schema.enum.map(code).join(' | ');
  if ('const' in schema) return code(schema.const);
  const union = list(schema.anyOf ?? schema.oneOf);
  if (union.length > 0) return union.map((s) => typeHtml(obj(s))).join(' | ');
  const all = list(schema.allOf);
  if (all.length > 0) return all.map((s) => typeHtml(obj(s))).join(' &amp; ');
  const types = typesOf(schema);
  return types.length > 0 ? types.map((t) => plainType(schema, t)).join(' | ') : 'any';
}

const LIMITS: [string, string][] = [
  ['minimum', 'minimum'],
  ['maximum', 'maximum'],
  ['minLength', 'min length'],
  ['maxLength', 'max length'],
  ['minItems', 'min items'],
  ['maxItems', 'max items'],
  ['pattern', 'pattern'],
];

/** The description, then the constraints a reader must respect. */
export function describe(schema: Json): string {
  const limits = LIMITS.filter(([key]) => key in schema).map(([key, label]) => `${label} ${code(schema[key])}`);
  const text = inline(str(schema.description));
  return [text, limits.length > 0 ? `<small>${limits.join(', ')}</small>` : ''].filter(Boolean).join('<br>');
}

const isInlineObject = (schema: Json) => schema.$ref === undefined && typesOf(schema).includes('object') && schema.properties !== undefined;

/** The schema an inline object hides behind: itself, an array's items, or the non-null side of `T | null`. */
function nested(schema: Json): { schema: Json; suffix: string } | undefined {
  if (isInlineObject(schema)) return { schema, suffix: '.' };
  const items = obj(schema.items);
  if (typesOf(schema).includes('array') && isInlineObject(items)) return { schema: items, suffix: '[].' };
  const inner = list(schema.anyOf).map(obj).find(isInlineObject);
  return inner ? { schema: inner, suffix: '.' } : undefined;
}

/** One row per property, inline objects opened below their parent, `allOf` members' properties included. */
function rows(schema: Json, prefix: string, depth: number): string[][] {
  const required = new Set(list(schema.required).map(str));
  const own = Object.entries(obj(schema.properties)).flatMap(([name, raw]) => {
    const property = obj(raw);
    const row = [`<code>${escapeHtml(prefix + name)}</code>`, typeHtml(property), required.has(name) ? 'yes' : '', describe(property)];
    const inner = depth < MAX_DEPTH ? nested(property) : undefined;
    return [row, ...(inner ? rows(inner.schema, `${prefix}${name}${inner.suffix}`, depth + 1) : [])];
  });
  const members = list(schema.allOf).map(obj).filter(isInlineObject);
  return [...own, ...members.flatMap((member) => rows(member, prefix, depth))];
}

export function fieldTable(schema: Json): string {
  return table(['field', 'type', 'required', 'description'], rows(schema, '', 0));
}

/** A schema in full: a link when it is a reference, else its type and its fields. */
export function schemaBlock(schema: Json): string {
  if (typeof schema.$ref === 'string') return `<p>${schemaLink(schema.$ref)}</p>`;
  const refs = list(schema.allOf).map(obj).filter((s) => typeof s.$ref === 'string');
  const includes = refs.length > 0 ? `<p>Every field of ${refs.map((s) => schemaLink(str(s.$ref))).join(' and ')}, and:</p>` : '';
  const fields = fieldTable(schema);
  return includes + (fields || `<p>${typeHtml(schema)}</p>`);
}
