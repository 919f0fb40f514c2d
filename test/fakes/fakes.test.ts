/**
 * The fakes refuse what the vendors refuse: these tests talk to them with plain fetch, not through the connectors,
 * so that a connector cannot pass by leaning on a lenient fake.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBambooHrFake, type BambooHrFake } from './bamboohr.ts';
import { DIRECTORY_SCOPES, startGoogleFake, type GoogleFake } from './google.ts';
import { startWorkdayFake, type WorkdayFake } from './workday.ts';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

function assertion(google: GoogleFake, claims: Record<string, unknown>, privateKey = google.serviceAccountKey.private_key, alg = 'RS256'): string {
  const iat = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg, typ: 'JWT' })}.${b64({ iss: google.serviceAccountKey.client_email, sub: google.adminEmail, scope: DIRECTORY_SCOPES.join(' '), aud: google.tokenUrl, iat, exp: iat + 3600, ...claims })}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

async function tokenRequest(google: GoogleFake, form: Record<string, string>) {
  const res = await fetch(google.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the fake Google', () => {
  let google: GoogleFake;
  let token: string;
  beforeAll(async () => {
    google = await startGoogleFake();
    const answer = await tokenRequest(google, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: assertion(google, {}) });
    expect(answer.status).toBe(200);
    token = String(answer.body['access_token']);
  });
  afterAll(() => google.close());

  const get = async (path: string) => {
    const res = await fetch(`${google.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as { error?: { errors?: { reason?: string }[] }; users?: Record<string, unknown>[]; nextPageToken?: string } };
  };

  it.each([
    ['a signature by another key', { privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey }, 'Invalid JWT Signature.'],
    ['another audience', { claims: { aud: 'https://oauth2.googleapis.com/token' } }, 'aud'],
    ['a lifetime over an hour', { claims: { exp: Math.floor(Date.now() / 1000) + 7200 } }, 'short-lived'],
    ['an old assertion', { claims: { iat: 1_000_000, exp: 1_003_600 } }, 'short-lived'],
    ['another issuer', { claims: { iss: 'someone@else.iam.gserviceaccount.com' } }, 'iss'],
    ['a subject outside the domain', { claims: { sub: 'nobody@example.com' } }, 'Invalid email or User ID'],
    ['HS256', { alg: 'HS256' }, 'RS256'],
  ] as const)('the token endpoint refuses %s with invalid_grant', async (_, variant, message) => {
    const v = variant as { claims?: Record<string, unknown>; privateKey?: Parameters<typeof sign>[2]; alg?: string };
    const jwt = assertion(google, v.claims ?? {}, (v.privateKey ?? google.serviceAccountKey.private_key) as string, v.alg);
    const answer = await tokenRequest(google, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt });
    expect(answer.status).toBe(400);
    expect(answer.body['error']).toBe('invalid_grant');
    expect(String(answer.body['error_description'])).toContain(message);
  });

  it('refuses scopes not delegated, unknown grant types and a wrong OAuth client', async () => {
    let answer = await tokenRequest(google, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: assertion(google, { scope: 'https://www.googleapis.com/auth/admin.directory.user' }) });
    expect([answer.status, answer.body['error']]).toEqual([401, 'unauthorized_client']);
    answer = await tokenRequest(google, { grant_type: 'client_credentials' });
    expect(answer.body['error']).toBe('unsupported_grant_type');
    answer = await tokenRequest(google, { grant_type: 'refresh_token', client_id: google.oauth.clientId, client_secret: 'nope', refresh_token: google.oauth.refreshToken });
    expect([answer.status, answer.body['error']]).toEqual([401, 'invalid_client']);
  });

  it('the Directory API checks the bearer token, customer, maxResults, projection and page tokens', async () => {
    google.data.addUsers(3);
    google.data.user('user0001@example.com').customSchemas = { Employment: { level: 'L1' } };
    expect((await fetch(`${google.url}/admin/directory/v1/users?customer=my_customer`)).status).toBe(401);
    expect((await get('/admin/directory/v1/users')).status).toBe(400);
    expect((await get('/admin/directory/v1/users?customer=C999')).status).toBe(400);
    expect((await get('/admin/directory/v1/users?customer=my_customer&maxResults=501')).status).toBe(400);
    expect((await get('/admin/directory/v1/groups?customer=my_customer&maxResults=201')).status).toBe(400);
    expect((await get('/admin/directory/v1/users?customer=my_customer&projection=full&customFieldMask=Employment')).status).toBe(400);
    expect((await get('/admin/directory/v1/users?customer=my_customer&pageToken=garbage')).status).toBe(400);
    const basic = await get(`/admin/directory/v1/users?customer=${google.customerId}&maxResults=2`);
    expect(basic.body.users).toHaveLength(2);
    expect(basic.body.users?.some((u) => 'customSchemas' in u)).toBe(false);
    const next = await get(`/admin/directory/v1/users?customer=my_customer&maxResults=2&projection=full&pageToken=${basic.body.nextPageToken}`);
    expect(next.status).toBe(400); // a token of the basic listing does not page the full one
    const full = await get('/admin/directory/v1/users?customer=my_customer&projection=full');
    expect(full.body.users?.find((u) => u['primaryEmail'] === 'user0001@example.com')?.['customSchemas']).toEqual({ Employment: { level: 'L1' } });
    const custom = await get('/admin/directory/v1/users?customer=my_customer&projection=custom&customFieldMask=Other');
    expect(custom.body.users?.some((u) => 'customSchemas' in u)).toBe(false);
    expect((await get('/admin/directory/v1/groups/404@example.com/members')).status).toBe(404);
  });

  it('a token without the user scope is refused users.list', async () => {
    const answer = await tokenRequest(google, {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: assertion(google, { scope: 'https://www.googleapis.com/auth/admin.directory.group.readonly' }),
    });
    const res = await fetch(`${google.url}/admin/directory/v1/users?customer=my_customer`, { headers: { authorization: `Bearer ${String(answer.body['access_token'])}` } });
    expect(res.status).toBe(403);
    expect(JSON.stringify(await res.json())).toContain('insufficientPermissions');
  });
});

describe('the fake Workday', () => {
  let workday: WorkdayFake;
  beforeAll(async () => {
    workday = await startWorkdayFake();
    workday.data.addWorkers(3);
  });
  afterAll(() => workday.close());
  const auth = () => `Basic ${Buffer.from(`${workday.username}:${workday.password}`).toString('base64')}`;

  it('wants Basic authentication, and answers XML unless format=json', async () => {
    expect((await fetch(`${workday.reportUrl}?format=json`)).status).toBe(401);
    const xml = await fetch(workday.reportUrl, { headers: { authorization: auth() } });
    expect(xml.headers.get('content-type')).toContain('xml');
    const json = await fetch(`${workday.reportUrl}?format=json`, { headers: { authorization: auth() } });
    const body = (await json.json()) as { Report_Entry: Record<string, string>[] };
    expect(body.Report_Entry).toHaveLength(3);
    expect(body.Report_Entry[0]).toMatchObject({ Employee_ID: 'E00001', Active: '1', Groups: 'Sales' });
  });
});

describe('the fake BambooHR', () => {
  let bamboo: BambooHrFake;
  beforeAll(async () => {
    bamboo = await startBambooHrFake();
    bamboo.data.addEmployees(50);
  });
  afterAll(() => bamboo.close());
  const report = (headers: Record<string, string>, query = '?format=JSON') =>
    fetch(`${bamboo.url}/api/gateway.php/${bamboo.subdomain}/v1/reports/custom${query}`, { method: 'POST', headers, body: JSON.stringify({ fields: ['firstName', 'terminationDate', 'supervisorEmail'] }) });
  const key = (password: string) => `Basic ${Buffer.from(`${bamboo.apiKey}:${password}`).toString('base64')}`;

  it('wants the key as user with "x", Accept: application/json and format=JSON', async () => {
    expect((await report({ authorization: key('secret'), accept: 'application/json' })).status).toBe(401);
    expect((await report({ authorization: key('x') })).status).toBe(406);
    expect((await report({ authorization: key('x'), accept: 'application/json' }, '')).status).toBe(400);
  });

  it('leaves inactive employees out unless onlyCurrent=false, and answers empty dates as 0000-00-00', async () => {
    const current = (await (await report({ authorization: key('x'), accept: 'application/json' })).json()) as { employees: Record<string, unknown>[] };
    expect(current.employees).toHaveLength(49);
    expect(current.employees[0]).toEqual({ id: '1001', firstName: 'User', terminationDate: '0000-00-00', supervisorEmail: null });
    expect(current.employees[9]?.['supervisorEmail']).toBe('user1@example.com');
    const all = (await (await report({ authorization: key('x'), accept: 'application/json' }, '?format=json&onlyCurrent=false')).json()) as { employees: unknown[] };
    expect(all.employees).toHaveLength(50);
  });
});
