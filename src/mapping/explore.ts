/**
 * The schema explorer: which source paths a directory's users actually carry, how many users carry each, and a
 * few sample values, so that the portal can offer them as sources. Paths are written in the source syntax
 * (./paths.ts), so each one can be used as it is:
 *
 * - core: `userName`, `name.givenName`; a multi-valued complex attribute's sub-attributes keyed by the
 *   element's `type` when it has one (`emails[type eq "work"].value`), else `emails.value`;
 * - extensions, URN-qualified: `urn:…:enterprise:2.0:User:department`, `urn:…:User:manager.value`; a
 *   URN-qualified top-level key (Entra) is the path it already spells.
 *
 * Bounded for a directory of any size: at most MAX_PATHS distinct paths (later ones are dropped and `truncated`
 * says so), and no deeper than the syntax reaches, four levels: extension → attribute → element →
 * sub-attribute. What lies deeper is reported as one `object` or `list` value at the deepest path.
 */
import { isObject } from '../scim/json.ts';

export const MAX_PATHS = 500;
export const MAX_SAMPLES = 3;
export const MAX_SAMPLE_LENGTH = 100;

export type ExploredType = 'string' | 'number' | 'boolean' | 'object' | 'list';

export interface ExploredPath {
  path: string;
  users: number;
  samples: unknown[];
  type: ExploredType;
}

/** Not mapping sources: protocol bookkeeping, a secret, and memberships (roles come from those, not mappings). */
const SKIPPED = new Set(['schemas', 'id', 'meta', 'password', 'groups']);
const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const SUB_NAME = /^(\$ref|[A-Za-z][A-Za-z0-9_-]*)$/;
/** A URN the path parser reads back: path characters only, the attribute after its last `:`. */
const URN = /^urn:[A-Za-z0-9._:-]*[A-Za-z0-9._-]$/i;
/** A `type` short and plain enough to put in a filter the admin reads. */
const TYPE_VALUE = /^[\w .@+-]{1,40}$/;

interface Tally {
  users: number;
  samples: unknown[];
  sampleKeys: Set<string>;
  types: Map<ExploredType, number>;
}

export class PathExplorer {
  private readonly paths = new Map<string, Tally>();
  private dropped = false;

  /** Whether some paths were not tracked because MAX_PATHS were already. */
  get truncated(): boolean {
    return this.dropped;
  }

  /** Records one user's paths; a user counts once per path, however many values it has there. */
  add(resource: unknown): void {
    if (!isObject(resource)) return;
    const found = new Map<string, unknown[]>();
    for (const [key, value] of Object.entries(resource)) {
      if (SKIPPED.has(key.toLowerCase())) continue;
      if (URN.test(key)) this.extension(key, value, found);
      else if (NAME.test(key)) this.attribute(key, value, found);
    }
    for (const [path, values] of found) this.record(path, values);
  }

  /** The paths seen, most common first, then by path. */
  result(limit = MAX_PATHS): ExploredPath[] {
    return [...this.paths.entries()]
      .map(([path, t]) => ({ path, users: t.users, samples: t.samples, type: mostCommon(t.types) }))
      .sort((a, b) => b.users - a.users || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      .slice(0, Math.max(0, limit));
  }

  /** `urn:…:User` holding an extension object, or a URN-qualified attribute kept at the top level. */
  private extension(urn: string, value: unknown, found: Map<string, unknown[]>): void {
    if (!isObject(value)) {
      // `urn:…:User:department` or `urn:…:User:manager.value`, the path it spells.
      const [attr, sub, ...more] = urn.slice(urn.lastIndexOf(':') + 1).split('.');
      if (NAME.test(attr ?? '') && more.length === 0 && (sub === undefined || SUB_NAME.test(sub))) {
        if (sub === undefined) this.attribute(urn, value, found);
        else leaf(found, urn, value);
      }
      return;
    }
    for (const [key, inner] of Object.entries(value)) if (NAME.test(key)) this.attribute(`${urn}:${key}`, inner, found);
  }

  /** An attribute: a scalar, a complex value (its sub-attributes), or a list (of scalars, or of complex values). */
  private attribute(path: string, value: unknown, found: Map<string, unknown[]>): void {
    if (isObject(value)) {
      for (const [sub, inner] of Object.entries(value)) if (SUB_NAME.test(sub)) leaf(found, `${path}.${sub}`, inner);
      return;
    }
    if (!Array.isArray(value)) return leaf(found, path, value);
    const complex = value.filter(isObject);
    if (complex.length < value.length) leaf(found, path, value.filter((v) => !isObject(v)));
    for (const element of complex) {
      const type = typeOf(element);
      const prefix = type === undefined ? path : `${path}[type eq ${JSON.stringify(type)}]`;
      for (const [sub, inner] of Object.entries(element)) {
        // Under `[type eq "work"]` the type itself is known; the typeless list keeps it as a value worth seeing.
        if (SUB_NAME.test(sub) && !(type !== undefined && sub.toLowerCase() === 'type')) leaf(found, `${prefix}.${sub}`, inner);
      }
    }
  }

  private record(path: string, values: unknown[]): void {
    let tally = this.paths.get(path);
    if (!tally) {
      if (this.paths.size >= MAX_PATHS) {
        this.dropped = true;
        return;
      }
      tally = { users: 0, samples: [], sampleKeys: new Set(), types: new Map() };
      this.paths.set(path, tally);
    }
    tally.users += 1;
    for (const value of values) {
      const type = exploredType(value);
      tally.types.set(type, (tally.types.get(type) ?? 0) + 1);
      if (tally.samples.length >= MAX_SAMPLES) continue;
      const sample = shorten(value, 2);
      const key = JSON.stringify(sample);
      if (!tally.sampleKeys.has(key)) {
        tally.sampleKeys.add(key);
        tally.samples.push(sample);
      }
    }
  }
}

/** Notes a value found at `path` for this user, if it holds anything. */
function leaf(found: Map<string, unknown[]>, path: string, value: unknown): void {
  if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) return;
  if (isObject(value) && Object.keys(value).length === 0) return;
  const values = found.get(path);
  if (values) values.push(value);
  else found.set(path, [value]);
}

function typeOf(element: Record<string, unknown>): string | undefined {
  const key = Object.keys(element).find((k) => k.toLowerCase() === 'type');
  const type = key === undefined ? undefined : element[key];
  return typeof type === 'string' && TYPE_VALUE.test(type) ? type : undefined;
}

function exploredType(value: unknown): ExploredType {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'number' || typeof value === 'boolean') return typeof value as ExploredType;
  return typeof value === 'string' ? 'string' : 'object';
}

function mostCommon(types: Map<ExploredType, number>): ExploredType {
  let best: ExploredType = 'string';
  let count = -1;
  for (const [type, n] of types) if (n > count) [best, count] = [type, n];
  return best;
}

/** A sample small enough to show: strings cut, lists and objects cut to 10 members, `levels` deep at most. */
function shorten(value: unknown, levels: number): unknown {
  if (typeof value === 'string') return value.length > MAX_SAMPLE_LENGTH ? value.slice(0, MAX_SAMPLE_LENGTH) : value;
  if (typeof value !== 'object' || value === null) return value;
  if (levels === 0) return Array.isArray(value) ? '[…]' : '{…}';
  if (Array.isArray(value)) return value.slice(0, 10).map((v) => shorten(v, levels - 1));
  return Object.fromEntries(
    Object.entries(value)
      .slice(0, 10)
      .map(([k, v]) => [k, shorten(v, levels - 1)]),
  );
}
