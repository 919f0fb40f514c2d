/**
 * Issue 16's "done when", in real Chromium against a real `guestlist start`: the operator defines two custom
 * attributes and two roles in the console; the IT admin opens a setup link, creates an Okta connection, and the
 * simulator plays Okta's first sync; the admin maps cost_center to a path picked from the schema explorer with a
 * transform, previews it, saves it and watches the re-evaluation reach current, then gives one group the admin
 * role. The API then answers the mapped values and roles on every Directory User.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_API_KEY } from '../support/server-process.ts';
import { browserAvailable, launchBrowser, screenshot, startBrowserServer, waitUntil, watchErrors, type Browser, type BrowserServer, type Page } from '../support/browser.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe.skipIf(!browserAvailable)('custom attributes, attribute mapping and roles in Chromium', () => {
  let s: BrowserServer;
  let browser: Browser;
  let org: { id: string };
  let consolePage: Page;
  let portal: Page;
  const errors: string[][] = [];
  let directoryId: string;
  let scim: { base: string; token: string };

  beforeAll(async () => {
    [s, browser] = await Promise.all([startBrowserServer(), launchBrowser()]);
    org = (await s.api('POST', '/organizations', { name: 'Acme', domains: ['acme.com'] })).body;
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  const newPage = async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    errors.push(watchErrors(page));
    return page;
  };
  const users = async () => (await s.api('GET', `/directory_users?directory=${directoryId}&limit=100`)).body.data as any[];

  it('the operator defines department (required), cost_center and two roles in the console', async () => {
    consolePage = await newPage();
    const page = consolePage;
    await page.goto(`${s.url}/`);
    await page.getByLabel(/^API key/).and(page.locator('input[type=password]')).fill(SERVER_API_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const nav = (name: string) => page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name });

    await nav('Custom attributes').click();
    await page.getByRole('heading', { name: 'Custom attributes' }).waitFor();
    await page.getByRole('button', { name: 'New attribute' }).click();
    // The name rule is checked before anything is sent.
    await page.getByLabel(/^Name/).fill('Department');
    await page.getByRole('button', { name: 'Create attribute' }).click();
    await page.getByText('Lowercase letters, digits and _').waitFor();
    await page.getByLabel(/^Name/).fill('department');
    await page.getByLabel('Required').check();
    await page.getByLabel('Description').fill('The team a person works in');
    await page.getByRole('button', { name: 'Create attribute' }).click();
    await page.getByRole('table', { name: 'Custom attributes' }).getByText('department', { exact: true }).waitFor();
    // A name already taken: the server's 409, shown on the field.
    await page.getByRole('button', { name: 'New attribute' }).click();
    await page.getByLabel(/^Name/).fill('department');
    await page.getByRole('button', { name: 'Create attribute' }).click();
    await page.getByText(/already exists/).waitFor();
    expect(await page.getByLabel(/^Name/).getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'New attribute' }).click();
    await page.getByLabel(/^Name/).fill('cost_center');
    await page.getByLabel('Type').selectOption('string');
    await page.getByRole('button', { name: 'Create attribute' }).click();
    await page.getByRole('table', { name: 'Custom attributes' }).getByText('cost_center', { exact: true }).waitFor();

    await nav('Roles').click();
    await page.getByRole('heading', { name: 'Roles' }).waitFor();
    for (const [slug, name, priority, isDefault] of [
      ['member', 'Member', '0', true],
      ['admin', 'Admin', '10', false],
    ] as const) {
      await page.getByRole('button', { name: 'New role' }).click();
      await page.getByLabel(/^Slug/).fill(slug);
      await page.getByLabel(/^Name/).fill(name);
      await page.getByLabel('Priority').fill(priority);
      if (isDefault) await page.getByLabel('Default role').check();
      await page.getByRole('button', { name: 'Create role' }).click();
      await page.getByRole('table', { name: 'Roles' }).getByText(slug, { exact: true }).waitFor();
    }
    // Highest priority first; the default marked.
    const rows = await page.getByRole('table', { name: 'Roles' }).locator('tbody tr').allTextContents();
    expect(rows[0]).toContain('Admin');
    expect(rows[1]).toContain('Member');
    expect(rows[1]).toMatch(/default/i);
    await screenshot(page, 'console-roles');

    const attributes = (await s.api('GET', '/custom_attributes')).body.data;
    expect(attributes.map((a: any) => [a.name, a.type, a.required])).toEqual(
      expect.arrayContaining([
        ['department', 'string', true],
        ['cost_center', 'string', false],
      ]),
    );
    const roles = (await s.api('GET', '/roles')).body.data;
    expect(roles.map((r: any) => [r.slug, r.priority, r.default])).toEqual([
      ['admin', 10, false],
      ['member', 0, true],
    ]);
  });

  it('the IT admin connects Okta, and the simulator provisions users and groups', async () => {
    const link = (await s.api('POST', '/portal/generate_link', { organization: org.id, intent: 'dsync' })).body.link as string;
    portal = await newPage();
    await portal.goto(link);
    await portal.waitForURL(/\/portal\/?(\?.*)?$/);
    await portal.getByRole('link', { name: 'Okta', exact: true }).click();
    await portal.getByRole('button', { name: 'Create connection' }).click();
    await portal.getByLabel('Bearer token', { exact: true }).waitFor();
    const base = await portal.getByLabel('SCIM base URL', { exact: true }).inputValue();
    const token = await portal.getByLabel('Bearer token', { exact: true }).inputValue();
    directoryId = base.split('/').pop()!;
    scim = { base, token };
    // Before the first sync there is nothing to explore, and the page says so.
    await portal.goto(`${s.url}/portal/directories/${directoryId}`);
    await portal.getByRole('tab', { name: 'Attributes' }).click();
    await portal.getByText('The schema explorer fills in once your identity provider has sent users').waitFor();

    const args = ['bin/guestlist.js', 'simulate', 'okta', '--target', base, '--token', token, '--users', '12', '--groups', '3', '--seed', '16'];
    const run = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      child.stderr.on('data', (chunk) => (out += chunk));
      child.on('exit', (code) => resolve({ code, out }));
    });
    expect(run.code, run.out).toBe(0);
    expect((await users()).length).toBe(12);
  }, 120_000);

  it('maps cost_center from the schema explorer with a transform, previews, saves and follows the re-evaluation', async () => {
    const page = portal;
    await page.goto(`${s.url}/portal/directories/${directoryId}`);
    await page.getByRole('tab', { name: 'Attributes' }).click();
    const row = (name: string) => page.getByRole('listitem', { name });
    await row('department').waitFor();
    await row('cost_center').waitFor();

    await page.getByRole('button', { name: 'Edit mapping for cost_center' }).click();
    const dialog = page.getByRole('dialog', { name: 'Map cost_center' });
    // The explorer lists what these users carry, with counts and samples; search narrows it.
    await dialog.getByRole('list', { name: 'Attribute paths' }).waitFor();
    await dialog.getByLabel('Search paths').fill('department');
    const option = dialog.getByRole('button', { name: /enterprise:department/ });
    expect(await option.textContent()).toMatch(/12 users/);
    await option.click();
    expect(await dialog.getByLabel('Source path').inputValue()).toBe(`${ENTERPRISE}:department`);
    await dialog.getByLabel('Transform to add').selectOption('lowercase');
    await dialog.getByRole('button', { name: 'Add transform' }).click();
    await dialog.getByLabel('Search paths').fill('');
    await dialog.getByRole('button', { name: /enterprise:department/ }).scrollIntoViewIfNeeded();
    await screenshot(page, 'mapping-source-picker');
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await row('cost_center').getByText('lowercase').waitFor();

    // Preview: the proposed mapping on sample users, nothing saved.
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('table', { name: 'Preview' });
    await preview.waitFor();
    const departments = (await users()).map((u) => u.raw_attributes[ENTERPRISE].department as string);
    const previewText = (await preview.textContent())!;
    expect(departments.some((d) => previewText.includes(d.toLowerCase()))).toBe(true);
    expect((await users()).every((u) => u.custom_attributes.cost_center === null)).toBe(true);

    await page.getByRole('button', { name: 'Save mapping' }).click();
    const status = page.getByRole('status', { name: 'Re-evaluation' });
    await waitUntil(async () => /up to date/.test((await status.textContent()) ?? ''), 'the re-evaluation to reach current', 30_000);
    const mapping = (await s.api('GET', `/directories/${directoryId}/attribute_mapping`)).body;
    expect(mapping.state).toBe('current');
    expect(mapping.mappings).toEqual(
      expect.arrayContaining([{ attribute: 'cost_center', source: `${ENTERPRISE}:department`, transforms: ['lowercase'], origin: 'custom' }]),
    );
    await row('cost_center').scrollIntoViewIfNeeded();
    await screenshot(page, 'mapping-attributes');

    for (const user of await users()) {
      const department = user.raw_attributes[ENTERPRISE]?.department;
      if (department === undefined) continue;
      expect(user.custom_attributes.cost_center, user.email).toBe(department.toLowerCase());
    }
  }, 60_000);

  it('lists the users that lack a required attribute, and maps one group to admin', async () => {
    const page = portal;
    // A user the IdP sends without a department lacks a required attribute: the panel names them, and what is missing.
    const created = await fetch(`${scim.base}/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${scim.token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'nodept@acme.com', name: { givenName: 'No', familyName: 'Dept' }, emails: [{ value: 'nodept@acme.com', type: 'work', primary: true }], active: true }),
    });
    expect(created.status).toBe(201);
    await waitUntil(async () => (await s.api('GET', `/directory_users?directory=${directoryId}&warnings=true`)).body.data.some((u: any) => u.email === 'nodept@acme.com'), 'the new user to carry a warning');
    await page.reload();
    await page.getByRole('tab', { name: 'Attributes' }).click();
    const panel = page.getByRole('region', { name: 'Users missing required attributes' });
    await panel.getByText('nodept@acme.com').waitFor();
    expect(await panel.textContent()).toContain('department missing');

    await page.getByRole('tab', { name: 'Roles' }).click();
    await page.getByText("A user's role is the highest-priority role among their groups' roles, else the default role.").waitFor();
    const groups = (await s.api('GET', `/directory_groups?directory=${directoryId}&limit=100`)).body.data as any[];
    const group = groups.filter((g) => (g.member_count ?? 1) > 0).sort((a, b) => (b.member_count ?? 0) - (a.member_count ?? 0))[0];
    await page.getByLabel('Search groups').fill(group.name.slice(0, 5));
    const table = page.getByRole('table', { name: 'Group roles' });
    const others = groups.filter((g) => !g.name.toLowerCase().includes(group.name.slice(0, 5).toLowerCase()));
    expect(others.length).toBeGreaterThan(0);
    await waitUntil(async () => {
      const text = (await table.textContent()) ?? '';
      return text.includes(group.name) && others.every((g) => !text.includes(g.name));
    }, 'the search to narrow the groups');
    const select = page.getByLabel(`Role for ${group.name}`);
    await select.selectOption('admin');
    await page.getByText('1 unsaved change').waitFor();
    await page.getByRole('heading', { name: 'Roles' }).evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'mapping-roles');
    await page.getByRole('button', { name: 'Save roles' }).click();
    await page.getByText('Saved. Members').waitFor();
    expect((await s.api('GET', `/directories/${directoryId}/role_mapping`)).body.mappings).toEqual([{ group_id: group.id, role: 'admin' }]);

    const members = new Set(((await s.api('GET', `/directory_users?group=${group.id}&limit=100`)).body.data as any[]).map((u) => u.id));
    expect(members.size).toBeGreaterThan(0);
    await waitUntil(async () => (await users()).every((u) => u.role?.slug === (members.has(u.id) ? 'admin' : 'member')), 'roles to follow the mapping');
    for (const user of await users()) {
      expect(user.role, user.email).toEqual({ slug: members.has(user.id) ? 'admin' : 'member' });
      if (members.has(user.id)) expect(user.roles.map((r: any) => r.slug)).toContain('admin');
    }
  }, 60_000);

  it('shows the operator the same mapping on the directory page, and fits a phone', async () => {
    await consolePage.goto(`${s.url}/console/directories/${directoryId}?tab=mapping`);
    const row = consolePage.getByRole('listitem', { name: 'cost_center' });
    await row.getByText('lowercase').waitFor();
    await consolePage.getByLabel(/^Role for /).first().waitFor();

    await portal.setViewportSize({ width: 390, height: 844 });
    await portal.getByRole('tab', { name: 'Attributes' }).click();
    await portal.getByRole('listitem', { name: 'cost_center' }).waitFor();
    const overflow = () => portal.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await portal.getByRole('button', { name: 'Edit mapping for cost_center' }).click();
    await portal.getByRole('dialog', { name: 'Map cost_center' }).getByRole('list', { name: 'Attribute paths' }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await portal.keyboard.press('Escape');
    await portal.getByRole('tab', { name: 'Roles' }).click();
    await portal.getByRole('table', { name: 'Group roles' }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    for (const list of errors) expect(list).toEqual([]);
  });
});
