/**
 * API.md §7 through the SDK against a real server: custom attributes, a directory's attribute mapping (set,
 * waited for, previewed, explored), warnings, roles and a directory's role mapping, and the typed errors the
 * rules answer with.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  GuestlistError,
  NotFoundError,
  TimeoutError,
  UnprocessableEntityError,
  type AttributeMapping,
  type CustomAttribute,
  type ScimDirectoryWithToken,
  type Guestlist,
} from '../src/index.ts';
import { idp, startServer, USER_SCHEMA, type TestServer } from './support.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

let server: TestServer;
let client: Guestlist;
let dir: ScimDirectoryWithToken;
let scim: ReturnType<typeof idp>;

beforeAll(async () => {
  server = await startServer();
  client = server.client();
  const org = await client.organizations.create({ name: 'Umbrella', domains: ['umbrella.com'] });
  dir = await client.directories.create({ organization_id: org.id, type: 'generic scim v2.0' });
  scim = idp(server.t, dir.id, dir.bearer_token);
});
afterAll(() => server.close());

/** The error a promise rejects with; fails the test if it resolves. */
async function rejection(promise: PromiseLike<unknown>): Promise<GuestlistError> {
  const outcome = await Promise.resolve(promise).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  if (!(outcome.error instanceof GuestlistError)) throw outcome.error;
  return outcome.error;
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** A user as an IdP sends it with the enterprise extension. */
const withDepartment = (department: string) => ({ schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: { department } });

describe('custom attributes and the attribute mapping', () => {
  let department: CustomAttribute;
  let ana: string;
  let bob: string;
  let carl: string;

  beforeAll(async () => {
    ana = String((await scim.createUser('ana@umbrella.com', withDepartment('Engineering'))).id);
    bob = String((await scim.createUser('bob@umbrella.com', withDepartment('Sales'))).id);
  });

  it('defines custom attributes and lists them, as a page and by iterating', async () => {
    department = await client.customAttributes.create({ name: 'department', type: 'string', required: true, description: 'Team' });
    expect(department).toMatchObject({ object: 'custom_attribute', name: 'department', type: 'string', required: true, description: 'Team' });
    expect(department.id).toMatch(/^custom_attribute_/);
    const costCenter = await client.customAttributes.create({ name: 'cost_center', type: 'string' });
    expect(costCenter).toMatchObject({ required: false, description: null });

    const page = await client.customAttributes.list();
    expect(page.object).toBe('list');
    expect(page.data.map((a) => a.name)).toEqual(['department', 'cost_center']);
    // Not paged by the API: one page, and cursors that say so.
    expect(page.list_metadata).toEqual({ before: null, after: null });
    expect((await all(client.customAttributes.list())).map((a) => a.id)).toEqual([department.id, costCenter.id]);
  });

  it('sets a mapping, waits for the users to be re-evaluated, and reads the mapped custom_attributes', async () => {
    const set = await client.directories.setAttributeMapping(dir.id, {
      mappings: [{ attribute: 'cost_center', source: `${ENTERPRISE}:department`, transforms: ['uppercase', { map: { ENGINEERING: 'R&D' }, default: 'OTHER' }] }],
    });
    expect(set).toMatchObject({ object: 'attribute_mapping', directory_id: dir.id });
    expect(['current', 'reevaluating']).toContain(set.state);

    const mapping = await client.directories.waitForAttributeMapping(dir.id, { intervalMs: 20, timeoutMs: 20_000 });
    expect(mapping.state).toBe('current');
    expect(mapping.progress).toMatchObject({ done: 2, total: 2 });
    expect(mapping.progress?.finished_at).not.toBeNull();
    expect(mapping.mappings).toEqual(
      expect.arrayContaining([
        // Not set explicitly: the directory type's default source for a `department` attribute.
        { attribute: 'department', source: `${ENTERPRISE}:department`, origin: 'default' },
        expect.objectContaining({ attribute: 'cost_center', origin: 'custom', transforms: ['uppercase', { map: { ENGINEERING: 'R&D' }, default: 'OTHER' }] }),
      ]),
    );
    expect(await client.directories.getAttributeMapping(dir.id)).toEqual(mapping);

    const read = await client.directoryUsers.get(ana);
    expect(read.custom_attributes).toMatchObject({ department: 'Engineering', cost_center: 'R&D' });
    expect(read.warnings).toEqual([]);
    expect((await client.directoryUsers.get(bob)).custom_attributes).toMatchObject({ department: 'Sales', cost_center: 'OTHER' });
  });

  it('a SCIM write after the mapping is evaluated at once', async () => {
    const dana = String((await scim.createUser('dana@umbrella.com', withDepartment('engineering'))).id);
    // The map matches case-insensitively after `uppercase`; no waiting: the write itself evaluates the mapping.
    expect((await client.directoryUsers.get(dana)).custom_attributes).toMatchObject({ department: 'engineering', cost_center: 'R&D' });
  });

  it('a required attribute missing is a warning, and `warnings: true` lists those users', async () => {
    carl = String((await scim.createUser('carl@umbrella.com')).id);
    const read = await client.directoryUsers.get(carl);
    expect(read.custom_attributes).toMatchObject({ department: null, cost_center: null });
    expect(read.warnings).toEqual([{ attribute: 'department', code: 'missing_required' }]);

    const flagged = await client.directoryUsers.list({ directory: dir.id, warnings: true });
    expect(flagged.data.map((u) => u.id)).toEqual([carl]);
    expect(flagged.data[0]!.warnings).toEqual(read.warnings);
    const everyone = await all(client.directoryUsers.list({ directory: dir.id, warnings: false }));
    expect(everyone.map((u) => u.id)).toContain(ana);
  });

  it('previews a mapping without saving it', async () => {
    const preview = await client.directories.previewAttributeMapping(dir.id, { mappings: [{ attribute: 'cost_center', source: { constant: 'x-1' }, transforms: ['uppercase'] }] });
    expect(preview.object).toBe('list');
    expect(preview.data.length).toBeGreaterThanOrEqual(3);
    expect(preview.data.every((p) => p.object === 'attribute_mapping_preview' && p.custom_attributes.cost_center === 'X-1')).toBe(true);
    expect(preview.data.find((p) => p.user_id === carl)).toMatchObject({ email: 'carl@umbrella.com', warnings: [{ attribute: 'department', code: 'missing_required' }] });
    expect((await client.directoryUsers.get(ana)).custom_attributes.cost_center).toBe('R&D');
    expect((await client.directories.getAttributeMapping(dir.id)).mappings.find((m) => m.attribute === 'cost_center')?.source).toBe(`${ENTERPRISE}:department`);
  });

  it('lists the attribute paths the users carry, usable as sources', async () => {
    const paths = await client.directories.listAttributePaths(dir.id);
    expect(paths).toMatchObject({ object: 'list', scanned: 4, total_users: 4 });
    const dept = paths.data.find((p) => p.path === `${ENTERPRISE}:department`);
    expect(dept).toMatchObject({ users: 3 });
    expect(dept?.samples).toEqual(expect.arrayContaining(['Engineering']));
    expect(paths.data.find((p) => p.path === 'userName')).toMatchObject({ users: 4 });
  });

  it('a mapping read back (with `origin`) can be set again', async () => {
    const current = await client.directories.getAttributeMapping(dir.id);
    const again = await client.directories.setAttributeMapping(dir.id, { mappings: current.mappings.filter((m) => m.origin === 'custom') });
    expect(again.mappings).toEqual(current.mappings);
    await client.directories.waitForAttributeMapping(dir.id, { intervalMs: 20 });
  });

  it('deleting an attribute removes it from the definitions', async () => {
    const temp = await client.customAttributes.create({ name: 'temporary', type: 'boolean' });
    await expect(client.customAttributes.delete(temp.id)).resolves.toBeUndefined();
    expect((await client.customAttributes.list()).data.map((a) => a.name)).not.toContain('temporary');
    expect(await rejection(client.customAttributes.delete(temp.id))).toBeInstanceOf(NotFoundError);
    await client.directories.waitForAttributeMapping(dir.id, { intervalMs: 20 });
  });

  it('refuses malformed definitions and mappings with field errors (422) and duplicates (409)', async () => {
    const badName = await rejection(client.customAttributes.create({ name: 'Bad Name', type: 'string' }));
    expect(badName).toBeInstanceOf(UnprocessableEntityError);
    expect(badName).toMatchObject({ status: 422, code: 'validation_error' });
    expect(badName.errors.map((e) => e.field)).toEqual(['name']);

    // @ts-expect-error: `date` is not a CustomAttributeType.
    const badType = await rejection(client.customAttributes.create({ name: 'hired_on', type: 'date' }));
    expect(badType).toBeInstanceOf(UnprocessableEntityError);
    expect(badType.errors.map((e) => e.field)).toEqual(['type']);

    const duplicate = await rejection(client.customAttributes.create({ name: 'department', type: 'string' }));
    expect(duplicate).toBeInstanceOf(ConflictError);
    expect(duplicate).toMatchObject({ status: 409, code: 'attribute_exists' });

    const badMapping = await rejection(
      client.directories.setAttributeMapping(dir.id, {
        mappings: [
          { attribute: 'nope', source: 'userName' },
          { attribute: 'department', source: 'emails[type eq' },
        ],
      }),
    );
    expect(badMapping).toBeInstanceOf(UnprocessableEntityError);
    expect(badMapping.errors.map((e) => e.field)).toEqual(expect.arrayContaining(['mappings[0].attribute', 'mappings[1].source']));
    expect(badMapping.errors.find((e) => e.field === 'mappings[0].attribute')).toMatchObject({ code: 'unknown_attribute' });
    const badPreview = await rejection(client.directories.previewAttributeMapping(dir.id, { mappings: [{ attribute: 'department', source: 'userName', transforms: [{ split: '' }] }] }));
    expect(badPreview).toBeInstanceOf(UnprocessableEntityError);
    expect(badPreview.errors[0]?.field).toMatch(/^mappings\[0\]\.transforms/);

    const missing = 'directory_01ARZ3NDEKTSV4RRFFQ69G5FAV';
    expect(await rejection(client.directories.getAttributeMapping(missing))).toBeInstanceOf(NotFoundError);
    expect(await rejection(client.directories.waitForAttributeMapping(missing))).toBeInstanceOf(NotFoundError);
    expect(await rejection(client.directories.listAttributePaths(missing))).toBeInstanceOf(NotFoundError);
  });
});

describe('roles and the role mapping', () => {
  let admins: string;
  let inAdmins: string;
  let outside: string;

  beforeAll(async () => {
    inAdmins = String((await scim.createUser('eve@umbrella.com', withDepartment('IT'))).id);
    outside = String((await scim.createUser('finn@umbrella.com', withDepartment('IT'))).id);
    admins = String((await scim.createGroup('Admins', [inAdmins])).id);
  });

  it('defines roles: the first is the default, the list is highest priority first', async () => {
    const member = await client.roles.create({ slug: 'member', name: 'Member', priority: 0 });
    expect(member).toMatchObject({ object: 'role', slug: 'member', name: 'Member', priority: 0, default: true });
    expect(member.id).toMatch(/^role_/);
    const admin = await client.roles.create({ slug: 'admin', name: 'Admin', priority: 10 });
    expect(admin.default).toBe(false);
    const page = await client.roles.list();
    expect(page.data.map((r) => r.slug)).toEqual(['admin', 'member']);
    expect(page.list_metadata).toEqual({ before: null, after: null });

    const renamed = await client.roles.update('admin', { name: 'Administrator', priority: 20 });
    expect(renamed).toMatchObject({ slug: 'admin', name: 'Administrator', priority: 20, default: false });
    // Role definitions re-evaluate every user in the background, like attribute definitions.
    await client.directories.waitForAttributeMapping(dir.id, { intervalMs: 20 });
    expect((await client.directoryUsers.get(inAdmins)).role).toEqual({ slug: 'member' });
  });

  it('maps a group to a role; its members have it as soon as the call returns', async () => {
    const mapping = await client.directories.setRoleMapping(dir.id, { mappings: [{ group_id: admins, role: 'admin' }] });
    expect(mapping).toEqual({ object: 'role_mapping', directory_id: dir.id, mappings: [{ group_id: admins, role: 'admin' }] });
    expect(await client.directories.getRoleMapping(dir.id)).toEqual(mapping);

    const eve = await client.directoryUsers.get(inAdmins);
    expect(eve.role).toEqual({ slug: 'admin' });
    expect(eve.roles).toEqual([{ slug: 'admin' }]);
    expect((await client.directoryUsers.get(outside)).role).toEqual({ slug: 'member' });

    const events = await client.events.list({ directory_id: dir.id, events: ['dsync.user.updated'], order: 'desc', limit: 1 });
    const last = events.data[0];
    if (last?.event !== 'dsync.user.updated') throw new Error('expected a dsync.user.updated');
    expect(last.data.id).toBe(inAdmins);
    expect(last.data.previous_attributes).toMatchObject({ role: { slug: 'member' } });
  });

  it('refuses what would break the rules, with the typed errors', async () => {
    const unknownRole = await rejection(client.directories.setRoleMapping(dir.id, { mappings: [{ group_id: admins, role: 'nope' }] }));
    expect(unknownRole).toBeInstanceOf(UnprocessableEntityError);
    expect(unknownRole.errors).toEqual([expect.objectContaining({ field: 'mappings[0].role', code: 'unknown_role' })]);
    const unknownGroup = await rejection(client.directories.setRoleMapping(dir.id, { mappings: [{ group_id: 'directory_group_01ARZ3NDEKTSV4RRFFQ69G5FAV', role: 'admin' }] }));
    expect(unknownGroup.errors).toEqual([expect.objectContaining({ field: 'mappings[0].group_id', code: 'unknown_group' })]);

    const duplicate = await rejection(client.roles.create({ slug: 'admin', name: 'Again', priority: 1 }));
    expect(duplicate).toBeInstanceOf(ConflictError);
    expect(duplicate).toMatchObject({ status: 409, code: 'role_exists' });
    const unsetDefault = await rejection(client.roles.update('member', { default: false }));
    expect(unsetDefault).toBeInstanceOf(UnprocessableEntityError);
    expect(unsetDefault.errors).toEqual([expect.objectContaining({ field: 'default', code: 'default_required' })]);
    const deleteDefault = await rejection(client.roles.delete('member'));
    expect(deleteDefault).toBeInstanceOf(ConflictError);
    expect(deleteDefault.code).toBe('default_role');
    expect(await rejection(client.roles.update('ghost', { name: 'Ghost' }))).toBeInstanceOf(NotFoundError);
    expect(await rejection(client.roles.delete('ghost'))).toBeInstanceOf(NotFoundError);
  });

  it('moves the default, and deleting a mapped role un-maps its groups', async () => {
    expect(await client.roles.update('admin', { default: true })).toMatchObject({ slug: 'admin', default: true });
    expect((await client.roles.list()).data.filter((r) => r.default).map((r) => r.slug)).toEqual(['admin']);
    await client.roles.update('member', { default: true });
    await client.roles.delete('admin');
    expect((await client.directories.getRoleMapping(dir.id)).mappings).toEqual([]);
    await client.directories.waitForAttributeMapping(dir.id, { intervalMs: 20 });
    expect((await client.directoryUsers.get(inAdmins)).role).toEqual({ slug: 'member' });
  });
});

describe('waitForAttributeMapping', () => {
  /** A client whose every answer is this directory's mapping, still being re-evaluated. */
  function alwaysReevaluating() {
    const requests: string[] = [];
    const body: AttributeMapping = {
      object: 'attribute_mapping',
      directory_id: 'directory_1',
      mappings: [],
      state: 'reevaluating',
      progress: { done: 500, total: 2000, changed: 3, started_at: '2025-01-01T00:00:00.000Z', finished_at: null },
    };
    const stuck = server.client({
      fetch: async (input) => {
        requests.push(String(input));
        return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
      },
    });
    return { stuck, requests };
  }

  it('gives up with a TimeoutError after timeoutMs, having read every intervalMs', async () => {
    const { stuck, requests } = alwaysReevaluating();
    const started = Date.now();
    const error = await rejection(stuck.directories.waitForAttributeMapping('directory_1', { timeoutMs: 200, intervalMs: 20 }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.code).toBe('timeout');
    expect(error.message).toContain('500 of 2000');
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(requests.length).toBeGreaterThan(3);
    expect(requests.every((url) => url.endsWith('/directories/directory_1/attribute_mapping'))).toBe(true);
  });

  it('stops with the signal\'s reason when it aborts', async () => {
    const { stuck } = alwaysReevaluating();
    const stop = new AbortController();
    setTimeout(() => stop.abort(new Error('stopped')), 50);
    await expect(stuck.directories.waitForAttributeMapping('directory_1', { intervalMs: 10, signal: stop.signal })).rejects.toThrow('stopped');
  });
});
