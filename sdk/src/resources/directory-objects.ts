/** `/directory_users` and `/directory_groups`: the directory as the IdP provisioned it, read-only. */
import type { HttpClient } from '../http.js';
import type { DirectoryGroup, DirectoryUser, DirectoryUserWithGroups } from '../objects.js';
import type { AutoPaginatable } from '../pagination.js';
import type { ListDirectoryGroupsParams, ListDirectoryUsersParams } from '../params.js';
import { path } from '../query.js';
import { listOf } from './list.js';

export class DirectoryUsers {
  constructor(private readonly http: HttpClient) {}

  /** Users without their `groups` (today's server sends them only on `get`). */
  list(params: ListDirectoryUsersParams): AutoPaginatable<DirectoryUser> {
    return listOf(this.http, '/directory_users', params);
  }

  /** The user with its `groups`. */
  get(id: string): Promise<DirectoryUserWithGroups> {
    return this.http.request('GET', path`/directory_users/${id}`);
  }
}

export class DirectoryGroups {
  constructor(private readonly http: HttpClient) {}

  list(params: ListDirectoryGroupsParams): AutoPaginatable<DirectoryGroup> {
    return listOf(this.http, '/directory_groups', params);
  }

  get(id: string): Promise<DirectoryGroup> {
    return this.http.request('GET', path`/directory_groups/${id}`);
  }
}
