/**
 * Workday and BambooHR directories pulled from their fakes (test/fakes/, which check basic auth, the report
 * format and the documented request shapes), on both databases: initial sync into the same events a SCIM
 * directory would produce, the manager and department mapped, a termination deactivating, a removal deleting,
 * a bad key marking the directory invalid_credentials, and the guard holding a mass termination.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBambooHrFake, type BambooHrFake } from '../fakes/bamboohr.ts';
import { startWorkdayFake, type WorkdayFake } from '../fakes/workday.ts';
import { createTestApp, type TestApp } from '../support/harness.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
let t: TestApp;
let workday: WorkdayFake;
let bamboo: BambooHrFake;
let orgId: string;

const api = async (method: string, url: string, body?: unknown, status?: number) => {
  const res = await t.api(method, url, body);
  if (status !== undefined) expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
  else expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.body ? res.json() : undefined;
};
const sync = async (dirId: string) => {
  await api('POST', `/directories/${dirId}/sync`, undefined, 202);
  await t.app.directorySyncs.settle();
  return (await api('GET', `/directories/${dirId}/syncs?limit=1`)).data[0];
};
const usersOf = async (dirId: string) => (await api('GET', `/directory_users?directory=${dirId}&limit=100&order=asc`)).data as any[];
const eventTypes = async (dirId: string) => ((await api('GET', `/events?directory_id=${dirId}&limit=100&order=asc`)).data as any[]).map((e) => e.event);

beforeAll(async () => {
  [workday, bamboo] = await Promise.all([startWorkdayFake(), startBambooHrFake()]);
  t = await createTestApp({ GUESTLIST_BAMBOOHR_API_URL: bamboo.url });
  orgId = (await api('POST', '/organizations', { name: 'Example', domains: ['example.com'] })).id;
});
afterAll(async () => {
  await t?.close();
  await Promise.all([workday?.close(), bamboo?.close()]);
});

describe('a Workday directory', () => {
  let dirId: string;

  it('syncs the report: users, their manager and department, groups from the Groups column', async () => {
    workday.data.addWorker({ employeeId: '100', email: 'boss@example.com', firstName: 'Bo', lastName: 'Ss', jobTitle: 'CEO', department: 'Office', groups: ['Leads'] });
    workday.data.addWorker({ employeeId: '101', email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', department: 'Engineering', managerEmail: 'boss@example.com', groups: ['Engineering', 'Leads'] });
    workday.data.addWorker({ employeeId: '102', email: 'bob@example.com', firstName: 'Bob', lastName: 'Stone', department: 'Engineering', managerEmail: 'boss@example.com', groups: ['Engineering'] });
    dirId = (await api('POST', '/directories', { organization_id: orgId, type: 'workday' }, 201)).id;
    expect((await t.api('PUT', `/directories/${dirId}/connection`, { report_url: 'ftp://x', username: '', password: 'p' })).statusCode).toBe(422);
    const connection = await api('PUT', `/directories/${dirId}/connection`, { report_url: workday.reportUrl, username: workday.username, password: workday.password });
    expect(JSON.stringify(connection)).not.toContain(workday.password);
    await t.app.directorySyncs.settle();
    const [first] = (await api('GET', `/directories/${dirId}/syncs`)).data;
    expect(first).toMatchObject({ state: 'succeeded', counts: { users_created: 3, groups_created: 2, memberships_added: 4 } });
    const users = await usersOf(dirId);
    const ada = users.find((u) => u.email === 'ada@example.com');
    expect(ada).toMatchObject({ idp_id: '101', first_name: 'Ada', state: 'active', custom_attributes: { department_name: 'Engineering', manager_email: 'boss@example.com' } });
    expect(ada.raw_attributes[ENTERPRISE].department).toBe('Engineering');
    expect(ada.groups.map((g: any) => g.name).sort()).toEqual(['Engineering', 'Leads']);
    const types = await eventTypes(dirId);
    expect(types[0]).toBe('dsync.activated');
    expect(types.filter((e) => e === 'dsync.group.user_added')).toHaveLength(4);
  });

  it('a termination deactivates, a removal deletes, a group change follows', async () => {
    workday.data.terminate('102');
    workday.data.removeWorker('100');
    workday.data.removeFromGroup('101', 'Leads');
    const s = await sync(dirId);
    expect(s).toMatchObject({ state: 'succeeded', counts: { users_deactivated: 1, users_deleted: 1 } });
    const users = await usersOf(dirId);
    expect(users.map((u) => [u.email, u.state])).toEqual([
      ['ada@example.com', 'active'],
      ['bob@example.com', 'inactive'],
    ]);
  });

  it('renamed report columns are read by their new names', async () => {
    const renamed = await startWorkdayFake({ columns: { employeeId: 'Worker_ID', email: 'Work_Email' } });
    try {
      renamed.data.addWorker({ employeeId: '900', email: 'renamed@example.com', firstName: 'Re', lastName: 'Named', groups: [] });
      const dir = (await api('POST', '/directories', { organization_id: orgId, type: 'workday' }, 201)).id;
      await api('PUT', `/directories/${dir}/connection`, {
        report_url: renamed.reportUrl,
        username: renamed.username,
        password: renamed.password,
        columns: { Employee_ID: 'Worker_ID', Email: 'Work_Email' },
      });
      await t.app.directorySyncs.settle();
      expect((await usersOf(dir)).map((u) => [u.idp_id, u.email])).toEqual([['900', 'renamed@example.com']]);
    } finally {
      await renamed.close();
    }
  });

  it('wrong credentials: invalid_credentials, nothing deleted', async () => {
    await api('PUT', `/directories/${dirId}/connection`, { report_url: workday.reportUrl, username: workday.username, password: 'wrong' });
    await t.app.directorySyncs.settle();
    const [s] = (await api('GET', `/directories/${dirId}/syncs?limit=1`)).data;
    expect(s.state).toBe('failed');
    expect((await api('GET', `/directories/${dirId}`)).state).toBe('invalid_credentials');
    expect(await usersOf(dirId)).toHaveLength(2);
  });
});

describe('a BambooHR directory', () => {
  let dirId: string;

  it('syncs employees with status, department and supervisor; terminated employees are inactive', async () => {
    bamboo.data.addEmployee({ id: '1', firstName: 'Bo', lastName: 'Ss', workEmail: 'boss@example.com', department: 'Office' });
    for (let i = 2; i <= 14; i++) bamboo.data.addEmployee({ id: String(i), firstName: `E${i}`, lastName: 'Mp', workEmail: `e${i}@example.com`, department: 'Sales', supervisorEId: '1' });
    bamboo.data.terminate('14');
    dirId = (await api('POST', '/directories', { organization_id: orgId, type: 'bamboohr' }, 201)).id;
    await api('PUT', `/directories/${dirId}/connection`, { subdomain: bamboo.subdomain, api_key: bamboo.apiKey });
    await t.app.directorySyncs.settle();
    const [s] = (await api('GET', `/directories/${dirId}/syncs`)).data;
    expect(s.state, s.error).toBe('succeeded');
    const users = await usersOf(dirId);
    expect(users).toHaveLength(14);
    expect(users.find((u) => u.email === 'e2@example.com')).toMatchObject({ state: 'active', custom_attributes: { department_name: 'Sales', manager_email: 'boss@example.com' } });
    expect(users.find((u) => u.email === 'e14@example.com').state).toBe('inactive');
  });

  it('terminating most of the company at once trips the guard: held, not applied', async () => {
    for (let i = 2; i <= 13; i++) bamboo.data.terminate(String(i));
    const s = await sync(dirId);
    expect(s.state).toBe('held');
    expect(await eventTypes(dirId)).toContain('dsync.guard.tripped');
    expect((await usersOf(dirId)).filter((u) => u.state === 'active')).toHaveLength(13);
    const guard = await api('GET', `/directories/${dirId}/guard`);
    expect(guard).toMatchObject({ state: 'tripped', held_changes: 12 });
    await api('POST', `/directories/${dirId}/guard/release`);
    expect((await usersOf(dirId)).filter((u) => u.state === 'active').map((u) => u.email)).toEqual(['boss@example.com']);
  });

  it('the operator\'s custom attributes fill from what the source stored, by the directory type\'s defaults', async () => {
    await api('POST', '/custom_attributes', { name: 'department', type: 'string' }, 201);
    await t.app.mappingJobs.settle();
    const mapping = await api('GET', `/directories/${dirId}/attribute_mapping`);
    expect(mapping.mappings).toEqual([expect.objectContaining({ attribute: 'department', origin: 'default' })]);
    const boss = (await usersOf(dirId)).find((u) => u.email === 'boss@example.com');
    expect(boss.custom_attributes.department).toBe('Office');
    await api('DELETE', `/custom_attributes/${(await api('GET', '/custom_attributes')).data[0].id}`, undefined, 204);
    await t.app.mappingJobs.settle();
  });

  it('a revoked API key: invalid_credentials, nothing deleted', async () => {
    await api('PUT', `/directories/${dirId}/connection`, { subdomain: bamboo.subdomain, api_key: 'revoked-key' });
    await t.app.directorySyncs.settle();
    expect((await api('GET', `/directories/${dirId}`)).state).toBe('invalid_credentials');
    expect(await usersOf(dirId)).toHaveLength(14);
  });
});
