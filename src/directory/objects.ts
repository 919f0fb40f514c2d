/**
 * Reads for the management API: Directory Users and Groups across directories, normalized, with what each
 * object needs from elsewhere (its directory's organization, group memberships, member counts, managers).
 */
import type { Json } from '../scim/json.ts';
import type { KyselyStore } from '../store/kysely-store.ts';
import { DirectoryReads, type GroupListFilter, type UserListFilter } from '../store/scim/directory-reads.ts';
import type { GroupRecord, UserRecord } from '../store/scim/records.ts';
import { ResourceQueries } from '../store/scim/resources.ts';
import type { DirectoryRecord, Page, PageQuery } from '../store/store.ts';
import { scimBaseUrl } from '../urls.ts';
import { managerEmail, managerIds, toDirectoryGroup, toDirectoryUser } from './normalize.ts';
import { renderGroup, renderUser } from './render.ts';

export class DirectoryObjects {
  private readonly reads: DirectoryReads;
  private readonly resources: ResourceQueries;

  constructor(
    private readonly store: KyselyStore,
    private readonly publicUrl: string,
  ) {
    this.reads = new DirectoryReads(store.db);
    this.resources = new ResourceQueries(store.dialect);
  }

  private urls(directoryId: string) {
    return { base: scimBaseUrl(this.publicUrl, directoryId) };
  }

  /** Directories by id, read once per request however many objects share them. */
  private async directories(ids: string[]): Promise<Map<string, DirectoryRecord>> {
    const out = new Map<string, DirectoryRecord>();
    for (const id of new Set(ids)) {
      const dir = await this.store.getDirectory(id);
      if (dir) out.set(id, dir);
    }
    return out;
  }

  private async users(records: UserRecord[], withGroups: boolean): Promise<Json[]> {
    const dirs = await this.directories(records.map((u) => u.directory_id));
    const managers = new Map<string, Map<string, string>>();
    for (const [dirId] of dirs) {
      managers.set(dirId, await this.reads.managerEmails(dirId, managerIds(records.filter((u) => u.directory_id === dirId))));
    }
    const out: Json[] = [];
    for (const user of records) {
      const directory = dirs.get(user.directory_id)!;
      const groups = withGroups ? await this.groups(await this.reads.groupsOfUser(user.id)) : undefined;
      out.push(
        toDirectoryUser(user, {
          directory,
          raw: renderUser(user, undefined, this.urls(user.directory_id)),
          managerEmail: managerEmail(user.resource, managers.get(user.directory_id)),
          ...(groups ? { groups } : {}),
        }),
      );
    }
    return out;
  }

  private async groups(records: GroupRecord[]): Promise<Json[]> {
    const dirs = await this.directories(records.map((g) => g.directory_id));
    const counts = await this.resources.memberCounts(this.store.db, records.map((g) => g.id));
    return records.map((g) => toDirectoryGroup(g, dirs.get(g.directory_id)!, counts.get(g.id) ?? 0, renderGroup(g, undefined, this.urls(g.directory_id))));
  }

  async listUsers(filter: UserListFilter, page: PageQuery): Promise<Page<Json>> {
    const found = await this.reads.users(filter, page);
    return { ...found, data: await this.users(found.data, false) };
  }

  async getUser(id: string): Promise<Json | undefined> {
    const user = await this.reads.user(id);
    return user ? (await this.users([user], true))[0] : undefined;
  }

  async listGroups(filter: GroupListFilter, page: PageQuery): Promise<Page<Json>> {
    const found = await this.reads.groups(filter, page);
    return { ...found, data: await this.groups(found.data) };
  }

  async getGroup(id: string): Promise<Json | undefined> {
    const group = await this.reads.group(id);
    return group ? (await this.groups([group]))[0] : undefined;
  }
}
