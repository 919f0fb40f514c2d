/**
 * Reads the target back over SCIM and lists every difference from what the IdP believes: missing or extra
 * users and groups, wrong attributes, wrong `active`, wrong memberships. Also notes list responses that
 * break the protocol (missing `totalResults`, string counts).
 */
import type { ScimHttpClient } from './client.ts';
import type { SimDirectory, SimUser } from './directory.ts';
import { ENTERPRISE } from './profiles.ts';

/** What the IdP believes it has provisioned. */
export interface Belief {
  directory: SimDirectory;
  userIds: Map<string, string>;
  groupIds: Map<string, string>;
  /** Users the IdP hard-deleted: they must be gone. */
  deleted: Set<string>;
  /** Groups the IdP never pushed (empty ones, for IdPs that skip them). */
  unpushed: Set<string>;
}

export interface Difference {
  kind: 'missing_user' | 'extra_user' | 'wrong_attribute' | 'wrong_active' | 'missing_group' | 'extra_group' | 'wrong_members' | 'deleted_user_present';
  subject: string;
  detail: string;
}

async function listAll(client: ScimHttpClient, resource: 'Users' | 'Groups', pageSize: number): Promise<any[]> {
  const all: any[] = [];
  for (let start = 1; ; start += pageSize) {
    const path = `/${resource}?startIndex=${start}&count=${pageSize}`;
    const res = await client.send('GET', path, undefined, [200]);
    if (res.status !== 200) return all;
    const page = res.json?.Resources ?? [];
    if (typeof res.json?.totalResults !== 'number') client.violation(`GET ${path}`, 'ListResponse totalResults is not a number');
    all.push(...page);
    if (page.length === 0 || all.length >= res.json.totalResults) return all;
  }
}

/** The attributes the IdP sent, and where they must be found on the server's copy. */
function expectedAttributes(user: SimUser, managerId: string | undefined): [string, unknown, (r: any) => unknown][] {
  return [
    ['userName', user.userName, (r) => r.userName],
    ['externalId', user.key, (r) => r.externalId],
    ['name.givenName', user.givenName, (r) => r.name?.givenName],
    ['name.familyName', user.familyName, (r) => r.name?.familyName],
    ['emails[type eq "work"].value', user.email, (r) => (r.emails ?? []).find((e: { type?: string }) => e.type === 'work')?.value],
    ['title', user.title, (r) => r.title],
    [`${ENTERPRISE}:department`, user.department, (r) => r[ENTERPRISE]?.department],
    [`${ENTERPRISE}:employeeNumber`, user.employeeNumber, (r) => r[ENTERPRISE]?.employeeNumber],
    [`${ENTERPRISE}:manager.value`, managerId, (r) => r[ENTERPRISE]?.manager?.value],
  ];
}

export async function verify(client: ScimHttpClient, belief: Belief, pageSize: number): Promise<Difference[]> {
  const differences: Difference[] = [];
  const users = await listAll(client, 'Users', pageSize);
  const groups = await listAll(client, 'Groups', pageSize);
  const serverUsers = new Map(users.map((u) => [u.id as string, u]));
  const known = new Set<string>();
  for (const user of belief.directory.users.values()) {
    const id = belief.userIds.get(user.key);
    if (!id) {
      differences.push({ kind: 'missing_user', subject: user.userName, detail: 'the IdP could not provision it (no id)' });
      continue;
    }
    known.add(id);
    const found = serverUsers.get(id);
    if (belief.deleted.has(user.key)) {
      if (found) differences.push({ kind: 'deleted_user_present', subject: user.userName, detail: `deleted by the IdP, still served as ${id}` });
      continue;
    }
    if (!found) {
      differences.push({ kind: 'missing_user', subject: user.userName, detail: `${id} is not served` });
      continue;
    }
    if (found.active !== user.active) differences.push({ kind: 'wrong_active', subject: user.userName, detail: `active is ${JSON.stringify(found.active)}, the IdP set ${user.active}` });
    const managerId = user.manager ? belief.userIds.get(user.manager) : undefined;
    for (const [path, want, read] of expectedAttributes(user, managerId)) {
      const got = read(found);
      if ((got ?? undefined) !== (want ?? undefined)) differences.push({ kind: 'wrong_attribute', subject: user.userName, detail: `${path} is ${JSON.stringify(got)}, the IdP sent ${JSON.stringify(want)}` });
    }
  }
  for (const u of users) if (!known.has(u.id)) differences.push({ kind: 'extra_user', subject: u.userName ?? u.id, detail: `${u.id} is served but the IdP never provisioned it` });

  const serverGroups = new Map(groups.map((g) => [g.id as string, g]));
  const knownGroups = new Set<string>();
  for (const group of belief.directory.groups.values()) {
    if (belief.unpushed.has(group.key)) continue;
    const id = belief.groupIds.get(group.key);
    const found = id ? serverGroups.get(id) : undefined;
    if (!id || !found) {
      differences.push({ kind: 'missing_group', subject: group.displayName, detail: id ? `${id} is not served` : 'the IdP could not provision it' });
      continue;
    }
    knownGroups.add(id);
    const want = new Set([...group.members].filter((k) => !belief.deleted.has(k)).map((k) => belief.userIds.get(k)).filter(Boolean) as string[]);
    const got = new Set<string>((found.members ?? []).map((m: { value: string }) => m.value));
    const missing = [...want].filter((m) => !got.has(m));
    const extra = [...got].filter((m) => !want.has(m));
    if (missing.length || extra.length) {
      differences.push({ kind: 'wrong_members', subject: group.displayName, detail: `${missing.length} member(s) missing, ${extra.length} unexpected${missing.length ? `; missing e.g. ${missing[0]}` : ''}${extra.length ? `; unexpected e.g. ${extra[0]}` : ''}` });
    }
  }
  for (const g of groups) if (!knownGroups.has(g.id)) differences.push({ kind: 'extra_group', subject: g.displayName ?? g.id, detail: `${g.id} is served but the IdP never pushed it` });
  return differences;
}
