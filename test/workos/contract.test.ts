/**
 * Our real objects held to what WorkOS's official SDKs deserialize (test/workos/contract.ts, from the study of
 * their sources): list and get responses of every Directory Sync object, the events from `/events`, and the
 * bodies and headers of real webhook deliveries, field by field (presence, type, null, enum). Python, Go,
 * Ruby, Java/Kotlin, .NET and PHP are not run here; this is how they are checked ("checked by shape" in
 * docs/migrate-from-workos.md). Each assertion's comment names the SDK that needs it and the study's section.
 */
import { createHmac } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIRECTORY_TYPES } from '../../src/http/objects.ts';
import { EVENT_TYPES } from '../../src/store/event-log.ts';
import { ENTERPRISE } from '../scim/helpers.ts';
import { TEST_API_KEY, type TestApp } from '../support/harness.ts';
import {
  DIRECTORY,
  DIRECTORY_GROUP,
  EVENT,
  EVENT_DATA,
  LIST,
  REST_DIRECTORY_USER,
  TYPES_EVERY_SDK_KNOWS,
  WORKOS_SIGNATURE,
  violations,
  type Shape,
} from './contract.ts';
import { everything, idp, listen, receiver, startDispatcher, until, type ListPage, type Obj, type Received, type Server } from './support.ts';

let server: Server;
let t: TestApp;
let hooks: Awaited<ReturnType<typeof receiver>>;
let dispatcher: { stop(): Promise<void> };
let secret: string;
let dirId: string;
let goneDirId: string;
const users: Record<string, string> = {};
const groups: Record<string, string> = {};
/** Every management API answer the checks below read, for the HTTP-level checks at the end. */
const answers: { url: string; res: LightMyRequestResponse }[] = [];

async function get<T = Obj>(url: string): Promise<T> {
  const res = await t.api('GET', url);
  answers.push({ url, res });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json() as T;
}

beforeAll(async () => {
  server = await listen();
  t = server.t;
  hooks = await receiver();
  dispatcher = startDispatcher(t);
  secret = (await t.api('POST', '/webhook_endpoints', { endpoint_url: hooks.url, events: [...EVENT_TYPES] })).json().secret;
  const org = (await t.api('POST', '/organizations', { name: 'Contract', domains: ['contract.example', 'contract.test'] })).json();
  const created = await t.api('POST', '/directories', { organization_id: org.id, type: 'okta scim v2.0' });
  answers.push({ url: 'POST /directories', res: created });
  const dir = created.json();
  dirId = dir.id;
  const scim = idp(t, dir.id, dir.bearer_token);
  // Users as IdPs send them: everything, only an email userName, no email at all, inactive.
  users.boss = await scim.createUser('boss@contract.example', { externalId: 'ext-boss', emails: [{ value: 'boss@contract.example', type: 'work', primary: true }] });
  users.full = await scim.createUser('ana@contract.example', {
    externalId: 'ext-ana',
    name: { givenName: 'Ana', familyName: 'Lima', formatted: 'Ana Lima' },
    title: 'Engineer',
    emails: [{ value: 'ana@home.example', type: 'home' }, { value: 'ana@contract.example', type: 'work' }],
    addresses: [{ type: 'work', locality: 'Lisbon', country: 'PT' }],
    roles: [{ value: 'admin', primary: true }, { value: 'viewer' }],
    [ENTERPRISE]: { department: 'R&D', employeeNumber: '42', manager: { value: users.boss } },
  });
  users.late = await scim.createUser('late@example.com');
  users.handle = await scim.createUser('jdoe');
  users.inactive = await scim.createUser('gone@contract.example', { active: false });
  groups.eng = await scim.createGroup('Engineering', [users.boss, users.full, users.late]);
  groups.empty = await scim.createGroup('Empty');
  // Every other event type: updates, removals, deletions, tokens, a directory deleted.
  await scim.renameUser(users.full, 'Anna');
  await t.scim('PATCH', `/scim/v2/${dir.id}/Groups/${groups.eng}`, dir.bearer_token, {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'replace', path: 'displayName', value: 'Eng' }, { op: 'remove', path: `members[value eq "${users.late}"]` }],
  });
  const doomedUser = await scim.createUser('doomed@contract.example');
  await scim.addMember(groups.eng, doomedUser);
  await scim.deleteUser(doomedUser);
  const doomedGroup = await scim.createGroup('Doomed');
  await t.scim('DELETE', `/scim/v2/${dir.id}/Groups/${doomedGroup}`, dir.bearer_token);
  const token = (await t.api('POST', `/directories/${dir.id}/tokens`)).json();
  await t.api('DELETE', `/directories/${dir.id}/tokens/${token.id}`);
  const gone = (await t.api('POST', '/directories', { organization_id: org.id, type: 'azure scim v2.0' })).json();
  goneDirId = gone.id;
  await t.scim('GET', `/scim/v2/${gone.id}/Users`, gone.bearer_token);
  await t.api('DELETE', `/directories/${gone.id}`);
  const logged = [...(await everything(t, `/events?directory_id=${dir.id}`)), ...(await everything(t, `/events?directory_id=${gone.id}`))];
  await until(() => logged.every((e) => hooks.received.some((r) => r.headers['webhook-id'] === e.id)), 'a delivery of every event');
}, 60_000);
afterAll(async () => {
  await dispatcher.stop();
  await hooks.close();
  await server.close();
});

/** Holds one object to a shape; the failure lists each field and the SDK it would break. */
function conforms(value: unknown, shape: Shape, what: string): void {
  expect(violations(value, shape), what).toEqual([]);
}

/** A list answer: the envelope (§6, items 6–7), then each item. */
function conformsList(page: ListPage, item: Shape, what: string): void {
  conforms(page, LIST, what);
  page.data.forEach((o, i) => conforms(o, item, `${what} data[${i}]`));
}

describe('the checker', () => {
  it('reports a missing key, a null, a wrong type, a value outside an enum, a bad timestamp, a bad nested item', () => {
    const good = (value: Obj) => violations(value, REST_DIRECTORY_USER);
    const user: Obj = {
      object: 'directory_user', id: 'u', directory_id: 'd', organization_id: 'o', idp_id: 'i', email: null, first_name: null, last_name: null,
      username: 'u', job_title: null, state: 'active', raw_attributes: {}, custom_attributes: {}, emails: [], created_at: '2024-01-01T00:00:00.000Z',
      updated_at: '2024-01-01T00:00:00.000Z', groups: [],
    };
    expect(good(user)).toEqual([]);
    const { groups: _groups, ...withoutGroups } = user;
    expect(good(withoutGroups)).toEqual([expect.stringContaining('$.groups is missing (Node v11 groups.map')]);
    expect(good({ ...user, organization_id: null })).toEqual([expect.stringContaining('$.organization_id is null')]);
    expect(good({ ...user, raw_attributes: [] })).toEqual([expect.stringContaining('$.raw_attributes is array, not object')]);
    expect(good({ ...user, state: 'suspended' })).toEqual([expect.stringContaining('is not one of active|inactive')]);
    expect(good({ ...user, created_at: '2024-01-01T00:00:00Z' })).toEqual([expect.stringContaining('not an ISO timestamp')]);
    expect(good({ ...user, emails: [{ primary: null, type: null, value: 'a@b.c' }] })).toEqual([expect.stringContaining('$.emails[0].primary is null')]);
  });
});

describe('Directory', () => {
  it('list, get and create answers have every field the SDKs read', async () => {
    conformsList(await get<ListPage>('/directories?limit=100'), DIRECTORY, 'GET /directories');
    conforms(await get(`/directories/${dirId}`), DIRECTORY, 'GET /directories/:id');
    conforms(answers.find((a) => a.url === 'POST /directories')!.res.json(), DIRECTORY, 'POST /directories');
  });

  it('external_key is a non-null string and state is REST vocabulary', async () => {
    const dir = await get(`/directories/${dirId}`);
    // Kotlin new (non-null), PHP new (R! string), Python v5 (R!): §4, item 18.
    expect(dir.external_key).toBe(dirId);
    // Kotlin new, .NET new, PHP new are strict over linked|unlinked|…; Node maps linked→active itself: §4, item 20.
    expect(dir.state).toBe('linked');
  });

  it('every type Guestlist offers is in every SDK enum, except sailpoint (new SDKs only)', async () => {
    const org = (await t.api('POST', '/organizations', { name: 'Types' })).json();
    const outsideEverySdk: string[] = [];
    for (const type of DIRECTORY_TYPES) {
      const created = (await t.api('POST', '/directories', { organization_id: org.id, type })).json();
      // PHP new (`tryFrom ?? raw` → TypeError) and .NET new (StringEnumConverter) are strict: §4, item 19.
      conforms(created, DIRECTORY, `type ${type}`);
      if (!(TYPES_EVERY_SDK_KNOWS as readonly string[]).includes(type)) outsideEverySdk.push(type);
    }
    // Legacy .NET and legacy Kotlin enums lack it (§4): docs/migrate-from-workos.md lists it as a known difference.
    expect(outsideEverySdk).toEqual(['sailpoint scim v2.0']);
  });
});

describe('Directory User', () => {
  it('list items by directory and by group, and each get, carry every field, groups included', async () => {
    conformsList(await get<ListPage>(`/directory_users?directory=${dirId}&limit=100`), REST_DIRECTORY_USER, 'GET /directory_users?directory');
    conformsList(await get<ListPage>(`/directory_users?group=${groups.eng}&limit=100`), REST_DIRECTORY_USER, 'GET /directory_users?group');
    for (const [name, id] of Object.entries(users)) {
      conforms(await get(`/directory_users/${id}`), REST_DIRECTORY_USER, `GET /directory_users/:id (${name})`);
    }
  });

  it('emails: exactly one primary when there are any, the one email names', async () => {
    for (const user of (await get<ListPage>(`/directory_users?directory=${dirId}&limit=100`)).data) {
      const emails = user.emails as { primary: boolean; value: string }[];
      // Legacy Kotlin/.NET primaryEmail() finds it by the flag and throws on none (§3, item 12).
      if (emails.length > 0) expect(emails.filter((e) => e.primary).map((e) => e.value), String(user.username)).toEqual([user.email]);
    }
  });

  it('email is the primary email, else an email-address userName, else null (Python new needs the key)', async () => {
    // Python new: `email` must be present, null allowed (§3, item 13).
    expect((await get(`/directory_users/${users.full}`)).email).toBe('ana@contract.example');
    expect((await get(`/directory_users/${users.late}`)).email).toBe('late@example.com');
    expect((await get(`/directory_users/${users.handle}`)).email).toBeNull();
  });

  it('custom_attributes and raw_attributes are objects; role is {slug}', async () => {
    const ana = await get(`/directory_users/${users.full}`);
    // Python v5, Kotlin new, PHP new: R! object (an array fails Go's map too) (§3, item 11).
    expect(ana.custom_attributes).toMatchObject({ job_title: 'Engineer', department_name: 'R&D', manager_email: 'boss@contract.example' });
    expect(ana.raw_attributes).toMatchObject({ userName: 'ana@contract.example' });
    // Python new / Kotlin new / PHP new SlimRole: {slug: string} (§3, item 14).
    expect(ana.role).toEqual({ slug: 'admin' });
    expect((await get(`/directory_users/${users.inactive}`)).state).toBe('inactive');
  });
});

describe('Directory Group', () => {
  it('list by directory and by user, and get, carry every field', async () => {
    conformsList(await get<ListPage>(`/directory_groups?directory=${dirId}&limit=100`), DIRECTORY_GROUP, 'GET /directory_groups?directory');
    conformsList(await get<ListPage>(`/directory_groups?user=${users.boss}&limit=100`), DIRECTORY_GROUP, 'GET /directory_groups?user');
    for (const id of Object.values(groups)) conforms(await get(`/directory_groups/${id}`), DIRECTORY_GROUP, 'GET /directory_groups/:id');
  });
});

describe('list pages', () => {
  it('after is null on the last page, and a page with an after is never empty', async () => {
    for (const path of [`/directories?`, `/directory_users?directory=${dirId}&`, `/directory_groups?directory=${dirId}&`, `/events?directory_id=${dirId}&`]) {
      let after: string | null = null;
      for (let n = 0; ; n++) {
        const page: ListPage = await get<ListPage>(`${path}limit=2${after ? `&after=${after}` : ''}`);
        // Node, Python v5, Kotlin new, .NET and PHP new request again while `after` is set, even after an empty
        // page (an endless loop if it never ends); Python new, Go and Ruby also stop on an empty page (§6, item 7).
        if (page.list_metadata.after !== null) expect(page.data.length, path).toBeGreaterThan(0);
        after = page.list_metadata.after;
        if (after === null) break;
        expect(n, `${path} never ends`).toBeLessThan(100);
      }
    }
  });
});

describe('Events', () => {
  it('every event of /events has the envelope and the data its type needs', async () => {
    const events = [...(await everything(t, `/events?directory_id=${dirId}`)), ...(await everything(t, `/events?directory_id=${goneDirId}`))];
    // Every type Guestlist emits for a SCIM directory appears here, so each data shape below is checked at least
    // once. The guard's events (Guestlist's own, no WorkOS SDK knows them) come from pulled directories:
    // test/sources/*.test.ts and the OpenAPI test check them.
    expect(new Set(events.map((e) => e.event))).toEqual(new Set(EVENT_TYPES.filter((e) => !e.startsWith('dsync.guard.'))));
    for (const event of events) {
      conforms(event, EVENT, `event ${String(event.event)}`);
      conforms(event.data, EVENT_DATA[String(event.event)]!, `${String(event.event)} data`);
    }
  });

  it('dsync.activated and dsync.deleted speak the event vocabulary for state', async () => {
    const activated = (await get<ListPage>(`/events?directory_id=${dirId}&events=dsync.activated`)).data[0]!;
    // Python DsyncActivatedDataState, Node EventDirectory: active|inactive|… (§4, item 25); domains with all four keys (Python v5).
    expect(activated.data).toMatchObject({ state: 'active', external_key: dirId });
    expect((activated.data as Obj).domains).toHaveLength(2);
    const deleted = (await get<ListPage>(`/events?directory_id=${goneDirId}&events=dsync.deleted`)).data[0]!;
    expect((deleted.data as Obj).state).toBe('deleting');
  });
});

describe('Webhook deliveries', () => {
  const mine = () => hooks.received.filter((r) => [dirId, goneDirId].some((id) => r.body.includes(id)));

  it('the body is the event, compact, byte for byte what JSON.stringify writes', () => {
    expect(mine().length).toBeGreaterThanOrEqual(EVENT_TYPES.length);
    for (const { body, headers } of mine()) {
      // Node before PR #1578, and apps passing a parsed body to constructEvent, sign JSON.stringify(parsed) (§10, item 30).
      expect(JSON.stringify(JSON.parse(body))).toBe(body);
      expect(headers['content-type']).toBe('application/json');
      const event = JSON.parse(body) as Obj;
      conforms(event, EVENT, 'webhook body');
      conforms(event.data, EVENT_DATA[String(event.event)]!, `webhook ${String(event.event)} data`);
    }
  });

  it('WorkOS-Signature is t=<ms>, v1=<lowercase hex>, fresh, and verifies', () => {
    for (const r of mine()) check(r);
  });

  function check({ headers, body, at }: Received): void {
    const header = String(headers['workos-signature']);
    // Python new and PHP new split on ", " and need exactly two parts; legacy Go and legacy PHP take v1 from
    // offset 4 of the second part (one space); .NET and legacy Kotlin compare lowercase hex (§10, item 28).
    const [, ts, v1] = WORKOS_SIGNATURE.exec(header) ?? [];
    expect(ts, header).toBeDefined();
    expect(header.split(', ')).toHaveLength(2);
    expect(v1).toBe(createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex'));
    // Unix milliseconds, signed at this attempt: Python new, Go v6, Kotlin new reject more than 180 s either
    // way; the others, older than 180 s (300 s .NET) (§10, item 29).
    expect(Math.abs(at - Number(ts))).toBeLessThan(180_000);
    expect(headers['guestlist-signature']).toBe(header);
  }
});

describe('HTTP', () => {
  it('every answer read above is application/json and carries X-Request-ID', () => {
    expect(answers.length).toBeGreaterThan(20);
    for (const { url, res } of answers) {
      // Node parses a 2xx body only when its content-type includes application/json (§8.1, item 3).
      expect(res.headers['content-type'], url).toMatch(/^application\/json/);
      // Node reads X-Request-ID into every exception (§8.1, item 4).
      expect(res.headers['x-request-id'], url).toBeTruthy();
    }
  });

  it('errors are JSON with message and code; 422 adds errors', async () => {
    const cases: [string, Promise<LightMyRequestResponse>, number][] = [
      ['unknown user', t.api('GET', '/directory_users/directory_user_nope'), 404],
      ['no filter', t.api('GET', '/directory_users'), 422],
      ['bad limit', t.api('GET', `/directory_groups?directory=${dirId}&limit=0`), 422],
      ['unknown route', t.api('GET', '/nope'), 404],
      ['malformed JSON', t.api('POST', '/organizations', '{"name":'), 400],
      ['wrong key', t.app.inject({ method: 'GET', url: '/directories', headers: { authorization: `Bearer ${TEST_API_KEY}x` } }), 401],
    ];
    for (const [what, pending, status] of cases) {
      const res = await pending;
      expect(res.statusCode, what).toBe(status);
      expect(res.headers['content-type'], what).toMatch(/^application\/json/);
      expect(res.headers['x-request-id'], what).toBeTruthy();
      // Node maps by status and reads code/message (NotFoundException{code,message}); a non-JSON error body is
      // a ParseError instead (§8.1, item 4).
      const body = res.json();
      expect(typeof body.message, what).toBe('string');
      expect(typeof body.code, what).toBe('string');
      // Node's UnprocessableEntityException reads `errors` (§8.1, item 4).
      if (status === 422) expect(Array.isArray(body.errors), what).toBe(true);
    }
  });
});
