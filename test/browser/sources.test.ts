/**
 * A pulled directory end to end, in real Chromium against a real `guestlist start` and the fake Workday
 * (test/fakes/workday.ts, a real HTTP server on loopback): the IT admin chooses Workday in the portal, pastes
 * the report's URL and the Integration System User's credentials into the guide's form, and the first sync
 * reads the workers; the password is never on the page again. Then what a pull can bring: workers gone from
 * the report trip the guard, which the admin releases; a changed password turns the directory to Credentials
 * refused, with nothing deleted, until the new one is saved. sources-screens.test.ts covers the same screens
 * with the routes faked, for what a real source rarely shows on cue. Last, Google Workspace against the fake
 * Google (token endpoint and Directory API): the service account's JSON key file picked in the guide's form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGoogleFake, type GoogleFake } from '../fakes/google.ts';
import { startWorkdayFake, type WorkdayFake } from '../fakes/workday.ts';
import { SERVER_API_KEY } from '../support/server-process.ts';
import { browserAvailable, launchBrowser, startBrowserServer, waitUntil, watchErrors, type Browser, type BrowserServer, type Page } from '../support/browser.ts';

describe.skipIf(!browserAvailable)('pulled directory (Workday) in Chromium, against the real server and the fake Workday', () => {
  let s: BrowserServer;
  let browser: Browser;
  let workday: WorkdayFake;
  let google: GoogleFake;
  let page: Page;
  let errors: string[];
  let orgId: string;
  let directoryId: string;

  beforeAll(async () => {
    [google, workday] = await Promise.all([startGoogleFake(), startWorkdayFake()]);
    [s, browser] = await Promise.all([startBrowserServer({ GUESTLIST_GOOGLE_API_URL: google.url, GUESTLIST_GOOGLE_TOKEN_URL: google.tokenUrl }), launchBrowser()]);
    workday.data.addWorkers(30);
    workday.data.addToGroup(workday.data.workers[0]!.employeeId, 'Engineering');
    orgId = (await s.api('POST', '/organizations', { name: 'Acme', domains: ['example.com'] })).body.id;
    const link = (await s.api('POST', '/portal/generate_link', { organization: orgId })).body.link;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    errors = watchErrors(page);
    await page.goto(link);
    await page.waitForURL(/\/portal\/?$/);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
    await workday?.close();
    await google?.close();
  });

  const table = () => page.getByRole('table', { name: 'Syncs' });
  const firstRow = async () => (await table().locator('tbody tr').first().textContent()) ?? '';
  const status = async () => (await page.getByRole('status', { name: 'Connection status' }).textContent()) ?? '';

  it('chooses Workday, saves the connection from the guide, and the first sync reads the workers', async () => {
    await page.getByRole('link', { name: 'Workday', exact: true }).click();
    const form = page.getByRole('form', { name: 'Workday connection' });
    await form.getByLabel(/^Report JSON URL/).fill(`${workday.reportUrl}?format=json`);
    await form.getByLabel(/^Integration System User/).fill(workday.username);
    await form.getByLabel(/^Password/).fill(workday.password);
    await form.getByRole('button', { name: 'Save and connect' }).click();
    await page.waitForURL(/\/portal\/directories\/directory_/);
    directoryId = new URL(page.url()).pathname.split('/').pop()!;

    await waitUntil(async () => (await firstRow()).includes('Succeeded'), 'the first sync', 45_000);
    expect(await firstRow()).toContain('30 users created');
    await waitUntil(async () => (await status()).includes('Linked'), 'Linked');
    const users = await s.api('GET', `/directory_users?directory=${directoryId}&limit=100`);
    expect(users.body.data).toHaveLength(30);

    await page.getByRole('tab', { name: 'Setup guide' }).click();
    await page.getByRole('region', { name: 'Saved connection' }).getByText(workday.username, { exact: true }).waitFor();
    expect(await page.content()).not.toContain(workday.password);
    const connection = await s.api('GET', `/directories/${directoryId}/connection`);
    expect(JSON.stringify(connection.body)).not.toContain(workday.password);
  }, 90_000);

  it('holds mass removals behind the guard until the admin releases them', async () => {
    // 12 of 30 at once: at least 10 users and more than 30 % of the active ones (the default guard).
    for (const w of workday.data.workers.slice(-12)) workday.data.terminate(w.employeeId);
    await page.getByRole('tab', { name: 'Syncs' }).click();
    await page.getByRole('button', { name: 'Sync now' }).click();
    const banner = page.getByRole('region', { name: 'Deprovision guard' });
    await banner.getByText('Guestlist held back 12 deactivations and deletions').waitFor({ timeout: 45_000 });
    await waitUntil(async () => (await firstRow()).includes('Held by the guard'), 'the held sync');
    let active = (await s.api('GET', `/directory_users?directory=${directoryId}&limit=100`)).body.data.filter((u: any) => u.state === 'active');
    expect(active).toHaveLength(30);

    await banner.getByRole('button', { name: 'Release' }).click();
    await page.getByRole('dialog', { name: 'Apply 12 held changes?' }).getByRole('button', { name: 'Apply 12 changes' }).click();
    await banner.waitFor({ state: 'detached' });
    active = (await s.api('GET', `/directory_users?directory=${directoryId}&limit=100`)).body.data.filter((u: any) => u.state === 'active');
    expect(active).toHaveLength(18);
  }, 90_000);

  it('shows Credentials refused when Workday refuses the password, deletes nothing, and recovers with the new one', async () => {
    workday.password = 'rotated-password-2';
    await page.getByRole('button', { name: 'Sync now' }).click();
    await waitUntil(async () => (await status()).includes('Credentials refused'), 'Credentials refused', 45_000);
    const refused = page.getByRole('region', { name: 'Credentials refused' });
    await refused.getByText('Workday refused the saved credentials').waitFor();
    expect((await s.api('GET', `/directory_users?directory=${directoryId}&limit=100`)).body.data).toHaveLength(30);

    await refused.getByRole('button', { name: 'Enter new credentials' }).click();
    await page.getByRole('button', { name: 'Replace credentials' }).click();
    const form = page.getByRole('form', { name: 'Workday connection' });
    await form.getByLabel(/^Report JSON URL/).fill(`${workday.reportUrl}?format=json`);
    await form.getByLabel(/^Integration System User/).fill(workday.username);
    await form.getByLabel(/^Password/).fill(workday.password);
    await form.getByRole('button', { name: 'Replace credentials' }).click();
    await page.getByRole('region', { name: 'Saved connection' }).waitFor();
    await waitUntil(async () => (await status()).includes('Linked'), 'Linked again', 45_000);
    await page.getByRole('region', { name: 'Credentials refused' }).waitFor({ state: 'detached' });
  }, 90_000);

  it('console: the Workday directory\'s syncs and connection, and its settings saved through the real PATCH', async () => {
    await page.goto(`${s.url}/`);
    await page.getByLabel(/^API key/).and(page.locator('input[type=password]')).fill(SERVER_API_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Console sections' }).waitFor();
    await page.goto(`${s.url}/console/directories/${directoryId}?tab=syncs`);
    await waitUntil(async () => (await firstRow()).includes('Succeeded'), 'the syncs in the console');
    await page.getByRole('tab', { name: 'Connection' }).click();
    await page.getByRole('region', { name: 'Saved connection' }).getByText(workday.username, { exact: true }).waitFor();
    await page.getByRole('tab', { name: 'Settings' }).click();
    const form = page.getByRole('form', { name: 'Sync settings' });
    expect(await form.getByLabel('More than (% of active users)').inputValue()).toBe('30 %');
    await form.getByLabel(/^Sync every/).fill('15');
    await form.getByLabel('More than (% of active users)').fill('50');
    await form.getByLabel(/^At least/).fill('3');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await form.getByRole('status').getByText('Saved.').waitFor();
    const dir = (await s.api('GET', `/directories/${directoryId}`)).body;
    expect(dir.settings).toMatchObject({ sync_interval_minutes: 15, deprovision_guard: { enabled: true, max_share: 0.5, min_users: 3, window_minutes: 60 } });
    const guard = (await s.api('GET', `/directories/${directoryId}/guard`)).body;
    expect(guard.settings).toEqual({ enabled: true, max_share: 0.5, min_users: 3, window_minutes: 60 });
    // Below the server's bound, the input clamps to it rather than sending a value that would be refused.
    await form.getByLabel(/^Sync every/).fill('3');
    await form.getByLabel(/^Sync every/).blur();
    expect(await form.getByLabel(/^Sync every/).inputValue()).toBe('5');
  }, 90_000);

  it('Google: the JSON key file picked in the guide, and the first sync reads users and groups', async () => {
    google.data.addUsers(4);
    const eng = google.data.addGroup({ email: 'eng@example.com', name: 'Engineering' });
    for (const u of google.data.users.slice(-2)) google.data.addMember(eng.id, u.primaryEmail);
    const people = google.data.users.length;
    await page.goto(`${s.url}/portal/setup/google`);
    const form = page.getByRole('form', { name: 'Google Workspace connection' });
    await form.locator('input[type=file]').setInputFiles({ name: 'key.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(google.serviceAccountKey, null, 2)) });
    await form.getByRole('status').getByText(google.serviceAccountKey.client_email).waitFor();
    await form.getByLabel(/^Super admin's email/).fill(google.adminEmail);
    await form.getByRole('button', { name: 'Save and connect' }).click();
    await page.waitForURL(/\/portal\/directories\/directory_/);
    await waitUntil(async () => (await firstRow()).includes('Succeeded'), 'the first Google sync', 45_000);
    expect(await firstRow()).toContain(`${people} users created, 1 group created, 2 memberships added`);
    await waitUntil(async () => (await status()).includes('Linked'), 'Linked');
    await page.getByRole('tab', { name: 'Setup guide' }).click();
    await page.getByRole('region', { name: 'Saved connection' }).getByText(google.adminEmail, { exact: true }).waitFor();
    const keyLine = google.serviceAccountKey.private_key.split('\n')[1]!;
    expect(await page.content()).not.toContain(keyLine);
    expect(errors).toEqual([]);
  }, 90_000);
});
