/** `/directories`, their SCIM bearer tokens, and their attribute and role mappings (API.md §7). */
import { TimeoutError } from '../errors.js';
import type { HttpClient } from '../http.js';
import type {
  AttributeMapping,
  AttributeMappingPreview,
  AttributePathList,
  Directory,
  DirectoryToken,
  DirectoryWithToken,
  NewDirectoryToken,
  RoleMapping,
} from '../objects.js';
import type { AutoPaginatable } from '../pagination.js';
import type {
  CreateDirectoryParams,
  ListDirectoriesParams,
  PageParams,
  SetAttributeMappingParams,
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

  /** The directory and its first SCIM bearer token (`bearer_token`, shown only here). */
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
}
