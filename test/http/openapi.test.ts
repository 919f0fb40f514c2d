/**
 * `/openapi.json` is complete and true, and `/docs` renders it offline:
 * - every route the app serves, but for a short allow-list, is an operation of the document with a response
 *   schema for its success, so a route added without a schema fails here;
 * - the document is valid OpenAPI 3.1 (the official schema, via @seriousme/openapi-schema-validator), every
 *   `$ref` resolves, and its schemas compile as JSON Schema 2020-12 in Ajv's strict mode;
 * - real answers of every operation, successes and errors, validate against the schema the document gives for
 *   that status (and the status is one it lists), and so do real webhook deliveries and every event in the log;
 * - `/docs` answers without an API key and loads nothing but same-origin resources.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkdayFake } from '../fakes/workday.ts';
import { Dispatcher } from '../../src/events/dispatcher.ts';
import { DIRECTORY_TYPES } from '../../src/http/objects.ts';
import { EVENT_TYPES } from '../../src/store/event-log.ts';
import { until } from '../support/eventually.ts';
import { PUBLIC_URL, TEST_API_KEY, createTestApp, type TestApp } from '../support/harness.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Json => (isObject(v) ? v : {});
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const SECRET_KEY = 'test-secret-key-0123456789abcdefghijklmnop';
const DOC_ID = 'https://guestlist.test/openapi.json';

/**
 * Routes that are not management API operations, so not in the document. Anything else the app serves must be.
 */
const NOT_IN_DOCUMENT: RegExp[] = [
  /^\/scim\/v2(\/|$)/, // the SCIM endpoint: RFC 7644, described by its own /ServiceProviderConfig, /Schemas (docs/scim.md)
  /^\/health$/, // liveness probe
  /^\/metrics$/, // Prometheus
  /^\/openapi\.json$/, // the document itself
  /^\/docs(\/|$)/, // its reference page and stylesheet
  /^\/portal\/(api|link|google)(\/|$)/, // the admin portal's browser API, link opener and Google consent callback (docs/portal.md)
  /^\/console\/api(\/|$)/, // the operator console's sign-in (docs/portal.md)
  /^\/$/, // the web front end (src/http/web.ts, docs/portal.md "Pages"): the console's page,
  /^\/(console|portal)(\/?\*)?$/, // the console's and the portal's pages,
  /^\/(assets\/)?\*$/, // and its hashed files (printRoutes shows `/assets/*` as `/*`)
];

/** Operation ids that clients may generate code from: renaming one breaks them. */
const STABLE_OPERATION_IDS = [
  'createOrganization', 'listOrganizations', 'getOrganization', 'updateOrganization', 'deleteOrganization',
  'createDirectory', 'listDirectories', 'getDirectory', 'updateDirectory', 'deleteDirectory',
  'createDirectoryToken', 'listDirectoryTokens', 'revokeDirectoryToken',
  'listDirectoryUsers', 'getDirectoryUser', 'listDirectoryGroups', 'getDirectoryGroup', 'listEvents',
  'createWebhookEndpoint', 'listWebhookEndpoints', 'getWebhookEndpoint', 'updateWebhookEndpoint', 'deleteWebhookEndpoint',
  'rotateWebhookEndpointSecret', 'listWebhookDeliveries', 'resendWebhookDelivery', 'listDirectoryScimRequests',
  'generatePortalLink', 'createPortalInvite', 'listPortalInvites', 'revokePortalInvite', 'listAuditLogs',
];

interface Operation {
  method: string;
  path: string;
  op: Json;
  pointer: string;
}

/** `(method, path)` of every route served, read from printRoutes' tree; HEAD is Fastify's own, beside each GET. */
function servedRoutes(app: FastifyInstance): { method: string; path: string }[] {
  const stack: string[] = [];
  const routes: { method: string; path: string }[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    const path = stack.join('').replace(/:(\w+)/g, '{$1}');
    for (const method of (match[3] ?? '').split(', ').filter((m) => m !== '' && m !== 'HEAD')) routes.push({ method, path });
  }
  return routes;
}

const pointerToken = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

function resolvePointer(doc: Json, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((at, token) => obj(at)[token.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

/** Every `$ref` in the document, with where it is. */
function refs(node: unknown, at = ''): { ref: string; at: string }[] {
  if (Array.isArray(node)) return node.flatMap((v, i) => refs(v, `${at}/${i}`));
  if (!isObject(node)) return [];
  return Object.entries(node).flatMap(([k, v]) =>
    k === '$ref' && typeof v === 'string' ? [{ ref: v, at }] : refs(v, `${at}/${pointerToken(k)}`),
  );
}

function keysNamed(node: unknown, name: string, at = ''): string[] {
  if (Array.isArray(node)) return node.flatMap((v, i) => keysNamed(v, name, `${at}/${i}`));
  if (!isObject(node)) return [];
  return Object.entries(node).flatMap(([k, v]) => [...(k === name ? [at] : []), ...keysNamed(v, name, `${at}/${pointerToken(k)}`)]);
}

let t: TestApp;
let doc: Json;
let ajv: Ajv2020;
let operations: Operation[];

/** A validator for the schema at `pointer` in the document, its `$ref`s resolved within the document. */
const validators = new Map<string, ValidateFunction>();
function validatorAt(pointer: string): ValidateFunction {
  let validate = validators.get(pointer);
  if (!validate) validators.set(pointer, (validate = ajv.compile({ $ref: `${DOC_ID}#${pointer}` })));
  return validate;
}

function expectValid(pointer: string, value: unknown, what: string): void {
  const validate = validatorAt(pointer);
  expect(validate(value), `${what}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 2000)}`).toBe(true);
}

function operationFor(method: string, url: string): Operation {
  const path = url.split('?')[0]!;
  const found = operations.find(
    (o) => o.method === method.toLowerCase() && new RegExp(`^${o.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path),
  );
  if (!found) throw new Error(`no operation in /openapi.json for ${method} ${path}`);
  return found;
}

/** `operationId status` of every answer checked against the document. */
const checked = new Set<string>();

/** The answer's status is one the operation lists, and its body is what the document says for that status. */
function expectDocumented(method: string, url: string, res: LightMyRequestResponse): void {
  const { op, pointer } = operationFor(method, url);
  const status = String(res.statusCode);
  const responses = obj(op.responses);
  expect(Object.keys(responses), `${method} ${url} answered ${status}, which the document does not list: ${res.body}`).toContain(status);
  const ref = obj(responses[status]).$ref;
  const responsePointer = typeof ref === 'string' ? ref.slice(1) : `${pointer}/responses/${status}`;
  const content = obj(obj(resolvePointer(doc, responsePointer)).content);
  if (content['application/json'] === undefined) expect(res.body, `${method} ${url} ${status}`).toBe('');
  else expectValid(`${responsePointer}/content/application~1json/schema`, res.json(), `${method} ${url} ${status}`);
  checked.add(`${String(op.operationId)} ${status}`);
}

/** A management API call whose answer is checked against the document. */
async function call(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse> {
  const res = await t.api(method, url, body, headers);
  expectDocumented(method, url, res);
  return res;
}

async function ok(method: string, url: string, body?: unknown): Promise<Json> {
  const res = await call(method, url, body);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.body === '' ? {} : obj(res.json());
}

/** The component schema of one event type, as the webhooks section names it. */
function eventSchemaPointer(type: string): string {
  const schema = obj(obj(obj(obj(obj(obj(doc.webhooks)[type]).post).requestBody).content)['application/json']);
  const ref = obj(schema.schema).$ref;
  if (typeof ref !== 'string') throw new Error(`webhooks.${type} has no body schema`);
  return ref.slice(1);
}

beforeAll(async () => {
  t = await createTestApp();
  const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
  expect(res.statusCode).toBe(200);
  doc = obj(res.json());
  operations = Object.entries(obj(doc.paths)).flatMap(([path, item]) =>
    Object.entries(obj(item)).map(([method, op]) => ({ method, path, op: obj(op), pointer: `/paths/${pointerToken(path)}/${method}` })),
  );
  // Strict mode: a keyword that is not JSON Schema 2020-12 (OpenAPI 3.0's `nullable`) is an error, not ignored.
  ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  // ajv-formats is CommonJS: its TypeScript default import is the module, whose `default` is the plugin.
  addFormats.default(ajv);
  ajv.addVocabulary(['openapi', 'info', 'servers', 'paths', 'webhooks', 'components', 'tags', 'security']);
  ajv.addSchema({ ...doc, $id: DOC_ID });
});
afterAll(() => t.close());

describe('/openapi.json', () => {
  it('is OpenAPI 3.1.0, with info, servers, the bearer scheme and tags, and needs no API key', async () => {
    const pkg = obj(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')));
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Guestlist management API', version: pkg.version, description: expect.stringContaining('Bearer') });
    expect(doc.servers).toEqual([{ url: PUBLIC_URL }]);
    expect(obj(doc.components).securitySchemes).toEqual({ apiKey: expect.objectContaining({ type: 'http', scheme: 'bearer' }) });
    expect(doc).not.toHaveProperty('security');
    const tags = (doc.tags as Json[]).map((tag) => tag.name);
    for (const { op } of operations) expect(tags).toEqual(expect.arrayContaining(op.tags as string[]));
    const anonymous = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(anonymous.statusCode).toBe(200);
  });

  it('validates as OpenAPI 3.1 (and the validator does refuse a broken document)', async () => {
    const result = await new Validator().validate(structuredClone(doc));
    expect(result.errors, JSON.stringify(result.errors, null, 1)).toBeUndefined();
    expect(result.valid).toBe(true);
    const broken = structuredClone(doc);
    obj(obj(obj(broken.paths)['/events']).get).responses = 'none';
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('resolves every $ref inside the document', () => {
    const found = refs(doc);
    expect(found.length).toBeGreaterThan(100);
    for (const { ref, at } of found) {
      expect(ref, at).toMatch(/^#\//);
      expect(isObject(resolvePointer(doc, ref.slice(1))), `${ref} at ${at}`).toBe(true);
    }
  });

  it('holds JSON Schema 2020-12: no `nullable`, and every component compiles in strict mode', () => {
    expect(keysNamed(doc, 'nullable')).toEqual([]);
    const schemas = Object.keys(obj(obj(doc.components).schemas));
    expect(schemas).toEqual(expect.arrayContaining(['Organization', 'Directory', 'DirectoryUser', 'DirectoryGroup', 'Event', 'WebhookEndpoint', 'WebhookDelivery', 'Error', 'DirectoryUserList']));
    for (const name of schemas) expect(() => validatorAt(`/components/schemas/${name}`), name).not.toThrow();
  });

  it('gives every operation a stable camelCase operationId, a summary, a tag, the API key and its errors', () => {
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(STABLE_OPERATION_IDS));
    for (const { method, path, op } of operations) {
      const what = `${method} ${path}`;
      expect(op.operationId, what).toMatch(/^[a-z][a-zA-Z]+$/);
      expect(op.summary, what).toEqual(expect.any(String));
      expect((op.tags as string[]).length, what).toBe(1);
      expect(op.security, what).toEqual([{ apiKey: [] }]);
      const statuses = Object.keys(obj(op.responses));
      expect(statuses, what).toEqual(expect.arrayContaining(['400', '401', '500', '503']));
      if (path.includes('{')) expect(statuses, what).toContain('404');
      for (const status of statuses.filter((s) => s >= '400')) {
        const response = obj(obj(op.responses)[status]);
        const schema = typeof response.$ref === 'string' ? obj(resolvePointer(doc, response.$ref.slice(1))) : response;
        expect(obj(obj(obj(schema.content)['application/json']).schema).$ref, `${what} ${status}`).toBe('#/components/schemas/Error');
      }
    }
  });

  it('lists every route the app serves, each with a response schema for its success, except the allow-list', () => {
    const served = servedRoutes(t.app);
    expect(served.length).toBeGreaterThan(operations.length); // the tree was read, SCIM and the rest included
    const api = served.filter((r) => !NOT_IN_DOCUMENT.some((pattern) => pattern.test(r.path)));
    const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`;
    expect(operations.map((o) => key(o.method, o.path)).sort()).toEqual(api.map((r) => key(r.method, r.path)).sort());
    for (const { method, path, op } of operations) {
      const successes = Object.entries(obj(op.responses)).filter(([status]) => /^2\d\d$/.test(status));
      expect(successes.length, `${method} ${path} has no success response`).toBeGreaterThan(0);
      for (const [status, response] of successes) {
        const content = obj(obj(response).content);
        if (status === '204') expect(content, `${method} ${path} 204`).toEqual({});
        else expect(obj(content['application/json']).schema, `${method} ${path} ${status} has no schema`).toBeDefined();
      }
    }
  });

  it('carries the closed sets as enums', () => {
    const schemas = obj(obj(doc.components).schemas);
    const property = (schema: string, name: string) => obj(obj(obj(schemas[schema]).properties)[name]);
    expect(property('Directory', 'type').enum).toEqual([...DIRECTORY_TYPES]);
    expect(property('Directory', 'state').enum).toEqual(['linked', 'unlinked', 'deleting', 'invalid_credentials']);
    expect(property('DirectoryUser', 'state').enum).toEqual(['active', 'inactive']);
    expect(property('WebhookDelivery', 'state').enum).toEqual(['pending', 'sending', 'succeeded', 'failed']);
    expect(property('Event', 'event').enum).toEqual([...EVENT_TYPES]);
    expect(obj(property('WebhookEndpoint', 'events').items).enum).toEqual([...EVENT_TYPES]);
    expect(property('WebhookEndpoint', 'status').enum).toEqual(['enabled', 'disabled']);
  });

  it('documents the optional body of rotate_secret', () => {
    const body = obj(operationFor('POST', '/webhook_endpoints/we_x/rotate_secret').op.requestBody);
    expect(body.required).toBe(false);
    const schema = obj(obj(obj(body.content)['application/json']).schema);
    expect(obj(schema.properties).overlap_seconds).toMatchObject({ type: ['integer', 'null'], minimum: 0, maximum: 604800 });
  });

  it('has a webhook for every event type: a signed POST of that Event', () => {
    expect(Object.keys(obj(doc.webhooks)).sort()).toEqual([...EVENT_TYPES].sort());
    for (const type of EVENT_TYPES) {
      const post = obj(obj(obj(doc.webhooks)[type]).post);
      const headers = (post.parameters as Json[]).map((p) => obj(resolvePointer(doc, String(p.$ref).slice(1))).name);
      expect(headers, type).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature', 'Guestlist-Signature']);
      const event = obj(obj(obj(resolvePointer(doc, eventSchemaPointer(type))).properties).event);
      expect(event.enum, type).toEqual([type]);
    }
  });
});

describe('live answers match the document', () => {
  const receiver: { url: string; bodies: { headers: http.IncomingHttpHeaders; body: string }[]; close(): Promise<void> } = {
    url: '',
    bodies: [],
    close: async () => {},
  };
  let dispatcher: Dispatcher;
  let unsubscribe: () => void;
  const ids: Record<string, string> = {};
  let logged: string[] = [];

  beforeAll(async () => {
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        receiver.bodies.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiver.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks`;
    receiver.close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
    dispatcher = new Dispatcher(t.store, { secretKey: SECRET_KEY, blockPrivate: false, logger: pino({ level: 'silent' }), pollMs: 50, baseDelayMs: 20, maxDelayMs: 200, timeoutMs: 2000, leaseMs: 5000 });
    unsubscribe = t.store.onCommit((due) => dispatcher.wake(due));
    dispatcher.start();
  });
  afterAll(async () => {
    unsubscribe();
    await dispatcher.stop();
    await receiver.close();
  });

  it('organizations', async () => {
    const org = await ok('POST', '/organizations', { name: 'Acme', domains: ['acme.com'] });
    ids.org = String(org.id);
    await ok('GET', '/organizations?limit=5&domains=acme.com');
    await ok('GET', `/organizations/${ids.org}`);
    await ok('PUT', `/organizations/${ids.org}`, { name: 'Acme Inc', domains: ['acme.com', 'acme.io'] });
  });

  it('webhook endpoints (subscribed to every event, before anything happens)', async () => {
    const endpoint = await ok('POST', '/webhook_endpoints', { endpoint_url: receiver.url, events: [...EVENT_TYPES] });
    ids.endpoint = String(endpoint.id);
    await ok('GET', '/webhook_endpoints');
    await ok('GET', `/webhook_endpoints/${ids.endpoint}`);
    await ok('PATCH', `/webhook_endpoints/${ids.endpoint}`, { status: 'enabled' });
    // The body is optional: none, `{}`, or an overlap.
    await ok('POST', `/webhook_endpoints/${ids.endpoint}/rotate_secret`);
    await ok('POST', `/webhook_endpoints/${ids.endpoint}/rotate_secret`, {});
    const rotated = await ok('POST', `/webhook_endpoints/${ids.endpoint}/rotate_secret`, { overlap_seconds: 0 });
    expect(rotated.previous_secret_expires_at).toBeNull();
  });

  it('directories and their tokens', async () => {
    const dir = await ok('POST', '/directories', { organization_id: ids.org, type: 'okta scim v2.0' });
    ids.dir = String(dir.id);
    ids.token = String(dir.bearer_token);
    await ok('GET', `/directories?organization_id=${ids.org}`);
    await ok('PATCH', `/directories/${ids.dir}`, { name: 'Acme Okta', settings: { inactive_users: 'retain' } });
    const second = await ok('POST', `/directories/${ids.dir}/tokens`);
    const third = await call('POST', `/directories/${ids.dir}/tokens`);
    expect(third.statusCode).toBe(409);
    await ok('GET', `/directories/${ids.dir}/tokens`);
    await ok('DELETE', `/directories/${ids.dir}/tokens/${String(second.id)}`);
  });

  it('directory users and groups, provisioned over SCIM', async () => {
    const scim = async (method: string, path: string, body?: unknown) => {
      const res = await t.scim(method, `/scim/v2/${ids.dir}${path}`, ids.token!, body);
      expect(res.statusCode, `${method} ${path}: ${res.body}`).toBeLessThan(300);
      return res.body === '' ? {} : obj(res.json());
    };
    const boss = await scim('POST', '/Users', { schemas: [USER], userName: 'boss@acme.com', externalId: 'b1', name: { givenName: 'Bo', familyName: 'Ss' }, emails: [{ value: 'boss@acme.com', type: 'work', primary: true }] });
    const user = await scim('POST', '/Users', {
      schemas: [USER, ENTERPRISE],
      userName: 'ada@acme.com',
      externalId: 'u1',
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      emails: [{ value: 'ada@acme.com', type: 'work', primary: true }, { value: 'ada@home.example' }],
      title: 'Engineer',
      roles: [{ value: 'admin', primary: true }],
      [ENTERPRISE]: { department: 'R&D', employeeNumber: '7', manager: { value: String(boss.id) } },
    });
    const group = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Engineering', members: [{ value: String(user.id) }] });
    await scim('PATCH', `/Users/${String(user.id)}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: 'Lead' }] });
    await scim('PATCH', `/Groups/${String(group.id)}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'displayName', value: 'Eng' }] });

    const users = await ok('GET', `/directory_users?directory=${ids.dir}`);
    const ada = (users.data as Json[]).find((u) => u.username === 'ada@acme.com');
    ids.user = String(ada?.id);
    const read = await ok('GET', `/directory_users/${ids.user}`);
    expect(read.groups).toHaveLength(1);
    const groups = await ok('GET', `/directory_groups?directory=${ids.dir}`);
    ids.group = String((groups.data as Json[])[0]?.id);
    await ok('GET', `/directory_groups/${ids.group}`);
    await ok('GET', `/directory_groups?user=${ids.user}`);
    await ok('GET', `/directory_users?group=${ids.group}`);
    await ok('GET', `/directories/${ids.dir}`);
    // The request log, with a refused request and a body cut at its cap among the entries.
    expect((await t.scim('GET', `/scim/v2/${ids.dir}/Users`, 'gl_scim_wrong')).statusCode).toBe(401);
    await t.scim('POST', `/scim/v2/${ids.dir}/Users`, ids.token!, { schemas: [USER], userName: 'big@acme.com', title: 'x'.repeat(20_000) });
    await t.app.scimRequestLog.flush();
    const log = await ok('GET', `/directories/${ids.dir}/scim_requests?limit=100`);
    expect((log.data as Json[]).map((r) => typeof r.request_body)).toEqual(expect.arrayContaining(['string', 'object']));
    await ok('GET', `/directories/${ids.dir}/scim_requests?status=error`);

    // Then take it apart, for the removal and deletion events.
    await scim('DELETE', `/Users/${String(boss.id)}`);
    await scim('DELETE', `/Groups/${String(group.id)}`);
  });

  it('custom attributes, roles, attribute and role mappings', async () => {
    const attribute = await ok('POST', '/custom_attributes', { name: 'department', type: 'string', required: true, description: 'Team' });
    await ok('GET', '/custom_attributes');
    await ok('POST', '/roles', { slug: 'member', name: 'Member', priority: 0 });
    await ok('POST', '/roles', { slug: 'lead', name: 'Lead', priority: 5 });
    await ok('PATCH', '/roles/lead', { name: 'Team lead' });
    await ok('GET', '/roles');
    const mappings = [{ attribute: 'department', source: `${ENTERPRISE}:department`, transforms: ['trim', { map: { 'R&D': 'Research' } }] }];
    await ok('PUT', `/directories/${ids.dir}/attribute_mapping`, { mappings });
    await ok('POST', `/directories/${ids.dir}/attribute_mapping/preview`, { mappings });
    await t.app.mappingJobs.settle();
    const mapping = await ok('GET', `/directories/${ids.dir}/attribute_mapping`);
    expect(mapping.state).toBe('current');
    await ok('GET', `/directories/${ids.dir}/attribute_paths`);
    const group = obj((await t.scim('POST', `/scim/v2/${ids.dir}/Groups`, ids.token!, { schemas: [GROUP], displayName: 'Leads', members: [{ value: ids.user }] })).json());
    await ok('PUT', `/directories/${ids.dir}/role_mapping`, { mappings: [{ group_id: String(group.id), role: 'lead' }] });
    await ok('GET', `/directories/${ids.dir}/role_mapping`);
    const user = await ok('GET', `/directory_users/${ids.user}`);
    expect(user.role).toEqual({ slug: 'lead' });
    expect(obj(user.custom_attributes).department).toBe('Research');
    await ok('GET', `/directory_users?directory=${ids.dir}&warnings=true`);
    expect((await call('PUT', `/directories/${ids.dir}/attribute_mapping`, { mappings: [{ attribute: 'nope', source: 'userName' }] })).statusCode).toBe(422);
    expect((await call('DELETE', '/roles/member')).statusCode).toBe(409);
    expect((await call('POST', '/roles', { slug: 'lead', name: 'Again', priority: 1 })).statusCode).toBe(409);
    expect((await call('POST', '/custom_attributes', { name: 'department', type: 'string' })).statusCode).toBe(409);
    await ok('DELETE', '/roles/lead');
    await ok('DELETE', `/custom_attributes/${String(attribute.id)}`);
  });

  it('a pulled directory: its connection, syncs and deprovision guard', async () => {
    const workday = await startWorkdayFake();
    try {
      workday.data.addWorker({ employeeId: '1', email: 'w1@acme.com', firstName: 'W', lastName: 'One', groups: ['Ops'] });
      workday.data.addWorker({ employeeId: '2', email: 'w2@acme.com', firstName: 'W', lastName: 'Two', groups: ['Ops'] });
      const dir = await ok('POST', '/directories', { organization_id: ids.org, type: 'workday' });
      await ok('PUT', `/directories/${String(dir.id)}/connection`, { report_url: workday.reportUrl, username: workday.username, password: workday.password });
      await ok('GET', `/directories/${String(dir.id)}/connection`);
      await t.app.directorySyncs.settle();
      const trip = async () => {
        workday.faults.emptyListing = true;
        const queued = await ok('POST', `/directories/${String(dir.id)}/sync`);
        expect(queued.state).toBe('queued');
        await t.app.directorySyncs.settle();
        const syncs = await ok('GET', `/directories/${String(dir.id)}/syncs`);
        expect((syncs.data as Json[])[0]?.state).toBe('held');
        expect((await ok('GET', `/directories/${String(dir.id)}/guard`)).state).toBe('tripped');
        workday.faults.emptyListing = false;
      };
      await trip();
      await ok('POST', `/directories/${String(dir.id)}/guard/discard`);
      await trip();
      await ok('POST', `/directories/${String(dir.id)}/guard/release`);
      expect((await call('POST', `/directories/${String(dir.id)}/guard/release`)).statusCode).toBe(409);
      expect((await call('POST', `/directories/${ids.dir}/sync`)).statusCode).toBe(422);
      expect((await call('GET', `/directories/${ids.dir}/connection`)).statusCode).toBe(422);
    } finally {
      await workday.close();
    }
  });

  it('the event log: every event validates as its type\'s webhook body too', async () => {
    const spare = await ok('POST', '/directories', { organization_id: ids.org, type: 'azure scim v2.0' });
    await ok('DELETE', `/directories/${String(spare.id)}`);
    const page = await ok('GET', `/events?organization_id=${ids.org}&limit=100`);
    const events = page.data as Json[];
    const types = new Set(events.map((e) => String(e.event)));
    for (const type of ['dsync.activated', 'dsync.deleted', 'dsync.user.created', 'dsync.user.updated', 'dsync.user.deleted', 'dsync.group.created', 'dsync.group.updated', 'dsync.group.deleted', 'dsync.group.user_added', 'dsync.group.user_removed', 'dsync.token.created', 'dsync.token.revoked', 'dsync.guard.tripped', 'dsync.guard.released']) {
      expect(types, type).toContain(type);
    }
    for (const event of events) expectValid(eventSchemaPointer(String(event.event)), event, String(event.event));
    logged = events.map((e) => String(e.id));
  });

  it('webhook deliveries: real bodies and signature headers are what `webhooks` describes', async () => {
    const delivered = () => new Set(receiver.bodies.map((b) => b.headers['webhook-id']));
    expect(logged.length).toBeGreaterThanOrEqual(EVENT_TYPES.length);
    await until(() => logged.every((id) => delivered().has(id)), 20_000, 'a delivery of every logged event');
    for (const { headers, body } of receiver.bodies) {
      const event = obj(JSON.parse(body));
      const type = String(event.event);
      expectValid(eventSchemaPointer(type), event, `delivery of ${type}`);
      for (const p of obj(obj(obj(doc.webhooks)[type]).post).parameters as Json[]) {
        const pointer = String(p.$ref).slice(1);
        const name = String(obj(resolvePointer(doc, pointer)).name);
        expectValid(`${pointer}/schema`, headers[name.toLowerCase()], `${type} header ${name}`);
      }
      expect(headers['webhook-id']).toBe(event.id);
    }
    const deliveries = await ok('GET', `/webhook_endpoints/${ids.endpoint}/deliveries?limit=100`);
    const finished = (deliveries.data as Json[]).find((d) => d.state === 'succeeded');
    expect(finished).toBeDefined();
    await ok('GET', `/webhook_endpoints/${ids.endpoint}/deliveries?state=succeeded`);
    const arrivals = () => receiver.bodies.filter((b) => b.headers['webhook-id'] === finished?.event_id).length;
    const before = arrivals();
    await ok('POST', `/webhook_endpoints/${ids.endpoint}/deliveries/${String(finished?.id)}/resend`);
    await until(() => arrivals() > before, 20_000, 'the resent delivery');
    // Quiet before the deletes: on PostgreSQL, deleting an endpoint while the dispatcher records one of its
    // deliveries can deadlock (a 500) — a known issue of the dispatcher, not what this file checks.
    await dispatcher.stop();
  });

  it('portal links and the audit log', async () => {
    await ok('POST', '/portal/generate_link', { organization: ids.org, intent: 'dsync', return_url: 'https://app.example.com/settings' });
    const invite = await ok('POST', '/portal/invites', { organization: ids.org, expires_in_days: 7 });
    await ok('GET', `/portal/invites?organization_id=${ids.org}`);
    await ok('DELETE', `/portal/invites/${String(invite.id)}`);
    expect((await call('POST', '/portal/generate_link', { organization: 'org_missing', intent: 'dsync' })).statusCode).toBe(422);
    expect((await call('DELETE', '/portal/invites/portal_invite_missing')).statusCode).toBe(404);
    const log = await ok('GET', `/audit_logs?organization_id=${ids.org}&limit=100`);
    expect((log.data as Json[]).map((e) => e.action)).toContain('portal.invite.revoked');
    await ok('GET', '/audit_logs?action=organization.created');
  });

  it('a change through the console cookie without its CSRF token is the documented 403', async () => {
    const login = await t.app.inject({ method: 'POST', url: '/console/api/login', payload: { api_key: TEST_API_KEY } });
    expect(login.statusCode).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const res = await t.app.inject({ method: 'POST', url: '/organizations', payload: { name: 'X' }, headers: { cookie } });
    expect(res.statusCode).toBe(403);
    expectDocumented('POST', '/organizations', res);
  });

  it('errors: each is a status the operation lists, in the Error shape', async () => {
    expect((await call('GET', `/organizations/org_missing`)).statusCode).toBe(404);
    expect((await call('GET', '/organizations', undefined, { authorization: 'Bearer sk_wrong' })).statusCode).toBe(401);
    expect((await call('GET', '/directory_users')).statusCode).toBe(422);
    expect((await call('GET', '/events?after=event_unknown')).statusCode).toBe(422);
    expect((await call('GET', `/directories/${ids.dir}/scim_requests?status=oops`)).statusCode).toBe(422);
    expect((await call('GET', '/directories/directory_missing/scim_requests')).statusCode).toBe(404);
    expect((await call('POST', '/organizations', '{"name":')).statusCode).toBe(400);
    expect((await call('POST', '/organizations', '<x/>', { 'content-type': 'application/xml' })).statusCode).toBe(415);
    expect((await call('GET', '/directories?search=a%00b')).statusCode).toBe(400);
    expect((await call('PATCH', `/directories/${ids.dir}`, { settings: { inactive_users: 'archive' } })).statusCode).toBe(422);
    expect((await call('POST', `/webhook_endpoints/${ids.endpoint}/rotate_secret`, { overlap_seconds: -1 })).statusCode).toBe(422);
  });

  it('deletes', async () => {
    await ok('DELETE', `/webhook_endpoints/${ids.endpoint}`);
    await ok('DELETE', `/organizations/${ids.org}`);
  });

  it('exercised every operation of the document with a success', () => {
    const succeeded = new Set([...checked].filter((c) => / 2\d\d$/.test(c)).map((c) => c.split(' ')[0]));
    const missing = operations.map((o) => String(o.op.operationId)).filter((id) => !succeeded.has(id));
    expect(missing, 'add a call for these to test/http/openapi.test.ts').toEqual([]);
  });
});

describe('/docs', () => {
  const values = (html: string, pattern: RegExp) => [...html.matchAll(pattern)].map((m) => m[1]!);

  it('answers HTML without an API key, loading nothing but same-origin resources, all of which answer', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    const html = res.body;
    expect(html).not.toMatch(/<script|<iframe|<img|<object|<embed|@import|url\(|\bstyle=/i);
    // What the browser loads by itself: stylesheets and anything with a src. It must come from here, and load nothing.
    const loaded = [...values(html, /<link\b[^>]*\bhref="([^"]*)"/gi), ...values(html, /\b(?:src|srcset|poster|data)="([^"]*)"/gi)];
    expect(loaded).toEqual(['/docs/style.css']);
    // Every link, loaded or followed: an anchor on the page, or a same-origin path that answers without a key.
    const links = values(html, /\bhref="([^"]*)"/gi);
    expect(links.length).toBeGreaterThan(50);
    const paths = new Set<string>();
    for (const link of links) {
      if (link.startsWith('#')) expect(html, `anchor ${link}`).toContain(`id="${link.slice(1)}"`);
      else paths.add(link);
    }
    expect([...paths].sort()).toEqual(['/docs/style.css', '/openapi.json']);
    for (const url of paths) expect((await t.app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    const css = await t.app.inject({ method: 'GET', url: '/docs/style.css' });
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.body).not.toMatch(/url\(|@import|\/\//i);
  });

  it('shows every operation, webhook and schema, and is not itself in the document', async () => {
    const html = (await t.app.inject({ method: 'GET', url: '/docs' })).body;
    for (const { op } of operations) expect(html).toContain(`id="op-${String(op.operationId)}"`);
    for (const type of EVENT_TYPES) expect(html).toContain(`>${type}</code>`);
    for (const name of Object.keys(obj(obj(doc.components).schemas))) expect(html).toContain(`id="schema-${name}"`);
    expect(Object.keys(obj(doc.paths)).filter((p) => p.startsWith('/docs') || p === '/openapi.json')).toEqual([]);
  });
});
