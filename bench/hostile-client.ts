/**
 * The two sides of `npm run bench hostile`, each run in a worker thread of its own (bench/hostile-worker.mjs), so
 * that neither steals the server's event loop and the server's loop delay is the server's alone.
 *
 * - `victim`: a well-behaved client reading its own directory at a fixed rate (open loop: a request is sent on
 *   schedule whether or not the previous ones have been answered), alternating `userName eq` lookups and
 *   GET by id; it reports the latency of each.
 * - `hostile`: requests that stay within every documented limit, aimed at another directory, sent back to back
 *   by a few loops per kind until told to stop.
 */
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { seededId } from './seeded.ts';

export type HostileKind = 'bigPatch' | 'filter200' | 'search100' | 'slowBody' | 'bulk1000' | 'deepJson' | 'longStrings';

export const HOSTILE_KINDS: Record<HostileKind, string> = {
  bigPatch: 'PATCH: 1,000 members added then removed; 1,000 emails replaced',
  filter200: 'filters of 200 comparisons (indexed userName eq; unindexed title eq)',
  search100: '.search with 100 attribute names, count 1,000',
  slowBody: '64 clients sending half a body, then nothing',
  bulk1000: 'Bulk of 1,000 creates',
  deepJson: 'JSON 64 levels deep (a resource; Bulk data)',
  longStrings: '512-character userNames, 60,000-character titles, 512-character filter values',
};

export interface VictimJob {
  role: 'victim';
  base: string;
  directoryId: string;
  token: string;
  users: number;
  ratePerSecond: number;
  durationMs: number;
}

export interface HostileJob {
  role: 'hostile';
  base: string;
  directoryId: string;
  token: string;
  kinds: HostileKind[];
  /** Seeded users of the hostile directory: index range [from, to). */
  from: number;
  to: number;
  groupId: string;
}

export interface VictimResult {
  sent: number;
  answered: number;
  errors: number;
  latencies: number[];
}

export interface HostileResult {
  byKind: Record<string, { completed: number; statuses: Record<string, number>; maxMs: number; totalMs: number }>;
}

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function request(agent: http.Agent, base: string, method: string, path: string, token: string, body?: string): Promise<{ status: number; ms: number }> {
  const url = new URL(path, base);
  const start = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      { agent, host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/scim+json', 'content-length': Buffer.byteLength(body) } : {}) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - start }));
        res.on('error', () => resolve({ status: 0, ms: performance.now() - start }));
      },
    );
    req.on('error', () => resolve({ status: 0, ms: performance.now() - start }));
    req.end(body);
  });
}

async function victim(job: VictimJob): Promise<VictimResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const result: VictimResult = { sent: 0, answered: 0, errors: 0, latencies: [] };
  const scim = `/scim/v2/${job.directoryId}`;
  const pending: Promise<void>[] = [];
  const interval = 1000 / job.ratePerSecond;
  const start = performance.now();
  for (let i = 0; ; i++) {
    const due = start + i * interval;
    if (due - start >= job.durationMs) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const j = Math.floor(Math.random() * job.users);
    const path = i % 2 === 0 ? `${scim}/Users?filter=${encodeURIComponent(`userName eq "user${j}@bench.example.com"`)}` : `${scim}/Users/${seededId(j)}`;
    result.sent++;
    pending.push(
      request(agent, job.base, 'GET', path, job.token).then(({ status }) => {
        result.answered++;
        if (status !== 200) result.errors++;
        // Counted from when the request was due, so a late send is not hidden.
        result.latencies.push(performance.now() - due);
      }),
    );
  }
  // Requests still unanswered 10 s after the last was due count as errors, with their age then (a lower bound).
  const deadline = performance.now() + 10_000;
  await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 10_000))]);
  const unanswered = result.sent - result.answered;
  result.errors += unanswered;
  for (let k = 0; k < unanswered; k++) result.latencies.push(deadline - (start + job.durationMs));
  agent.destroy();
  return result;
}

/** Names in `attributes`: every User attribute and sub-attribute, short and then fully qualified, up to 100. */
function hundredAttributeNames(): string[] {
  const core = ['id', 'externalId', 'userName', 'name', 'name.formatted', 'name.familyName', 'name.givenName', 'name.middleName', 'name.honorificPrefix', 'name.honorificSuffix', 'displayName', 'nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone', 'active', 'emails', 'emails.value', 'emails.type', 'emails.primary', 'emails.display', 'phoneNumbers', 'phoneNumbers.value', 'phoneNumbers.type', 'ims', 'ims.value', 'photos', 'photos.value', 'addresses', 'addresses.formatted', 'addresses.streetAddress', 'addresses.locality', 'addresses.region', 'addresses.postalCode', 'addresses.country', 'addresses.type', 'groups', 'groups.value', 'groups.display', 'entitlements', 'roles', 'x509Certificates', 'meta', 'meta.created', 'meta.lastModified', 'meta.location', 'meta.version'];
  const enterprise = ['employeeNumber', 'costCenter', 'organization', 'division', 'department', 'manager', 'manager.value', 'manager.displayName'].map((a) => `${ENTERPRISE}:${a}`);
  return [...core, ...enterprise, ...core.map((a) => `${USER}:${a}`)].slice(0, 100);
}

/** Nested arrays: `depth` levels counting the outermost (`[]` is 1). */
const nested = (depth: number, leaf: string) => '['.repeat(depth) + leaf + ']'.repeat(depth);

/** One hostile request of a kind, built fresh (names stay unique); `n` counts that loop's requests. */
function hostileRequest(kind: HostileKind, job: HostileJob, n: number, loop: number): { method: string; path: string; body?: string } {
  const scim = `/scim/v2/${job.directoryId}`;
  const span = job.to - job.from;
  const tag = `${loop}-${n}-${Math.random().toString(36).slice(2, 8)}`;
  switch (kind) {
    case 'bigPatch': {
      if (n % 3 === 2) {
        const emails = Array.from({ length: 1000 }, (_, k) => ({ value: `alias${k}.${tag}@hostile.example.com`, type: k === 0 ? 'work' : 'other' }));
        const user = seededId(job.from + ((n * 7 + loop) % span));
        return { method: 'PATCH', path: `${scim}/Users/${user}`, body: JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'emails', value: emails }] }) };
      }
      // Adds a block of 1,000 members, then removes the same block (one operation with 1,000 values).
      const offset = job.from + ((Math.floor(n / 3) * 1000 + loop * 5000) % Math.max(1, span - 1000));
      const members = Array.from({ length: 1000 }, (_, k) => ({ value: seededId(offset + k) }));
      const op = n % 3 === 0 ? 'add' : 'remove';
      return { method: 'PATCH', path: `${scim}/Groups/${job.groupId}`, body: JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op, path: 'members', value: members }] }) };
    }
    case 'filter200': {
      const base = (n * 200) % Math.max(1, span);
      const filter =
        n % 2 === 0
          ? Array.from({ length: 200 }, (_, k) => `userName eq "${k}"`).join(' or ').replace('userName eq "0"', `userName eq "user${job.from + base}@bench.example.com"`)
          : Array.from({ length: 200 }, (_, k) => `title eq "t${k}"`).join(' or ');
      return { method: 'GET', path: `${scim}/Users?count=1000&filter=${encodeURIComponent(filter)}` };
    }
    case 'search100':
      return { method: 'POST', path: `${scim}/Users/.search`, body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], attributes: hundredAttributeNames(), filter: 'userName sw "user"', startIndex: 1 + ((n * 1000) % Math.max(1, span - 1000)), count: 1000 }) };
    case 'bulk1000':
      return {
        method: 'POST',
        path: `${scim}/Bulk`,
        body: JSON.stringify({
          schemas: [BULK],
          Operations: Array.from({ length: 1000 }, (_, k) => ({
            method: 'POST',
            path: '/Users',
            bulkId: `b${k}`,
            data: { schemas: [USER], userName: `bulk${k}.${tag}@hostile.example.com`, name: { givenName: 'Bulk', familyName: `N${k}` }, emails: [{ value: `bulk${k}.${tag}@hostile.example.com`, type: 'work', primary: true }], active: true },
          })),
        }),
      };
    case 'deepJson':
      if (n % 2 === 0) {
        // The body is depth 1, the extension object 2, its array 3: 61 more levels reach 64, 400 side by side.
        const deep = Array.from({ length: 400 }, () => nested(61, '1')).join(',');
        return { method: 'POST', path: `${scim}/Users`, body: `{"schemas":["${USER}"],"userName":"deep.${tag}@hostile.example.com","urn:ietf:params:scim:schemas:extension:hostile:2.0:User":{"a":[${deep}]}}` };
      } else {
        // Bulk request (1) → Operations (2) → operation (3) → data (4): 60 more levels in each op's data.
        const ops = Array.from({ length: 100 }, (_, k) => `{"method":"POST","path":"/Users","bulkId":"d${k}","data":{"schemas":["${USER}"],"userName":"deepbulk${k}.${tag}@hostile.example.com","urn:ietf:params:scim:schemas:extension:hostile:2.0:User":${nested(60, '1')}}}`);
        return { method: 'POST', path: `${scim}/Bulk`, body: `{"schemas":["${BULK}"],"Operations":[${ops.join(',')}]}` };
      }
    case 'longStrings': {
      const long = (prefix: string) => (prefix + 'x'.repeat(512)).slice(0, 512 - '@hostile.example.com'.length) + '@hostile.example.com';
      if (n % 2 === 0) {
        return { method: 'POST', path: `${scim}/Users`, body: JSON.stringify({ schemas: [USER], userName: long(`long.${tag}.`), externalId: long(`ext.${tag}.`), displayName: 'y'.repeat(512), title: 't'.repeat(60_000), emails: [{ value: long(`mail.${tag}.`), type: 'work' }] }) };
      }
      return { method: 'GET', path: `${scim}/Users?filter=${encodeURIComponent(`userName eq "${long(`long.${tag}.`)}" or externalId eq "${long('ext.')}"`)}` };
    }
    case 'slowBody':
      throw new Error('slowBody is not a request loop');
  }
}

/** 64 connections that each send their headers and half a body, then nothing; reconnect when cut off. */
function slowBodies(job: HostileJob, stats: HostileResult['byKind'][string], stopping: () => boolean): () => void {
  const url = new URL(job.base);
  const sockets = new Set<net.Socket>();
  const open = (i: number) => {
    if (stopping()) return;
    const body = JSON.stringify({ schemas: [USER], userName: `slow${i}@hostile.example.com`, active: true });
    const socket = net.connect(Number(url.port), url.hostname);
    const started = performance.now();
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 'closed';
      if (!stopping()) {
        stats.completed++;
        stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
        const ms = performance.now() - started;
        stats.maxMs = Math.max(stats.maxMs, ms);
        stats.totalMs += ms;
      }
      open(i);
    });
    socket.write(
      `POST /scim/v2/${job.directoryId}/Users HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${job.token}\r\n` +
        `Content-Type: application/scim+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, body.length >> 1)}`,
    );
    sockets.add(socket);
  };
  for (let i = 0; i < 64; i++) open(i);
  return () => {
    for (const s of sockets) s.destroy();
  };
}

async function hostile(job: HostileJob, stop: Promise<void>): Promise<HostileResult> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  const agent = new http.Agent({ keepAlive: true });
  const result: HostileResult = { byKind: {} };
  const loops: Promise<void>[] = [];
  const closers: (() => void)[] = [];
  for (const kind of job.kinds) {
    const stats: HostileResult['byKind'][string] = { completed: 0, statuses: {}, maxMs: 0, totalMs: 0 };
    result.byKind[kind] = stats;
    if (kind === 'slowBody') {
      closers.push(slowBodies(job, stats, () => stopped));
      continue;
    }
    const concurrency = kind === 'bulk1000' ? 1 : 2;
    for (let loop = 0; loop < concurrency; loop++) {
      loops.push(
        (async () => {
          for (let n = 0; !stopped; n++) {
            const r = hostileRequest(kind, job, n, loop);
            const { status, ms } = await request(agent, job.base, r.method, r.path, job.token, r.body);
            stats.completed++;
            stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
            stats.maxMs = Math.max(stats.maxMs, ms);
            stats.totalMs += ms;
            if (status === 429 || status === 0) await new Promise((r) => setTimeout(r, 100));
          }
        })(),
      );
    }
  }
  await stop;
  for (const close of closers) close();
  await Promise.all(loops);
  agent.destroy();
  return result;
}

if (parentPort && workerData && (workerData as { role?: string }).role) {
  const job = workerData as VictimJob | HostileJob;
  if (job.role === 'victim') {
    void victim(job).then((r) => parentPort!.postMessage(r));
  } else {
    const stop = new Promise<void>((resolve) => parentPort!.once('message', () => resolve()));
    void hostile(job, stop).then((r) => parentPort!.postMessage(r));
  }
}
