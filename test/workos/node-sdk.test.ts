/**
 * The official WorkOS Node SDK (@workos-inc/node 11), unchanged, pointed at a real Guestlist on a loopback port:
 * every Directory Sync and Events call it has, its auto-pagination across several pages, its webhook endpoint
 * calls, and webhooks.constructEvent / verifyHeader on real deliveries. Each result is compared with what the
 * management API itself answers, mapped the way the SDK's deserializers map it.
 * docs/migrate-from-workos.md lists these calls as "tested".
 */
import { NotFoundException, SignatureVerificationException, UnprocessableEntityException, WorkOS, type Event } from '@workos-inc/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_API_KEY, type TestApp } from '../support/harness.ts';
import { api, everything, idp, inBatches, listen, receiver, startDispatcher, until, type Obj, type Received, type Server } from './support.ts';

const PAGES = 201; // more than two pages of 100: auto-pagination follows list_metadata.after twice

let server: Server;
let t: TestApp;
let workos: WorkOS;
let orgId: string;
let dirId: string;
let extraDirs: string[];
let users: string[];
let allGroup: string;
let ownGroups: string[];

const pad = (i: number) => String(i).padStart(3, '0');

beforeAll(async () => {
  server = await listen();
  t = server.t;
  workos = new WorkOS(TEST_API_KEY, { apiHostname: '127.0.0.1', port: server.port, https: false, maxRetries: 0 });
  orgId = (await t.api('POST', '/organizations', { name: 'Acme', domains: ['acme.com'] })).json().id;
  const main = (await t.api('POST', '/directories', { organization_id: orgId, type: 'okta scim v2.0', name: 'Main' })).json();
  dirId = main.id;
  const names = (i: number) => (i < 3 ? `Special ${i}` : `Directory ${pad(i)}`);
  extraDirs = await inBatches(Array.from({ length: PAGES - 1 }, (_, i) => async () => (await t.api('POST', '/directories', { organization_id: orgId, type: 'generic scim v2.0', name: names(i) })).json().id as string));
  const scim = idp(t, dirId, main.bearer_token);
  users = await inBatches(
    Array.from({ length: PAGES }, (_, i) => () =>
      scim.createUser(`user${pad(i)}@acme.com`, { name: { givenName: `U${i}`, familyName: 'Acme' }, emails: [{ value: `user${pad(i)}@acme.com`, type: 'work', primary: true }] }),
    ),
  );
  allGroup = await scim.createGroup('All', users);
  // users[0] is in every group: its groups span pages too.
  ownGroups = await inBatches(Array.from({ length: PAGES - 1 }, (_, i) => () => scim.createGroup(`G${pad(i)}`, [users[0]!])));
}, 180_000);
afterAll(() => server.close());

/** What the SDK's deserializers make of each object (directory.serializer.ts, directory-user.serializer.ts…). */
const sdkDirectory = (d: Obj) => ({
  object: d.object,
  id: d.id,
  domain: d.domain,
  externalKey: d.external_key,
  name: d.name,
  organizationId: d.organization_id,
  state: d.state === 'linked' ? 'active' : d.state === 'unlinked' ? 'inactive' : d.state,
  type: d.type,
  createdAt: d.created_at,
  updatedAt: d.updated_at,
});
const sdkGroup = (g: Obj) => ({
  id: g.id,
  idpId: g.idp_id,
  directoryId: g.directory_id,
  organizationId: g.organization_id,
  name: g.name,
  createdAt: g.created_at,
  updatedAt: g.updated_at,
  rawAttributes: g.raw_attributes,
});
const sdkUser = (u: Obj) => ({
  object: u.object,
  id: u.id,
  directoryId: u.directory_id,
  organizationId: u.organization_id,
  rawAttributes: u.raw_attributes,
  customAttributes: u.custom_attributes,
  idpId: u.idp_id,
  firstName: u.first_name,
  email: u.email,
  lastName: u.last_name,
  state: u.state,
  role: u.role,
  roles: u.roles,
  createdAt: u.created_at,
  updatedAt: u.updated_at,
  groups: (u.groups as Obj[]).map(sdkGroup),
});
const ids = (list: { id?: unknown }[]) => list.map((o) => o.id);

describe('directorySync: directories', () => {
  it('listDirectories: a page of 10 by default, then every one through autoPagination (three pages)', async () => {
    const first = await workos.directorySync.listDirectories({ organizationId: orgId });
    expect(first.data).toHaveLength(10);
    expect(first.listMetadata.after).toBe(first.data[9]!.id);
    const all = await first.autoPagination();
    const expected = await everything(t, `/directories?organization_id=${orgId}`);
    expect(all).toHaveLength(PAGES);
    expect(all).toEqual(expected.map(sdkDirectory));
    expect(all.find((d) => d.id === dirId)).toMatchObject({ externalKey: dirId, domain: 'acme.com', name: 'Main', state: 'active', type: 'okta scim v2.0' });
  });

  it('listDirectories filters: search, organizationId, limit, order, and a before the SDK carries into every page', async () => {
    const special = await (await workos.directorySync.listDirectories({ organizationId: orgId, search: 'special' })).autoPagination();
    expect(special.map((d) => d.name).sort()).toEqual(['Special 0', 'Special 1', 'Special 2']);
    const other = (await t.api('POST', '/organizations', { name: 'Other' })).json().id;
    expect((await workos.directorySync.listDirectories({ organizationId: other })).data).toEqual([]);
    const desc = await everything(t, `/directories?organization_id=${orgId}`);
    const two = await workos.directorySync.listDirectories({ organizationId: orgId, limit: 2, order: 'asc' });
    expect(ids(two.data)).toEqual(ids(desc.slice(-2).reverse()));
    // With a limit, autoPagination returns that page alone (the SDK's rule); `after` reaches the next one.
    expect(ids(await two.autoPagination())).toEqual(ids(two.data));
    const next = await workos.directorySync.listDirectories({ organizationId: orgId, limit: 2, order: 'asc', after: two.listMetadata.after! });
    expect(ids(next.data)).toEqual(ids(desc.slice(-4, -2).reverse()));
    // autoPagination re-sends `before` with each `after`: the window between them, not an error, not a loop.
    const newer = await (await workos.directorySync.listDirectories({ organizationId: orgId, before: desc[4]!.id as string })).autoPagination();
    expect(ids(newer)).toEqual(ids(desc.slice(0, 4)));
  });

  it('getDirectory', async () => {
    const raw = await api(t, `/directories/${dirId}`);
    expect(await workos.directorySync.getDirectory(dirId)).toEqual(sdkDirectory(raw));
  });

  it('deleteDirectory: the SDK sends Content-Type: application/json and no body', async () => {
    const doomed = extraDirs[extraDirs.length - 1]!;
    await expect(workos.directorySync.deleteDirectory(doomed)).resolves.toBeUndefined();
    const gone = await workos.directorySync.getDirectory(doomed).catch((error: unknown) => error);
    expect(gone).toBeInstanceOf(NotFoundException);
    expect(gone).toMatchObject({ status: 404, code: 'entity_not_found' });
    const deleted = await api<{ data: Obj[] }>(t, `/events?directory_id=${doomed}&events=dsync.deleted`);
    expect(deleted.data).toHaveLength(1);
    extraDirs.pop();
  });
});

describe('directorySync: users', () => {
  it('listUsers by directory: every user, with its groups, across three pages', async () => {
    const all = await (await workos.directorySync.listUsers({ directory: dirId })).autoPagination();
    const expected = await everything(t, `/directory_users?directory=${dirId}`);
    expect(all).toHaveLength(PAGES);
    expect(all).toEqual(expected.map(sdkUser));
    const first = all.find((u) => u.id === users[0]);
    expect(first?.groups).toHaveLength(PAGES);
    expect(first).toMatchObject({ email: 'user000@acme.com', firstName: 'U0', lastName: 'Acme', state: 'active', organizationId: orgId, directoryId: dirId });
    expect(all.find((u) => u.id === users[1])?.groups.map((g) => g.name)).toEqual(['All']);
  });

  it('listUsers by group, and a single page with a limit', async () => {
    const members = await (await workos.directorySync.listUsers({ group: allGroup })).autoPagination();
    expect(members.map((u) => u.id).sort()).toEqual([...users].sort());
    const page = await workos.directorySync.listUsers({ directory: dirId, limit: 5 });
    expect(page.data).toHaveLength(5);
    expect(page.data.every((u) => Array.isArray(u.groups) && u.groups.length >= 1)).toBe(true);
  });

  it('getUser, with its groups', async () => {
    const raw = await api(t, `/directory_users/${users[0]}`);
    const user = await workos.directorySync.getUser(users[0]!);
    expect(user).toEqual(sdkUser(raw));
    expect(user.groups.map((g) => g.id).sort()).toEqual([allGroup, ...ownGroups].sort());
  });

  it('maps errors to the SDK exceptions: 404 NotFoundException, 422 UnprocessableEntityException', async () => {
    expect(await workos.directorySync.getUser('directory_user_nope').catch((e: unknown) => e)).toBeInstanceOf(NotFoundException);
    const invalid = await workos.directorySync.listUsers({}).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(UnprocessableEntityException);
    expect(invalid).toMatchObject({ status: 422, code: 'validation_error' });
  });
});

describe('directorySync: groups', () => {
  it('listGroups by directory and by user, across three pages', async () => {
    const byDirectory = await (await workos.directorySync.listGroups({ directory: dirId })).autoPagination();
    expect(byDirectory).toEqual((await everything(t, `/directory_groups?directory=${dirId}`)).map(sdkGroup));
    expect(byDirectory).toHaveLength(PAGES);
    const byUser = await (await workos.directorySync.listGroups({ user: users[0]! })).autoPagination();
    expect(ids(byUser).sort()).toEqual([allGroup, ...ownGroups].sort());
    expect(ids(await (await workos.directorySync.listGroups({ user: users[1]! })).autoPagination())).toEqual([allGroup]);
  });

  it('getGroup', async () => {
    const group = await workos.directorySync.getGroup(allGroup);
    expect(group).toEqual(sdkGroup(await api(t, `/directory_groups/${allGroup}`)));
    expect(group).toMatchObject({ name: 'All', idpId: 'All', directoryId: dirId, organizationId: orgId });
    expect(group.rawAttributes).toMatchObject({ displayName: 'All' });
  });
});

describe('events.listEvents', () => {
  /** Every event the SDK lists, paging by `after` until it comes back null (listEvents does not auto-paginate). */
  async function listAll(options: Omit<Parameters<WorkOS['events']['listEvents']>[0], 'after'>): Promise<Event[]> {
    const out: Event[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 50; pages++) {
      const page = await workos.events.listEvents({ ...options, ...(after ? { after } : {}) });
      out.push(...page.data);
      after = page.listMetadata.after ?? undefined;
      if (!after) return out;
    }
    throw new Error('listEvents never reached the end');
  }

  it('filters by events and organizationId, pages with limit and after, and ends', async () => {
    const listed = await listAll({ events: ['dsync.user.created', 'dsync.group.created'], organizationId: orgId, limit: 100 });
    const expected = await everything(t, `/events?events=dsync.user.created,dsync.group.created&organization_id=${orgId}`);
    expect(listed).toHaveLength(2 * PAGES);
    expect(listed.map((e) => [e.id, e.event])).toEqual(expected.map((e) => [e.id, e.event]));
    const created = listed.find((e) => e.event === 'dsync.user.created' && e.data.id === users[0]);
    expect(created?.event === 'dsync.user.created' && created.data).toMatchObject({ object: 'directory_user', directoryId: dirId, organizationId: orgId, email: 'user000@acme.com' });
  });

  it('rangeStart, rangeEnd and order', async () => {
    const all = await everything(t, `/events?organization_id=${orgId}`);
    const from = all[Math.floor(all.length / 2)]!.created_at as string;
    const later = await listAll({ events: ['dsync.user.created', 'dsync.group.created'], organizationId: orgId, rangeStart: from, limit: 100 });
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((e) => e.createdAt >= from)).toBe(true);
    const earlier = await listAll({ events: ['dsync.user.created', 'dsync.group.created'], organizationId: orgId, rangeEnd: from, limit: 100 });
    expect(earlier.every((e) => e.createdAt < from)).toBe(true);
    expect(earlier.length + later.length).toBe(2 * PAGES);
    const newest = await workos.events.listEvents({ events: ['dsync.group.created'], organizationId: orgId, limit: 3, order: 'desc' });
    expect(newest.data.map((e) => e.id)).toEqual(all.filter((e) => e.event === 'dsync.group.created').slice(-3).reverse().map((e) => e.id));
  });
});

describe('webhooks', () => {
  const SUBSCRIBED = [
    'dsync.activated',
    'dsync.user.created',
    'dsync.user.updated',
    'dsync.group.created',
    'dsync.group.user_added',
    'dsync.group.user_removed',
    'dsync.user.deleted',
    'dsync.deleted',
  ] as const;
  let hooks: Awaited<ReturnType<typeof receiver>>;
  let dispatcher: { stop(): Promise<void> };
  let secret: string;
  let endpointId: string;
  let directory: string;
  /** The deliveries of the Hooked directory's events, in log order (the receiver may get older ones too). */
  let deliveries: Received[];

  beforeAll(async () => {
    hooks = await receiver();
    dispatcher = startDispatcher(t);
    const endpoint = await workos.webhooks.createWebhookEndpoint({ endpointUrl: hooks.url, events: ['dsync.user.created'] });
    expect(endpoint).toMatchObject({ object: 'webhook_endpoint', endpointUrl: hooks.url, status: 'enabled', events: ['dsync.user.created'] });
    expect(endpoint.secret).toMatch(/^whsec_/);
    secret = endpoint.secret!;
    endpointId = endpoint.id;
    const updated = await workos.webhooks.updateWebhookEndpoint({ id: endpointId, events: [...SUBSCRIBED] });
    expect(updated.events).toEqual([...SUBSCRIBED]);
    // A directory's whole life, from its first SCIM request (dsync.activated) to its deletion (dsync.deleted).
    const dir = (await t.api('POST', '/directories', { organization_id: orgId, type: 'azure scim v2.0', name: 'Hooked' })).json();
    directory = dir.id;
    const scim = idp(t, dir.id, dir.bearer_token);
    const user = await scim.createUser('hooked@acme.com', { name: { givenName: 'Hook', familyName: 'Ed' } });
    await scim.renameUser(user, 'Hooked');
    await scim.createGroup('Hooks', [user]);
    await scim.deleteUser(user);
    await workos.directorySync.deleteDirectory(dir.id);
    const logged = await api<{ data: Obj[] }>(t, `/events?directory_id=${dir.id}&events=${SUBSCRIBED.join(',')}&limit=100`);
    const delivery = (id: unknown) => hooks.received.find((r) => r.headers['webhook-id'] === id);
    await until(() => logged.data.every((e) => delivery(e.id)), 'a delivery of each event');
    deliveries = logged.data.map((e) => delivery(e.id)!);
  });
  afterAll(async () => {
    await dispatcher.stop();
    await hooks.close();
  });

  it('listWebhookEndpoints and deleteWebhookEndpoint', async () => {
    const listed = await (await workos.webhooks.listWebhookEndpoints()).autoPagination();
    expect(listed.find((e) => e.id === endpointId)).toMatchObject({ endpointUrl: hooks.url, status: 'enabled' });
    const spare = await workos.webhooks.createWebhookEndpoint({ endpointUrl: 'https://example.com/spare', events: ['dsync.user.created'] });
    await workos.webhooks.deleteWebhookEndpoint({ id: spare.id });
    expect((await (await workos.webhooks.listWebhookEndpoints()).autoPagination()).map((e) => e.id)).not.toContain(spare.id);
  });

  it('constructEvent verifies every real delivery by its WorkOS-Signature and returns the event listEvents returns', async () => {
    expect(deliveries.map((r) => JSON.parse(r.body).event)).toEqual([...SUBSCRIBED]);
    const listed = await workos.events.listEvents({ events: [...SUBSCRIBED], organizationId: orgId, limit: 100, order: 'desc' });
    for (const { headers, body } of deliveries) {
      const sigHeader = headers['workos-signature'];
      expect(typeof sigHeader).toBe('string');
      const event = await workos.webhooks.constructEvent({ payload: body, sigHeader: String(sigHeader), secret });
      expect(event.id).toBe(headers['webhook-id']);
      expect(event).toEqual(listed.data.find((e) => e.id === event.id));
      // A parsed body verifies too: the body is exactly what JSON.stringify writes (older SDKs re-stringify).
      await expect(workos.webhooks.verifyHeader({ payload: JSON.parse(body), sigHeader: String(sigHeader), secret })).resolves.toBe(true);
    }
  });

  it('the events carry what the SDK deserializes: dsync.activated in the event vocabulary, with domains', async () => {
    const events = await Promise.all(
      deliveries.map((r) => workos.webhooks.constructEvent({ payload: r.body, sigHeader: String(r.headers['workos-signature']), secret })),
    );
    const activated = events.find((e) => e.event === 'dsync.activated');
    expect(activated?.event === 'dsync.activated' && activated.data).toMatchObject({
      object: 'directory',
      id: directory,
      externalKey: directory,
      state: 'active',
      organizationId: orgId,
      domains: [{ object: 'organization_domain', domain: 'acme.com' }],
    });
    const updated = events.find((e) => e.event === 'dsync.user.updated');
    expect(updated?.event === 'dsync.user.updated' && updated.data).toMatchObject({ firstName: 'Hooked', previousAttributes: { first_name: 'Hook' } });
    const added = events.find((e) => e.event === 'dsync.group.user_added');
    expect(added?.event === 'dsync.group.user_added' && added.data).toMatchObject({ directoryId: directory, user: { email: 'hooked@acme.com' }, group: { name: 'Hooks' } });
    const deleted = events.find((e) => e.event === 'dsync.deleted');
    expect(deleted?.event === 'dsync.deleted' && deleted.data).toMatchObject({ id: directory, state: 'deleting' });
  });

  it('verifyHeader refuses a tampered body, another secret, and a stale timestamp', async () => {
    const { headers, body } = deliveries[0]!;
    const sigHeader = String(headers['workos-signature']);
    const refused = (payload: string, key: string, tolerance?: number) =>
      workos.webhooks.verifyHeader({ payload, sigHeader, secret: key, ...(tolerance !== undefined ? { tolerance } : {}) }).catch((e: unknown) => e);
    const tampered = body.replace('"dsync.activated"', '"dsync.deleted"');
    expect(tampered).not.toBe(body);
    expect(await refused(tampered, secret)).toBeInstanceOf(SignatureVerificationException);
    expect(await refused(body, `${secret}x`)).toBeInstanceOf(SignatureVerificationException);
    await new Promise((r) => setTimeout(r, 5));
    expect(await refused(body, secret, 1)).toBeInstanceOf(SignatureVerificationException);
    await expect(workos.webhooks.verifyHeader({ payload: body, sigHeader, secret })).resolves.toBe(true);
  });
});
