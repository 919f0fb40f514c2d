/**
 * A real Guestlist for SDK tests: the repository's test harness (its own SQLite file, or its own PostgreSQL
 * schema when GUESTLIST_TEST_DATABASE_URL is set) listening on a loopback port, an SDK client pointed at it,
 * and SCIM writes (through the harness, as an IdP would make them) to fill directories.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestApp, TEST_API_KEY, type TestApp } from '../../test/support/harness.ts';
import { Guestlist, type GuestlistOptions } from '../src/index.ts';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export interface TestServer {
  t: TestApp;
  baseUrl: string;
  client(options?: Partial<GuestlistOptions>): Guestlist;
  close(): Promise<void>;
}

export async function startServer(): Promise<TestServer> {
  const t = await createTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.app.server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    t,
    baseUrl,
    client: (options = {}) => new Guestlist({ apiKey: TEST_API_KEY, baseUrl, ...options }),
    close: () => t.close(),
  };
}

/** An IdP writing to one directory over SCIM. */
export function idp(t: TestApp, directoryId: string, token: string) {
  const send = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const res = await t.scim(method, `/scim/v2/${directoryId}${path}`, token, body);
    if (res.statusCode >= 300) throw new Error(`SCIM ${method} ${path}: ${res.statusCode} ${res.body}`);
    return res.body === '' ? {} : res.json();
  };
  return {
    createUser: (userName: string, extra: Record<string, unknown> = {}) =>
      send('POST', '/Users', { schemas: [USER_SCHEMA], userName, emails: [{ value: userName, type: 'work', primary: true }], ...extra }),
    createGroup: (displayName: string, members: string[] = []) =>
      send('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName, members: members.map((value) => ({ value })) }),
    renameUser: (id: string, givenName: string) =>
      send('PATCH', `/Users/${id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'name.givenName', value: givenName }],
      }),
    deleteUser: (id: string) => send('DELETE', `/Users/${id}`),
  };
}

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A loopback HTTP server that records every request and answers with `status`. */
export async function receiver(status = 200) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(status).end();
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

export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
