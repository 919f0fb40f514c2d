/** What the SCIM operations of every directory share: the store and its resource queries, URLs, the write path. */
import type { PatchOptions } from '../scim/patch/apply.ts';
import type { Executor } from '../store/db.ts';
import type { KyselyStore } from '../store/kysely-store.ts';
import { ResourceQueries } from '../store/scim/resources.ts';
import type { DirectoryRecord } from '../store/store.ts';
import { scimBaseUrl } from '../urls.ts';
import { DirectoryEvents } from './events.ts';
import { definitionsOf, type DirectoryMapping, type MappingDefinitions } from './mapping.ts';
import type { ScimUrls } from './render.ts';

export interface WriteOptions {
  /** The request's If-Match header: the write happens only if the resource's ETag matches (else 412). */
  ifMatch?: string;
  /**
   * Groups only: whether the answer carries `members`. Without them the write costs the same whatever the
   * group's size (PATCH of one member in a group of 100,000).
   */
  withMembers?: boolean;
  /** How the PATCH engine reads tolerant forms (set by the dialect edge). */
  patch?: PatchOptions;
}

/**
 * A write's work inside its transaction: its queries through `db`, what changed told to `events`, the
 * directory's mapping as this write applies it (resolved before the transaction opens: reading definitions
 * inside it could wait on the very connection the transaction holds).
 */
export type DirectoryWrite<T> = (db: Executor, events: DirectoryEvents, mapping: DirectoryMapping) => Promise<T>;

export class ScimContext {
  readonly q: ResourceQueries;
  /** Custom attributes and roles, as every write of this process applies them. */
  readonly mapping: MappingDefinitions;

  constructor(
    readonly store: KyselyStore,
    private readonly publicUrl: string,
  ) {
    this.q = new ResourceQueries(store.dialect, store.listShapes, store.prefetchedUsers, store.deferUserUpdates);
    this.mapping = definitionsOf(store);
  }

  urls(dir: DirectoryRecord): ScimUrls {
    return { base: scimBaseUrl(this.publicUrl, dir.id) };
  }

  /**
   * One write transaction in a directory; the events it decides are appended last, before commit. A large write
   * (`alone`) takes a transaction of its own rather than hold up a batch of small ones, and its membership events
   * are made while they are written (DirectoryEvents). `hint`: the user the write will lock and read first
   * (getUserForWrite), which its batch may read ahead with others'.
   */
  async write<T>(dir: DirectoryRecord, fn: DirectoryWrite<T>, alone = false, hint?: string): Promise<T> {
    const mapping = await this.mapping.forDirectory(dir);
    return this.store.batchedTransaction(
      async (db, defer) => {
        const events = new DirectoryEvents(db, dir, this.urls(dir), this.q, alone);
        const result = await fn(db, events, mapping);
        events.flush(defer);
        return result;
      },
      { alone, key: dir.id, ...(hint === undefined ? {} : { hint }) },
    );
  }
}
