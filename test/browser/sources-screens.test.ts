/**
 * The screens of the directories Guestlist pulls (API.md §8), against the contract with the pulled-directory
 * routes faked in the page (page.route) on top of a real server for the sessions: Workday chosen, its guide
 * followed to the connection form, the PUT body checked and the password never shown again; Sync now adding a
 * row that runs to its counts; the guard's banner released away; a Google key file picked and a 422 placed on
 * its input; BambooHR's refused credentials explained and replaced; the console's settings form and its PATCH
 * body; all of it at 390 px without sideways scrolling. sources.test.ts is the same path against real routes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, screenshot, startBrowserServer, waitUntil, watchErrors, type Browser, type BrowserServer, type Page } from '../support/browser.ts';
import { SERVER_API_KEY } from '../support/server-process.ts';

const T0 = '2026-06-01T09:00:00.000Z';
const ZERO = { users_created: 0, users_updated: 0, users_deactivated: 0, users_deleted: 0, groups_created: 0, groups_updated: 0, groups_deleted: 0, memberships_added: 0, memberships_removed: 0 };
const PASSWORD = 'isu-Pa55word-never-shown';
const API_KEY = 'bamboo-key-0123456789abcdef-never-shown';
const PRIVATE_KEY = '-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg-never-shown\\n-----END PRIVATE KEY-----\\n';

interface FakeDirectory {
  dir: Record<string, any>;
  connection: Record<string, any>;
  syncs: Record<string, any>[];
  guard: Record<string, any>;
  puts: unknown[];
  /** Sync GETs until the queued sync runs, then until it succeeds. */
  progress: number;
}

describe.skipIf(!browserAvailable)('pulled-directory screens against the contract, routes faked', () => {
  let s: BrowserServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let orgId: string;
  const dirs = new Map<string, FakeDirectory>();
  const posts: { path: string; body: unknown }[] = [];
  const patches: unknown[] = [];
  let created = 0;

  const directory = (id: string, type: string, extra: Record<string, unknown> = {}) => ({
    object: 'directory',
    id,
    organization_id: orgId,
    type,
    state: 'unlinked',
    name: `Acme ${type}`,
    domain: null,
    scim_base_url: null,
    metadata: { users: { active: 0, inactive: 0 }, groups: 0 },
    tokens: [],
    last_request_at: null,
    last_sync_at: null,
    created_at: T0,
    updated_at: T0,
    ...extra,
  });
  const fake = (id: string, type: string, extra: Partial<FakeDirectory> & { dir?: Record<string, unknown> } = {}): FakeDirectory => {
    const f: FakeDirectory = {
      dir: directory(id, type, extra.dir),
      connection: { object: 'directory_connection', directory_id: id, configured: false, updated_at: null, summary: {} },
      syncs: [],
      guard: { object: 'deprovision_guard', directory_id: id, state: 'armed', held_changes: 0, tripped_at: null, settings: { enabled: true, max_share: 0.3, min_users: 10, window_minutes: 60 } },
      puts: [],
      progress: 0,
      ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'dir')),
    };
    dirs.set(id, f);
    return f;
  };
  const summaryOf = (type: string, body: any) =>
    type === 'workday'
      ? { report_url: body.report_url, username: body.username, columns: body.columns ?? {} }
      : type === 'bamboohr'
        ? { subdomain: body.subdomain }
        : { client_email: body.service_account_key?.client_email, admin_email: body.admin_email, customer: body.customer ?? 'my_customer' };

  beforeAll(async () => {
    [s, browser] = await Promise.all([startBrowserServer(), launchBrowser()]);
    orgId = (await s.api('POST', '/organizations', { name: 'Acme', domains: ['acme.com'] })).body.id;
    const link = (await s.api('POST', '/portal/generate_link', { organization: orgId })).body.link;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    errors = watchErrors(page);

    const json = (body: unknown, status = 200) => ({ status, contentType: 'application/json', body: JSON.stringify(body) });
    const list = (data: unknown[]) => ({ object: 'list', data, list_metadata: { before: null, after: null } });
    // Portal routes (/portal/api/directories…) and the management routes of the same directories (/directories/…).
    await page.route(
      (url) => url.pathname.startsWith('/portal/api/directories') || /^\/directories\/directory_fake/.test(url.pathname),
      async (route) => {
        const request = route.request();
        const method = request.method();
        const url = new URL(request.url());
        const parts = url.pathname.replace(/^\/portal\/api/, '').split('/').filter(Boolean); // ['directories', id?, sub?, sub2?]
        const [, id, sub, sub2] = parts;
        if (!id) {
          if (method === 'POST') {
            const body = request.postDataJSON();
            const f = fake(`directory_fake_new${++created}`, body.type);
            posts.push({ path: url.pathname, body });
            return route.fulfill(json(f.dir, 201));
          }
          return route.fulfill(json(list([...dirs.values()].map((f) => f.dir))));
        }
        const f = dirs.get(id);
        if (!f) return route.fulfill(json({ message: 'Not found', code: 'entity_not_found' }, 404));
        if (!sub) {
          if (method === 'PATCH') {
            const body = request.postDataJSON();
            patches.push(body);
            f.dir = { ...f.dir, settings: { ...(f.dir.settings ?? {}), ...body.settings } };
          }
          return route.fulfill(json(f.dir));
        }
        if (sub === 'connection') {
          if (method === 'PUT') {
            const body = request.postDataJSON();
            f.puts.push(body);
            if (body.admin_email === 'not-an-admin@acme.com')
              return route.fulfill(json({ message: 'Validation failed', code: 'validation_error', errors: [{ field: 'admin_email', code: 'invalid', message: 'admin_email must be a super admin of the account.' }] }, 422));
            f.connection = { ...f.connection, configured: true, updated_at: new Date().toISOString(), summary: summaryOf(f.dir.type, body) };
          }
          return route.fulfill(json(f.connection));
        }
        if (sub === 'sync' && method === 'POST') {
          posts.push({ path: url.pathname, body: null });
          const sync = { object: 'directory_sync', id: `sync_${f.syncs.length + 1}`, directory_id: id, state: 'queued', trigger: 'manual', counts: ZERO, error: null, created_at: new Date().toISOString(), started_at: null, finished_at: null };
          f.syncs.unshift(sync);
          f.progress = 0;
          return route.fulfill(json(sync, 202));
        }
        if (sub === 'syncs') {
          const top = f.syncs[0];
          if (top && (top.state === 'queued' || top.state === 'running')) {
            f.progress++;
            if (f.progress === 1) Object.assign(top, { state: 'running', started_at: new Date().toISOString() });
            else if (f.progress >= 2) {
              Object.assign(top, { state: 'succeeded', finished_at: new Date(Date.parse(top.started_at) + 1400).toISOString(), counts: { ...ZERO, users_created: 3, groups_created: 1, memberships_added: 3 } });
              f.dir = { ...f.dir, state: 'linked', last_sync_at: top.finished_at, metadata: { users: { active: 3, inactive: 0 }, groups: 1 } };
            }
          }
          return route.fulfill(json(list(f.syncs)));
        }
        if (sub === 'guard') {
          if (method === 'POST') {
            posts.push({ path: url.pathname, body: null });
            f.guard = { ...f.guard, state: 'armed', held_changes: 0, tripped_at: null };
            if (sub2 === 'release') f.dir = { ...f.dir, metadata: { users: { active: 28, inactive: 12 }, groups: 4 } };
          }
          return route.fulfill(json(f.guard));
        }
        return route.fulfill(json({ message: 'Not faked', code: 'not_found' }, 404));
      },
    );
    // The mapping tabs are not visited, but their first reads must not fail loudly.
    await page.route(/\/portal\/api\/(custom_attributes|roles)$/, (r) => r.fulfill(json(list([]))));

    await page.goto(link);
    await page.waitForURL(/\/portal\/?$/);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  const noSideways = async () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  const bodyText = async () => (await page.locator('body').innerText()) + (await page.content());
  const inputValues = async () => page.locator('input, textarea').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));

  it('offers Workday and BambooHR, follows the Workday guide into its form, and sends the connection', async () => {
    await page.goto(`${s.url}/portal/setup`);
    for (const name of ['Workday', 'BambooHR', 'Google Workspace']) await page.getByRole('link', { name, exact: true }).waitFor();
    await page.getByRole('link', { name: 'Workday', exact: true }).click();
    await page.getByRole('heading', { name: 'Connect Workday' }).waitFor();
    const steps = page.getByRole('list', { name: 'Workday setup steps' });
    for (const text of ['Create an Integration System User', 'Create the custom report', 'Enable As Web Service', 'Share the report', 'View URLs', 'Manager_Email']) {
      await steps.getByText(text).first().waitFor();
    }
    await page.getByRole('heading', { name: 'Sources' }).waitFor();
    await screenshot(page, 'portal-workday-guide');

    const form = page.getByRole('form', { name: 'Workday connection' });
    await form.getByRole('button', { name: 'Save and connect' }).click();
    await form.getByText('The report\'s JSON URL, starting with https://.').waitFor();
    expect(posts.filter((p) => p.path === '/portal/api/directories')).toEqual([]);
    await form.getByLabel(/^Report JSON URL/).fill('https://wd2-impl-services1.workday.com/ccx/service/customreport2/acme/isu_guestlist/Guestlist_Workers?format=json');
    await form.getByText('The report\'s JSON URL, starting with https://.').waitFor({ state: 'detached' }); // stale once edited
    await form.getByLabel(/^Integration System User/).fill('isu_guestlist');
    await form.getByLabel(/^Password/).fill(PASSWORD);
    expect(await form.getByLabel(/^Password/).getAttribute('type')).toBe('password');
    await form.getByRole('button', { name: /Column names/ }).click();
    await form.getByLabel('Column for Email').fill('Work_Email');
    await form.getByLabel('Column for Groups').fill('Groups'); // the default name: not sent
    await form.getByRole('button', { name: 'Save and connect' }).click();

    await page.waitForURL(/\/portal\/directories\/directory_fake_new1$/);
    const f = dirs.get('directory_fake_new1')!;
    expect(posts.filter((p) => p.path === '/portal/api/directories').map((p) => p.body)).toEqual([{ type: 'workday' }]);
    expect(f.puts).toEqual([
      {
        report_url: 'https://wd2-impl-services1.workday.com/ccx/service/customreport2/acme/isu_guestlist/Guestlist_Workers?format=json',
        username: 'isu_guestlist',
        password: PASSWORD,
        columns: { Email: 'Work_Email' },
      },
    ]);
    // Credentials saved: the page opens on the syncs; nothing synced yet.
    await page.getByRole('tab', { name: 'Syncs', selected: true }).waitFor();
    expect(await page.getByRole('status', { name: 'Connection status' }).textContent()).toContain('Never synced');
    await page.getByRole('tabpanel', { name: 'Syncs' }).getByText('Never synced', { exact: true }).waitFor();

    // The guide now shows what was saved, never the password.
    await page.getByRole('tab', { name: 'Setup guide' }).click();
    const saved = page.getByRole('region', { name: 'Saved connection' });
    await saved.getByText('isu_guestlist', { exact: true }).waitFor();
    await saved.getByText('Email → Work_Email').waitFor();
    await saved.getByText('The password is stored encrypted and is never shown again.', { exact: false }).waitFor();
    expect(await bodyText()).not.toContain(PASSWORD);
    await page.getByRole('button', { name: 'Replace credentials' }).click();
    expect(await inputValues()).not.toContain(PASSWORD);
    expect(await page.getByRole('form', { name: 'Workday connection' }).getByLabel(/^Password/).inputValue()).toBe('');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await saved.waitFor();
  });

  it('Sync now adds a row that runs to its counts', async () => {
    await page.getByRole('tab', { name: 'Syncs' }).click();
    await page.getByRole('button', { name: 'Sync now' }).click();
    const table = page.getByRole('table', { name: 'Syncs' });
    await waitUntil(async () => /Queued|Running/.test((await table.textContent()) ?? ''), 'the new sync listed');
    await waitUntil(async () => ((await table.textContent()) ?? '').includes('Succeeded'), 'the sync to finish', 15_000);
    const row = await table.locator('tbody tr').first().textContent();
    expect(row).toContain('3 users created, 1 group created, 3 memberships added');
    expect(row).toContain('started by hand');
    expect(row).toContain('1.4 s');
    expect(posts.filter((p) => p.path.endsWith('/sync'))).toHaveLength(1);
    await waitUntil(async () => ((await page.getByRole('status', { name: 'Connection status' }).textContent()) ?? '').includes('Linked'), 'Linked');
    await screenshot(page, 'portal-sync-history');
  });

  it('shows the tripped guard with what each way out does, and releases it', async () => {
    const f = fake('directory_fake_google', 'gsuite directory', {
      dir: { state: 'linked', name: 'Acme Google', last_sync_at: T0, metadata: { users: { active: 40, inactive: 0 }, groups: 4 } },
      connection: { object: 'directory_connection', directory_id: 'directory_fake_google', configured: true, updated_at: T0, summary: { client_email: 'guestlist@acme-it.iam.gserviceaccount.com', admin_email: 'ana@acme.com', customer: 'my_customer' } },
      guard: { object: 'deprovision_guard', directory_id: 'directory_fake_google', state: 'tripped', held_changes: 12, tripped_at: new Date(Date.now() - 5 * 60_000).toISOString(), settings: { enabled: true, max_share: 0.3, min_users: 10, window_minutes: 60 } },
      syncs: [
        { object: 'directory_sync', id: 'sync_g2', directory_id: 'directory_fake_google', state: 'held', trigger: 'schedule', counts: { ...ZERO, users_updated: 2 }, error: null, created_at: T0, started_at: new Date(Date.now() - 5 * 60_000).toISOString(), finished_at: new Date(Date.now() - 5 * 60_000 + 2300).toISOString() },
        { object: 'directory_sync', id: 'sync_g1', directory_id: 'directory_fake_google', state: 'failed', trigger: 'schedule', counts: null, error: 'Google answered 503 Service Unavailable; the next sync tries again.', created_at: T0, started_at: T0, finished_at: T0 },
      ],
    });
    await page.goto(`${s.url}/portal/directories/${f.dir.id}`);
    const banner = page.getByRole('region', { name: 'Deprovision guard' });
    await banner.getByText('Guestlist held back 12 deactivations and deletions').waitFor();
    expect(await banner.textContent()).toContain('at least 10 users and more than 30 % of the active ones within 60 minutes');
    const table = page.getByRole('table', { name: 'Syncs' });
    await table.getByText('Held by the guard').waitFor();
    await table.getByText('Google answered 503 Service Unavailable; the next sync tries again.').waitFor();
    await screenshot(page, 'portal-guard-banner');

    await banner.getByRole('button', { name: 'Discard' }).click();
    const discard = page.getByRole('dialog', { name: 'Discard 12 held changes?' });
    expect(await discard.textContent()).toContain('these users stay as they are in the application');
    await page.keyboard.press('Escape');
    await discard.waitFor({ state: 'detached' });

    await banner.getByRole('button', { name: 'Release' }).click();
    const release = page.getByRole('dialog', { name: 'Apply 12 held changes?' });
    expect(await release.textContent()).toContain('these people lose access to the application');
    await release.getByRole('button', { name: 'Apply 12 changes' }).click();
    await banner.waitFor({ state: 'detached' });
    expect(posts.filter((p) => p.path.includes('/guard/')).map((p) => p.path)).toEqual([`/portal/api/directories/${f.dir.id}/guard/release`]);
  });

  it('Google: a key file picked, a 422 shown on its input, then saved to the same new connection', async () => {
    await page.goto(`${s.url}/portal/setup/google`);
    await page.getByText('admin.directory.group.member.readonly').first().waitFor();
    const form = page.getByRole('form', { name: 'Google Workspace connection' });
    const key = { type: 'service_account', project_id: 'acme-it', private_key_id: 'abc', private_key: PRIVATE_KEY.replace(/\\n/g, '\n'), client_email: 'guestlist@acme-it.iam.gserviceaccount.com', client_id: '1234567890' };
    await form.locator('input[type=file]').setInputFiles({ name: 'acme-it-abc.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(key, null, 2)) });
    await form.getByRole('status').getByText('guestlist@acme-it.iam.gserviceaccount.com').waitFor();
    expect(await form.getByLabel(/^Service account JSON key/).getAttribute('type')).toBe('password');
    await form.getByLabel(/^Super admin's email/).fill('not-an-admin@acme.com');
    await form.getByRole('button', { name: 'Save and connect' }).click();
    await form.getByText('admin_email must be a super admin of the account.').waitFor();
    expect(await form.getByLabel(/^Super admin's email/).getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel(/^Super admin's email/).fill('ana@acme.com');
    await form.getByRole('button', { name: 'Save and connect' }).click();
    await page.waitForURL(/\/portal\/directories\/directory_fake_new2$/);
    expect(posts.filter((p) => p.path === '/portal/api/directories').map((p) => p.body)).toEqual([{ type: 'workday' }, { type: 'gsuite directory' }]);
    const f = dirs.get('directory_fake_new2')!;
    expect(f.puts).toEqual([
      { service_account_key: key, admin_email: 'not-an-admin@acme.com' },
      { service_account_key: key, admin_email: 'ana@acme.com' },
    ]);
    await page.getByRole('tab', { name: 'Setup guide' }).click();
    await page.getByRole('region', { name: 'Saved connection' }).getByText('guestlist@acme-it.iam.gserviceaccount.com').waitFor();
    expect(await bodyText()).not.toContain('never-shown');
  });

  it('BambooHR: refused credentials explained, then replaced from a pasted address', async () => {
    const f = fake('directory_fake_bamboo', 'bamboohr', {
      dir: { state: 'invalid_credentials', name: 'Acme BambooHR', last_sync_at: T0, metadata: { users: { active: 25, inactive: 2 }, groups: 0 } },
      connection: { object: 'directory_connection', directory_id: 'directory_fake_bamboo', configured: true, updated_at: T0, summary: { subdomain: 'acme' } },
      syncs: [{ object: 'directory_sync', id: 'sync_b1', directory_id: 'directory_fake_bamboo', state: 'failed', trigger: 'schedule', counts: null, error: 'BambooHR refused the API key (401).', created_at: T0, started_at: T0, finished_at: T0 }],
    });
    await page.goto(`${s.url}/portal/directories/${f.dir.id}`);
    expect(await page.getByRole('status', { name: 'Connection status' }).textContent()).toContain('Credentials refused');
    const refused = page.getByRole('region', { name: 'Credentials refused' });
    await refused.getByText('BambooHR refused the saved credentials').waitFor();
    expect(await refused.textContent()).toContain('Nothing is deleted meanwhile');
    await page.getByRole('table', { name: 'Syncs' }).getByText('BambooHR refused the API key (401).').waitFor();
    await refused.getByRole('button', { name: 'Enter new credentials' }).click();
    await page.getByRole('region', { name: 'Saved connection' }).getByText('acme.bamboohr.com').waitFor();
    await page.getByRole('button', { name: 'Replace credentials' }).click();
    const form = page.getByRole('form', { name: 'BambooHR connection' });
    await form.getByLabel(/^Subdomain/).fill('https://Acme.bamboohr.com/home');
    await form.getByText('Saved as acme').waitFor();
    await form.getByLabel(/^API key/).fill(API_KEY);
    expect(await form.getByLabel(/^API key/).getAttribute('type')).toBe('password');
    await form.getByRole('button', { name: 'Replace credentials' }).click();
    await page.getByRole('region', { name: 'Saved connection' }).waitFor();
    expect(f.puts).toEqual([{ subdomain: 'acme', api_key: API_KEY }]);
    expect(await bodyText()).not.toContain(API_KEY);
  });

  it('fits 390 px: guide, form, syncs and the guard banner', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const g = dirs.get('directory_fake_google')!;
    g.guard = { ...g.guard, state: 'tripped', held_changes: 7, tripped_at: new Date().toISOString() };
    await page.goto(`${s.url}/portal/directories/${g.dir.id}`);
    await page.getByRole('region', { name: 'Deprovision guard' }).getByText('Guestlist held back 7 deactivations and deletions').waitFor();
    await page.getByRole('table', { name: 'Syncs' }).waitFor();
    expect(await noSideways()).toBeLessThanOrEqual(0);
    await page.goto(`${s.url}/portal/setup/workday`);
    await page.getByRole('form', { name: 'Workday connection' }).getByRole('button', { name: /Column names/ }).click();
    await page.getByLabel('Column for Manager_Email').waitFor();
    expect(await noSideways()).toBeLessThanOrEqual(0);
    await page.goto(`${s.url}/portal/directories/directory_fake_bamboo`);
    await page.getByRole('region', { name: 'Credentials refused' }).waitFor();
    expect(await noSideways()).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('console: the same panels, and the settings form sends the interval, the guard and the group filter', async () => {
    const g = dirs.get('directory_fake_google')!;
    g.dir = { ...g.dir, settings: { sync_interval_minutes: 30, group_filter: ['03x8tuzt1a2b3c4'] } };
    g.guard = { ...g.guard, state: 'tripped', held_changes: 3, tripped_at: new Date().toISOString() };
    await page.goto(`${s.url}/`);
    await page.getByLabel(/^API key/).and(page.locator('input[type=password]')).fill(SERVER_API_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Console sections' }).waitFor();
    await page.goto(`${s.url}/console/directories/${g.dir.id}?tab=syncs`);
    await page.getByRole('region', { name: 'Deprovision guard' }).getByText('Guestlist held back 3 deactivations and deletions').waitFor();
    await page.getByRole('table', { name: 'Syncs' }).getByText('Held by the guard').waitFor();
    await page.getByRole('tab', { name: 'Connection' }).click();
    await page.getByRole('region', { name: 'Saved connection' }).getByText('ana@acme.com').waitFor();
    await page.getByRole('tab', { name: 'Settings' }).click();
    const form = page.getByRole('form', { name: 'Sync settings' });
    expect(await form.getByLabel('More than (% of active users)').inputValue()).toBe('30 %');
    await form.getByLabel(/^Sync every/).fill('15');
    await form.getByLabel('More than (% of active users)').fill('12.5');
    await form.getByLabel(/^At least/).fill('20');
    await form.getByLabel(/^Google groups/).fill('03x8tuzt1a2b3c4\n01ci93xb3d4e5f6\n');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await form.getByRole('status').getByText('Saved.').waitFor();
    expect(patches).toEqual([
      {
        settings: {
          sync_interval_minutes: 15,
          deprovision_guard: { enabled: true, max_share: 0.125, min_users: 20, window_minutes: 60 },
          group_filter: ['03x8tuzt1a2b3c4', '01ci93xb3d4e5f6'],
        },
      },
    ]);
    await page.getByRole('region', { name: 'Deprovision guard' }).getByRole('button', { name: 'Discard' }).click();
    await page.getByRole('dialog', { name: 'Discard 3 held changes?' }).getByRole('button', { name: 'Discard 3 changes' }).click();
    await page.getByRole('region', { name: 'Deprovision guard' }).waitFor({ state: 'detached' });
    expect(posts.filter((p) => p.path.includes('/guard/')).map((p) => p.path).at(-1)).toBe(`/directories/${g.dir.id}/guard/discard`);
    expect(errors.filter((e) => !e.includes('status of 422'))).toEqual([]);
  });
});
