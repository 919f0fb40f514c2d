/**
 * The deprovision guard of a SCIM directory (API.md §8) in real Chromium against a real `guestlist start`: the
 * operator turns it on in the console's settings (off by default for SCIM), the identity provider (an Entra
 * directory, driven here over SCIM with its token) deletes users until the guard trips; the IdP is answered as
 * usual while the application keeps the users; the IT admin sees the banner in the portal, and the operator
 * releases the held changes from the console, which applies them with their events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_API_KEY } from '../support/server-process.ts';
import { browserAvailable, launchBrowser, screenshot, startBrowserServer, watchErrors, type Browser, type BrowserServer, type Page } from '../support/browser.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USERS = 10;

describe.skipIf(!browserAvailable)('deprovision guard of a SCIM directory in Chromium, against the real server', () => {
  let s: BrowserServer;
  let browser: Browser;
  let consolePage: Page;
  let portalPage: Page;
  let errors: string[];
  let orgId: string;
  let directoryId: string;
  let scimBase: string;
  let scimToken: string;
  /** SCIM ids of the users the IdP created, in order. */
  const userIds: string[] = [];
  /** What the IdP removed: applied before the guard tripped, held from then on. */
  const applied: string[] = [];
  const heldDeletions: string[] = [];
  let heldDeactivation: string;

  /** A request as the identity provider sends it, with the directory's token (the base URL keeps Entra's query). */
  const scim = async (method: string, path: string, body?: unknown) => {
    const url = new URL(scimBase);
    url.pathname += path;
    const res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${scimToken}`, ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const guard = async () => (await s.api('GET', `/directories/${directoryId}/guard`)).body;
  /** The application's view of a user (the management API): its state, or 404 once deleted. */
  const appUser = async (id: string) => s.api('GET', `/directory_users/${id}`);
  const deletedEvents = async () => (await s.api('GET', `/events?directory_id=${directoryId}&events=dsync.user.deleted&limit=100`)).body.data.length;

  beforeAll(async () => {
    [s, browser] = await Promise.all([startBrowserServer(), launchBrowser()]);
    orgId = (await s.api('POST', '/organizations', { name: 'Acme', domains: ['acme.com'] })).body.id;
    const dir = await s.api('POST', '/directories', { organization_id: orgId, type: 'azure scim v2.0', name: 'Acme Entra' });
    expect(dir.status).toBe(201);
    directoryId = dir.body.id;
    scimBase = dir.body.scim_base_url;
    scimToken = dir.body.bearer_token;
    for (let i = 1; i <= USERS; i++) {
      const created = await scim('POST', '/Users', { schemas: [USER], userName: `user${i}@acme.com`, name: { givenName: 'User', familyName: `${i}` }, active: true });
      expect(created.status).toBe(201);
      userIds.push(created.body.id);
    }
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    consolePage = await context.newPage();
    errors = watchErrors(consolePage);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('console: the guard is off by default for SCIM, and the settings tab turns it on through the real PATCH', async () => {
    const page = consolePage;
    await page.goto(`${s.url}/`);
    await page.getByLabel(/^API key/).and(page.locator('input[type=password]')).fill(SERVER_API_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Console sections' }).waitFor();
    await page.goto(`${s.url}/console/directories/${directoryId}`);
    await page.getByRole('tab', { name: 'SCIM requests' }).waitFor();
    await page.getByRole('tab', { name: 'Settings' }).click();

    const form = page.getByRole('form', { name: 'Directory settings' });
    const toggle = form.getByRole('switch', { name: 'Hold mass deactivations and deletions' });
    await toggle.waitFor({ state: 'attached' });
    expect(await toggle.isChecked()).toBe(false);
    expect(await form.getByLabel(/^At least/).isDisabled()).toBe(true);
    // Pulled-only settings are not offered for a SCIM directory.
    expect(await form.getByLabel(/^Sync every/).count()).toBe(0);
    expect(await form.getByLabel(/^Google groups/).count()).toBe(0);

    await toggle.check({ force: true }); // Mantine draws the track over the input
    expect(await form.getByLabel(/^At least/).isDisabled()).toBe(false);
    await form.getByLabel('More than (% of active users)').fill('10');
    await form.getByLabel(/^At least/).fill('2');
    const patch = page.waitForRequest((r) => r.method() === 'PATCH' && r.url().endsWith(`/directories/${directoryId}`));
    await form.getByRole('button', { name: 'Save settings' }).click();
    await form.getByRole('status').getByText('Saved.').waitFor();
    await screenshot(page, 'console-scim-guard-settings');

    const settings = { enabled: true, max_share: 0.1, min_users: 2, window_minutes: 60 };
    // Only the guard is sent: no sync interval for a directory Guestlist does not pull.
    expect((await patch).postDataJSON()).toEqual({ settings: { deprovision_guard: settings } });
    expect((await s.api('GET', `/directories/${directoryId}`)).body.settings).toMatchObject({ deprovision_guard: settings });
    expect((await guard()).settings).toEqual(settings);

    // Read back: the tab shows what was saved.
    await page.reload();
    await page.getByRole('tab', { name: 'Settings', selected: true }).waitFor();
    await form.getByLabel(/^At least/).waitFor();
    expect(await form.getByRole('switch', { name: 'Hold mass deactivations and deletions' }).isChecked()).toBe(true);
    expect(await form.getByLabel('More than (% of active users)').inputValue()).toBe('10 %');
    expect(await form.getByLabel(/^At least/).inputValue()).toBe('2');
  }, 60_000);

  it('SCIM deletions past the limit trip the guard: the IdP is answered as usual, the application keeps the users', async () => {
    // At least 2 users and more than 10 % of the active ones within the window. The first deletion applies
    // (1 < 2); the second trips the guard (2 ≥ 2 and 2 > 0.1 × (9 active + 1 recent)) and is itself held.
    const remove = async (id: string) => expect((await scim('DELETE', `/Users/${id}`)).status).toBe(204);
    applied.push(userIds[0]!);
    await remove(userIds[0]!);
    expect(await guard()).toMatchObject({ state: 'armed', held_changes: 0 });
    heldDeletions.push(userIds[1]!);
    await remove(userIds[1]!);
    expect(await guard()).toMatchObject({ state: 'tripped', held_changes: 1 });
    // Two more removals while tripped: a deletion and a deactivation, both held too.
    heldDeletions.push(userIds[2]!);
    await remove(userIds[2]!);
    heldDeactivation = userIds[3]!;
    const patched = await scim('PATCH', `/Users/${heldDeactivation}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect(patched.status).toBe(200);
    expect(patched.body.active).toBe(false);

    const g = await guard();
    expect(g).toMatchObject({ state: 'tripped', held_changes: heldDeletions.length + 1 });
    expect(g.tripped_at).toEqual(expect.any(String));
    // The IdP's view: gone or inactive, as it asked.
    for (const id of [...applied, ...heldDeletions]) expect((await scim('GET', `/Users/${id}`)).status).toBe(404);
    expect((await scim('GET', `/Users/${heldDeactivation}`)).body.active).toBe(false);
    // The application's view: the applied deletions happened, the held ones did not.
    for (const id of applied) expect((await appUser(id)).status).toBe(404);
    for (const id of [...heldDeletions, heldDeactivation]) expect((await appUser(id)).body.state).toBe('active');
    expect(await deletedEvents()).toBe(applied.length);
  }, 60_000);

  it('portal: the IT admin sees the tripped guard with the held count and both ways out', async () => {
    const held = heldDeletions.length + 1;
    const link = (await s.api('POST', '/portal/generate_link', { organization: orgId })).body.link;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    portalPage = await context.newPage();
    const portalErrors = watchErrors(portalPage);
    await portalPage.goto(link);
    await portalPage.waitForURL(/\/portal\/?$/);
    await portalPage.goto(`${s.url}/portal/directories/${directoryId}`);
    const banner = portalPage.getByRole('region', { name: 'Deprovision guard' });
    await banner.getByText(`Guestlist held back ${held} deactivations and deletions`).waitFor();
    const text = (await banner.textContent()) ?? '';
    expect(text).toContain('Microsoft Entra ID deactivated or deleted more users than it allows (at least 2 users and more than 10 % of the active ones within 60 minutes)');
    expect(text).toContain('the application still sees these users');
    await banner.getByRole('button', { name: 'Release' }).waitFor();
    await banner.getByRole('button', { name: 'Discard' }).click();
    const discard = portalPage.getByRole('dialog', { name: `Discard ${held} held changes?` });
    expect(await discard.textContent()).toContain('these users stay as they are in the application');
    await portalPage.keyboard.press('Escape');
    await discard.waitFor({ state: 'detached' });
    await screenshot(portalPage, 'portal-scim-guard-banner');
    expect((await guard()).state).toBe('tripped');
    expect(portalErrors).toEqual([]);
  }, 60_000);

  it('console: the banner shows the held count; Release applies the held deletion and deactivation with their events', async () => {
    const held = heldDeletions.length + 1;
    const page = consolePage;
    await page.goto(`${s.url}/console/directories/${directoryId}`);
    const banner = page.getByRole('region', { name: 'Deprovision guard' });
    await banner.getByText(`Guestlist held back ${held} deactivations and deletions`).waitFor();
    await screenshot(page, 'console-scim-guard-banner');
    await banner.getByRole('button', { name: 'Release' }).click();
    const release = page.getByRole('dialog', { name: `Apply ${held} held changes?` });
    expect(await release.textContent()).toContain('in the order they were received');
    await release.getByRole('button', { name: `Apply ${held} changes` }).click();
    await banner.waitFor({ state: 'detached' });

    expect(await guard()).toMatchObject({ state: 'armed', held_changes: 0, tripped_at: null });
    for (const id of heldDeletions) expect((await appUser(id)).status).toBe(404);
    expect((await appUser(heldDeactivation)).body.state).toBe('inactive');
    expect(await deletedEvents()).toBe(applied.length + heldDeletions.length);
    const active = (await s.api('GET', `/directory_users?directory=${directoryId}&limit=100`)).body.data.filter((u: { state: string }) => u.state === 'active');
    expect(active).toHaveLength(USERS - applied.length - heldDeletions.length - 1);
    expect(errors).toEqual([]);
  }, 60_000);
});
