/**
 * The queries shared by both databases. Subclasses provide the connection and the few dialect differences
 * (how a write transaction takes its lock).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { LogEvent } from 'kysely';
import type { Database } from './db.ts';
import { fromJson, now, toJson } from './codec.ts';
import { migrateToLatest } from './migrations/index.ts';
import type { ColumnTypes } from './migrations/types.ts';
import { pageById } from './pagination.ts';
import { hashesEqual } from '../secrets.ts';
import { newId } from '../ids.ts';
import { appendEvents, type PendingEvent } from '../store/event-log.ts';
import { GroupCommit, type BatchedWrite, type Savepoints } from './group-commit.ts';
import type { Logger } from 'pino';
import { isConnectionError, isTransientConflict } from './errors.ts';
import {
  MAX_ACTIVE_TOKENS,
  StoreConflict,
  type DirectoryRecord,
  type DirectoryState,
  type EventData,
  type NewDirectory,
  type NewToken,
  type OrganizationRecord,
  type Page,
  type PageQuery,
  type Store,
  type TokenRecord,
} from './store.ts';

type Trx = Transaction<Database>;
type DirectoryRow = Database['directories'] extends infer T ? { [K in keyof T]: unknown } : never;

/** Escapes LIKE wildcards so user text matches literally (with `escape '\'`). */
export type QueryTimer = (sql: string, ms: number) => void;

/** Kysely's `log` option for an optional query timer (absent: no logging overhead at all). */
export function queryLog(onQuery: QueryTimer | undefined): { log?: (event: LogEvent) => void } {
  return onQuery ? { log: (event) => event.level === 'query' && onQuery(event.query.sql, event.queryDurationMillis) } : {};
}

export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export const DEFAULT_GROUP_COMMIT_BATCH = 64;

/** Faults the store survives but must not keep quiet about; each is logged, and counted here for metrics. */
export type StoreErrorKind = 'pool' | 'listen' | 'group_commit' | 'checkpoint';
export type StoreErrorCounts = Record<StoreErrorKind, number>;

/** The same statements on both databases; one name reused, since each savepoint is released before the next. */
const statement = (text: string) => (trx: Trx) => sql.raw(text).execute(trx).then(() => {});

/** SQLite prepares one statement at a time; its calls cost no round trip anyway. */
const SQLITE_SAVEPOINTS: Savepoints<Trx> = {
  begin: statement('savepoint group_commit'),
  release: statement('release savepoint group_commit'),
  rollback: statement('rollback to savepoint group_commit'),
  renew: async (trx) => {
    await statement('release savepoint group_commit')(trx);
    await statement('savepoint group_commit')(trx);
  },
};

/** A query without parameters goes over PostgreSQL's simple protocol, which takes two statements at once. */
const POSTGRES_SAVEPOINTS: Savepoints<Trx> = { ...SQLITE_SAVEPOINTS, renew: statement('release savepoint group_commit; savepoint group_commit') };

/** What a SCIM write defers to the end of its transaction: its events, and changes to its directory's counters. */
export type TailWrite =
  | { kind: 'events'; events: PendingEvent[] }
  | { kind: 'counts'; directoryId: string; usersActive: number; usersInactive: number; groups: number };

/**
 * Writes the tails of a transaction's writes: the counters once per directory (in id order, so two processes'
 * batches lock them in the same order), then every event, in the writes' order, under one sequence update.
 */
async function finishWrites(trx: Trx, items: TailWrite[]): Promise<void> {
  const counts = new Map<string, { usersActive: number; usersInactive: number; groups: number }>();
  const events: PendingEvent[] = [];
  for (const item of items) {
    if (item.kind === 'events') {
      events.push(...item.events);
      continue;
    }
    const sum = counts.get(item.directoryId) ?? { usersActive: 0, usersInactive: 0, groups: 0 };
    sum.usersActive += item.usersActive;
    sum.usersInactive += item.usersInactive;
    sum.groups += item.groups;
    counts.set(item.directoryId, sum);
  }
  for (const [id, d] of [...counts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (d.usersActive === 0 && d.usersInactive === 0 && d.groups === 0) continue;
    await trx
      .updateTable('directories')
      .set((eb) => ({
        users_active: eb('users_active', '+', d.usersActive),
        users_inactive: eb('users_inactive', '+', d.usersInactive),
        groups_count: eb('groups_count', '+', d.groups),
      }))
      .where('id', '=', id)
      .execute();
  }
  await appendEvents(trx as never, events, now());
}

export abstract class KyselyStore implements Store {
  abstract readonly dialect: 'sqlite' | 'postgres';

  /** Batches concurrent SCIM writes into shared transactions (see group-commit.ts). */
  readonly groupCommit: GroupCommit<Trx, TailWrite>;

  /** Faults seen so far, by kind (exported as guestlist_store_errors_total). */
  readonly errors: StoreErrorCounts = { pool: 0, listen: 0, group_commit: 0, checkpoint: 0 };
  /** Where faults are reported; absent, they are still counted. */
  readonly logger: Logger | undefined;

  constructor(
    readonly db: Kysely<Database>,
    private readonly columnTypes: ColumnTypes,
    options: { groupCommitMaxBatch?: number; groupCommitWaitMs?: number; groupCommitLanes?: number; logger?: Logger } = {},
  ) {
    this.logger = options.logger;
    this.groupCommit = new GroupCommit<Trx, TailWrite>((body) => this.transaction(body), (trx, items) => finishWrites(trx, items), {
      ...SQLITE_SAVEPOINTS,
      // The subclass's dialect is set after this constructor, so it is read at each call.
      renew: (trx) => (this.dialect === 'postgres' ? POSTGRES_SAVEPOINTS : SQLITE_SAVEPOINTS).renew(trx),
    }, {
      maxBatch: options.groupCommitMaxBatch ?? DEFAULT_GROUP_COMMIT_BATCH,
      waitMs: options.groupCommitWaitMs ?? 0,
      lanes: options.groupCommitLanes ?? 1,
      isTransient: isTransientConflict,
      isUnavailable: isConnectionError,
      onBatchError: (err, writes) => this.fault('group_commit', err, 'group commit batch failed; its writes run again alone', { writes }),
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

  private readonly commitListeners = new Set<() => void>();

  /** Runs `fn` in a write transaction; after it commits, listeners (the webhook dispatcher) are told. */
  async transaction<T>(fn: (trx: Trx) => Promise<T>): Promise<T> {
    const result = await this.db.transaction().execute(fn);
    this.committed();
    return result;
  }

  /**
   * Runs `fn` as one atomic write that may share its transaction and commit with concurrent writes; its events
   * and counter changes go to `defer`, and are written at the end of the transaction. `fn` must touch the
   * database only through `trx` and have no other side effects: if its batch fails as a whole, it runs again.
   * `alone` gives it a transaction of its own (a large write that should not hold up a batch). Writes with the
   * same `key` (a directory id) never run in two concurrent transactions of this process, `alone` or not.
   */
  batchedTransaction<T>(fn: BatchedWrite<Trx, TailWrite, T>, options: { alone?: boolean; key?: string } = {}): Promise<T> {
    return options.key === undefined && options.alone ? this.groupCommit.alone(fn) : this.groupCommit.submit(fn, options.key, options.alone);
  }

  /** Called after every commit: wakes listeners in this process (and, on PostgreSQL, in others). */
  protected committed(): void {
    for (const listener of this.commitListeners) listener();
  }

  /** Wakes the dispatcher without a commit (a re-sent delivery); the same listeners as commits. */
  wakeDispatch(): void {
    this.committed();
  }

  /** Subscribes to commits; returns the unsubscribe function. */
  onCommit(listener: () => void): () => void {
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
    await this.db.destroy();
  }

  // ── API keys ────────────────────────────────────────────────────────────

  async apiKeyHashes(): Promise<string[]> {
    const rows = await this.db.selectFrom('api_keys').select('key_hash').execute();
    return rows.map((r) => r.key_hash);
  }

  async insertFirstApiKey(id: string, hash: string): Promise<boolean> {
    return this.transaction(async (trx) => {
      await this.lock(trx, 'api_keys');
      const existing = await trx.selectFrom('api_keys').select('id').limit(1).executeTakeFirst();
      if (existing) return false;
      await trx.insertInto('api_keys').values({ id, key_hash: hash, created_at: now() }).execute();
      return true;
    });
  }

  // ── Organizations ───────────────────────────────────────────────────────

  async createOrganization(input: { id: string; name: string; domains: string[] }): Promise<OrganizationRecord> {
    const at = now();
    await this.transaction(async (trx) => {
      await trx.insertInto('organizations').values({ id: input.id, name: input.name, created_at: at, updated_at: at }).execute();
      await this.insertDomains(trx, input.id, input.domains, at);
    });
    return (await this.getOrganization(input.id))!;
  }

  private async insertDomains(trx: Trx, organizationId: string, domains: string[], at: string): Promise<void> {
    if (domains.length === 0) return;
    const rows = domains.map((domain) => ({ id: newId('org_domain'), organization_id: organizationId, domain, created_at: at }));
    await trx.insertInto('organization_domains').values(rows).execute();
  }

  async getOrganization(id: string): Promise<OrganizationRecord | undefined> {
    const row = await this.db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const [withDomains] = await this.attachDomains([row]);
    return withDomains;
  }

  private async attachDomains(
    rows: { id: string; name: string; created_at: string; updated_at: string }[],
  ): Promise<OrganizationRecord[]> {
    if (rows.length === 0) return [];
    const domains = await this.db
      .selectFrom('organization_domains')
      .select(['id', 'organization_id', 'domain'])
      .where('organization_id', 'in', rows.map((r) => r.id))
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      domains: domains.filter((d) => d.organization_id === r.id).map((d) => ({ id: d.id, domain: d.domain })),
      created_at: r.created_at,
      updated_at: r.updated_at,
    }));
  }

  async listOrganizations(page: PageQuery, filter: { domains?: string[] }): Promise<Page<OrganizationRecord>> {
    let q = this.db.selectFrom('organizations').selectAll();
    if (filter.domains && filter.domains.length > 0) {
      const withDomain = this.db
        .selectFrom('organization_domains')
        .select('organization_id')
        .where('domain', 'in', filter.domains);
      q = q.where('id', 'in', withDomain);
    }
    const result = await pageById(q, 'id', page);
    return { ...result, data: await this.attachDomains(result.data) };
  }

  async updateOrganization(
    id: string,
    patch: { name?: string; domains?: string[] },
  ): Promise<OrganizationRecord | undefined> {
    const found = await this.transaction(async (trx) => {
      const at = now();
      const res = await trx
        .updateTable('organizations')
        .set({ updated_at: at, ...(patch.name !== undefined ? { name: patch.name } : {}) })
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return false;
      if (patch.domains !== undefined) await this.replaceDomains(trx, id, patch.domains, at);
      return true;
    });
    return found ? this.getOrganization(id) : undefined;
  }

  /** Keeps the ids of domains that stay, so references to them survive an update. */
  private async replaceDomains(trx: Trx, organizationId: string, domains: string[], at: string): Promise<void> {
    const current = await trx
      .selectFrom('organization_domains')
      .select(['id', 'domain'])
      .where('organization_id', '=', organizationId)
      .execute();
    const gone = current.filter((d) => !domains.includes(d.domain)).map((d) => d.id);
    if (gone.length > 0) await trx.deleteFrom('organization_domains').where('id', 'in', gone).execute();
    const kept = new Set(current.map((d) => d.domain));
    await this.insertDomains(trx, organizationId, domains.filter((d) => !kept.has(d)), at);
  }

  /** Deletes the organization; each of its directories gets its `dsync.deleted`, in the same transaction. */
  async deleteOrganization(id: string, eventData: EventData<DirectoryRecord>): Promise<boolean> {
    return this.transaction(async (trx) => {
      const directories = await trx.selectFrom('directories').selectAll().where('organization_id', '=', id).orderBy('id').execute();
      const res = await trx.deleteFrom('organizations').where('id', '=', id).executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) return false;
      await appendEvents(trx as never, directories.map((d) => this.directoryDeleted(this.toDirectory(d), eventData)), now());
      return true;
    });
  }

  private directoryDeleted(dir: DirectoryRecord, eventData: EventData<DirectoryRecord>): PendingEvent {
    return { event: 'dsync.deleted', directory_id: dir.id, organization_id: dir.organization_id, data: eventData({ ...dir, state: 'deleting' }) };
  }

  // ── Directories ─────────────────────────────────────────────────────────

  private toDirectory(row: DirectoryRow): DirectoryRecord {
    return {
      id: row.id as string,
      organization_id: row.organization_id as string,
      type: row.type as string,
      name: row.name as string,
      domain: (row.domain as string | null) ?? null,
      state: row.state as DirectoryState,
      settings: fromJson<Record<string, unknown>>(row.settings),
      users_active: Number(row.users_active),
      users_inactive: Number(row.users_inactive),
      groups_count: Number(row.groups_count),
      linked_at: (row.linked_at as string | null) ?? null,
      created_at: row.created_at as string,
      updated_at: row.updated_at as string,
    };
  }

  async createDirectory(input: NewDirectory, token: NewToken, tokenEvent: EventData<TokenRecord>): Promise<DirectoryRecord> {
    const at = now();
    await this.transaction(async (trx) => {
      await trx
        .insertInto('directories')
        .values({
          ...input,
          settings: toJson(input.settings),
          state: 'unlinked',
          users_active: 0,
          users_inactive: 0,
          groups_count: 0,
          linked_at: null,
          created_at: at,
          updated_at: at,
        })
        .execute();
      await this.insertToken(trx, input.id, token, at);
      await appendEvents(trx as never, [this.tokenEvent('dsync.token.created', input.organization_id, this.newTokenRecord(input.id, token, at), tokenEvent)], at);
    });
    return (await this.getDirectory(input.id))!;
  }

  async getDirectory(id: string): Promise<DirectoryRecord | undefined> {
    const row = await this.db.selectFrom('directories').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.toDirectory(row) : undefined;
  }

  async listDirectories(
    page: PageQuery,
    filter: { organization_id?: string; search?: string; domain?: string },
  ): Promise<Page<DirectoryRecord>> {
    let q = this.db.selectFrom('directories').selectAll();
    if (filter.organization_id !== undefined) q = q.where('organization_id', '=', filter.organization_id);
    if (filter.domain !== undefined) q = q.where('domain', '=', filter.domain);
    if (filter.search !== undefined && filter.search !== '') {
      const pattern = likeContains(filter.search.toLowerCase());
      q = q.where(sql<boolean>`lower(name) like ${pattern} escape '\\'`);
    }
    const result = await pageById(q, 'id', page);
    return { ...result, data: result.data.map((r) => this.toDirectory(r)) };
  }

  async updateDirectory(
    id: string,
    patch: { name?: string; settings?: Record<string, unknown> },
  ): Promise<DirectoryRecord | undefined> {
    const set: Record<string, unknown> = { updated_at: now() };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.settings !== undefined) set.settings = toJson(patch.settings);
    const res = await this.db.updateTable('directories').set(set).where('id', '=', id).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0 ? this.getDirectory(id) : undefined;
  }

  /** Deletes the directory and everything in it, with one `dsync.deleted` and no per-user events. */
  async deleteDirectory(id: string, eventData: EventData<DirectoryRecord>): Promise<boolean> {
    return this.transaction(async (trx) => {
      await this.lock(trx, id);
      const row = await trx.selectFrom('directories').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return false;
      await trx.deleteFrom('directories').where('id', '=', id).execute();
      await appendEvents(trx as never, [this.directoryDeleted(this.toDirectory(row), eventData)], now());
      return true;
    });
  }

  async markDirectoryLinked(id: string, eventData: EventData<DirectoryRecord>): Promise<boolean> {
    const at = now();
    return this.transaction(async (trx) => {
      const res = await trx
        .updateTable('directories')
        .set({ state: 'linked', linked_at: at, updated_at: at })
        .where('id', '=', id)
        .where('state', '=', 'unlinked')
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return false;
      const dir = this.toDirectory(await trx.selectFrom('directories').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
      await appendEvents(trx as never, [{ event: 'dsync.activated', directory_id: id, organization_id: dir.organization_id, data: eventData(dir) }], at);
      return true;
    });
  }

  // ── Tokens ──────────────────────────────────────────────────────────────

  private async insertToken(trx: Trx, directoryId: string, token: NewToken, at: string): Promise<void> {
    await trx
      .insertInto('directory_tokens')
      .values({
        id: token.id,
        directory_id: directoryId,
        token_hash: token.hash,
        token_suffix: token.suffix,
        created_at: at,
        last_used_at: null,
        revoked_at: null,
      })
      .execute();
  }

  async createToken(directoryId: string, token: NewToken, eventData: EventData<TokenRecord>): Promise<TokenRecord> {
    const at = now();
    await this.transaction(async (trx) => {
      await this.lock(trx, directoryId);
      const active = await trx
        .selectFrom('directory_tokens')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('directory_id', '=', directoryId)
        .where('revoked_at', 'is', null)
        .executeTakeFirstOrThrow();
      if (Number(active.n) >= MAX_ACTIVE_TOKENS) {
        throw new StoreConflict(
          'token_limit_reached',
          `A directory has at most ${MAX_ACTIVE_TOKENS} active tokens; revoke one before creating another.`,
        );
      }
      await this.insertToken(trx, directoryId, token, at);
      const dir = await trx.selectFrom('directories').select('organization_id').where('id', '=', directoryId).executeTakeFirstOrThrow();
      await appendEvents(trx as never, [this.tokenEvent('dsync.token.created', dir.organization_id, this.newTokenRecord(directoryId, token, at), eventData)], at);
    });
    return (await this.getToken(directoryId, token.id))!;
  }

  private newTokenRecord(directoryId: string, token: NewToken, at: string): TokenRecord {
    return { id: token.id, directory_id: directoryId, token_suffix: token.suffix, created_at: at, last_used_at: null, revoked_at: null };
  }

  private tokenEvent(event: 'dsync.token.created' | 'dsync.token.revoked', organizationId: string, token: TokenRecord, eventData: EventData<TokenRecord>): PendingEvent {
    return { event, directory_id: token.directory_id, organization_id: organizationId, data: eventData(token) };
  }

  private getToken(directoryId: string, tokenId: string): Promise<TokenRecord | undefined> {
    return this.db
      .selectFrom('directory_tokens')
      .select(['id', 'directory_id', 'token_suffix', 'created_at', 'last_used_at', 'revoked_at'])
      .where('directory_id', '=', directoryId)
      .where('id', '=', tokenId)
      .executeTakeFirst();
  }

  listTokens(directoryId: string, page: PageQuery): Promise<Page<TokenRecord>> {
    const q = this.db
      .selectFrom('directory_tokens')
      .select(['id', 'directory_id', 'token_suffix', 'created_at', 'last_used_at', 'revoked_at'])
      .where('directory_id', '=', directoryId);
    return pageById(q, 'id', page);
  }

  async revokeToken(directoryId: string, tokenId: string, eventData: EventData<TokenRecord>): Promise<TokenRecord | undefined> {
    const at = now();
    await this.transaction(async (trx) => {
      const res = await trx
        .updateTable('directory_tokens')
        .set({ revoked_at: at })
        .where('directory_id', '=', directoryId)
        .where('id', '=', tokenId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return;
      const token = await trx
        .selectFrom('directory_tokens')
        .select(['id', 'directory_id', 'token_suffix', 'created_at', 'last_used_at', 'revoked_at'])
        .where('id', '=', tokenId)
        .executeTakeFirstOrThrow();
      const dir = await trx.selectFrom('directories').select('organization_id').where('id', '=', directoryId).executeTakeFirstOrThrow();
      await appendEvents(trx as never, [this.tokenEvent('dsync.token.revoked', dir.organization_id, token, eventData)], at);
    });
    return this.getToken(directoryId, tokenId);
  }

  async authenticateDirectory(directoryId: string, tokenHash: string): Promise<{ directory: DirectoryRecord; token: TokenRecord } | undefined> {
    // One query for the directory and its active tokens: this runs before every SCIM request.
    const rows = await this.db
      .selectFrom('directories as d')
      .innerJoin('directory_tokens as t', (join) => join.onRef('t.directory_id', '=', 'd.id').on('t.revoked_at', 'is', null))
      .selectAll('d')
      .select([
        't.id as token_id',
        't.token_hash as token_hash',
        't.token_suffix as token_suffix',
        't.created_at as token_created_at',
        't.last_used_at as token_last_used_at',
      ])
      .where('d.id', '=', directoryId)
      .execute();
    // Every active token is compared, so timing does not reveal which one (or whether any) matched.
    let match: (typeof rows)[number] | undefined;
    for (const row of rows) if (hashesEqual(row.token_hash, tokenHash)) match = row;
    if (!match) return undefined;
    const token: TokenRecord = {
      id: match.token_id,
      directory_id: directoryId,
      token_suffix: match.token_suffix,
      created_at: match.token_created_at,
      last_used_at: match.token_last_used_at,
      revoked_at: null,
    };
    return { directory: this.toDirectory(match), token };
  }

  async touchToken(tokenId: string, at: string): Promise<void> {
    await this.db.updateTable('directory_tokens').set({ last_used_at: at }).where('id', '=', tokenId).execute();
  }
}
