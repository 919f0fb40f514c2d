/**
 * The mapping configuration as the change path applies it: the operator's definitions (read at most once a
 * second per process, and at once after a change made here), and each directory's compiled mapping.
 *
 * Each user is stamped with the fingerprint of the configuration it was evaluated with. A process that still
 * holds definitions a second old stamps the old fingerprint, which the re-evaluation sweep then finds and
 * fixes (reevaluate.ts): staleness is repaired, never silently kept.
 */
import { createHash } from 'node:crypto';
import { compileMapping, effectiveMappings, mappingFingerprint, resolveRoles } from '../mapping/index.ts';
import type { AttributeMappingEntry, MappedAttributes } from '../mapping/types.ts';
import type { Executor } from '../store/db.ts';
import { listCustomAttributes, listRoles, type CustomAttributeRecord, type RoleRecord } from '../store/mapping.ts';

export interface Definitions {
  attributes: CustomAttributeRecord[];
  roles: RoleRecord[];
}

/** What a directory's mapping does to one user. */
export interface DirectoryMapping {
  /** Null when nothing is defined: users then carry no mapping at all. */
  fingerprint: string | null;
  mappings: ReturnType<typeof effectiveMappings>;
  /** The user's mapped attributes; null when no attribute is defined. */
  evaluate(resource: Record<string, unknown>): MappedAttributes | null;
  /** The user's role slugs from its groups' roles; null when no role is defined. */
  roles(groupRoleSlugs: string[]): string[] | null;
  definitions: Definitions;
}

type MappedDirectory = { type: string; attribute_mapping: AttributeMappingEntry[] | null };

const TTL_MS = 1_000;

export class MappingDefinitions {
  private cached: Promise<Definitions> | undefined;
  private loadedAt = 0;
  private readonly compiled = new WeakMap<Definitions, Map<string, DirectoryMapping>>();

  constructor(private readonly db: Executor) {}

  /** The definitions, at most a second old. */
  current(): Promise<Definitions> {
    if (this.cached === undefined || Date.now() - this.loadedAt > TTL_MS) {
      this.loadedAt = Date.now();
      const loading = this.load();
      this.cached = loading;
      loading.catch(() => {
        if (this.cached === loading) this.cached = undefined;
      });
    }
    return this.cached;
  }

  /** After a change to the definitions: the next read goes to the database. */
  invalidate(): void {
    this.cached = undefined;
  }

  fresh(): Promise<Definitions> {
    this.invalidate();
    return this.current();
  }

  async forDirectory(dir: MappedDirectory): Promise<DirectoryMapping> {
    return this.compile(await this.current(), dir);
  }

  /** The directory's mapping under `defs`, compiled once per configuration. */
  compile(defs: Definitions, dir: MappedDirectory): DirectoryMapping {
    let byKey = this.compiled.get(defs);
    if (!byKey) this.compiled.set(defs, (byKey = new Map()));
    const key = `${dir.type}\u0000${JSON.stringify(dir.attribute_mapping)}`;
    let mapping = byKey.get(key);
    if (!mapping) {
      if (byKey.size >= 1_000) byKey.clear();
      byKey.set(key, (mapping = directoryMapping(defs, dir)));
    }
    return mapping;
  }

  private async load(): Promise<Definitions> {
    return { attributes: await listCustomAttributes(this.db), roles: await listRoles(this.db) };
  }
}

export function directoryMapping(defs: Definitions, dir: MappedDirectory): DirectoryMapping {
  const mappings = effectiveMappings(dir.type, defs.attributes, dir.attribute_mapping);
  const evaluate = defs.attributes.length > 0 ? compileMapping(defs.attributes, mappings) : () => null;
  const hasRoles = defs.roles.length > 0;
  return {
    fingerprint: fingerprint(defs, mappings),
    mappings,
    evaluate,
    roles: (slugs) => (hasRoles ? (resolveRoles(defs.roles, slugs)?.roles ?? null) : null),
    definitions: defs,
  };
}

function fingerprint(defs: Definitions, mappings: ReturnType<typeof effectiveMappings>): string | null {
  if (defs.attributes.length === 0 && defs.roles.length === 0) return null;
  const roles = defs.roles.map((r) => [r.slug, r.priority, r.default]);
  return createHash('sha256')
    .update(`${mappingFingerprint(defs.attributes, mappings)}|${JSON.stringify(roles)}`)
    .digest('hex')
    .slice(0, 16);
}

const registry = new WeakMap<object, MappingDefinitions>();

/** The one definitions cache of a store, shared by the SCIM path, the API and the sweep of this process. */
export function definitionsOf(store: { db: Executor }): MappingDefinitions {
  let defs = registry.get(store);
  if (!defs) registry.set(store, (defs = new MappingDefinitions(store.db)));
  return defs;
}
