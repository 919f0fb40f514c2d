/**
 * A simulated IdP run: the scenario's changes sent the way the profile's IdP sends them, then the target read
 * back over SCIM and compared with what the IdP believes it provisioned. Only SCIM is used, so any SCIM server
 * can be the target.
 */
import { ScimHttpClient, pool, type Violation } from './client.ts';
import { DEPARTMENTS, generateDirectory, pick, type SimDirectory, type SimGroup, type SimUser } from './directory.ts';
import { GROUP_SCHEMA, USER_SCHEMA, profile as profileOf, type IdpName, type Profile, type Request } from './profiles.ts';
import { verify, type Belief, type Difference } from './verify.ts';

export type Scenario = 'initial' | 'churn' | 'deprovision' | 'burst';
export const SCENARIOS: Scenario[] = ['initial', 'churn', 'deprovision', 'burst'];

export interface SimulateOptions {
  idp: IdpName;
  target: string;
  token: string;
  users: number;
  groups: number;
  scenario: Scenario;
  seed: number;
  concurrency?: number;
  entraFlag?: boolean;
  /** First retry delay for 429/5xx (the IdPs' own is seconds; tests shorten it). */
  retryBaseMs?: number;
  onProgress?: (done: number, phase: string) => void;
}

export interface SimulationReport {
  idp: IdpName;
  scenario: Scenario;
  seed: number;
  users: number;
  groups: number;
  requests: number;
  errors: number;
  retries: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  seconds: number;
  differences: Difference[];
  violations: Violation[];
  ok: boolean;
}

class Run {
  readonly client: ScimHttpClient;
  readonly belief: Belief;
  private done = 0;

  constructor(
    readonly options: SimulateOptions,
    readonly idp: Profile,
  ) {
    this.client = new ScimHttpClient(options.target.replace(/\/+$/, ''), options.token, { contentType: idp.contentType, baseDelayMs: options.retryBaseMs ?? 500 });
    this.belief = { directory: generateDirectory(options), userIds: new Map(), groupIds: new Map(), deleted: new Set(), unpushed: new Set() };
  }

  get concurrency(): number {
    return this.options.concurrency ?? this.idp.concurrency;
  }

  async send(request: Request) {
    const res = await this.client.send(request.method, request.path, request.body, request.expect);
    this.options.onProgress?.(++this.done, request.method);
    return res;
  }

  managerId(user: SimUser): string | undefined {
    return user.manager ? this.belief.userIds.get(user.manager) : undefined;
  }

  /** Lookup, then create, or adopt and update a user the target already has (a re-run of the same seed). */
  async provisionUser(user: SimUser, again = false): Promise<void> {
    const found = await this.send(this.idp.lookupUser(user));
    const existing = found.json?.Resources?.[0];
    if (found.status === 200 && !Array.isArray(found.json?.Resources)) this.client.violation(this.idp.lookupUser(user).path, 'ListResponse without Resources');
    if (existing?.id) {
      this.belief.userIds.set(user.key, existing.id);
      await this.updateUser(user);
      return;
    }
    const created = await this.send(this.idp.createUser(user, this.managerId(user)));
    // The create landed but its answer was lost with the connection: look it up again and adopt it.
    if (created.replayed && !again) return this.provisionUser(user, true);
    if (created.status === 201) {
      if (typeof created.json?.id !== 'string') this.client.violation('POST /Users', 'created user has no id');
      else this.belief.userIds.set(user.key, created.json.id);
      if (!Array.isArray(created.json?.schemas)) this.client.violation('POST /Users', 'created user has no schemas');
    }
  }

  async updateUser(user: SimUser): Promise<void> {
    const id = this.belief.userIds.get(user.key);
    if (!id) return;
    const current = this.idp.readsBeforeUpdate ? (await this.send({ method: 'GET', path: `/Users/${id}`, expect: [200] })).json : undefined;
    await this.send(this.idp.updateUser(id, user, this.managerId(user), current));
  }

  async deactivate(user: SimUser): Promise<void> {
    const id = this.belief.userIds.get(user.key);
    if (!id) return;
    user.active = false;
    await this.send(this.idp.deactivateUser(id, user, this.managerId(user)));
  }

  async deleteUser(user: SimUser): Promise<void> {
    const id = this.belief.userIds.get(user.key);
    if (!id) return;
    const res = await this.send(this.idp.deleteUser(id));
    if (res.status === 204 || res.replayed) {
      this.belief.deleted.add(user.key);
      for (const group of this.belief.directory.groups.values()) group.members.delete(user.key);
    }
  }

  memberIds(keys: Iterable<string>): string[] {
    return [...keys].map((k) => this.belief.userIds.get(k)).filter((id): id is string => id !== undefined);
  }

  /** Pushes a group: the IdP's lookup, its create, then its membership PATCHes in chunks. */
  async pushGroup(group: SimGroup, existingByName: Map<string, string>): Promise<void> {
    if (group.members.size === 0 && this.idp.skipsEmptyGroups) {
      this.belief.unpushed.add(group.key);
      return;
    }
    const lookup = this.idp.lookupGroup(group);
    let id = existingByName.get(group.displayName);
    if (lookup) {
      const res = await this.send(lookup);
      id = res.json?.Resources?.find((g: { displayName?: string }) => g.displayName === group.displayName)?.id ?? id;
    }
    const members = this.memberIds(group.members);
    if (!id) {
      const created = await this.send(this.idp.createGroup(group, members));
      if (created.replayed) {
        // Created, its answer lost with the connection: found by its name and adopted; its members sent below.
        const res = await this.send({ method: 'GET', path: `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${group.displayName}"`)}`, expect: [200] });
        id = res.json?.Resources?.find((g: { displayName?: string }) => g.displayName === group.displayName)?.id as string | undefined;
        if (!id) return this.client.violation('POST /Groups', `answered 409 after a dropped connection, but no group "${group.displayName}" is found`);
        this.belief.groupIds.set(group.key, id);
      } else {
        if (created.status !== 201) return;
        id = created.json.id as string;
        this.belief.groupIds.set(group.key, id);
        if (this.idp.membersAtCreate) return;
      }
    } else {
      this.belief.groupIds.set(group.key, id);
    }
    for (let i = 0; i < members.length; i += 100) {
      for (const request of this.idp.changeMembers(id, group, members.slice(i, i + 100), [], members)) await this.send(request);
    }
  }

  async changeMembers(group: SimGroup, add: string[], remove: string[]): Promise<void> {
    add.forEach((k) => group.members.add(k));
    remove.forEach((k) => group.members.delete(k));
    const id = this.belief.groupIds.get(group.key);
    if (!id) {
      // An IdP that skipped this group while empty pushes it once it has members.
      if (this.belief.unpushed.delete(group.key)) await this.pushGroup(group, new Map());
      return;
    }
    for (const request of this.idp.changeMembers(id, group, this.memberIds(add), this.memberIds(remove), this.memberIds(group.members))) await this.send(request);
  }

  /** Ping matches groups on its side, after listing them all, page by page. */
  async listGroupsByName(): Promise<Map<string, string>> {
    const byName = new Map<string, string>();
    if (this.idp.lookupGroup(this.belief.directory.groups.values().next().value ?? { key: '', displayName: '', members: new Set() })) return byName;
    for (let start = 1; ; start += this.idp.pageSize) {
      const res = await this.send({ method: 'GET', path: `/Groups?startIndex=${start}&count=${this.idp.pageSize}`, expect: [200] });
      const page: { id: string; displayName: string }[] = res.json?.Resources ?? [];
      page.forEach((g) => byName.set(g.displayName, g.id));
      if (page.length < this.idp.pageSize) return byName;
    }
  }

  /** JumpCloud's connection test: a throwaway user and group, created and deleted again. */
  async probeByCreating(): Promise<void> {
    const stamp = `${this.options.seed}-${Date.now().toString(36)}`;
    const user = await this.send({ method: 'POST', path: '/Users', body: { schemas: [USER_SCHEMA], userName: `jumpcloud-test-${stamp}@example.invalid`, active: true }, expect: [201] });
    const group = await this.send({ method: 'POST', path: '/Groups', body: { schemas: [GROUP_SCHEMA], displayName: `JumpCloud test group ${stamp}` }, expect: [201] });
    if (user.json?.id) await this.send({ method: 'DELETE', path: `/Users/${user.json.id}`, expect: [204] });
    if (group.json?.id) await this.send({ method: 'DELETE', path: `/Groups/${group.json.id}`, expect: [204] });
  }

  /** The first sync: users (managers before their reports), then groups. */
  async initial(): Promise<void> {
    for (const request of this.idp.connectionTest()) await this.send(request);
    if (this.idp.probesByCreating) await this.probeByCreating();
    const users = [...this.belief.directory.users.values()];
    const heads = users.filter((u) => !u.manager);
    await pool(heads, this.concurrency, (u) => this.provisionUser(u));
    await pool(users.filter((u) => u.manager), this.concurrency, (u) => this.provisionUser(u));
    const byName = await this.listGroupsByName();
    await pool([...this.belief.directory.groups.values()], this.concurrency, (g) => this.pushGroup(g, byName));
  }

  departmentGroup(department: string): SimGroup | undefined {
    const index = DEPARTMENTS.indexOf(department);
    return [...this.belief.directory.groups.values()][index];
  }

  /** Joiners, movers (attributes and department groups) and leavers. */
  async churn(): Promise<void> {
    const { directory } = this.belief;
    const random = directory.random;
    const active = () => [...directory.users.values()].filter((u) => u.active && !this.belief.deleted.has(u.key) && u.manager);
    const count = Math.max(2, Math.round(directory.users.size * 0.1));
    const joiners = Array.from({ length: count }, () => directory.newUser());
    for (const joiner of joiners) {
      joiner.manager = [...directory.users.values()].find((u) => u.department === joiner.department && !u.manager)?.key;
      if (!joiner.manager) delete joiner.manager;
      directory.users.set(joiner.key, joiner);
    }
    await pool(joiners, this.concurrency, (u) => this.provisionUser(u));
    for (const joiner of joiners) {
      const group = this.departmentGroup(joiner.department);
      if (group) await this.changeMembers(group, [joiner.key], []);
    }
    const movers = active().sort(() => random() - 0.5).slice(0, count);
    await pool(movers, this.concurrency, async (user) => {
      const from = this.departmentGroup(user.department);
      user.department = pick(random, DEPARTMENTS.filter((d) => d !== user.department));
      user.title = `${user.title} (moved)`;
      user.familyName = `${user.familyName}-${user.employeeNumber.slice(-2)}`;
      await this.updateUser(user);
      const to = this.departmentGroup(user.department);
      if (from && from.members.has(user.key)) await this.changeMembers(from, [], [user.key]);
      if (to) await this.changeMembers(to, [user.key], []);
    });
    const leavers = active().filter((u) => !movers.includes(u)).slice(0, Math.max(1, Math.round(count / 2)));
    await pool(leavers, this.concurrency, async (user) => {
      for (const group of directory.groups.values()) if (group.members.has(user.key)) await this.changeMembers(group, [], [user.key]);
      await this.deactivate(user);
    });
  }

  /** Mass deactivation, then deletion where this IdP deletes. */
  async deprovision(): Promise<void> {
    const users = [...this.belief.directory.users.values()].filter((u) => u.active && u.manager);
    const leaving = users.slice(0, Math.max(1, Math.round(users.length * 0.4)));
    await pool(leaving, this.concurrency, (u) => this.deactivate(u));
    if (this.idp.deletesUsers) await pool(leaving, this.concurrency, (u) => this.deleteUser(u));
  }

  /** A whole new department at once, at many times the IdP's usual concurrency, then its group. */
  async burst(): Promise<void> {
    const { directory } = this.belief;
    const size = Math.max(10, directory.users.size);
    const department = pick(directory.random, DEPARTMENTS);
    const head = [...directory.users.values()].find((u) => u.department === department && !u.manager);
    const newcomers = Array.from({ length: size }, () => {
      const user = directory.newUser(department);
      if (head) user.manager = head.key;
      else delete user.manager;
      directory.users.set(user.key, user);
      return user;
    });
    await pool(newcomers, Math.max(32, this.concurrency * 8), (u) => this.provisionUser(u));
    const group = this.departmentGroup(department);
    if (group) await this.changeMembers(group, newcomers.map((u) => u.key), []);
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 10) / 10;
}

export async function simulate(options: SimulateOptions): Promise<SimulationReport> {
  const started = Date.now();
  const run = new Run(options, profileOf(options.idp, { entraFlag: options.entraFlag ?? false }));
  // Every scenario starts from the IdP's first sync; the others then change the directory.
  await run.initial();
  if (options.scenario === 'churn') await run.churn();
  if (options.scenario === 'deprovision') await run.deprovision();
  if (options.scenario === 'burst') await run.burst();
  options.onProgress?.(-1, 'verify');
  const differences = await verify(run.client, run.belief, run.idp.pageSize);
  const sorted = [...run.client.stats.latencies].sort((a, b) => a - b);
  return {
    idp: options.idp,
    scenario: options.scenario,
    seed: options.seed,
    users: run.belief.directory.users.size,
    groups: run.belief.directory.groups.size,
    requests: run.client.stats.requests,
    errors: run.client.stats.errors,
    retries: run.client.stats.retries,
    latencyMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: percentile(sorted, 100) },
    seconds: Math.round((Date.now() - started) / 100) / 10,
    differences,
    violations: run.client.violations,
    ok: differences.length === 0 && run.client.violations.length === 0,
  };
}
