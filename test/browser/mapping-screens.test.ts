/**
 * The mapping screens' own behaviour, against API.md §7's contract with the mapping routes stubbed in the page
 * (page.route) on top of a real server for the sessions and the directory: what a real server rarely shows on
 * cue. The PUT body the editor builds (a path picked from the explorer, a lookup table moved above a lowercase),
 * the re-evaluation progress bar polled until current, a 422 placed on the attribute it names, the group-role
 * draft kept across a search, the console's name rule and field errors, and the default role's 409 explained.
 * mapping.test.ts is the same path end to end against the real routes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser, startBrowserServer, waitUntil, watchErrors, type Browser, type BrowserServer, type Page } from '../support/browser.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:';

describe.skipIf(!browserAvailable)('mapping screens against the contract, routes stubbed', () => {
  let s: BrowserServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let dirId: string;
  const puts: unknown[] = [];
  const rolePuts: unknown[] = [];

  beforeAll(async () => {
    [s, browser] = await Promise.all([startBrowserServer(), launchBrowser()]);
    const org = (await s.api('POST', '/organizations', { name: 'Acme', domains: ['acme.com'] })).body;
    const dir = (await s.api('POST', '/directories', { organization_id: org.id, type: 'okta scim v2.0', name: 'Acme Okta' })).body;
    dirId = dir.id;
    const link = (await s.api('POST', '/portal/generate_link', { organization: org.id })).body.link;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    errors = watchErrors(page);
    let mapping: any = {
      object: 'attribute_mapping',
      directory_id: dirId,
      state: 'current',
      mappings: [{ attribute: 'department', source: `${ENT}department`, origin: 'default' }],
    };
    let polls = 0;
    const json = (body: unknown, status = 200) => ({ status, contentType: 'application/json', body: JSON.stringify(body) });
    const list = (data: unknown[]) => ({ object: 'list', data, list_metadata: { before: null, after: null } });
    await page.route('**/portal/api/custom_attributes', (r) =>
      r.fulfill(json(list([
        { object: 'custom_attribute', id: 'ca_1', name: 'department', type: 'string', required: true, description: 'The team a person works in', created_at: '2026-01-01T00:00:00Z' },
        { object: 'custom_attribute', id: 'ca_2', name: 'cost_center', type: 'string', required: false, description: null, created_at: '2026-01-01T00:00:00Z' },
      ]))),
    );
    await page.route('**/portal/api/roles', (r) =>
      r.fulfill(json(list([
        { object: 'role', id: 'r1', slug: 'member', name: 'Member', priority: 0, default: true, created_at: '2026-01-01T00:00:00Z' },
        { object: 'role', id: 'r2', slug: 'admin', name: 'Admin', priority: 10, default: false, created_at: '2026-01-01T00:00:00Z' },
      ]))),
    );
    await page.route(`**/portal/api/directories/${dirId}/attribute_mapping`, async (r) => {
      if (r.request().method() === 'PUT') {
        const body = r.request().postDataJSON();
        puts.push(body);
        if (body.mappings.some((m: any) => m.source === 'bad')) return r.fulfill(json({ message: 'Validation failed', code: 'validation_error', errors: [{ field: `mappings[${body.mappings.findIndex((m: any) => m.source === 'bad')}].source`, code: 'invalid', message: 'not a SCIM path' }] }, 422));
        mapping = { ...mapping, state: 'reevaluating', progress: { done: 0, total: 8 }, mappings: [...mapping.mappings.filter((m: any) => !body.mappings.some((b: any) => b.attribute === m.attribute)), ...body.mappings.map((m: any) => ({ ...m, origin: 'custom' }))] };
        polls = 0;
        return r.fulfill(json(mapping));
      }
      if (mapping.state === 'reevaluating') {
        polls++;
        mapping = polls >= 2 ? { ...mapping, state: 'current', progress: undefined } : { ...mapping, progress: { done: 4, total: 8 } };
      }
      return r.fulfill(json(mapping));
    });
    await page.route(`**/portal/api/directories/${dirId}/attribute_mapping/preview`, (r) =>
      r.fulfill(json(list([
        { user_id: 'u1', email: 'ana@acme.com', custom_attributes: { department: 'Engineering', cost_center: 'cc-100' }, warnings: [] },
        { user_id: 'u2', email: 'bob@acme.com', custom_attributes: { department: null, cost_center: 'cc-200' }, warnings: [{ attribute: 'department', code: 'missing_required' }] },
      ]))),
    );
    await page.route(`**/portal/api/directories/${dirId}/attribute_paths`, (r) =>
      r.fulfill(json({ ...list([
        { path: 'userName', users: 8, samples: ['ana@acme.com', 'bob@acme.com'], type: 'string' },
        { path: 'name.givenName', users: 8, samples: ['Ana', 'Bob'], type: 'string' },
        { path: `${ENT}department`, users: 7, samples: ['Engineering', 'Sales'], type: 'string' },
        { path: `${ENT}costCenter`, users: 8, samples: ['CC-100', 'CC-200'], type: 'string' },
        { path: 'emails[type eq "work"].value', users: 8, samples: ['ana@acme.com'], type: 'string' },
      ]), scanned: 8, total_users: 8 })),
    );
    let roleMapping: any = { object: 'role_mapping', directory_id: dirId, mappings: [] };
    await page.route(`**/portal/api/directories/${dirId}/role_mapping`, (r) => {
      if (r.request().method() === 'PUT') {
        rolePuts.push(r.request().postDataJSON());
        roleMapping = { ...roleMapping, mappings: r.request().postDataJSON().mappings };
      }
      return r.fulfill(json(roleMapping));
    });
    await page.route(new RegExp(`/portal/api/directories/${dirId}/groups`), (r) => {
      const search = new URL(r.request().url()).searchParams.get('search') ?? '';
      const groups = ['Engineering Team', 'Sales Team', 'Finance Team'].filter((n) => n.toLowerCase().includes(search.toLowerCase()));
      return r.fulfill(json(list(groups.map((name, i) => ({ object: 'directory_group', id: `g${i}`, name, member_count: 3 + i })))));
    });
    await page.route(new RegExp(`/portal/api/directories/${dirId}/users`), (r) =>
      r.fulfill(json(list([{ object: 'directory_user', id: 'u2', email: 'bob@acme.com', name: 'Bob', role: { slug: 'member' }, roles: [], custom_attributes: { department: null }, warnings: [{ attribute: 'department', code: 'missing_required' }] }]))),
    );
    await page.goto(link);
    await page.waitForURL(/\/portal\/?$/);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('maps an attribute, previews, saves, follows progress', async () => {
    await page.goto(`${s.url}/portal/directories/${dirId}`);
    await page.getByRole('tab', { name: 'Attributes' }).click();
    await page.getByRole('listitem', { name: 'department' }).waitFor();
    await page.getByRole('button', { name: 'Edit mapping for cost_center' }).click();
    await page.getByLabel('Search paths').fill('cost');
    await page.getByRole('button', { name: /costCenter/ }).click();
    expect(await page.getByLabel('Source path').inputValue()).toBe(`${ENT}costCenter`);
    await page.getByLabel('Transform to add').selectOption('lowercase');
    await page.getByRole('button', { name: 'Add transform' }).click();
    await page.getByLabel('Transform to add').selectOption('map');
    await page.getByRole('button', { name: 'Add transform' }).click();
    await page.getByLabel('From (step 2, row 1)').fill('cc-100');
    await page.getByLabel('To (step 2, row 1)').fill('hq');
    await page.getByRole('button', { name: 'Move step 2 up' }).click();
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('table', { name: 'Preview' }).waitFor();
    await page.getByRole('button', { name: 'Save mapping' }).click();
    await page.getByRole('progressbar', { name: 'Re-evaluation progress' }).waitFor();
    await waitUntil(async () => ((await page.getByRole('status', { name: 'Re-evaluation' }).textContent()) ?? '').includes('up to date'), 'current');
    expect(puts.at(-1)).toEqual({ mappings: [{ attribute: 'cost_center', source: `${ENT}costCenter`, transforms: [{ map: { 'cc-100': 'hq' } }, 'lowercase'] }] });
    await page.getByRole('region', { name: 'Users missing required attributes' }).getByText('bob@acme.com').waitFor();
  });

  it('opens and closes the editor by keyboard alone', async () => {
    const edit = page.getByRole('button', { name: 'Edit mapping for department' });
    await edit.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Map department' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Map department' }).waitFor({ state: 'detached' });
  });

  it('shows a 422 next to the attribute', async () => {
    await page.getByRole('button', { name: 'Edit mapping for department' }).click();
    await page.getByLabel('Source path').fill('bad');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('button', { name: 'Save mapping' }).click();
    await page.getByText('not a SCIM path').first().waitFor();
  });

  it('maps a group to a role', async () => {
    await page.getByRole('tab', { name: 'Roles' }).click();
    await page.getByLabel('Role for Engineering Team').selectOption('admin');
    await page.getByLabel('Search groups').fill('sales');
    await waitUntil(async () => (await page.getByRole('table', { name: 'Group roles' }).textContent())!.includes('Sales') && !(await page.getByRole('table', { name: 'Group roles' }).textContent())!.includes('Engineering'), 'search');
    await page.getByRole('button', { name: 'Save roles' }).click();
    await page.getByText('Saved. Members').waitFor();
    // The choice made before the search was kept, and the whole mapping sent.
    expect(rolePuts).toEqual([{ mappings: [{ group_id: 'g0', role: 'admin' }] }]);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('tab', { name: 'Attributes' }).click();
    await page.getByRole('listitem', { name: 'department' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await page.getByRole('button', { name: 'Edit mapping for cost_center' }).click();
    expect(overflow).toBeLessThanOrEqual(0);
    expect(errors.filter((e) => !e.includes('status of 422'))).toEqual([]);
  });

  it('console: custom attributes and roles pages', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    const json = (body: unknown, status = 200) => ({ status, contentType: 'application/json', body: JSON.stringify(body) });
    const list = (data: unknown[]) => ({ object: 'list', data, list_metadata: { before: null, after: null } });
    const attrs: any[] = [];
    const roles: any[] = [{ object: 'role', id: 'r1', slug: 'member', name: 'Member', priority: 0, default: true, created_at: '2026-01-01T00:00:00Z' }];
    await page.route(/\/custom_attributes(\/[^/?]+)?$/, async (r) => {
      const m = r.request().method();
      if (new URL(r.request().url()).pathname.startsWith('/portal')) return r.fallback();
      if (m === 'POST') {
        const body = r.request().postDataJSON();
        if (body.name === 'taken') return r.fulfill(json({ message: 'A custom attribute named "taken" already exists.', code: 'attribute_exists' }, 409));
        if (body.name === 'too_long_description') return r.fulfill(json({ message: 'Validation failed', code: 'validation_error', errors: [{ field: 'description', code: 'too_long', message: 'At most 500 characters.' }] }, 422));
        const a = { object: 'custom_attribute', id: `ca_${attrs.length}`, created_at: new Date().toISOString(), description: null, required: false, ...body };
        attrs.push(a);
        return r.fulfill(json(a, 201));
      }
      if (m === 'DELETE') { attrs.splice(0, 1); return r.fulfill({ status: 204 }); }
      return r.fulfill(json(list(attrs)));
    });
    await page.route(/\/roles(\/[^/?]+)?$/, async (r) => {
      const m = r.request().method();
      const url = new URL(r.request().url());
      if (url.pathname.startsWith('/portal')) return r.fallback();
      const slug = url.pathname.split('/')[2];
      if (m === 'POST') { const role = { object: 'role', id: `r${roles.length + 1}`, created_at: new Date().toISOString(), default: false, ...r.request().postDataJSON() }; roles.push(role); return r.fulfill(json(role, 201)); }
      if (m === 'PATCH') { const role = roles.find((x) => x.slug === slug); Object.assign(role, r.request().postDataJSON()); return r.fulfill(json(role)); }
      if (m === 'DELETE') return r.fulfill(json({ message: 'The default role cannot be deleted while others exist', code: 'default_role' }, 409));
      return r.fulfill(json(list([...roles].sort((a, b) => b.priority - a.priority))));
    });
    await page.goto(`${s.url}/`);
    await page.getByLabel(/^API key/).and(page.locator('input[type=password]')).fill((await import('../support/server-process.ts')).SERVER_API_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Custom attributes' }).click();
    await page.getByRole('button', { name: 'New attribute' }).click();
    await page.getByLabel(/^Name/).fill('Bad Name');
    await page.getByRole('button', { name: 'Create attribute' }).click();
    await page.getByText('Lowercase letters, digits and _').waitFor();
    await page.getByLabel(/^Name/).fill('taken');
    await page.getByRole('button', { name: 'Create attribute' }).click();
    // A 409 about the name and a 422 on another field both land on their input.
    await page.getByText('A custom attribute named "taken" already exists.').waitFor();
    expect(await page.getByLabel(/^Name/).getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel(/^Name/).fill('too_long_description');
    await page.getByRole('button', { name: 'Create attribute' }).click();
    await page.getByText('At most 500 characters.').waitFor();
    expect(await page.getByLabel('Description').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel(/^Name/).fill('department');
    await page.getByLabel('Required').check();
    await page.getByLabel('Description').fill('The team a person works in');
    await page.getByRole('button', { name: 'Create attribute' }).click();
    await page.getByRole('table', { name: 'Custom attributes' }).getByText('department').waitFor();
    await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Roles' }).click();
    await page.getByRole('button', { name: 'New role' }).click();
    await page.getByLabel(/^Slug/).fill('admin');
    await page.getByLabel(/^Name/).fill('Admin');
    await page.getByLabel('Priority').fill('10');
    await page.getByRole('button', { name: 'Create role' }).click();
    await waitUntil(async () => ((await page.getByRole('table', { name: 'Roles' }).textContent()) ?? '').includes('Admin'), 'admin role');
    await page.getByRole('button', { name: 'Edit member' }).click();
    await page.getByLabel(/^Name/).fill('Members');
    await page.getByRole('button', { name: 'Save role' }).click();
    await waitUntil(async () => ((await page.getByRole('table', { name: 'Roles' }).textContent()) ?? '').includes('Members'), 'renamed');
    await page.getByRole('button', { name: 'Delete member' }).click();
    await page.getByRole('button', { name: 'Delete role' }).click();
    await page.getByText('Make another role the default first').waitFor();
    await page.keyboard.press('Escape');
  });
});
