import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWorkdayFake, type WorkdayFake } from '../../../test/fakes/workday.ts';
import { ENTERPRISE_USER_SCHEMA, SourceAuthError, SourceResponseError, SourceUnavailableError } from './types.ts';
import { WORKDAY_SOURCE_SCHEMA, workdayConnector, workdayJsonUrl, type WorkdayConnectorOptions } from './workday.ts';

let workday: WorkdayFake;
let delays: number[];
const sleep = async (ms: number) => {
  delays.push(ms);
};

beforeEach(async () => {
  workday = await startWorkdayFake();
  delays = [];
});
afterEach(async () => {
  await workday.close();
});

function connector(extra: Partial<WorkdayConnectorOptions> = {}) {
  return workdayConnector({ reportUrl: workday.reportUrl, username: workday.username, password: workday.password, sleep, ...extra });
}

function seed() {
  workday.data.addWorker({ employeeId: '21001', email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', jobTitle: 'Analyst', department: 'Engineering', groups: ['Engineering', 'All Staff'] });
  workday.data.addWorker({ employeeId: '21002', email: 'bob@example.com', firstName: 'Bob', lastName: 'Builder', managerEmail: 'ADA@example.com', groups: ['Engineering'] });
  workday.data.addWorker({ employeeId: '21003', email: 'cy@example.com', firstName: 'Cy', lastName: 'Young', managerEmail: 'boss@elsewhere.com', groups: ['All Staff'] });
}

describe('workdayConnector against the fake RaaS report', () => {
  it('reads the report as JSON with Basic authentication and maps every worker', async () => {
    seed();
    const listing = await connector().list();
    expect(workday.requests).toHaveLength(1);
    expect(workday.requests[0]?.query).toEqual({ format: 'json' });
    expect(listing.users.map((u) => u.externalId)).toEqual(['21001', '21002', '21003']);
    expect(listing.users[0]?.resource).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_USER_SCHEMA],
      externalId: '21001',
      userName: 'ada@example.com',
      name: { givenName: 'Ada', familyName: 'Lovelace', formatted: 'Ada Lovelace' },
      emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
      active: true,
      title: 'Analyst',
      [ENTERPRISE_USER_SCHEMA]: { department: 'Engineering', employeeNumber: '21001' },
    });
  });

  it('resolves Manager_Email to that worker\'s Employee_ID; one outside the report stays a source extra', async () => {
    seed();
    const listing = await connector().list();
    expect(listing.users[1]?.resource[ENTERPRISE_USER_SCHEMA]).toEqual({ employeeNumber: '21002', manager: { value: '21001' } });
    const cy = listing.users[2]?.resource;
    expect(cy?.[ENTERPRISE_USER_SCHEMA]).toEqual({ employeeNumber: '21003' });
    expect(cy?.[WORKDAY_SOURCE_SCHEMA]).toEqual({ managerEmail: 'boss@elsewhere.com' });
    expect(cy?.['schemas']).toContain(WORKDAY_SOURCE_SCHEMA);
  });

  it('lists groups from the ";"-separated Groups column, keyed by name', async () => {
    seed();
    const { groups } = await connector().list();
    expect(groups).toEqual([
      { externalId: 'Engineering', displayName: 'Engineering', memberExternalIds: ['21001', '21002'] },
      { externalId: 'All Staff', displayName: 'All Staff', memberExternalIds: ['21001', '21003'] },
    ]);
  });

  it('lists a worker with Active "0" as inactive', async () => {
    seed();
    workday.data.terminate('21002');
    const listing = await connector().list();
    expect(listing.users.map((u) => u.resource['active'])).toEqual([true, false, true]);
  });

  it('reads renamed columns', async () => {
    await workday.close();
    workday = await startWorkdayFake({ columns: { employeeId: 'Worker_ID', email: 'Work_Email', active: 'Is_Active', groups: 'Teams' } });
    seed();
    workday.data.terminate('21003');
    const listing = await connector({ columns: { employeeId: 'Worker_ID', email: 'Work_Email', active: 'Is_Active', groups: 'Teams' } }).list();
    expect(listing.users.map((u) => [u.externalId, u.resource['userName'], u.resource['active']])).toEqual([
      ['21001', 'ada@example.com', true],
      ['21002', 'bob@example.com', true],
      ['21003', 'cy@example.com', false],
    ]);
    expect(listing.groups.map((g) => g.displayName)).toEqual(['Engineering', 'All Staff']);
  });

  it('sets format=json on the report URL, keeping its other parameters', () => {
    expect(workdayJsonUrl('https://wd2.example/ccx/service/customreport2/acme/ISU/R?Org=1').search).toBe('?Org=1&format=json');
    expect(workdayJsonUrl('https://wd2.example/r?format=csv').search).toBe('?format=json');
    expect(workdayJsonUrl('https://wd2.example/r?format=json').search).toBe('?format=json');
  });

  it('a wrong password, or a report URL that is not there, is SourceAuthError', async () => {
    seed();
    await expect(connector({ password: 'wrong' }).list()).rejects.toBeInstanceOf(SourceAuthError);
    await expect(connector({ reportUrl: `${workday.url}/ccx/service/customreport2/acme/ISU_Guestlist/Nope` }).list()).rejects.toThrow(/404/);
  });

  it('backs off on 429 and 503 (respecting Retry-After) and then succeeds', async () => {
    seed();
    workday.faults.fail(1, 429, 2);
    workday.faults.fail(1, 503);
    const listing = await connector({ baseDelayMs: 10 }).list();
    expect(listing.users).toHaveLength(3);
    expect(delays[0]).toBe(2000);
    expect(delays[1]).toBeGreaterThanOrEqual(10);
    expect(delays[1]).toBeLessThanOrEqual(20);
  });

  it('gives up after maxAttempts with SourceUnavailableError', async () => {
    seed();
    workday.faults.fail(10, 503);
    await expect(connector({ maxAttempts: 4 }).list()).rejects.toBeInstanceOf(SourceUnavailableError);
    expect(workday.requests).toHaveLength(4);
  });

  it('an empty report is an empty listing; a body without Report_Entry is an error, never an empty listing', async () => {
    seed();
    workday.faults.emptyListing = true;
    expect(await connector().list()).toEqual({ users: [], groups: [] });
    const fetchOdd: typeof fetch = async () => new Response(JSON.stringify({ Report_Data: [] }), { status: 200 });
    await expect(connector({ fetch: fetchOdd }).list()).rejects.toBeInstanceOf(SourceResponseError);
    const fetchXml: typeof fetch = async () => new Response('<wd:Report_Data/>', { status: 200, headers: { 'content-type': 'text/xml' } });
    await expect(connector({ fetch: fetchXml }).list()).rejects.toThrow(/not JSON/);
  });

  it('reads multi-instance Groups given as an array of references, and merges a worker\'s repeated rows', async () => {
    const report = {
      Report_Entry: [
        { Employee_ID: '1', Email: 'a@x.com', Active: '1', Groups: [{ Descriptor: 'G1' }, { Descriptor: 'G2' }] },
        { Employee_ID: '1', Email: 'a@x.com', Active: '1', Groups: 'G3' },
        { Email: 'no-id@x.com' },
      ],
    };
    const listing = await connector({ fetch: async () => new Response(JSON.stringify(report)) }).list();
    expect(listing.users).toHaveLength(1);
    expect(listing.groups.map((g) => [g.externalId, g.memberExternalIds])).toEqual([['G1', ['1']], ['G2', ['1']], ['G3', ['1']]]);
  });

  it('lists 10,000 workers, managers resolved', async () => {
    workday.data.addWorkers(10_000);
    const started = performance.now();
    const listing = await connector().list();
    const ms = performance.now() - started;
    expect(listing.users).toHaveLength(10_000);
    expect(listing.users.filter((u) => u.resource['active'] === false)).toHaveLength(200);
    expect((listing.users[9]?.resource[ENTERPRISE_USER_SCHEMA] as { manager?: unknown }).manager).toEqual({ value: 'E00001' });
    expect(listing.groups.map((g) => [g.displayName, g.memberExternalIds.length])).toEqual([['Sales', 5000], ['Engineering', 5000]]);
    console.log(`workday: 10,000 workers listed in ${Math.round(ms)} ms`);
  });
});
