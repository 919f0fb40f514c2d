/**
 * A Google Workspace directory pulled from a fake Google (test/fakes/google.ts, which checks the service
 * account's signed JWT, scopes, paging and quotas as Google does), on both databases: the first sync links the
 * directory and produces the same events a SCIM IdP's provisioning would; changes, suspension and deletion
 * follow; quota errors are retried; a revoked grant marks the directory invalid_credentials and deletes
 * nothing; an empty listing trips the deprovision guard, which is then released or discarded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGoogleFake, type GoogleFake } from '../fakes/google.ts';
import { createTestApp, type TestApp } from '../support/harness.ts';

let google: GoogleFake;
let t: TestApp;
let dirId: string;
let orgId: string;
let seen = 0;

const api = async (method: string, url: string, body?: unknown, status?: number) => {
  const res = await t.api(method, url, body);
  if (status !== undefined) expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
  else expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.body ? res.json() : undefined;
};
/** The events since the last call. */
async function newEvents(): Promise<{ event: string; data: any }[]> {
  const all = (await api('GET', `/events?directory_id=${dirId}&limit=100&order=asc`)).data as { event: string; data: any }[];
  const fresh = all.slice(seen);
  seen = all.length;
  return fresh;
}
const sync = async () => {
  await api('POST', `/directories/${dirId}/sync`, undefined, 202);
  await t.app.directorySyncs.settle();
  return (await api('GET', `/directories/${dirId}/syncs?limit=1`)).data[0];
};
const users = async () => (await api('GET', `/directory_users?directory=${dirId}&limit=100&order=asc`)).data as any[];

beforeAll(async () => {
  google = await startGoogleFake();
  t = await createTestApp({ GUESTLIST_GOOGLE_API_URL: google.url, GUESTLIST_GOOGLE_TOKEN_URL: google.tokenUrl });
  orgId = (await api('POST', '/organizations', { name: 'Example', domains: ['example.com'] })).id;
  google.data.addUser({ primaryEmail: 'ada@example.com', name: { givenName: 'Ada', familyName: 'Lovelace' } });
  google.data.addUser({ primaryEmail: 'bob@example.com', name: { givenName: 'Bob', familyName: 'Stone' } });
  google.data.addUser({ primaryEmail: 'cy@example.com', name: { givenName: 'Cy', familyName: 'Young' } });
  const eng = google.data.addGroup({ email: 'eng@example.com', name: 'Engineering' });
  google.data.addMember(eng.id, 'ada@example.com');
  google.data.addMember(eng.id, 'bob@example.com');
});
afterAll(async () => {
  await t?.close();
  await google?.close();
});

describe('a Google Workspace directory', () => {
  it('is pulled: no SCIM token; the connection is write-only', async () => {
    const dir = await api('POST', '/directories', { organization_id: orgId, type: 'gsuite directory' }, 201);
    dirId = dir.id;
    expect(dir).not.toHaveProperty('bearer_token');
    expect(dir.state).toBe('unlinked');
    expect((await t.api('POST', `/directories/${dirId}/tokens`)).statusCode).toBe(422);
    const bad = await t.api('PUT', `/directories/${dirId}/connection`, { service_account_key: { client_email: 'x' }, admin_email: 'nope' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: any) => e.field).sort()).toEqual(['admin_email', 'service_account_key']);
    const connection = await api('PUT', `/directories/${dirId}/connection`, { service_account_key: google.serviceAccountKey, admin_email: google.adminEmail });
    expect(connection).toMatchObject({ object: 'directory_connection', configured: true, summary: { client_email: google.serviceAccountKey.client_email, admin_email: google.adminEmail } });
    expect(JSON.stringify(connection)).not.toContain('PRIVATE KEY');
    const stored = await t.store.db.selectFrom('directory_connections').select('ciphertext').where('directory_id', '=', dirId).executeTakeFirstOrThrow();
    expect(stored.ciphertext).not.toContain('PRIVATE KEY');
  });

  it('the first sync links it and emits what a SCIM IdP\'s provisioning would', async () => {
    await t.app.directorySyncs.settle();
    const [last] = (await api('GET', `/directories/${dirId}/syncs`)).data;
    expect(last).toMatchObject({ object: 'directory_sync', state: 'succeeded', trigger: 'manual', error: null });
    // The fake's admin is a user of the domain too.
    expect(last.counts).toMatchObject({ users_created: 4, groups_created: 1, memberships_added: 2, users_deleted: 0 });
    expect((await api('GET', `/directories/${dirId}`)).state).toBe('linked');
    const types = (await newEvents()).map((e) => e.event);
    expect(types[0]).toBe('dsync.activated');
    expect(types.filter((e) => e === 'dsync.user.created')).toHaveLength(4);
    expect(types.slice(-3)).toEqual(['dsync.group.created', 'dsync.group.user_added', 'dsync.group.user_added']);
    const ada = (await users()).find((u) => u.email === 'ada@example.com');
    expect(ada).toMatchObject({ first_name: 'Ada', last_name: 'Lovelace', state: 'active' });
    expect(ada.groups.map((g: any) => g.name)).toEqual(['Engineering']);
  });

  it('an unchanged source syncs to nothing', async () => {
    const s = await sync();
    expect(s.state).toBe('succeeded');
    expect(Object.values(s.counts).every((n) => n === 0)).toBe(true);
    expect(await newEvents()).toEqual([]);
  });

  it('changes, a suspension, a deletion and a membership follow, each with its event', async () => {
    google.data.user('ada@example.com').name = { givenName: 'Augusta', familyName: 'Lovelace', fullName: 'Augusta Lovelace' };
    google.data.suspendUser('bob@example.com');
    google.data.deleteUser('cy@example.com');
    google.data.removeMember('eng@example.com', 'ada@example.com');
    const s = await sync();
    expect(s.state).toBe('succeeded');
    expect(s.counts).toMatchObject({ users_updated: 1, users_deactivated: 1, users_deleted: 1, memberships_removed: 1 });
    const events = (await newEvents()).map((e) => `${e.event} ${e.data.email ?? e.data.user?.email ?? e.data.name ?? ''}`);
    expect(events).toEqual(
      expect.arrayContaining(['dsync.user.updated ada@example.com', 'dsync.group.user_removed ada@example.com', 'dsync.user.updated bob@example.com', 'dsync.user.deleted cy@example.com']),
    );
    const now = await users();
    expect(now.find((u) => u.email === 'bob@example.com').state).toBe('inactive');
    expect(now.find((u) => u.email === 'cy@example.com')).toBeUndefined();
  });

  it('retries through quota errors', async () => {
    google.faults.fail(2, 503);
    google.data.addUser({ primaryEmail: 'dee@example.com', name: { givenName: 'Dee', familyName: 'Dee' } });
    const s = await sync();
    expect(s.state, s.error).toBe('succeeded');
    expect(s.counts.users_created).toBe(1);
  });

  it('a nested group’s users are members of the group it is nested in (Google’s derived membership)', async () => {
    google.data.addUser({ primaryEmail: 'eve@example.com', name: { givenName: 'Eve', familyName: 'Ray' } });
    const staff = google.data.addGroup({ email: 'staff@example.com', name: 'Staff' });
    google.data.addMember(staff.id, 'eve@example.com');
    google.data.addMember(staff.id, 'eng@example.com'); // Engineering, nested in Staff
    google.data.addMember('eng@example.com', 'staff@example.com'); // and a cycle, which must end
    const s = await sync();
    expect(s.state, s.error).toBe('succeeded');
    const groups = (await api('GET', `/directory_groups?directory=${dirId}&limit=100`)).data as any[];
    const staffGroup = groups.find((g) => g.name === 'Staff');
    const members = (await api('GET', `/directory_users?group=${staffGroup.id}&limit=100`)).data.map((u: any) => u.email).sort();
    // Ada left Engineering above; Bob is suspended but still a member.
    expect(members).toEqual(['bob@example.com', 'eve@example.com']);
    google.data.removeMember('eng@example.com', 'staff@example.com');
    google.data.removeMember(staff.id, 'eng@example.com');
    // Bob leaves Staff, and Eve leaves Engineering (she was in it through the cycle).
    expect((await sync()).counts.memberships_removed).toBe(2);
    expect((await api('GET', `/directory_users?group=${staffGroup.id}&limit=100`)).data.map((u: any) => u.email)).toEqual(['eve@example.com']);
  });

  it('a revoked grant marks it invalid_credentials and deletes nothing; consent again recovers it', async () => {
    const before = (await users()).length;
    google.faults.revokeGrant();
    const s = await sync();
    expect(s.state).toBe('failed');
    expect(s.error).toMatch(/refused the credentials/);
    expect((await api('GET', `/directories/${dirId}`)).state).toBe('invalid_credentials');
    expect((await users()).length).toBe(before);
    await newEvents();
    google.faults.restoreGrant();
    expect((await sync()).state).toBe('succeeded');
    expect((await api('GET', `/directories/${dirId}`)).state).toBe('linked');
  });

  it('an empty listing trips the guard: nothing is deleted; release applies the held deletions in order', async () => {
    await newEvents();
    const before = (await users()).filter((u) => u.state === 'active').length;
    google.faults.emptyListing = true;
    const s = await sync();
    expect(s.state).toBe('held');
    const events = await newEvents();
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['dsync.guard.tripped']));
    expect(events.some((e) => e.event === 'dsync.user.deleted')).toBe(false);
    expect((await users()).filter((u) => u.state === 'active').length).toBe(before);
    const guard = await api('GET', `/directories/${dirId}/guard`);
    expect(guard).toMatchObject({ object: 'deprovision_guard', state: 'tripped', held_changes: before + 1 });
    // While tripped, another pull holds again and emits no second trip.
    expect((await sync()).state).toBe('held');
    expect((await newEvents()).map((e) => e.event)).not.toContain('dsync.guard.tripped');
    const released = await api('POST', `/directories/${dirId}/guard/release`);
    expect(released).toMatchObject({ state: 'armed', held_changes: 0 });
    const after = await newEvents();
    expect(after.filter((e) => e.event === 'dsync.user.deleted').length).toBe(before + 1);
    expect(after.at(-1)).toMatchObject({ event: 'dsync.guard.released', data: { released: before + 1 } });
    expect(await users()).toEqual([]);
    expect((await t.api('POST', `/directories/${dirId}/guard/release`)).statusCode).toBe(409);
  });

  it('discard drops what is held and arms the guard again', async () => {
    google.faults.emptyListing = false;
    expect((await sync()).state).toBe('succeeded');
    await newEvents();
    google.faults.emptyListing = true;
    expect((await sync()).state).toBe('held');
    const discarded = await api('POST', `/directories/${dirId}/guard/discard`);
    expect(discarded.state).toBe('armed');
    const events = await newEvents();
    expect(events.at(-1)).toMatchObject({ event: 'dsync.guard.released', data: { discarded: expect.any(Number) } });
    expect(events.some((e) => e.event === 'dsync.user.deleted')).toBe(false);
    expect((await users()).length).toBeGreaterThan(0);
  });

  it('a source that lists everyone again while the guard is tripped leaves nothing to release', async () => {
    google.faults.emptyListing = false;
    expect((await sync()).state).toBe('succeeded');
    const before = (await users()).length;
    google.faults.emptyListing = true;
    expect((await sync()).state).toBe('held');
    google.faults.emptyListing = false;
    const recovered = await sync();
    expect(recovered.state).toBe('succeeded');
    expect((await api('GET', `/directories/${dirId}/guard`)).held_changes).toBe(0);
    await newEvents();
    await api('POST', `/directories/${dirId}/guard/release`);
    expect((await newEvents()).map((e) => e.event)).toEqual(['dsync.guard.released']);
    expect((await users()).length).toBe(before);
  });

  it('a SCIM directory has no connection to set', async () => {
    const scim = await api('POST', '/directories', { organization_id: orgId, type: 'okta scim v2.0' }, 201);
    expect((await t.api('PUT', `/directories/${scim.id}/connection`, { subdomain: 'x', api_key: 'y' })).json().code).toBe('not_pulled');
    expect((await t.api('POST', `/directories/${scim.id}/sync`)).statusCode).toBe(422);
    expect((await api('GET', `/directories/${scim.id}/guard`)).settings.enabled).toBe(false);
  });
});
