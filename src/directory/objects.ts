/**
 * Reads for the management API: Directory Users and Groups across directories, normalized, with what each
 * object needs from elsewhere (its directory's organization, group memberships, member counts, managers).
 * Every user the API returns carries its `groups` (WorkOS SDKs read them on list items too), fetched for a
 * whole page at once: the queries per page are a handful, whatever its size.
 */
import type { Json } from '../scim/json.ts';
import type { KyselyStore } from '../store/kysely-store.ts';
import { DirectoryReads, type GroupListFilter, type ManagerContact, type UserListFilter } from '../store/scim/directory-reads.ts';
import type { GroupRecord, UserRecord } from '../store/scim/records.ts';
import { ResourceQueries } from '../store/scim/resources.ts';
import type { DirectoryRecord, Page, PageQuery } from '../store/store.ts';
import { scimBaseUrl } from '../urls.ts';
import { isEmailAddress, managerEmail, managerIds, toDirectoryGroup, toDirectoryUser } from './normalize.ts';
import { renderGroup, renderUser } from './render.ts';
import { searchPredicate } from './sql-filters.ts';

/** `search`: free text, matched as the console's search box means it (see searchPredicate). */
export type Searchable<F> = F & { search?: string };

type Directories = Map<string, DirectoryRecord>;

export class DirectoryObjects {
  private readonly reads: DirectoryReads;
  private readonly resources: ResourceQueries;

  constructor(
    private readonly store: KyselyStore,
    private readonly publicUrl: string,
  ) {
    this.reads = new DirectoryReads(store.reader);
    this.resources = new ResourceQueries(store.dialect, store.listShapes);
  }

  private urls(directoryId: string) {
    return { base: scimBaseUrl(this.publicUrl, directoryId) };
  }

  /** Directories by id, each read once per request however many objects share it; `known` are not read again. */
  private async directories(ids: string[], known: Directories = new Map()): Promise<Directories> {
    const out = new Map(known);
    for (const id of new Set(ids)) {
      if (out.has(id)) continue;
      const dir = await this.store.getDirectory(id);
      if (dir) out.set(id, dir);
    }
    return out;
  }

  private async users(records: UserRecord[]): Promise<Json[]> {
    const dirs = await this.directories(records.map((u) => u.directory_id));
    const groupsOf = await this.reads.groupsOfUsers(records.map((u) => u.id));
    const groups = await this.groupObjects([...groupsOf.values()].flat(), dirs);
    const managers = new Map<string, Map<string, ManagerContact>>();
    for (const [dirId] of dirs) {
      managers.set(dirId, await this.reads.managers(dirId, managerIds(records.filter((u) => u.directory_id === dirId))));
    }
    return records.map((user) =>
      toDirectoryUser(user, {
        directory: dirs.get(user.directory_id)!,
        raw: renderUser(user, undefined, this.urls(user.directory_id)),
        managerEmail: managerEmail(user.resource, managers.get(user.directory_id)),
        groups: (groupsOf.get(user.id) ?? []).map((g) => groups.get(g.id)!),
      }),
    );
  }

  /** Directory Group objects by id, with their member counts read in one go. */
  private async groupObjects(records: GroupRecord[], known?: Directories): Promise<Map<string, Json>> {
    const unique = [...new Map(records.map((g) => [g.id, g])).values()];
    const dirs = await this.directories(unique.map((g) => g.directory_id), known);
    const counts = await this.resources.memberCounts(this.store.reader, unique.map((g) => g.id));
    return new Map(
      unique.map((g) => [g.id, toDirectoryGroup(g, dirs.get(g.directory_id)!, counts.get(g.id) ?? 0, renderGroup(g, undefined, this.urls(g.directory_id)))]),
    );
  }

  private async groups(records: GroupRecord[]): Promise<Json[]> {
    const objects = await this.groupObjects(records);
    return records.map((g) => objects.get(g.id)!);
  }

  /** The directory a search runs in: the one named, else the group's or user's (a search never spans directories). */
  private async searchDirectory(filter: { directoryId?: string; groupId?: string; userId?: string }): Promise<string | undefined> {
    if (filter.directoryId !== undefined) return filter.directoryId;
    if (filter.groupId !== undefined) return (await this.reads.group(filter.groupId))?.directory_id;
    if (filter.userId !== undefined) return (await this.reads.user(filter.userId))?.directory_id;
    return undefined;
  }

  private async match(kind: 'user' | 'group', filter: Searchable<{ directoryId?: string; groupId?: string; userId?: string }>) {
    if (filter.search === undefined || filter.search === '') return {};
    const directoryId = await this.searchDirectory(filter);
    // An unknown group or user has nothing to search: any directory id that cannot exist gives the empty page.
    return { match: searchPredicate(this.store.dialect, kind, directoryId ?? '', filter.search) };
  }

  async listUsers({ search, ...filter }: Searchable<UserListFilter>, page: PageQuery): Promise<Page<Json>> {
    // A user without emails whose userName is an email address has that as its `email`: found by it too.
    const email = filter.email;
    const byEmail = email !== undefined && isEmailAddress(email) ? { emailFromUserName: true } : {};
    const found = await this.reads.users({ ...filter, ...byEmail, ...(await this.match('user', { ...filter, search })) }, page);
    return { ...found, data: await this.users(found.data) };
  }

  async getUser(id: string): Promise<Json | undefined> {
    const user = await this.reads.user(id);
    return user ? (await this.users([user]))[0] : undefined;
  }

  async listGroups({ search, ...filter }: Searchable<GroupListFilter>, page: PageQuery): Promise<Page<Json>> {
    const found = await this.reads.groups({ ...filter, ...(await this.match('group', { ...filter, search })) }, page);
    return { ...found, data: await this.groups(found.data) };
  }

  async getGroup(id: string): Promise<Json | undefined> {
    const group = await this.reads.group(id);
    return group ? (await this.groups([group]))[0] : undefined;
  }
}
