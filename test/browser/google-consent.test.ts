/**
 * Google Workspace by admin consent, in Chromium against a real `guestlist start` and the fake Google: the guide
 * offers "Connect with Google" because the operator configured an OAuth client; the browser goes to Google's
 * consent screen (here answered by the test as Google would: a redirect back with a code the fake Google then
 * exchanges), comes back to the directory's page saying so, and the first sync reads the users.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGoogleFake, type GoogleFake } from '../fakes/google.ts';
import { browserAvailable, launchBrowser, startBrowserServer, waitUntil, watchErrors, type Browser, type BrowserServer } from '../support/browser.ts';

const AUTH = 'https://accounts.google.example/o/oauth2/v2/auth';

describe.skipIf(!browserAvailable)('Google admin consent in Chromium', () => {
  let s: BrowserServer;
  let browser: Browser;
  let google: GoogleFake;

  beforeAll(async () => {
    google = await startGoogleFake();
    [s, browser] = await Promise.all([
      startBrowserServer({
        GUESTLIST_GOOGLE_API_URL: google.url,
        GUESTLIST_GOOGLE_TOKEN_URL: google.tokenUrl,
        GUESTLIST_GOOGLE_AUTH_URL: AUTH,
        GUESTLIST_GOOGLE_CLIENT_ID: google.oauth.clientId,
        GUESTLIST_GOOGLE_CLIENT_SECRET: google.oauth.clientSecret,
      }),
      launchBrowser(),
    ]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
    await google?.close();
  });

  it('connects Google through the consent screen, and the first sync reads the users', async () => {
    google.data.addUsers(3);
    const org = (await s.api('POST', '/organizations', { name: 'Acme', domains: ['example.com'] })).body;
    const link = (await s.api('POST', '/portal/generate_link', { organization: org.id })).body.link;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const errors = watchErrors(page);
    let asked: URL | undefined;
    // Google's consent screen, as a super admin who clicks Allow: back to the redirect URI with a code and the state.
    await page.route(`${AUTH}**`, async (route) => {
      asked = new URL(route.request().url());
      const redirect = asked.searchParams.get('redirect_uri')!;
      const code = google.consent(redirect, asked.searchParams.get('scope')!.split(' '));
      await route.fulfill({ status: 302, headers: { location: `${redirect}?code=${encodeURIComponent(code)}&state=${encodeURIComponent(asked.searchParams.get('state')!)}` } });
    });
    await page.goto(link);
    await page.waitForURL(/\/portal\/?$/);
    await page.goto(`${s.url}/portal/setup/google`);
    await page.getByRole('button', { name: 'Connect with Google' }).click();
    await page.waitForURL(/\/portal\/directories\/directory_\w+\?google=connected/);
    expect(asked?.searchParams.get('access_type')).toBe('offline');
    await page.getByRole('status').filter({ hasText: 'Connected to Google' }).waitFor();
    const directoryId = new URL(page.url()).pathname.split('/').pop()!;
    await waitUntil(async () => (await s.api('GET', `/directories/${directoryId}/syncs`)).body.data[0]?.state === 'succeeded', 'the first sync', 45_000);
    const users = (await s.api('GET', `/directory_users?directory=${directoryId}&limit=100`)).body.data;
    expect(users.length).toBe(google.data.users.length);
    expect(await page.content()).not.toContain(google.oauth.refreshToken);
    expect(errors).toEqual([]);
  }, 90_000);
});
