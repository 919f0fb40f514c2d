/**
 * `/directories`, their SCIM bearer tokens, their attribute and role mappings (API.md §7), and the connection,
 * syncs and deprovision guard of the directories Guestlist pulls (API.md §8).
 */
import { NotFoundError, TimeoutError } from '../errors.js';
import type { HttpClient } from '../http.js';
import type {
  AttributeMapping,
  AttributeMappingPreview,
  AttributePathList,
  DeprovisionGuard,
  Directory,
  DirectoryConnection,
  DirectorySync,
  DirectoryToken,
  DirectoryWithToken,
  List,
  NewDirectoryToken,
  RoleMapping,
  ScimDirectoryType,
  ScimDirectoryWithToken,
} from '../objects.js';
import type { AutoPaginatable } from '../pagination.js';
import type {
  CreateDirectoryParams,
  ListDirectoriesParams,
  ListDirectorySyncsParams,
  PageParams,
  SetAttributeMappingParams,
  SetConnectionParams,
  SetRoleMappingParams,
  UpdateDirectoryParams,
} from '../params.js';
import { path } from '../query.js';
import { sleep } from '../sleep.js';
import { listOf } from './list.js';

export interface WaitForAttributeMappingOptions {
  /** How long to wait for `state: 'current'` before a TimeoutError; 60 s by default. */
  timeoutMs?: number;
  /** Between two reads; 1 s by default. */
  intervalMs?: number;
  /** Aborting it ends the wait with the signal's reason. */
  signal?: AbortSignal;
}

/** The same options: `waitForSync` waits for the sync to end (neither `queued` nor `running`). */
export type WaitForSyncOptions = WaitForAttributeMappingOptions;

const DEFAULT_WAIT_TIMEOUT_MS = 60_000;
const DEFAULT_WAIT_INTERVAL_MS = 1_000;

/** A directory has at most two active tokens, so the IdP's token can be rotated without downtime. */
export class DirectoryTokens {
  constructor(private readonly http: HttpClient) {}

  /** A new token, its secret shown only here; ConflictError `token_limit_reached` when two are active. */
  create(directoryId: string): Promise<NewDirectoryToken> {
    return this.http.request('POST', path`/directories/${directoryId}/tokens`);
  }

  /** Active and revoked tokens, never their secrets. */
  list(directoryId: string, params: PageParams = {}): AutoPaginatable<DirectoryToken> {
    return listOf(this.http, path`/directories/${directoryId}/tokens`, params);
  }

  /** Stops the token authenticating at once; revoking again keeps the first `revoked_at`. */
  revoke(directoryId: string, tokenId: string): Promise<DirectoryToken> {
    return this.http.request('DELETE', path`/directories/${directoryId}/tokens/${tokenId}`);
  }
}

export class Directories {
  readonly tokens: DirectoryTokens;

  constructor(private readonly http: HttpClient) {
    this.tokens = new DirectoryTokens(http);
  }

  /**
   * The directory and its first SCIM bearer token (`bearer_token`, shown only here). A pulled type
   * (`gsuite directory`, `workday`, `bamboohr`) has no token: connect it to its source with `setConnection`.
   */
  create(params: CreateDirectoryParams & { type: ScimDirectoryType }): Promise<ScimDirectoryWithToken>;
  create(params: CreateDirectoryParams): Promise<DirectoryWithToken>;
  create(params: CreateDirectoryParams): Promise<DirectoryWithToken> {
    return this.http.request('POST', '/directories', { body: params });
  }

  list(params: ListDirectoriesParams = {}): AutoPaginatable<Directory> {
    return listOf(this.http, '/directories', params);
  }

  get(id: string): Promise<Directory> {
    return this.http.request('GET', path`/directories/${id}`);
  }

  update(id: string, params: UpdateDirectoryParams): Promise<Directory> {
    return this.http.request('PATCH', path`/directories/${id}`, { body: params });
  }

  /** Deletes the directory and everything in it; emits a single `dsync.deleted`. */
  async delete(id: string): Promise<void> {
    await this.http.request('DELETE', path`/directories/${id}`);
  }

  /**
   * Every defined attribute's entry (`origin: 'custom'` or the directory type's `default`), and whether a change
   * is still being applied to the users (`state: 'reevaluating'`, with `progress`).
   */
  getAttributeMapping(directoryId: string): Promise<AttributeMapping> {
    return this.http.request('GET', path`/directories/${directoryId}/attribute_mapping`);
  }

  /**
   * Replaces the directory's explicit entries; attributes not listed take the directory type's default. The
   * users are re-evaluated in the background (`waitForAttributeMapping`); each one whose values change gets a
   * `dsync.user.updated`. UnprocessableEntityError with `errors[].field` such as `mappings[0].source`.
   */
  setAttributeMapping(directoryId: string, params: SetAttributeMappingParams): Promise<AttributeMapping> {
    return this.http.request('PUT', path`/directories/${directoryId}/attribute_mapping`, { body: params });
  }

  /** The proposed mapping evaluated on up to 10 of the directory's newest users; nothing is saved. */
  previewAttributeMapping(directoryId: string, params: SetAttributeMappingParams): Promise<AttributeMappingPreview> {
    return this.http.request('POST', path`/directories/${directoryId}/attribute_mapping/preview`, { body: params });
  }

  /** The schema explorer: the attribute paths the directory's newest users carry, usable as sources, with samples. */
  listAttributePaths(directoryId: string): Promise<AttributePathList> {
    return this.http.request('GET', path`/directories/${directoryId}/attribute_paths`);
  }

  /**
   * Reads the attribute mapping every `intervalMs` until the re-evaluation of the directory's users is done
   * (`state: 'current'`) and returns it; TimeoutError (`code: 'timeout'`) after `timeoutMs`.
   */
  async waitForAttributeMapping(directoryId: string, options: WaitForAttributeMappingOptions = {}): Promise<AttributeMapping> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
    const intervalMs = options.intervalMs ?? DEFAULT_WAIT_INTERVAL_MS;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mapping = await this.http.request<AttributeMapping>('GET', path`/directories/${directoryId}/attribute_mapping`, { signal: options.signal });
      if (mapping.state === 'current') return mapping;
      const left = deadline - Date.now();
      if (left <= 0) {
        const progress = mapping.progress ? ` (${mapping.progress.done} of ${mapping.progress.total} users done)` : '';
        throw new TimeoutError({ message: `The attribute mapping of ${directoryId} was still being applied after ${timeoutMs} ms${progress}.`, code: 'timeout' });
      }
      await sleep(Math.min(intervalMs, left), options.signal);
      if (options.signal?.aborted) throw options.signal.reason;
    }
  }

  getRoleMapping(directoryId: string): Promise<RoleMapping> {
    return this.http.request('GET', path`/directories/${directoryId}/role_mapping`);
  }

  /**
   * Replaces the directory's group → role mapping. The members' roles are resolved again before this answers
   * (no waiting); each user whose roles change gets a `dsync.user.updated`.
   */
  setRoleMapping(directoryId: string, params: SetRoleMappingParams): Promise<RoleMapping> {
    return this.http.request('PUT', path`/directories/${directoryId}/role_mapping`, { body: params });
  }

  /** A pulled directory's connection: whether it is set, and its non-secret fields. UnprocessableEntityError `not_pulled` for a SCIM directory. */
  getConnection(directoryId: string): Promise<DirectoryConnection> {
    return this.http.request('GET', path`/directories/${directoryId}/connection`);
  }

  /**
   * Sets the source's credentials (stored encrypted, never returned) and queues a sync with them
   * (`listSyncs(id, {limit: 1})` reads it). UnprocessableEntityError `validation_error` with `errors[].field`
   * (`report_url`, `admin_email`, …), or `not_pulled` for a SCIM directory. A source that refuses the credentials
   * later marks the directory `invalid_credentials`.
   */
  setConnection(directoryId: string, params: SetConnectionParams): Promise<DirectoryConnection> {
    return this.http.request('PUT', path`/directories/${directoryId}/connection`, { body: params });
  }

  /**
   * Queues a sync now (202) and answers with it, `state: 'queued'`; while one is already queued, that one
   * (`waitForSync` waits for it). UnprocessableEntityError `not_pulled` for a SCIM directory.
   */
  sync(directoryId: string): Promise<DirectorySync> {
    return this.http.request('POST', path`/directories/${directoryId}/sync`);
  }

  /** The directory's sync history, newest first (empty for a SCIM directory). */
  listSyncs(directoryId: string, params: ListDirectorySyncsParams = {}): AutoPaginatable<DirectorySync> {
    return listOf(this.http, path`/directories/${directoryId}/syncs`, params);
  }

  /** The deprovision guard: `armed` or `tripped`, how many changes it holds, its effective settings. */
  getGuard(directoryId: string): Promise<DeprovisionGuard> {
    return this.http.request('GET', path`/directories/${directoryId}/guard`);
  }

  /**
   * Applies the held deactivations and deletions, in order, with their events, and arms the guard again
   * (`dsync.guard.released`, with `released`). ConflictError `guard_not_tripped` when it holds nothing,
   * `sync_running` while a sync of the directory runs.
   */
  releaseGuard(directoryId: string): Promise<DeprovisionGuard> {
    return this.http.request('POST', path`/directories/${directoryId}/guard/release`);
  }

  /**
   * Drops the held changes and arms the guard again (`dsync.guard.released`, with `discarded`); a later pull
   * that finds the same may trip it anew. ConflictError as for `releaseGuard`.
   */
  discardGuard(directoryId: string): Promise<DeprovisionGuard> {
    return this.http.request('POST', path`/directories/${directoryId}/guard/discard`);
  }

  /**
   * Reads the sync history every `intervalMs` until the sync `syncId` has ended (neither `queued` nor `running`)
   * and returns it: check `state` (`succeeded`, `failed` with `error`, or `held` by the guard). TimeoutError
   * (`code: 'timeout'`) after `timeoutMs`; NotFoundError when the directory's history has no such sync.
   */
  async waitForSync(directoryId: string, syncId: string, options: WaitForSyncOptions = {}): Promise<DirectorySync> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
    const intervalMs = options.intervalMs ?? DEFAULT_WAIT_INTERVAL_MS;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const sync = await this.findSync(directoryId, syncId, options.signal);
      if (sync.state !== 'queued' && sync.state !== 'running') return sync;
      const left = deadline - Date.now();
      if (left <= 0) throw new TimeoutError({ message: `The sync ${syncId} of ${directoryId} was still ${sync.state} after ${timeoutMs} ms.`, code: 'timeout' });
      await sleep(Math.min(intervalMs, left), options.signal);
      if (options.signal?.aborted) throw options.signal.reason;
    }
  }

  /**
   * The sync from the history, newest first: a sync just requested is on the first page. Ids are time-ordered
   * and the history is ordered by id, so an older id than `syncId` means it is not there.
   */
  private async findSync(directoryId: string, syncId: string, signal: AbortSignal | undefined): Promise<DirectorySync> {
    const syncsPath = path`/directories/${directoryId}/syncs`;
    let after: string | undefined;
    for (;;) {
      const page = await this.http.request<List<DirectorySync>>('GET', syncsPath, { query: { limit: 100, after }, signal });
      const found = page.data.find((sync) => sync.id === syncId);
      if (found) return found;
      const last = page.data.at(-1);
      if (page.list_metadata.after === null || last === undefined || last.id < syncId) {
        throw new NotFoundError({ message: `The directory ${directoryId} has no sync ${syncId}.`, code: 'entity_not_found' });
      }
      after = page.list_metadata.after;
    }
  }
}
