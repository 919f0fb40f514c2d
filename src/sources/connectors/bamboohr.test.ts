import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBambooHrFake, type BambooHrFake } from '../../../test/fakes/bamboohr.ts';
import { BAMBOOHR_SOURCE_SCHEMA, bamboohrConnector, type BambooHrConnectorOptions } from './bamboohr.ts';
import { ENTERPRISE_USER_SCHEMA, SourceAuthError, SourceUnavailableError } from './types.ts';

let bamboo: BambooHrFake;
let delays: number[];
const sleep = async (ms: number) => {
  delays.push(ms);
};
const NOW = Date.parse('2026-06-15T12:00:00Z');

beforeEach(async () => {
  bamboo = await startBambooHrFake();
  delays = [];
});
afterEach(async () => {
  await bamboo.close();
});

function connector(extra: Partial<BambooHrConnectorOptions> = {}) {
  return bamboohrConnector({ apiUrl: bamboo.url, subdomain: bamboo.subdomain, apiKey: bamboo.apiKey, sleep, now: () => NOW, ...extra });
}

function seed() {
  bamboo.data.addEmployee({ id: '101', employeeNumber: 'EMP1', firstName: 'Ada', lastName: 'Lovelace', workEmail: 'ada@example.com', jobTitle: 'CTO', department: 'Engineering', division: 'North', location: 'London', hireDate: '2020-02-01' });
  bamboo.data.addEmployee({ id: '102', firstName: 'Bob', lastName: 'Builder', workEmail: 'bob@example.com', supervisorEId: '101' });
  bamboo.data.addEmployee({ id: '103', firstName: 'Cy', lastName: 'Young', workEmail: 'cy@example.com' });
}

describe('bamboohrConnector against the fake BambooHR API', () => {
  it('asks the custom report for every employee, with the key as Basic user and "x" as password', async () => {
    seed();
    const listing = await connector().list();
    const request = bamboo.requests[0];
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/api/gateway.php/acme/v1/reports/custom');
    expect(request?.query).toEqual({ format: 'JSON', onlyCurrent: 'false' });
    expect(request?.headers['authorization']).toBe(`Basic ${Buffer.from(`${bamboo.apiKey}:x`).toString('base64')}`);
    expect(listing.groups).toEqual([]);
    expect(listing.users[0]).toEqual({
      externalId: '101',
      resource: {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_USER_SCHEMA, BAMBOOHR_SOURCE_SCHEMA],
        externalId: '101',
        userName: 'ada@example.com',
        name: { givenName: 'Ada', familyName: 'Lovelace', formatted: 'Ada Lovelace' },
        emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
        active: true,
        title: 'CTO',
        [ENTERPRISE_USER_SCHEMA]: { department: 'Engineering', division: 'North', employeeNumber: 'EMP1' },
        [BAMBOOHR_SOURCE_SCHEMA]: { location: 'London', status: 'Active', hireDate: '2020-02-01' },
      },
    });
  });

  it('takes the manager from supervisorEId, else from supervisorEmail', async () => {
    seed();
    let listing = await connector().list();
    expect(listing.users[1]?.resource[ENTERPRISE_USER_SCHEMA]).toEqual({ manager: { value: '101' } });
    // A report that carries only the supervisor's email.
    const report = { employees: [{ id: '1', workEmail: 'boss@x.com', status: 'Active' }, { id: '2', workEmail: 'w@x.com', status: 'Active', supervisorEmail: 'BOSS@x.com', supervisorEId: null }] };
    listing = await connector({ fetch: async () => new Response(JSON.stringify(report)) }).list();
    expect(listing.users[1]?.resource[ENTERPRISE_USER_SCHEMA]).toEqual({ manager: { value: '1' } });
    expect(listing.users[1]?.resource['schemas']).toContain(ENTERPRISE_USER_SCHEMA);
  });

  it('status Inactive, or a past terminationDate, is inactive; a future one, or 0000-00-00, is not', async () => {
    seed();
    bamboo.data.addEmployee({ id: '104', workEmail: 'dee@example.com' });
    bamboo.data.terminate('102', '2026-05-31');
    bamboo.data.terminate('103', '2026-06-14', { keepActive: true });
    bamboo.data.terminate('104', '2026-07-01', { keepActive: true });
    const listing = await connector().list();
    expect(listing.users.map((u) => [u.externalId, u.resource['active']])).toEqual([['101', true], ['102', false], ['103', false], ['104', true]]);
    expect((listing.users[0]?.resource[BAMBOOHR_SOURCE_SCHEMA] as Record<string, unknown>)['terminationDate']).toBeUndefined();
  });

  it('a bad key (401), a key without access (403) or an unknown subdomain (404) is SourceAuthError', async () => {
    seed();
    await expect(connector({ apiKey: 'wrong' }).list()).rejects.toBeInstanceOf(SourceAuthError);
    bamboo.faults.fail(1, 403);
    await expect(connector().list()).rejects.toBeInstanceOf(SourceAuthError);
    await expect(connector({ subdomain: 'other' }).list()).rejects.toThrow(/subdomain/);
    expect(delays).toEqual([]);
  });

  it('backs off on 503 with Retry-After and 429, then succeeds', async () => {
    seed();
    bamboo.faults.fail(1, 503, 5);
    bamboo.faults.fail(1, 429);
    const listing = await connector({ baseDelayMs: 10 }).list();
    expect(listing.users).toHaveLength(3);
    expect(delays[0]).toBe(5000);
    expect(delays).toHaveLength(2);
  });

  it('gives up after maxAttempts with SourceUnavailableError carrying the last Retry-After', async () => {
    seed();
    bamboo.faults.fail(10, 503, 30);
    const error = await connector({ maxAttempts: 2 }).list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceUnavailableError);
    expect((error as SourceUnavailableError).retryAfterMs).toBe(30_000);
    expect(bamboo.requests).toHaveLength(2);
  });

  it('retries a network failure', async () => {
    seed();
    let calls = 0;
    const flaky: typeof fetch = async (input, init) => {
      calls++;
      if (calls === 1) throw new TypeError('fetch failed', { cause: new Error('ECONNRESET') });
      return fetch(input, init);
    };
    expect((await connector({ fetch: flaky }).list()).users).toHaveLength(3);
    expect(delays).toHaveLength(1);
  });

  it('returns an empty company as an empty listing', async () => {
    seed();
    bamboo.faults.emptyListing = true;
    expect(await connector().list()).toEqual({ users: [], groups: [] });
  });

  it('lists an employee without a work email by employee number', async () => {
    bamboo.data.addEmployee({ id: '7', employeeNumber: 'EMP7', firstName: 'No', lastName: 'Mail' });
    const [user] = (await connector().list()).users;
    expect(user?.resource['userName']).toBe('EMP7');
    expect(user?.resource['emails']).toBeUndefined();
  });

  it('lists 10,000 employees', async () => {
    bamboo.data.addEmployees(10_000);
    const started = performance.now();
    const listing = await connector().list();
    const ms = performance.now() - started;
    expect(listing.users).toHaveLength(10_000);
    expect(listing.users.filter((u) => u.resource['active'] === false)).toHaveLength(200);
    expect((listing.users[9]?.resource[ENTERPRISE_USER_SCHEMA] as { manager?: unknown }).manager).toEqual({ value: '1001' });
    console.log(`bamboohr: 10,000 employees listed in ${Math.round(ms)} ms`);
  });
});
