import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGoogleFake, type GoogleFake } from '../../../test/fakes/google.ts';
import { GOOGLE_SOURCE_SCHEMA, googleConnector, type CachedToken, type GoogleConnectorOptions } from './google.ts';
import { ENTERPRISE_USER_SCHEMA, SourceAuthError, SourceUnavailableError, type Listing } from './types.ts';

// One service-account key pair for the file: generating one per test costs more than the tests.
const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keys = {
  publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
};

let google: GoogleFake;
let delays: number[];
const sleep = async (ms: number) => {
  delays.push(ms);
};

beforeEach(async () => {
  google = await startGoogleFake(keys);
  delays = [];
});
afterEach(async () => {
  await google.close();
});

function connector(extra: Partial<GoogleConnectorOptions> = {}) {
  return googleConnector({
    apiUrl: google.url,
    tokenUrl: google.tokenUrl,
    credentials: { kind: 'service_account', key: google.serviceAccountKey, adminEmail: google.adminEmail },
    sleep,
    ...extra,
  });
}

function user(listing: Listing, email: string) {
  const found = listing.users.find((u) => u.resource['userName'] === email);
  if (!found) throw new Error(`no ${email} in the listing`);
  return found;
}

function seed() {
  const ada = google.data.addUser({
    primaryEmail: 'ada@example.com',
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    orgUnitPath: '/Engineering',
    organizations: [{ primary: true, title: 'Analyst', department: 'Engineering', costCenter: 'CC1', name: 'Example Ltd' }],
    externalIds: [{ type: 'organization', value: 'E-1' }],
    customSchemas: { Employment: { level: 'L5' } },
  });
  const bob = google.data.addUser({ primaryEmail: 'bob@example.com', name: { givenName: 'Bob', familyName: 'Builder' } });
  const cy = google.data.addUser({ primaryEmail: 'cy@example.com', name: { givenName: 'Cy', familyName: 'Young' } });
  const dee = google.data.addUser({ primaryEmail: 'dee@example.com', name: { givenName: 'Dee', familyName: 'Dee' } });
  const eve = google.data.addUser({ primaryEmail: 'eve@example.com', name: { givenName: 'Eve', familyName: 'Ng' } });
  const eng = google.data.addGroup({ email: 'eng@example.com', name: 'Engineering', description: 'Builders' });
  const ops = google.data.addGroup({ email: 'ops@example.com', name: 'Ops' });
  const all = google.data.addGroup({ email: 'all@example.com', name: 'Everyone' });
  for (const u of [ada, bob, cy]) google.data.addMember(eng.id, u.id);
  google.data.addMember(ops.id, dee.id);
  google.data.addMember(all.id, eve.id);
  google.data.addMember(all.id, eng.id); // nested group: its users are members of Everyone too
  return { ada, bob, cy, dee, eve, eng, ops, all };
}

describe('googleConnector against the fake Directory API', () => {
  it('lists every user and group through every page, with the documented parameters', async () => {
    const s = seed();
    google.faults.pageSize = 2;
    const listing = await connector().list();
    expect(listing.users.map((u) => u.resource['userName']).sort()).toEqual(
      ['admin@example.com', 'ada@example.com', 'bob@example.com', 'cy@example.com', 'dee@example.com', 'eve@example.com'].sort(),
    );
    expect(listing.groups.map((g) => g.displayName).sort()).toEqual(['Engineering', 'Everyone', 'Ops']);
    const eng = listing.groups.find((g) => g.externalId === s.eng.id);
    expect(eng).toEqual({ externalId: s.eng.id, displayName: 'Engineering', description: 'Builders', memberExternalIds: [s.ada.id, s.bob.id, s.cy.id] });

    const usersCalls = google.requests.filter((r) => r.path === '/admin/directory/v1/users');
    expect(usersCalls).toHaveLength(3);
    expect(usersCalls[0]?.query).toEqual({ customer: 'my_customer', maxResults: '500', projection: 'full' });
    expect(usersCalls[1]?.query['pageToken']).toBeTruthy();
    expect(google.requests.filter((r) => r.path === `/admin/directory/v1/groups/${s.eng.id}/members`)).toHaveLength(2);
    expect(google.requests.find((r) => r.path === '/admin/directory/v1/groups')?.query).toEqual({ customer: 'my_customer', maxResults: '200' });
  });

  it('maps a user to SCIM: name, work email, title, enterprise fields, source extras', async () => {
    const s = seed();
    const ada = user(await connector().list(), 'ada@example.com');
    expect(ada).toEqual({
      externalId: s.ada.id,
      resource: {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_USER_SCHEMA, GOOGLE_SOURCE_SCHEMA],
        externalId: s.ada.id,
        userName: 'ada@example.com',
        name: { givenName: 'Ada', familyName: 'Lovelace', formatted: 'Ada Lovelace' },
        emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
        active: true,
        title: 'Analyst',
        [ENTERPRISE_USER_SCHEMA]: { department: 'Engineering', costCenter: 'CC1', employeeNumber: 'E-1', organization: 'Example Ltd' },
        [GOOGLE_SOURCE_SCHEMA]: { orgUnitPath: '/Engineering', customSchemas: { Employment: { level: 'L5' } } },
      },
    });
  });

  it('lists a suspended or archived user as inactive', async () => {
    seed();
    google.data.suspendUser('bob@example.com');
    google.data.archiveUser('cy@example.com');
    const listing = await connector().list();
    expect(user(listing, 'bob@example.com').resource['active']).toBe(false);
    expect(user(listing, 'cy@example.com').resource['active']).toBe(false);
    expect(user(listing, 'ada@example.com').resource['active']).toBe(true);
  });

  it('resolves the manager email to the manager\'s id, and keeps an unresolvable one as a source extra only', async () => {
    const s = seed();
    google.data.setManager('bob@example.com', 'ADA@example.com');
    google.data.setManager('cy@example.com', 'gone@elsewhere.com');
    const listing = await connector().list();
    const bob = user(listing, 'bob@example.com').resource;
    expect(bob[ENTERPRISE_USER_SCHEMA]).toEqual({ manager: { value: s.ada.id } });
    expect(bob['schemas']).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_USER_SCHEMA, GOOGLE_SOURCE_SCHEMA]);
    const cy = user(listing, 'cy@example.com').resource;
    expect(cy[ENTERPRISE_USER_SCHEMA]).toBeUndefined();
    expect(cy[GOOGLE_SOURCE_SCHEMA]).toEqual({ orgUnitPath: '/', managerEmail: 'gone@elsewhere.com' });
  });

  it('lists a group’s users at any depth (derived membership): a nested group’s users are members, a deleted user drops out', async () => {
    const s = seed();
    google.data.deleteUser('bob@example.com');
    const listing = await connector().list();
    expect(listing.groups.find((g) => g.externalId === s.all.id)?.memberExternalIds).toEqual([s.eve.id, s.ada.id, s.cy.id]);
    expect(google.requests.filter((r) => r.path.endsWith('/members')).every((r) => r.query.includeDerivedMembership === 'true')).toBe(true);
    expect(listing.groups.find((g) => g.externalId === s.eng.id)?.memberExternalIds).toEqual([s.ada.id, s.cy.id]);
    expect(listing.users.some((u) => u.externalId === s.bob.id)).toBe(false);
  });

  it('with a group filter lists only those groups and their members; an unknown group is skipped', async () => {
    const s = seed();
    const listing = await connector({ groupIds: [s.eng.id, 'ops@example.com', '999'] }).list();
    expect(listing.groups.map((g) => g.externalId)).toEqual([s.eng.id, s.ops.id]);
    expect(listing.users.map((u) => u.externalId).sort()).toEqual([s.ada.id, s.bob.id, s.cy.id, s.dee.id].sort());
    expect(google.requests.some((r) => r.path === '/admin/directory/v1/groups')).toBe(false);
  });

  it.each(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded', 429, 503] as const)('backs off on %s and then succeeds', async (fault) => {
    seed();
    google.faults.fail(2, fault);
    const listing = await connector({ baseDelayMs: 100 }).list();
    expect(listing.users).toHaveLength(6);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(50);
    expect(delays[0]).toBeLessThanOrEqual(100);
    expect(delays[1]).toBeGreaterThanOrEqual(100);
    expect(delays[1]).toBeLessThanOrEqual(200);
  });

  it('waits out Retry-After', async () => {
    seed();
    google.faults.fail(1, 429, 'api', 7);
    await connector().list();
    expect(delays).toEqual([7000]);
  });

  it('gives up after maxAttempts with SourceUnavailableError', async () => {
    seed();
    google.faults.fail(100, 'userRateLimitExceeded');
    const error = await connector({ maxAttempts: 3 }).list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceUnavailableError);
    expect((error as Error).message).toMatch(/userRateLimitExceeded.*3 attempts/);
    expect(delays).toHaveLength(2);
    expect(google.requests.filter((r) => r.path !== '/token')).toHaveLength(3);
  });

  it('does not sit out a long Retry-After: SourceUnavailableError at once, carrying it', async () => {
    seed();
    google.faults.fail(1, 503, 'api', 3600);
    const error = await connector().list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceUnavailableError);
    expect((error as SourceUnavailableError).retryAfterMs).toBe(3_600_000);
    expect(delays).toEqual([]);
  });

  it('retries the token endpoint when it is unavailable', async () => {
    seed();
    google.faults.fail(2, 503, 'token');
    await connector().list();
    expect(delays).toHaveLength(2);
    expect(google.tokensIssued).toBe(1);
  });

  it('a revoked delegation is SourceAuthError, also when a token was cached (a 401 drops it and asks again)', async () => {
    seed();
    const c = connector();
    await c.list();
    google.faults.revokeGrant();
    const error = await c.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceAuthError);
    expect((error as Error).message).toMatch(/unauthorized_client/);
    expect((error as Error).message).not.toContain('ya29');
  });

  it('a revoked refresh token (OAuth consent) is SourceAuthError invalid_grant', async () => {
    seed();
    const c = connector({ credentials: { kind: 'oauth', ...google.oauth } });
    expect((await c.list()).users).toHaveLength(6);
    google.faults.revokeGrant();
    const error = await c.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceAuthError);
    expect((error as Error).message).toMatch(/invalid_grant/);
    expect((error as Error).message).not.toContain(google.oauth.refreshToken);
  });

  it('a key the account does not hold, a missing delegated scope, a non-admin subject: each SourceAuthError', async () => {
    seed();
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const wrongKey = connector({ credentials: { kind: 'service_account', key: { ...google.serviceAccountKey, private_key: other }, adminEmail: google.adminEmail } });
    await expect(wrongKey.list()).rejects.toThrow(/invalid_grant: Invalid JWT Signature/);

    google.delegatedScopes = google.delegatedScopes.slice(0, 2);
    await expect(connector().list()).rejects.toBeInstanceOf(SourceAuthError);
    google.delegatedScopes.push('https://www.googleapis.com/auth/admin.directory.group.member.readonly');

    const notAdmin = connector({ credentials: { kind: 'service_account', key: google.serviceAccountKey, adminEmail: 'bob@example.com' } });
    await expect(notAdmin.list()).rejects.toThrow(/403 forbidden.*Not Authorized/);

    const garbage = connector({ credentials: { kind: 'service_account', key: { ...google.serviceAccountKey, private_key: 'not a key' }, adminEmail: google.adminEmail } });
    await expect(garbage.list()).rejects.toBeInstanceOf(SourceAuthError);
  });

  it('caches the access token across list() calls until 60 s before it expires', async () => {
    seed();
    let clock = Date.now();
    google.now = () => clock;
    const c = connector({ now: () => clock });
    await c.list();
    await c.list();
    expect(google.tokensIssued).toBe(1);
    clock += 3600_000 - 61_000;
    await c.list();
    expect(google.tokensIssued).toBe(1);
    clock += 2_000;
    await c.list();
    expect(google.tokensIssued).toBe(2);
    clock += 3600_000; // past the fake's expiry too: a token kept too long would get 401
    await c.list();
    expect(google.tokensIssued).toBe(3);
  });

  it('shares a token between connectors given the same tokenCache', async () => {
    seed();
    const map = new Map<string, CachedToken>();
    const tokenCache = { get: (k: string) => map.get(k), set: (k: string, t: CachedToken) => void map.set(k, t), delete: (k: string) => void map.delete(k) };
    await connector({ tokenCache }).list();
    await connector({ tokenCache }).list();
    expect(google.tokensIssued).toBe(1);
    expect([...map.keys()][0]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('returns an empty listing as empty (the guard decides what it means)', async () => {
    seed();
    google.faults.emptyListing = true;
    expect(await connector().list()).toEqual({ users: [], groups: [] });
  });

  it('stops when the signal aborts', async () => {
    seed();
    const controller = new AbortController();
    controller.abort(new Error('lease lost'));
    await expect(connector().list(controller.signal)).rejects.toThrow('lease lost');
  });

  it('lists 10,000 users in 20 pages', async () => {
    google.data.addUsers(10_000);
    const started = performance.now();
    const listing = await connector().list();
    const ms = performance.now() - started;
    expect(listing.users).toHaveLength(10_001);
    expect(google.requests.filter((r) => r.path === '/admin/directory/v1/users')).toHaveLength(21);
    const managed = listing.users.find((u) => u.resource['userName'] === 'user00010@example.com');
    expect((managed?.resource[ENTERPRISE_USER_SCHEMA] as { manager?: unknown }).manager).toEqual({ value: google.data.user('user00001@example.com').id });
    expect(listing.users.filter((u) => u.resource['active'] === false)).toHaveLength(200);
    console.log(`google: 10,000 users listed in ${Math.round(ms)} ms`);
  });
});
