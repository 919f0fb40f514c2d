/**
 * The operator console in real Chromium against a real `guestlist start`: signing in with the API key (a
 * wrong key refused), then each main page with real data behind it: organizations and a setup link,
 * a directory's users (searched, with attributes and groups), groups and SCIM requests, the event log with
 * its JSON payloads, webhook endpoints and their deliveries, and the audit log. No page may throw.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_API_KEY } from '../support/server-process.ts';
import { browserAvailable, launchBrowser, screenshot, startBrowserServer, waitUntil, watchErrors, type Browser, type BrowserServer, type Page } from '../support/browser.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

describe.skipIf(!browserAvailable)('operator console in Chromium', () => {
  let s: BrowserServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let receiver: http.Server;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    [s, browser] = await Promise.all([startBrowserServer(), launchBrowser()]);
    receiver = http.createServer((req, res) => req.resume().on('end', () => res.writeHead(204).end()));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const org = (await s.api('POST', '/organizations', { name: 'Acme', domains: ['acme.com'] })).body;
    const dir = (await s.api('POST', '/directories', { organization_id: org.id, type: 'okta scim v2.0', name: 'Acme Okta' })).body;
    const hook = await s.api('POST', '/webhook_endpoints', { endpoint_url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, events: ['dsync.user.created'] });
    expect(hook.status).toBe(201);
    Object.assign(ids, { org: org.id, directory: dir.id, hook: hook.body.id });
    const scim = (path: string, body: unknown) =>
      fetch(`${dir.scim_base_url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${dir.bearer_token}`, 'content-type': 'application/scim+json' }, body: JSON.stringify(body) }).then((r) => r.json());
    const ana = await scim('/Users', { schemas: [USER], userName: 'ana@acme.com', name: { givenName: 'Ana', familyName: 'Lima' }, title: 'Engineer', active: true });
    await scim('/Users', { schemas: [USER], userName: 'bob@acme.com', name: { givenName: 'Bob', familyName: 'Stone' }, active: true });
    await scim('/Groups', { schemas: [GROUP], displayName: 'Engineering', members: [{ value: ana.id }] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    errors = watchErrors(page);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    receiver?.close();
    await s?.stop();
  });

  const nav = (name: string) => page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name });
  const table = (name: string) => page.getByRole('table', { name });
  // The sign-in method's segmented control is labelled "API key" too: the field is the password input.
  const keyField = () => page.getByLabel(/^API key/).and(page.locator('input[type=password]'));
  const tableText = async (name: string) => (await table(name).textContent()) ?? '';

  it('refuses a wrong key, then signs in with the API key', async () => {
    await page.goto(`${s.url}/`);
    await keyField().fill('sk_wrong_0123456789abcdefghij');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await screenshot(page, 'console-sign-in');
    await keyField().fill(SERVER_API_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await table('Organizations').waitFor();
    const cookie = (await page.context().cookies()).find((c) => c.name === 'guestlist_console');
    expect(cookie).toMatchObject({ httpOnly: true, path: '/' });
  });

  it('lists organizations; an organization shows its directories and makes a setup link', async () => {
    await waitUntil(async () => (await tableText('Organizations')).includes('Acme'), 'Acme in the list');
    await screenshot(page, 'console-organizations');
    await table('Organizations').getByRole('link', { name: 'Acme' }).click();
    await page.getByRole('link', { name: 'Acme Okta' }).waitFor();
    await page.getByRole('button', { name: 'Generate setup link' }).click();
    const link = await page.getByRole('textbox', { name: 'Setup link' }).inputValue();
    expect(link.startsWith(`${s.url}/portal/link/`)).toBe(true);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
  });

  it("shows a directory's users, searchable, with attributes and groups", async () => {
    await page.getByRole('link', { name: 'Acme Okta' }).click();
    await table('Users').waitFor();
    await waitUntil(async () => (await tableText('Users')).includes('bob@acme.com'), 'both users');
    await page.getByLabel('Search users').fill('lima');
    await waitUntil(async () => !(await tableText('Users')).includes('bob@acme.com'), 'the search to narrow the list');
    expect(await tableText('Users')).toContain('ana@acme.com');
    await screenshot(page, 'console-directory-users');
    await table('Users').getByRole('button', { name: 'Ana Lima' }).click();
    const drawer = page.getByRole('dialog');
    await waitUntil(async () => ((await drawer.textContent()) ?? '').includes('Engineering'), "the user's groups");
    expect(await drawer.textContent()).toContain('Engineer');
    await page.keyboard.press('Escape');
  });

  it("shows the directory's groups and SCIM requests", async () => {
    await page.getByRole('tab', { name: 'Groups' }).click();
    await waitUntil(async () => (await tableText('Groups')).includes('Engineering'), 'the group');
    await page.getByRole('tab', { name: 'SCIM requests' }).click();
    await waitUntil(async () => (await tableText('SCIM requests')).includes('/Groups'), 'the requests');
    await screenshot(page, 'console-scim-requests');
  });

  it('shows the event log, with JSON payloads', async () => {
    await nav('Events').click();
    await waitUntil(async () => (await tableText('Events')).includes('dsync.group.user_added'), 'the events');
    expect(await tableText('Events')).toContain('dsync.user.created');
    await page.getByRole('button', { name: /^Payload of dsync\.group\.user_added event_/ }).click();
    await waitUntil(async () => (await tableText('Events')).includes('"previous_attributes"') || (await tableText('Events')).includes('"group"'), 'the JSON payload');
    expect(await tableText('Events')).toContain('"ana@acme.com"');
    await screenshot(page, 'console-events');
  });

  it('shows webhook endpoints and their delivery attempts', async () => {
    await nav('Webhooks').click();
    await waitUntil(async () => (await tableText('Webhook endpoints')).includes('/hooks'), 'the endpoint');
    await table('Webhook endpoints').getByRole('link').first().click();
    // Both users' dsync.user.created, delivered to the receiver.
    await waitUntil(async () => (await table('Deliveries').getByRole('row').count()) === 3 && !/pending|sending/i.test(await tableText('Deliveries')), 'the deliveries');
    expect(await tableText('Deliveries')).toMatch(/succeeded/i);
    await screenshot(page, 'console-webhook-deliveries');
  });

  it('shows the audit log, with the sign-in and the changes made over the API', async () => {
    await nav('Audit log').click();
    await waitUntil(async () => (await tableText('Audit log')).includes('organization.created'), 'the audit entries');
    const text = await tableText('Audit log');
    expect(text).toContain('console.signed_in');
    expect(text).toContain('portal.link.generated');
    await screenshot(page, 'console-audit-log');
    expect(errors).toEqual([]);
  });

  it('signs out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await keyField().waitFor();
    const res = await page.evaluate(() => fetch('/organizations').then((r) => r.status));
    expect(res).toBe(401);
  });
});
