/**
 * The IT admin's whole path, in real Chromium against a real `guestlist start`: a setup link generated over
 * the API, opened; Okta chosen; its guide followed; the SCIM base URL and token read off the page and used by a
 * real SCIM client the way Okta starts; the status turning Linked and the requests appearing in the log without
 * a reload. Then what must be refused: the link used again, an expired link, and a change without the CSRF
 * token, same-site or from another site.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, screenshot, startBrowserServer, waitUntil, watchErrors, type Browser, type BrowserServer, type Page } from '../support/browser.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

describe.skipIf(!browserAvailable)('admin portal in Chromium', () => {
  let s: BrowserServer;
  let browser: Browser;
  let org: { id: string };

  beforeAll(async () => {
    [s, browser] = await Promise.all([startBrowserServer(), launchBrowser()]);
    org = (await s.api('POST', '/organizations', { name: 'Acme', domains: ['acme.com'] })).body;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  const generateLink = async () => {
    const res = await s.api('POST', '/portal/generate_link', { organization: org.id, intent: 'dsync' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.link as string;
  };
  const valueOf = (page: Page, label: string) => page.getByLabel(label, { exact: true }).inputValue();

  let link: string;
  let page: Page;
  let errors: string[];
  let directoryId: string;

  it('opens a generated link into the portal, for that organization', async () => {
    link = await generateLink();
    expect(link.startsWith(`${s.url}/portal/link/`)).toBe(true);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    errors = watchErrors(page);
    await page.goto(link);
    await page.waitForURL(/\/portal\/?(\?.*)?$/);
    expect(page.url()).not.toContain('/link/');
    await page.getByRole('link', { name: 'Okta', exact: true }).waitFor();
    await screenshot(page, 'portal-providers');
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'guestlist_portal');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/portal' });
  });

  it('follows the Okta guide: creates the connection and shows the base URL and the token once', async () => {
    // By keyboard alone: Tab to the Okta card, Enter.
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? '');
    for (let i = 0; i < 40 && (await focused()) !== 'Okta'; i++) await page.keyboard.press('Tab');
    expect(await focused()).toBe('Okta');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Connect Okta' }).waitFor();
    await page.getByRole('button', { name: 'Create connection' }).click();
    await page.getByLabel('Bearer token', { exact: true }).waitFor();
    const base = await valueOf(page, 'SCIM base URL');
    const token = await valueOf(page, 'Bearer token');
    expect(base).toMatch(new RegExp(`^${s.url}/scim/v2/directory_\\w+$`));
    expect(token.length).toBeGreaterThan(20);
    directoryId = base.split('/').pop()!;
    await page.getByLabel('SCIM base URL', { exact: true }).evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await screenshot(page, 'portal-okta-guide');

    const status = page.getByRole('status', { name: 'Connection status' });
    expect(await status.textContent()).not.toContain('Linked');

    // The simulator plays Okta with the values the page showed: its connection test, then a first sync.
    const args = ['bin/guestlist.js', 'simulate', 'okta', '--target', base, '--token', token, '--users', '8', '--groups', '3', '--seed', '5'];
    const run = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      child.stderr.on('data', (chunk) => (out += chunk));
      child.on('exit', (code) => resolve({ code, out }));
    });
    expect(run.code, run.out).toBe(0);

    // No reload: the page polls.
    await waitUntil(async () => (await status.textContent())!.includes('Linked'), 'the status to turn Linked');
    await waitUntil(async () => /8 active/.test((await page.locator('body').textContent())!), 'the user count to reach 8');

    // One more create the way Okta sends it, with a password whose value must never reach the log.
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', 'user-agent': 'Okta SCIM Client 1.0.0' };
    const created = await fetch(`${base}/Users`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ schemas: [USER], userName: 'ana@acme.com', name: { givenName: 'Ana', familyName: 'Lima' }, emails: [{ primary: true, value: 'ana@acme.com', type: 'work' }], active: true, password: 'hunter2-Secret' }),
    });
    expect(created.status).toBe(201);
    await waitUntil(async () => /9 active/.test((await page.locator('body').textContent())!), 'the user count to reach 9');
  });

  it('shows the requests in the log, the password redacted', async () => {
    await page.getByRole('tab', { name: 'Request log' }).click();
    const log = page.getByRole('table', { name: 'SCIM requests' });
    await waitUntil(async () => (await log.textContent())!.includes('Okta SCIM Client'), 'the last POST to appear in the log');
    // Newest first: the first POST /Users is Ana's.
    await page.getByRole('button', { name: /^Details of POST \/scim\/v2\/directory_\w+\/Users$/ }).first().click();
    const text = (await page.locator('body').textContent())!;
    expect(text).toContain('ana@acme.com');
    expect(text).not.toContain('hunter2-Secret');
    expect(text).toContain('[REDACTED]');
    expect(text).toContain('Okta SCIM Client');
    await screenshot(page, 'portal-request-log');
    expect(errors).toEqual([]);
  });

  it('fits a phone: the status page at 390×844', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${s.url}/portal/directories/${directoryId}`);
    await page.getByRole('status', { name: 'Connection status' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'portal-status-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('refuses a change without the CSRF token, with the session cookie present', async () => {
    const before = (await s.api('GET', `/directories/${directoryId}/tokens`)).body.data.length;
    const res = await page.evaluate(async (id) => {
      const r = await fetch(`/portal/api/directories/${id}/tokens`, { method: 'POST' });
      return { status: r.status, body: await r.json() };
    }, directoryId);
    expect(res).toMatchObject({ status: 403, body: { code: 'csrf_failed' } });
    expect((await s.api('GET', `/directories/${directoryId}/tokens`)).body.data.length).toBe(before);
  });

  it('refuses a cross-site form post, whatever it carries', async () => {
    // Another site (127.0.0.1 is not localhost's site) serves a page that posts to the portal on load.
    const attacker = http.createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<form id=f method=POST action="${s.url}/portal/api/directories/${directoryId}/tokens"><input name=x value=1></form><script>f.submit()</script>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    try {
      const before = (await s.api('GET', `/directories/${directoryId}/tokens`)).body.data.length;
      const evil = await page.context().newPage();
      const answer = evil.waitForResponse((r) => r.url().includes('/tokens'));
      await evil.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
      expect([401, 403]).toContain((await answer).status());
      expect((await s.api('GET', `/directories/${directoryId}/tokens`)).body.data.length).toBe(before);
      await evil.close();
    } finally {
      attacker.close();
    }
  });

  it('refuses the same link a second time', async () => {
    const context = await browser.newContext();
    const again = await context.newPage();
    await again.goto(link);
    await again.waitForURL(/error=link_invalid/);
    expect((await context.cookies()).find((c) => c.name === 'guestlist_portal')).toBeUndefined();
    await again.getByRole('heading').first().waitFor();
    expect((await again.locator('body').textContent())!.toLowerCase()).toMatch(/link/);
    await screenshot(again, 'portal-link-invalid');
    await context.close();
  });

  it('refuses an expired link', async () => {
    const expired = await generateLink();
    await s.db.store.db.updateTable('portal_links').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('used_at', 'is', null).execute();
    const context = await browser.newContext();
    const p = await context.newPage();
    await p.goto(expired);
    await p.waitForURL(/error=link_invalid/);
    expect((await context.cookies()).find((c) => c.name === 'guestlist_portal')).toBeUndefined();
    await context.close();
  });
});
