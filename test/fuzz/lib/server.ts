/**
 * A real Guestlist on a real listening socket (127.0.0.1, a free port) over the test database of the run
 * (SQLite, or a PostgreSQL schema when GUESTLIST_TEST_DATABASE_URL is set), seeded with a directory, users and
 * groups; an HTTP client with a hang bound; the response oracle; and a directory consistency check.
 *
 * The app is built as test/support/harness.ts builds it, but with a logger that keeps the errors the server
 * logs, so each 5xx can be classified by its cause (the response itself says only "internal error").
 */
import http from 'node:http';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../../src/config.ts';
import { buildApp } from '../../../src/http/app.ts';
import { apiKeyVerifier } from '../../../src/http/management/index.ts';
import { hashSecret } from '../../../src/secrets.ts';
import { PUBLIC_URL, TEST_API_KEY, TEST_DATABASE_URL, createTestDatabase } from '../../support/harness.ts';
import { GROUP, USER, type Case } from './arbitraries.ts';

export const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const DATABASE = TEST_DATABASE_URL ? 'postgres' : 'sqlite';
/** A request that has not answered after this long is a hang. */
export const HANG_MS = Number(process.env.GUESTLIST_FUZZ_HANG_MS ?? 20_000);

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

export interface LoggedError {
  reqId: string;
  msg: string;
  err?: { type?: string; message?: string; stack?: string; code?: string };
}

export interface Target {
  app: FastifyInstance;
  port: number;
  directoryId: string;
  organizationId: string;
  token: string;
  scimBase: string;
  users: string[];
  groups: string[];
  /** Errors the server logged, by request id (cleared by the runner as it reads them). */
  logged: Map<string, LoggedError[]>;
  close(): Promise<void>;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

export async function startTarget(): Promise<Target> {
  const db = await createTestDatabase();
  const config = loadConfig({ GUESTLIST_API_KEY: TEST_API_KEY, GUESTLIST_PUBLIC_URL: PUBLIC_URL });
  const logged = new Map<string, LoggedError[]>();
  const stream = {
    write(line: string) {
      try {
        const entry = JSON.parse(line) as LoggedError & { level: number };
        if (entry.level < 50 || !entry.reqId) return;
        const list = logged.get(entry.reqId) ?? [];
        if (list.length < 5) list.push({ reqId: entry.reqId, msg: entry.msg, ...(entry.err ? { err: entry.err } : {}) });
        logged.set(entry.reqId, list);
      } catch {
        /* not JSON: ignore */
      }
    },
  };
  const app = await buildApp({
    config,
    store: db.store,
    logger: pino({ level: 'error' }, stream),
    secretKey: 'test-secret-key-0123456789abcdefghijklmnop',
    apiKeys: apiKeyVerifier([hashSecret(TEST_API_KEY)]),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const target: Target = {
    app, port: address.port, directoryId: '', organizationId: '', token: '', scimBase: '', users: [], groups: [], logged,
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
  const org = await request(target, 'management', 'POST', '/organizations', JSON.stringify({ name: 'Fuzz', domains: ['fuzz.example'] }));
  target.organizationId = JSON.parse(org.body).id;
  const dir = await request(target, 'management', 'POST', '/directories', JSON.stringify({ organization_id: target.organizationId, type: 'azure scim v2.0' }));
  if (dir.status !== 201) throw new Error(`directory create failed: ${dir.status} ${dir.body}`);
  const d = JSON.parse(dir.body);
  target.directoryId = d.id;
  target.token = d.bearer_token;
  target.scimBase = `/scim/v2/${d.id}`;
  await replenish(target);
  return target;
}

const USER_COUNT = 8;
const GROUP_COUNT = 4;
let serial = 0;

/**
 * Makes sure the seeded users and groups exist (a fuzzed DELETE or Bulk may have removed some); with
 * `mentioned`, checks only the ones whose id it contains.
 */
export async function replenish(t: Target, mentioned?: string): Promise<void> {
  for (let i = 0; i < USER_COUNT; i++) {
    if (t.users[i] && mentioned !== undefined && !mentioned.includes(t.users[i]!)) continue;
    if (t.users[i] && (await request(t, 'scim', 'GET', `/Users/${t.users[i]}?attributes=id`)).status === 200) continue;
    const res = await request(t, 'scim', 'POST', '/Users', JSON.stringify({
      schemas: [USER], userName: `seed${i}.${++serial}@fuzz.example`, externalId: `ext-${i}`, displayName: `Seed ${i}`,
      emails: [{ value: `seed${i}.${serial}@fuzz.example`, type: 'work', primary: true }], active: i % 3 !== 0,
    }));
    if (res.status !== 201) throw new Error(`seeding a user failed: ${res.status} ${res.body}`);
    t.users[i] = JSON.parse(res.body).id;
  }
  for (let i = 0; i < GROUP_COUNT; i++) {
    if (t.groups[i] && mentioned !== undefined && !mentioned.includes(t.groups[i]!)) continue;
    if (t.groups[i] && (await request(t, 'scim', 'GET', `/Groups/${t.groups[i]}?excludedAttributes=members`)).status === 200) continue;
    const res = await request(t, 'scim', 'POST', '/Groups', JSON.stringify({
      schemas: [GROUP], displayName: `Seed group ${i}.${++serial}`, members: t.users.slice(0, i + 1).map((value) => ({ value })),
    }));
    if (res.status !== 201) throw new Error(`seeding a group failed: ${res.status} ${res.body}`);
    t.groups[i] = JSON.parse(res.body).id;
  }
}

/** Replaces the placeholders of a generated case with the ids of this run. */
export function resolve(t: Target, text: string): string {
  return text
    .replace(/@@U(\d+)@@/g, (_, i) => t.users[Number(i) % t.users.length]!)
    .replace(/@@G(\d+)@@/g, (_, i) => t.groups[Number(i) % t.groups.length]!)
    .replace(/@@D@@/g, t.directoryId)
    .replace(/@@O@@/g, t.organizationId);
}

export interface Resolved {
  api: Case['api'];
  method: string;
  url: string;
  body?: string | Uint8Array;
  headers: Record<string, string>;
}

export function resolveCase(t: Target, c: Case): Resolved {
  const body = c.body === undefined ? undefined : typeof c.body === 'string' ? resolve(t, c.body) : new Uint8Array(Buffer.from(resolve(t, Buffer.from(c.body).toString('latin1')), 'latin1'));
  return {
    api: c.api,
    method: c.method,
    url: (c.api === 'scim' ? t.scimBase : '') + resolve(t, c.path),
    ...(body !== undefined ? { body } : {}),
    headers: { ...(body !== undefined ? { 'content-type': c.api === 'scim' ? 'application/scim+json' : 'application/json' } : {}), ...(c.headers ?? {}) },
  };
}

export class Hang extends Error {}

/**
 * One request over the socket. Rejects with Hang after HANG_MS, or with the socket error. A request that
 * fails on a reused keep-alive socket the server had just closed (after a `connection: close` answer) is sent
 * once more on a fresh one, as Node's documentation advises; a second failure is real.
 */
export async function send(t: Target, r: Resolved, requestId?: string): Promise<Response> {
  try {
    return await sendOnce(t, r, requestId);
  } catch (e) {
    if ((e as { reusedSocket?: boolean }).reusedSocket && !(e instanceof Hang)) return sendOnce(t, r, requestId, true);
    throw e;
  }
}

function sendOnce(t: Target, r: Resolved, requestId?: string, fresh = false): Promise<Response> {
  const started = performance.now();
  return new Promise((done, fail) => {
    const payload = r.body === undefined ? undefined : typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : Buffer.from(r.body);
    const req = http.request(
      {
        agent: fresh ? false : agent, host: '127.0.0.1', port: t.port, method: r.method, path: r.url,
        headers: {
          authorization: `Bearer ${r.api === 'scim' ? t.token : TEST_API_KEY}`,
          ...(requestId ? { 'x-request-id': requestId } : {}),
          ...(payload ? { 'content-length': String(payload.length) } : {}),
          ...r.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started });
        });
        res.on('error', (e) => {
          clearTimeout(timer);
          fail(e);
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Hang(`no answer within ${HANG_MS} ms`));
    }, HANG_MS);
    req.on('error', (e) => {
      clearTimeout(timer);
      fail(Object.assign(e, { reusedSocket: req.reusedSocket }));
    });
    req.end(payload);
  });
}

export async function request(t: Target, api: Case['api'], method: string, path: string, body?: string): Promise<Response> {
  return send(t, resolveCase(t, { api, method, path, ...(body !== undefined ? { body } : {}) }));
}

// ---------------------------------------------------------------------------------------------------------
// The oracle

export type Problem = { kind: '5xx' | 'hang' | 'crash' | 'malformed'; detail: string };

/** What every answer must be: below 500, and well-formed (SCIM Error JSON with a matching status for 4xx). */
export function judge(r: Resolved, res: Response): Problem | undefined {
  if (res.status >= 500) return { kind: '5xx', detail: `${res.status} ${res.body.slice(0, 300)}` };
  // Node's header-size limit (16 KiB of request line and headers) answers before any route or hook runs:
  // a transport limit, not the SCIM endpoint's answer. Counted by the fuzz script, not failed.
  if (res.status === 431) return undefined;
  if (r.method === 'HEAD' || res.status === 204 || res.status === 304) return undefined;
  let json: any;
  try {
    json = JSON.parse(res.body);
  } catch {
    return { kind: 'malformed', detail: `${res.status} with a body that is not JSON: ${res.body.slice(0, 200)}` };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { kind: 'malformed', detail: `${res.status} body is not a JSON object` };
  const type = String(res.headers['content-type'] ?? '');
  if (r.api === 'scim') {
    if (!/json/.test(type)) return { kind: 'malformed', detail: `${res.status} content-type ${type}` };
    if (res.status >= 400) {
      if (!Array.isArray(json.schemas) || json.schemas.length !== 1 || json.schemas[0] !== SCIM_ERROR) return { kind: 'malformed', detail: `${res.status} without the SCIM Error schema: ${res.body.slice(0, 200)}` };
      if (json.status !== String(res.status)) return { kind: 'malformed', detail: `HTTP ${res.status} but "status": ${JSON.stringify(json.status)}` };
    } else if (!Array.isArray(json.schemas)) {
      return { kind: 'malformed', detail: `${res.status} without schemas: ${res.body.slice(0, 200)}` };
    }
  } else if (res.status >= 400) {
    if (typeof json.message !== 'string' || typeof json.code !== 'string') return { kind: 'malformed', detail: `${res.status} not a management API error: ${res.body.slice(0, 200)}` };
  }
  return undefined;
}

export interface Outcome {
  resolved: Resolved;
  response?: Response;
  problem?: Problem;
  logged: LoggedError[];
}

let counter = 0;

/** Sends one case and judges it. Never throws. */
export async function runCase(t: Target, c: Case): Promise<Outcome> {
  const resolved = resolveCase(t, c);
  const id = `fuzz-${process.pid}-${++counter}`;
  try {
    const response = await send(t, resolved, id);
    const problem = judge(resolved, response);
    const logged = t.logged.get(id) ?? [];
    t.logged.delete(id);
    if (!problem && response.status >= 200 && response.status < 300 && (resolved.method === 'DELETE' || resolved.url.includes('/Bulk'))) {
      await refill(t, resolved.url + (typeof resolved.body === 'string' ? resolved.body : ''));
    }
    return { resolved, response, logged, ...(problem ? { problem } : {}) };
  } catch (e) {
    const logged = t.logged.get(id) ?? [];
    t.logged.delete(id);
    const kind = e instanceof Hang ? 'hang' : 'crash';
    if (kind === 'hang') await waitForHealth(t);
    return { resolved, logged, problem: { kind, detail: `${(e as Error).message}` } };
  }
}

/**
 * Refills the seeded resources. Concurrent cases may delete a user while a group naming it is re-created; that
 * is the fuzzer racing itself, not a server failure, so it retries with a full refill and never throws.
 */
async function refill(t: Target, mentioned: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await replenish(t, attempt === 0 ? mentioned : undefined);
    } catch {
      /* raced another case: try again */
    }
  }
}

/** After a hang: wait (bounded) until the server answers again, so later cases are not blamed for it. */
async function waitForHealth(t: Target): Promise<void> {
  for (let i = 0; i < 30; i++) {
    try {
      if ((await send(t, { api: 'management', method: 'GET', url: '/health', headers: {} })).status === 200) return;
    } catch {
      /* still busy */
    }
  }
}

const printable = (s: string, max: number) => {
  const cut = s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
  return JSON.stringify(cut);
};

/** A reproduction a human can paste: method, URL and body (escaped), the answer and what the server logged. */
export function describeOutcome(o: Outcome, max = 600): string {
  const r = o.resolved;
  const body = r.body === undefined ? '' : typeof r.body === 'string' ? `\n  body: ${printable(r.body, max)}` : `\n  body (bytes, base64): ${Buffer.from(r.body).toString('base64').slice(0, max)}`;
  const headers = Object.keys(r.headers).length ? `\n  headers: ${JSON.stringify(r.headers)}` : '';
  const answer = o.response ? `\n  answer: ${o.response.status} ${printable(o.response.body, 300)}` : '';
  const log = o.logged.map((l) => `\n  server log: ${l.msg}${l.err ? ` — ${l.err.type ?? ''}: ${l.err.message ?? ''}${firstFrame(l.err.stack)}` : ''}`).join('');
  return `${o.problem?.kind ?? 'ok'}: ${o.problem?.detail ?? ''}\n  ${r.method} ${printable(r.url, max)}${headers}${body}${answer}${log}`;
}

export function firstFrame(stack: string | undefined): string {
  const frame = stack?.split('\n').find((l) => l.includes('/src/'));
  return frame ? ` at ${frame.trim().replace(/^at /, '').replace(/.*\/src\//, 'src/').replace(/\)$/, '')}` : '';
}

// ---------------------------------------------------------------------------------------------------------
// Consistency

/**
 * The directory afterwards: every user and group listed can be read (by SCIM and by the management API),
 * lists page without duplicates and agree with their totals, every member is a listed user, and the
 * directory's counters match its rows. `sample` limits the per-resource reads; `concurrent` is for a check
 * while other requests still run: then only reads that fail with a 5xx count (a 404 may be a race).
 */
export async function checkDirectory(t: Target, sample = Infinity, concurrent = false): Promise<string[]> {
  const problems: string[] = [];
  const get = async (api: Case['api'], path: string) => {
    const res = await request(t, api, 'GET', path);
    if (res.status !== 200) {
      if (concurrent && res.status < 500) return undefined;
      problems.push(`GET ${path}: ${res.status} ${res.body.slice(0, 200)}`);
      return undefined;
    }
    return JSON.parse(res.body);
  };
  const listAll = async (kind: 'Users' | 'Groups') => {
    const ids: string[] = [];
    let total = -1;
    for (let start = 1; ; start += 1000) {
      const page = await get('scim', `/${kind}?startIndex=${start}&count=1000&attributes=id`);
      if (!page) return ids;
      total = page.totalResults;
      ids.push(...(page.Resources ?? []).map((r: { id: string }) => r.id));
      if (!page.Resources?.length || ids.length >= total) break;
    }
    if (!concurrent && ids.length !== total) problems.push(`${kind}: totalResults ${total} but ${ids.length} listed`);
    if (new Set(ids).size !== ids.length) problems.push(`${kind}: a resource is listed twice`);
    return ids;
  };
  const users = await listAll('Users');
  const groups = await listAll('Groups');
  const userSet = new Set(users);
  const pick = (ids: string[]) => (ids.length <= sample ? ids : ids.filter((_, i) => i % Math.ceil(ids.length / sample) === 0));
  for (const id of pick(users)) {
    const u = await get('scim', `/Users/${id}`);
    if (u && u.id !== id) problems.push(`GET /Users/${id} answered id ${u.id}`);
    if (u && typeof u.userName !== 'string') problems.push(`user ${id} has no userName`);
    await get('management', `/directory_users/${id}`);
  }
  for (const id of pick(groups)) {
    const g = await get('scim', `/Groups/${id}`);
    if (g && g.id !== id) problems.push(`GET /Groups/${id} answered id ${g.id}`);
    if (!concurrent) for (const m of g?.members ?? []) if (!userSet.has(m.value)) problems.push(`group ${id} has member ${m.value}, not a listed user`);
    await get('management', `/directory_groups/${id}`);
  }
  const dir = await get('management', `/directories/${t.directoryId}`);
  const inactive = await get('scim', `/Users?count=0&filter=${encodeURIComponent('active eq false')}`);
  if (dir && inactive && !concurrent) {
    const expected = { users: { active: users.length - inactive.totalResults, inactive: inactive.totalResults }, groups: groups.length };
    if (JSON.stringify(dir.metadata) !== JSON.stringify(expected)) problems.push(`directory counters ${JSON.stringify(dir.metadata)} but rows ${JSON.stringify(expected)}`);
  }
  await get('management', `/events?directory_id=${t.directoryId}&limit=100`);
  return problems;
}
