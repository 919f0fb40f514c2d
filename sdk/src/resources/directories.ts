/** `/directories` and their SCIM bearer tokens. */
import type { HttpClient } from '../http.js';
import type { Directory, DirectoryToken, DirectoryWithToken, NewDirectoryToken } from '../objects.js';
import type { AutoPaginatable } from '../pagination.js';
import type { CreateDirectoryParams, ListDirectoriesParams, PageParams, UpdateDirectoryParams } from '../params.js';
import { path } from '../query.js';
import { listOf } from './list.js';

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
}
