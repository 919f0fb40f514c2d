/**
 * The PATCH engine (RFC 7644 §3.5.2): add, replace and remove on every path form — simple, sub-attribute,
 * value-filtered, filtered with a sub-attribute, URN-qualified, schema-only, and path-less values. Pure: it
 * works on a copy, so a request is atomic (all operations apply, or an error is thrown and nothing does).
 * The caller validates the result against the schema.
 */
import { badRequest, ScimError } from '../errors.ts';
import type { AttrPath, Filter, PatchPath } from '../filter/ast.ts';
import { matches } from '../filter/evaluate.ts';
import { isSchemaUrn, parsePatchPath } from '../filter/path.ts';
import { resolveAttribute } from '../schema/resolve.ts';
import { PATCH_OP_SCHEMA, type AttributeDef, type ResourceTypeDef, type ScimResource } from '../schema/types.ts';
import { memberOp } from './members.ts';
import { ElementIndex, addAll, keepOnePrimary, withoutListed } from './multi-valued.ts';
import type { MemberOp, PatchResult } from './types.ts';
import { isObject, type Json } from '../json.ts';
import { MAX_MULTI_VALUES } from '../text.ts';

export type { MemberOp, PatchResult } from './types.ts';

type Op = 'add' | 'replace' | 'remove';

interface Operation {
  op: Op;
  path?: string;
  value?: unknown;
}

/** Where an operation lands: the object holding the attribute, and the attribute's definition. */
interface Target {
  container: Json;
  key: string;
  def: AttributeDef;
  sub?: AttributeDef;
  filter?: Filter;
  subAfterFilter?: AttributeDef;
}

/**
 * The most attributes one PATCH may change (operations, and keys of path-less values; `members` not counted:
 * members are rows). A filtered operation scans its attribute's values, so without a bound a 4 MB body of
 * 40,000 filtered operations on 1,000 emails held the event loop for over a minute.
 */
export const MAX_PATCH_TARGETS = 1000;

/** Read-only attributes that IdPs echo back inside path-less values; ignored there, refused as a path. */
const ECHOED = ['id', 'meta', 'schemas'];

export function parsePatchRequest(body: unknown): Operation[] {
  if (!isObject(body)) throw badRequest('invalidSyntax', 'A PATCH body must be a JSON object.');
  if (!Array.isArray(body.schemas) || !body.schemas.includes(PATCH_OP_SCHEMA)) {
    throw badRequest('invalidSyntax', `A PATCH body's schemas must include "${PATCH_OP_SCHEMA}".`);
  }
  if (!Array.isArray(body.Operations)) throw badRequest('invalidSyntax', 'A PATCH body needs an "Operations" array.');
  return body.Operations.map((raw, i) => {
    if (!isObject(raw)) throw badRequest('invalidSyntax', `Operations[${i}] must be an object.`);
    const { op, path, value } = raw;
    if (op !== 'add' && op !== 'replace' && op !== 'remove') {
      throw badRequest('invalidValue', `Operations[${i}].op must be "add", "replace" or "remove", got ${JSON.stringify(op)}.`);
    }
    if (path !== undefined && typeof path !== 'string') throw badRequest('invalidPath', `Operations[${i}].path must be a string.`);
    if (op !== 'remove' && value === undefined) throw badRequest('invalidValue', `Operations[${i}] (${op}) needs a "value".`);
    return { op, ...(path !== undefined && path.trim() !== '' ? { path: path.trim() } : {}), ...(value !== undefined ? { value } : {}) };
  });
}

export interface PatchOptions {
  /**
   * A `replace` whose value filter matches nothing creates the element the filter describes, as `add` does,
   * instead of answering noTarget (RFC 7644 §3.5.2.3). Entra relies on it; the dialect edge turns it on.
   */
  replaceCreatesMissing?: boolean;
}

export function applyPatch(rt: ResourceTypeDef, resource: ScimResource, body: unknown, options: PatchOptions = {}): PatchResult {
  const engine = new PatchEngine(rt, structuredClone(resource), options);
  for (const operation of parsePatchRequest(body)) engine.apply(operation);
  return { resource: engine.doc, memberOps: engine.memberOps };
}

class PatchEngine {
  readonly memberOps: MemberOp[] = [];
  /**
   * The index of the multi-valued attribute the last operations added to, kept while only adds follow, so that
   * 10,000 operations adding one email each cost 10,000 steps, not 10,000². Any other operation drops it.
   */
  private cached: { list: unknown[]; index: ElementIndex } | undefined;
  private targets = 0;

  constructor(
    private readonly rt: ResourceTypeDef,
    readonly doc: Json,
    private readonly options: PatchOptions,
  ) {}

  apply({ op, path, value }: Operation): void {
    if (path === undefined) return this.pathless(op, value);
    if (isSchemaUrn(path)) return this.wholeExtension(op, path, value);
    let parsed: PatchPath;
    try {
      parsed = parsePatchPath(path);
    } catch (error) {
      if (error instanceof ScimError && error.scimType !== 'invalidValue') throw badRequest('invalidPath', error.message);
      throw error;
    }
    this.onPath(op, parsed, value, false);
  }

  /** A path-less add/replace: every key of the value object is a path (dotted and URN keys included). */
  private pathless(op: Op, value: unknown): void {
    if (op === 'remove') throw badRequest('noTarget', 'remove needs a path.');
    if (!isObject(value)) throw badRequest('invalidValue', `A path-less ${op} needs an object value.`);
    for (const [key, v] of Object.entries(value)) {
      if (ECHOED.includes(key.toLowerCase())) continue;
      if (isSchemaUrn(key)) {
        this.wholeExtension(op, key, v);
        continue;
      }
      this.onPath(op, this.parseKey(key), v, true);
    }
  }

  private parseKey(key: string): PatchPath {
    try {
      return parsePatchPath(key);
    } catch {
      throw badRequest('invalidPath', `"${key}" in a path-less value is not an attribute name.`);
    }
  }

  /** `urn:…:enterprise:2.0:User` as a path (or a key of a path-less value): the extension's attributes. */
  private wholeExtension(op: Op, urn: string, value: unknown): void {
    const schema = [this.rt.schema, ...this.rt.schemaExtensions.map((e) => e.schema)].find((s) => s.toLowerCase() === urn.toLowerCase());
    if (!schema) throw badRequest('invalidPath', `"${urn}" is not a schema of ${this.rt.name}.`);
    if (op === 'remove') {
      if (schema === this.rt.schema) throw badRequest('invalidPath', 'The core schema cannot be removed.');
      this.cached = undefined;
      delete this.doc[schema];
      return;
    }
    if (!isObject(value)) throw badRequest('invalidValue', `The value for "${urn}" must be an object of its attributes.`);
    for (const [key, v] of Object.entries(value)) {
      if (ECHOED.includes(key.toLowerCase())) continue;
      const path = this.parseKey(key);
      this.onPath(op, { ...path, path: { ...path.path, uri: schema } }, v, true);
    }
  }

  private onPath(op: Op, path: PatchPath, value: unknown, pathless: boolean): void {
    const target = this.target(path, pathless);
    if (!target) return;
    if (op !== 'add' || target.filter || target.sub || !target.def.multiValued) this.cached = undefined;
    if (this.rt.id === 'Group' && target.def.name === 'members' && target.container === this.doc) {
      this.memberOps.push(memberOp(op, target.filter, target.subAfterFilter?.name ?? target.sub?.name, value));
      return;
    }
    if (++this.targets > MAX_PATCH_TARGETS) {
      throw badRequest('invalidValue', `A PATCH may change at most ${MAX_PATCH_TARGETS} attributes (operations and keys of path-less values).`);
    }
    if (target.filter) this.filtered(op, target, value);
    else if (target.sub) this.subAttribute(op, target, value);
    else this.whole(op, target, value);
    // Refused now rather than by validation afterwards, so later operations never scan an oversized list.
    const values = target.container[target.key];
    if (target.def.multiValued && Array.isArray(values) && values.length > MAX_MULTI_VALUES) {
      throw badRequest('invalidValue', `"${target.def.name}" holds more than ${MAX_MULTI_VALUES} values.`);
    }
  }

  /** Resolves a path against the schema; undefined for echoed read-only keys of a path-less value. */
  private target(path: PatchPath, pathless: boolean): Target | undefined {
    const resolved = resolveAttribute(this.rt, path.path);
    if (!resolved) throw badRequest(pathless ? 'invalidValue' : 'invalidPath', `"${format(path.path)}" is not an attribute of ${this.rt.name}.`);
    const { schema, attr, sub } = resolved;
    let subAfterFilter: AttributeDef | undefined;
    if (path.subAfterFilter !== undefined) {
      subAfterFilter = attr.subAttributes?.find((s) => s.name.toLowerCase() === path.subAfterFilter!.toLowerCase());
      if (!subAfterFilter) throw badRequest('invalidPath', `"${attr.name}" has no sub-attribute "${path.subAfterFilter}".`);
    }
    const readOnly = [attr, sub, subAfterFilter].some((d) => d?.mutability === 'readOnly');
    if (readOnly) {
      if (pathless) return undefined;
      throw badRequest('mutability', `"${format(path.path)}" is read-only.`);
    }
    if (path.filter && attr.type !== 'complex') throw badRequest('invalidPath', `"${attr.name}" is not complex: it takes no value filter.`);
    const container = schema === this.rt.schema ? this.doc : this.extension(schema);
    return {
      container,
      key: attr.name,
      def: attr,
      ...(sub ? { sub } : {}),
      ...(path.filter ? { filter: path.filter } : {}),
      ...(subAfterFilter ? { subAfterFilter } : {}),
    };
  }

  private extension(schema: string): Json {
    const existing = this.doc[schema];
    if (isObject(existing)) return existing;
    const created: Json = {};
    this.doc[schema] = created;
    return created;
  }

  private indexOf(def: AttributeDef, list: unknown[]): ElementIndex {
    if (this.cached?.list === list && !this.cached.index.stale) return this.cached.index;
    this.cached = { list, index: new ElementIndex(def, list) };
    return this.cached.index;
  }

  // ── Whole attribute: `userName`, `name`, `emails` ──

  private whole(op: Op, { container, key, def }: Target, value: unknown): void {
    if (op === 'remove') {
      if (def.multiValued && value !== undefined && value !== null) return this.removeListed(container, key, def, value);
      delete container[key];
      return;
    }
    if (value === null || value === '' || (Array.isArray(value) && value.length === 0 && op === 'replace')) {
      delete container[key];
      return;
    }
    if (def.multiValued) {
      const incoming = (Array.isArray(value) ? value : [value]).map((v) => canonicalKeys(def, v));
      const current = op === 'add' && Array.isArray(container[key]) ? (container[key] as unknown[]) : [];
      container[key] = addAll(def, current, incoming, this.indexOf(def, current));
      return;
    }
    if (def.type === 'complex') {
      if (!isObject(value)) throw badRequest('invalidValue', `"${def.name}" is complex: its value must be an object.`);
      // Both add and replace merge sub-attributes into a single complex attribute (RFC 7644 §3.5.2.1, .3).
      const current = isObject(container[key]) ? (container[key] as Json) : {};
      container[key] = { ...current, ...canonicalKeys(def, value) as Json };
      return;
    }
    container[key] = value;
  }

  /** `remove` with a path and a value list: only the listed values go (Entra's member removal form). */
  private removeListed(container: Json, key: string, def: AttributeDef, value: unknown): void {
    const listed = (Array.isArray(value) ? value : [value]).map((v) => canonicalKeys(def, v));
    const current = Array.isArray(container[key]) ? (container[key] as unknown[]) : [];
    const kept = withoutListed(def, current, listed);
    if (kept.length === 0) delete container[key];
    else container[key] = kept;
  }

  // ── Sub-attribute without a filter: `name.givenName`, `emails.value` ──

  private subAttribute(op: Op, { container, key, def, sub }: Target, value: unknown): void {
    const subName = sub!.name;
    if (def.multiValued) {
      // Applies to every element; adding to an empty attribute creates one element.
      const elements = Array.isArray(container[key]) ? (container[key] as Json[]) : [];
      // An earlier operation of this request may have left a non-object element (the result is validated only
      // at the end); it has no sub-attribute to write.
      if (elements.some((el) => !isObject(el))) throw badRequest('invalidValue', `"${def.name}" holds a value that is not an object.`);
      if (op === 'remove') elements.forEach((el) => delete el[subName]);
      else if (elements.length === 0) container[key] = [{ [subName]: value }];
      else elements.forEach((el) => (el[subName] = value));
      if (op !== 'remove' && subName === 'primary' && value === true) keepOnePrimary(container[key] as Json[], undefined);
      return;
    }
    const current = isObject(container[key]) ? (container[key] as Json) : undefined;
    if (op === 'remove' || value === null) {
      if (current) delete current[subName];
      if (current && Object.keys(current).length === 0) delete container[key];
      return;
    }
    container[key] = { ...(current ?? {}), [subName]: value };
  }

  // ── Value filter: `emails[type eq "work"]`, `emails[type eq "work"].value`, `manager[value eq "x"]` ──

  private filtered(op: Op, target: Target, value: unknown): void {
    const { container, key, def, filter, subAfterFilter } = target;
    const single = !def.multiValued;
    const current = container[key];
    const elements: Json[] = single ? (isObject(current) ? [current] : []) : Array.isArray(current) ? (current as Json[]) : [];
    const ctx = elementContext(def);
    const matched = elements.filter((el) => matches(filter!, el, ctx));

    if (op === 'remove') {
      if (subAfterFilter) matched.forEach((el) => delete el[subAfterFilter.name]);
      else if (single) { if (matched.length > 0) delete container[key]; }
      else {
        const gone = new Set(matched);
        const kept = elements.filter((el) => !gone.has(el));
        if (kept.length === 0) delete container[key];
        else container[key] = kept;
      }
      return;
    }

    if (matched.length === 0) {
      if (op === 'replace' && !this.options.replaceCreatesMissing) throw badRequest('noTarget', `No value of "${def.name}" matches the filter.`);
      // add (and tolerant replace) with a filter that matches nothing creates the element the filter describes.
      const created = { ...elementFromFilter(filter!, def), ...(subAfterFilter ? { [subAfterFilter.name]: value } : canonicalKeys(def, value) as Json) };
      if (single) container[key] = created;
      else container[key] = addAll(def, elements, [created]);
      return;
    }

    for (const el of matched) {
      if (subAfterFilter) el[subAfterFilter.name] = value;
      else if (op === 'replace') {
        if (!isObject(value)) throw badRequest('invalidValue', `The value replacing "${def.name}[…]" must be an object.`);
        for (const k of Object.keys(el)) delete el[k];
        Object.assign(el, canonicalKeys(def, value));
      } else {
        if (!isObject(value)) throw badRequest('invalidValue', `The value added to "${def.name}[…]" must be an object.`);
        Object.assign(el, canonicalKeys(def, value));
      }
    }
    const madePrimary = matched.find((el) => el.primary === true);
    if (!single && madePrimary) keepOnePrimary(elements, madePrimary);
  }
}

// ── Helpers ──────────────────────────────────────────────────────────────

function format(path: AttrPath): string {
  return `${path.uri ? `${path.uri}:` : ''}${path.attr}${path.sub ? `.${path.sub}` : ''}`;
}

/** Renames an element's keys to the schema's casing (`Value` → `value`), so merges find existing keys. */
function canonicalKeys(def: AttributeDef, value: unknown): unknown {
  if (!isObject(value) || !def.subAttributes) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    const sub = def.subAttributes.find((s) => s.name.toLowerCase() === k.toLowerCase());
    out[sub ? sub.name : k] = v;
  }
  return out;
}

function elementContext(def: AttributeDef) {
  const subDef = (path: AttrPath) => def.subAttributes?.find((s) => s.name.toLowerCase() === path.attr.toLowerCase());
  return {
    caseExact: (path: AttrPath) => subDef(path)?.caseExact ?? false,
    type: (path: AttrPath) => subDef(path)?.type,
  };
}

/** `type eq "work" and primary eq true` → {type: "work", primary: true}; other filters describe no element. */
function elementFromFilter(filter: Filter, def: AttributeDef): Json {
  const out: Json = {};
  // Left to right (a later term wins), with a stack rather than recursion: the filter comes from the client.
  const stack = [filter];
  while (stack.length > 0) {
    const term = stack.pop()!;
    if (term.kind === 'and') {
      stack.push(term.right, term.left);
      continue;
    }
    const sub = term.kind === 'compare' && term.op === 'eq' && !term.path.sub
      ? def.subAttributes?.find((s) => s.name.toLowerCase() === term.path.attr.toLowerCase())
      : undefined;
    if (!sub || term.kind !== 'compare') {
      throw badRequest('noTarget', `No value of "${def.name}" matches the filter, and the filter does not describe a new one.`);
    }
    out[sub.name] = term.value;
  }
  return out;
}
