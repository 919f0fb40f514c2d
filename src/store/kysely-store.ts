/**
 * The store both databases share: the Kysely queries (one module per kind of record), write transactions that
 * tell listeners of each commit, group commit for SCIM writes, and the faults survived. Subclasses provide the
 * connection and the few dialect differences (how a write transaction takes its lock, savepoint round trips).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import { apiKeyHashes, insertFirstApiKey } from './api-keys.ts';
import { now } from './codec.ts';
import type { Database } from './db.ts';
import * as directories from './directories.ts';
import { isConnectionError, isTransientConflict } from './errors.ts';
import { GroupCommit, type BatchedWrite, type Prefetch, type Savepoints } from './group-commit.ts';
import { migrateToLatest } from './migrations/index.ts';
import type { ColumnTypes } from './migrations/types.ts';
import * as organizations from './organizations.ts';
import type { DirectoryRecord, EventData, NewDirectory, NewToken, OrganizationRecord, Page, PageQuery, Store, TokenRecord } from './store.ts';
import { finishWrites, settleUserUpdates, type DeferredUpdateStats, type TailWrite } from './tail-writes.ts';
import { StatementShapes } from './scim/statement-shapes.ts';
import { PrefetchedUsers } from './scim/prefetched-users.ts';
import { ResourceQueries } from './scim/resources.ts';
import * as tokens from './tokens.ts';
import { AuthCache } from './auth-cache.ts';

/** How long a successful SCIM authentication is remembered (auth-cache.ts); 0 turns the cache off. */
const AUTH_CACHE_TTL_MS = 1000;

type Trx = Transaction<Database>;

export const DEFAULT_GROUP_COMMIT_BATCH = 64;

/** Faults the store survives but must not keep quiet about; each is logged, and counted here for metrics. */
export type StoreErrorKind = 'pool' | 'listen' | 'group_commit' | 'checkpoint';
export type StoreErrorCounts = Record<StoreErrorKind, number>;

export interface KyselyStoreOptions {
  groupCommitMaxBatch?: number;
  groupCommitWaitMs?: number;
  groupCommitLanes?: number;
  /** Batches read the users of their next PUTs and PATCHes ahead, in one statement (PostgreSQL; off by default). */
  prefetchUsers?: boolean;
  /**
   * A PUT's or PATCH's update of a user that keeps its userName, externalId and emails is written with the
   * batch's others, in one statement (PostgreSQL; see tail-writes.ts). Off by default.
   */
  deferUserUpdates?: boolean;
  logger?: Logger;
  /** Where reads outside a transaction go, when not `db` (SQLite's read-only connection). */
  reader?: Kysely<Database>;
  /** Where reads that may scan many rows go, when not `reader` (SQLite's read workers). */
  scanReader?: Kysely<Database>;
  /** Where the webhook dispatcher's transactions go, when not `db` (PostgreSQL's asynchronous-commit pool). */
  dispatchDb?: Kysely<Database>;
}

export abstract class KyselyStore implements Store {
  abstract readonly dialect: 'sqlite' | 'postgres';

  /** Batches concurrent SCIM writes into shared transactions (see group-commit.ts). */
  readonly groupCommit: GroupCommit<Trx, TailWrite>;

  /**
   * Statement templates of the SCIM lists this process runs (store/scim/statement-shapes.ts): one cache per
   * store, shared by every reader of it; its counts are exported as guestlist_list_statements_total.
   */
  readonly listShapes = new StatementShapes();
  /** Users read ahead for batched writes (group-commit.ts, Prefetch), when the store does. */
  readonly prefetchedUsers: PrefetchedUsers | undefined;
  /** Whether SCIM writes defer their users' updates to the batch's end (KyselyStoreOptions.deferUserUpdates). */
  readonly deferUserUpdates: boolean;
  /** Users' updates written at their batch's end or before a write that reads them, and in how many statements. */
  readonly deferredUpdates: DeferredUpdateStats = { rows: 0, statements: 0 };

  /** Faults seen so far, by kind (exported as guestlist_store_errors_total). */
  readonly errors: StoreErrorCounts = { pool: 0, listen: 0, group_commit: 0, checkpoint: 0 };
  /** Where faults are reported; absent, they are still counted. */
  readonly logger: Logger | undefined;

  private readonly commitListeners = new Set<(due: boolean) => void>();

  /**
   * For reads that need no transaction (SCIM and management reads, authentication): they see the last commit.
   * On SQLite a read-only connection of its own, so they never wait behind a write transaction; else `db`.
   */
  readonly reader: Kysely<Database>;

  /**
   * For reads that may scan many rows (a SCIM list whose filter no index bounds, a count of a whole directory):
   * on SQLite they run on worker threads (sqlite-read-workers.ts), so that the event loop goes on serving every
   * other request meanwhile; else `reader`.
   */
  readonly scanReader: Kysely<Database>;

  /**
   * For the webhook dispatcher's own bookkeeping: fan-out, claims, outcomes. On PostgreSQL, connections with
   * synchronous_commit = off: these transactions commit without waiting for the WAL flush, which on a busy server
   * is most of their time, and a write waiting for its webhook waits for two of them. What a crash may lose is
   * the last fraction of a second of them (never an event: writes commit synchronously, and the WAL keeps commit
   * order, so a later synchronous commit makes every earlier one durable). Lost, a fan-out runs again (its
   * deliveries and its cursor were one transaction), and a claim or an outcome means the delivery is sent again
   * with the same webhook-id: at-least-once, in order, as after a worker dies mid-send. Else `db`.
   */
  readonly dispatchDb: Kysely<Database>;

  constructor(
    readonly db: Kysely<Database>,
    private readonly columnTypes: ColumnTypes,
    savepoints: Savepoints<Trx>,
    options: KyselyStoreOptions = {},
  ) {
    this.logger = options.logger;
    this.reader = options.reader ?? db;
    this.scanReader = options.scanReader ?? this.reader;
    this.dispatchDb = options.dispatchDb ?? db;
    // The queries are made on first use: `dialect` is a subclass's field, not set yet.
    let queries: ResourceQueries | undefined;
    this.prefetchedUsers = options.prefetchUsers
      ? new PrefetchedUsers((db, directoryId, ids) => (queries ??= new ResourceQueries(this.dialect, this.listShapes)).usersForWrite(db, directoryId, ids))
      : undefined;
    this.deferUserUpdates = options.deferUserUpdates === true;
    this.groupCommit = new GroupCommit<Trx, TailWrite>((body) => this.transaction(body), (trx, items) => finishWrites(trx, items, this.dialect === 'postgres', this.deferredUpdates), savepoints, {
      maxBatch: options.groupCommitMaxBatch ?? DEFAULT_GROUP_COMMIT_BATCH,
      waitMs: options.groupCommitWaitMs ?? 0,
      lanes: options.groupCommitLanes ?? 1,
      isTransient: isTransientConflict,
      isUnavailable: isConnectionError,
      onBatchError: (err, writes) => this.fault('group_commit', err, 'group commit batch failed; its writes run again alone', { writes }),
      ...(this.prefetchedUsers ? { prefetch: this.prefetchedUsers as Prefetch<unknown> } : {}),
      ...(this.deferUserUpdates ? { settle: (trx: unknown, items: TailWrite[]) => settleUserUpdates(trx as Trx, items, this.deferredUpdates) } : {}),
    });
  }

  /** Counts a fault and logs it (warn: the store carries on, retrying or reconnecting). */
  protected fault(kind: StoreErrorKind, err: unknown, message: string, context: Record<string, unknown> = {}): void {
    this.errors[kind] += 1;
    this.logger?.warn({ err, kind, ...context }, message);
  }

  /**
   * Serializes writers that must see a consistent state under `key` (a directory id for the token limit and
   * counters). Held until the transaction ends.
   */
  protected abstract lock(trx: Trx, key: string): Promise<void>;

  /** Runs `fn` in a write transaction; after it commits, listeners (the webhook dispatcher) are told. */
  async transaction<T>(fn: (trx: Trx) => Promise<T>): Promise<T> {
    const result = await this.db.transaction().execute(fn);
    this.committed();
    return result;
  }

  /** A write transaction holding the lock on `key` from its start. */
  private locked<T>(key: string, fn: (trx: Trx) => Promise<T>): Promise<T> {
    return this.transaction(async (trx) => {
      await this.lock(trx, key);
      return fn(trx);
    });
  }

  /**
   * Runs `fn` as one atomic write that may share its transaction and commit with concurrent writes; its events
   * and counter changes go to `defer`, and are written at the end of the transaction. `fn` must touch the
   * database only through `trx` and have no other side effects: if its batch fails as a whole, it runs again.
   * `alone` gives it a transaction of its own (a large write that should not hold up a batch). Writes with the
   * same `key` (a directory id) never run in two concurrent transactions of this process, `alone` or not.
   */
  batchedTransaction<T>(fn: BatchedWrite<Trx, TailWrite, T>, options: { alone?: boolean; key?: string; hint?: string } = {}): Promise<T> {
    return options.key === undefined && options.alone ? this.groupCommit.alone(fn) : this.groupCommit.submit(fn, options.key, options.alone, options.hint);
  }

  /**
   * Called after every commit: wakes listeners in this process (and, on PostgreSQL, in others). `due`: a
   * delivery was made due by something other than a new event, so a dispatcher must claim, not only fan out.
   */
  protected committed(due = false): void {
    for (const listener of this.commitListeners) listener(due);
  }

  /** Wakes the dispatcher for deliveries made due without a new event (a re-enabled endpoint's). */
  wakeDispatch(): void {
    this.committed(true);
  }

  /** Subscribes to commits; returns the unsubscribe function. */
  onCommit(listener: (due: boolean) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  migrate(schema?: string): Promise<string[]> {
    return migrateToLatest(this.db as Kysely<any>, this.columnTypes, schema);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    if (this.scanReader !== this.reader) await this.scanReader.destroy();
    if (this.reader !== this.db) await this.reader.destroy();
    if (this.dispatchDb !== this.db) await this.dispatchDb.destroy();
    await this.db.destroy();
  }

  // ── Store: API keys, organizations, directories, tokens ─────────────────

  apiKeyHashes(): Promise<string[]> {
    return apiKeyHashes(this.db);
  }

  insertFirstApiKey(id: string, hash: string): Promise<boolean> {
    return this.locked('api_keys', (trx) => insertFirstApiKey(trx, id, hash));
  }

  async createOrganization(input: { id: string; name: string; domains: string[] }): Promise<OrganizationRecord> {
    const at = now();
    await this.transaction((trx) => organizations.insertOrganization(trx, input, at));
    return (await this.getOrganization(input.id))!;
  }

  getOrganization(id: string): Promise<OrganizationRecord | undefined> {
    return organizations.getOrganization(this.db, id);
  }

  listOrganizations(page: PageQuery, filter: { domains?: string[] }): Promise<Page<OrganizationRecord>> {
    return organizations.listOrganizations(this.db, page, filter);
  }

  async updateOrganization(id: string, patch: { name?: string; domains?: string[] }): Promise<OrganizationRecord | undefined> {
    const found = await this.transaction((trx) => organizations.updateOrganization(trx, id, patch));
    return found ? this.getOrganization(id) : undefined;
  }

  async deleteOrganization(id: string, eventData: EventData<DirectoryRecord>): Promise<boolean> {
    const deleted = await this.transaction((trx) => organizations.deleteOrganization(trx, id, eventData));
    this.authentications.clear();
    return deleted;
  }

  /** A directory with its first SCIM token; a pulled directory (no `token`) has none. */
  async createDirectory(input: NewDirectory, token: NewToken | undefined, tokenEvent: EventData<TokenRecord>): Promise<DirectoryRecord> {
    const at = now();
    await this.transaction(async (trx) => {
      await directories.insertDirectory(trx, input, at);
      if (token) await tokens.insertFirstToken(trx, input.organization_id, input.id, token, tokenEvent, at);
    });
    return (await this.getDirectory(input.id))!;
  }

  getDirectory(id: string): Promise<DirectoryRecord | undefined> {
    return directories.getDirectory(this.db, id);
  }

  listDirectories(page: PageQuery, filter: directories.DirectoryFilter): Promise<Page<DirectoryRecord>> {
    return directories.listDirectories(this.db, page, filter);
  }

  async updateDirectory(id: string, patch: { name?: string; settings?: Record<string, unknown> }): Promise<DirectoryRecord | undefined> {
    const updated = await directories.updateDirectory(this.db, id, patch);
    this.forgetDirectory(id);
    return updated ? this.getDirectory(id) : undefined;
  }

  async deleteDirectory(id: string, eventData: EventData<DirectoryRecord>): Promise<boolean> {
    const deleted = await this.locked(id, (trx) => directories.deleteDirectory(trx, id, eventData));
    this.forgetDirectory(id);
    return deleted;
  }

  async markDirectoryLinked(id: string, eventData: EventData<DirectoryRecord>): Promise<boolean> {
    const at = now();
    const linked = await this.transaction((trx) => directories.markDirectoryLinked(trx, id, eventData, at));
    this.forgetDirectory(id);
    return linked;
  }

  /**
   * Drops what this process remembers of the directory (its authentications): called after any change to its
   * row or tokens that a SCIM request reads from the directory it authenticated as.
   */
  forgetDirectory(id: string): void {
    this.authentications.forget(id);
  }

  async createToken(directoryId: string, token: NewToken, eventData: EventData<TokenRecord>): Promise<TokenRecord> {
    const at = now();
    await this.locked(directoryId, (trx) => tokens.createToken(trx, directoryId, token, eventData, at));
    this.forgetDirectory(directoryId);
    return (await tokens.getToken(this.db, directoryId, token.id))!;
  }

  listTokens(directoryId: string, page: PageQuery): Promise<Page<TokenRecord>> {
    return tokens.listTokens(this.db, directoryId, page);
  }

  async revokeToken(directoryId: string, tokenId: string, eventData: EventData<TokenRecord>): Promise<TokenRecord | undefined> {
    const at = now();
    await this.transaction((trx) => tokens.revokeToken(trx, directoryId, tokenId, eventData, at));
    // Revocation takes effect in this process at once (in others, within the cache's TTL).
    this.forgetDirectory(directoryId);
    return tokens.getToken(this.db, directoryId, tokenId);
  }

  /** Served from the second-long cache when this pair authenticated lately (auth-cache.ts). */
  async authenticateDirectory(directoryId: string, tokenHash: string): Promise<{ directory: DirectoryRecord; token: TokenRecord } | undefined> {
    const cached = this.authentications.get(directoryId, tokenHash);
    if (cached) return cached;
    const found = await tokens.authenticateDirectory(this.reader, directoryId, tokenHash);
    if (found) this.authentications.set(directoryId, tokenHash, found);
    return found;
  }

  cachedAuthentication(directoryId: string, tokenHash: string): { directory: DirectoryRecord; token: TokenRecord } | undefined {
    return this.authentications.get(directoryId, tokenHash);
  }

  private readonly authentications = new AuthCache<{ directory: DirectoryRecord; token: TokenRecord }>(AUTH_CACHE_TTL_MS);

  touchToken(tokenId: string, at: string): Promise<void> {
    return tokens.touchToken(this.db, tokenId, at);
  }
}
