/**
 * The SCIM operations of one directory, as the HTTP routes and Bulk call them: validate with the strict core,
 * then change rows in one transaction with the events decided from the state before and after. Users and Groups
 * (users.ts, groups.ts) are the only code that writes users, groups and memberships.
 */
import type { ListRequest } from '../scim/list.ts';
import type { ScimResource } from '../scim/schema/types.ts';
import type { KyselyStore } from '../store/kysely-store.ts';
import type { DirectoryRecord } from '../store/store.ts';
import { ScimGroups } from './groups.ts';
import type { Projection } from './projection.ts';
import { ScimContext, type WriteOptions } from './scim-context.ts';
import { ScimUsers } from './users.ts';

type Listed = { total: number; resources: ScimResource[] };
type Read = { resource: ScimResource; version: number };

export class ScimService {
  private readonly users: ScimUsers;
  private readonly groups: ScimGroups;

  constructor(store: KyselyStore, publicUrl: string) {
    const ctx = new ScimContext(store, publicUrl);
    this.users = new ScimUsers(ctx);
    this.groups = new ScimGroups(ctx);
  }

  createUser(dir: DirectoryRecord, body: unknown): Promise<ScimResource> {
    return this.users.create(dir, body);
  }

  getUser(dir: DirectoryRecord, id: string, projection?: Projection): Promise<Read> {
    return this.users.get(dir, id, projection);
  }

  replaceUser(dir: DirectoryRecord, id: string, body: unknown, options?: WriteOptions): Promise<ScimResource> {
    return this.users.replace(dir, id, body, options);
  }

  patchUser(dir: DirectoryRecord, id: string, body: unknown, options?: WriteOptions): Promise<ScimResource> {
    return this.users.patch(dir, id, body, options);
  }

  deleteUser(dir: DirectoryRecord, id: string, options?: WriteOptions): Promise<void> {
    return this.users.delete(dir, id, options);
  }

  listUsers(dir: DirectoryRecord, request: ListRequest): Promise<Listed> {
    return this.users.list(dir, request);
  }

  createGroup(dir: DirectoryRecord, body: unknown): Promise<ScimResource> {
    return this.groups.create(dir, body);
  }

  getGroup(dir: DirectoryRecord, id: string, projection?: Projection): Promise<Read> {
    return this.groups.get(dir, id, projection);
  }

  replaceGroup(dir: DirectoryRecord, id: string, body: unknown, options?: WriteOptions): Promise<ScimResource> {
    return this.groups.replace(dir, id, body, options);
  }

  patchGroup(dir: DirectoryRecord, id: string, body: unknown, options?: WriteOptions): Promise<ScimResource> {
    return this.groups.patch(dir, id, body, options);
  }

  deleteGroup(dir: DirectoryRecord, id: string, options?: WriteOptions): Promise<void> {
    return this.groups.delete(dir, id, options);
  }

  listGroups(dir: DirectoryRecord, request: ListRequest): Promise<Listed> {
    return this.groups.list(dir, request);
  }
}
