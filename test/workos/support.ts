/**
 * A real Guestlist for the WorkOS SDK tests: the test harness (its own SQLite file, or its own PostgreSQL
 * schema with GUESTLIST_TEST_DATABASE_URL) listening on a loopback port; SCIM writes as an IdP makes them; a
 * loopback webhook receiver and the dispatcher that posts to it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Dispatcher } from '../../src/events/dispatcher.ts';
import { GROUP, PATCH_OP, USER } from '../scim/helpers.ts';
import { createTestApp, TEST_SECRET_KEY, type TestApp } from '../support/harness.ts';

export interface Server {
  t: TestApp;
  port: number;
  close(): Promise<void>;
}

export async function listen(): Promise<Server> {
  const t = await createTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.app.server.address() as AddressInfo;
  return { t, port, close: () => t.close() };
}

/** A JSON object as the API sends it, its fields still to be checked. */
export type Obj = Record<string, unknown>;

export interface ListPage {
  object: unknown;
  data: Obj[];
  list_metadata: { before: string | null; after: string | null };
}

/** A management API read that must succeed. */
export async function api<T = Obj>(t: TestApp, url: string): Promise<T> {
  const res = await t.api('GET', url);
  if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as T;
}

/** Every object of a list, through the management API's own cursors (100 a page), in the list's order. */
export async function everything(t: TestApp, path: string): Promise<Obj[]> {
  const out: Obj[] = [];
  let after: string | null = null;
  do {
    const page: ListPage = await api<ListPage>(t, `${path}${path.includes('?') ? '&' : '?'}limit=100${after ? `&after=${after}` : ''}`);
    out.push(...page.data);
    after = page.list_metadata.after;
  } while (after);
  return out;
}

/** An IdP writing to one directory over SCIM; each call returns the SCIM resource's id. */
export function idp(t: TestApp, directoryId: string, token: string) {
  const send = async (method: string, path: string, body?: unknown): Promise<string> => {
    const res = await t.scim(method, `/scim/v2/${directoryId}${path}`, token, body);
    if (res.statusCode >= 300) throw new Error(`SCIM ${method} ${path}: ${res.statusCode} ${res.body}`);
    return res.body === '' ? '' : (res.json().id as string);
  };
  const patch = (path: string, operations: unknown[]) => send('PATCH', path, { schemas: [PATCH_OP], Operations: operations });
  return {
    createUser: (userName: string, extra: Record<string, unknown> = {}) => send('POST', '/Users', { schemas: [USER], userName, ...extra }),
    createGroup: (displayName: string, members: string[] = []) => send('POST', '/Groups', { schemas: [GROUP], displayName, members: members.map((value) => ({ value })) }),
    renameUser: (id: string, givenName: string) => patch(`/Users/${id}`, [{ op: 'replace', path: 'name.givenName', value: givenName }]),
    addMember: (groupId: string, userId: string) => patch(`/Groups/${groupId}`, [{ op: 'add', path: 'members', value: [{ value: userId }] }]),
    deleteUser: (id: string) => send('DELETE', `/Users/${id}`),
  };
}

/** Runs the tasks `size` at a time (the SCIM endpoint takes concurrent writes; this keeps provisioning quick). */
export async function inBatches<T>(tasks: (() => Promise<T>)[], size = 20): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < tasks.length; i += size) out.push(...(await Promise.all(tasks.slice(i, i + size).map((task) => task()))));
  return out;
}

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  /** When it arrived (Date.now()). */
  at: number;
}

/** A loopback HTTP server that records every request and answers 200. */
export async function receiver() {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The webhook dispatcher of the test app, woken by its commits. */
export function startDispatcher(t: TestApp): { stop(): Promise<void> } {
  const dispatcher = new Dispatcher(t.store, { secretKey: TEST_SECRET_KEY, blockPrivate: false, logger: pino({ level: 'silent' }), pollMs: 50, baseDelayMs: 20, maxDelayMs: 200, timeoutMs: 5_000 });
  const unsubscribe = t.store.onCommit((due) => dispatcher.wake(due));
  dispatcher.start();
  return {
    stop: async () => {
      unsubscribe();
      await dispatcher.stop();
    },
  };
}

export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
