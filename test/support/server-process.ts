/**
 * The real `guestlist start` process for crash and outage tests: spawned with its own environment, resolved once
 * it logs the address it listens on, and called over HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const BIN = path.resolve('bin/guestlist.js');
export const SERVER_API_KEY = 'sk_test_0123456789abcdefghijklmnop';
export const SERVER_SECRET_KEY = 'test-secret-key-0123456789abcdefghijklmnop';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** The environment of a server on `database` (a SQLite file or a postgres:// URL, with an optional schema). */
export function serverEnv(database: { url: string; schema?: string }, dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { GUESTLIST_DATABASE_URL: _u, GUESTLIST_DATABASE_SCHEMA: _s, GUESTLIST_API_KEY: _k, ...rest } = process.env;
  return {
    ...rest,
    GUESTLIST_DATABASE_URL: database.url,
    ...(database.schema ? { GUESTLIST_DATABASE_SCHEMA: database.schema } : {}),
    GUESTLIST_API_KEY: SERVER_API_KEY,
    GUESTLIST_SECRET_KEY: SERVER_SECRET_KEY,
    GUESTLIST_DATA_DIR: dataDir,
    GUESTLIST_WEBHOOK_BLOCK_PRIVATE: 'false',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

export function startServer(env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /"url":"(http:\/\/[^"]+)","database"/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, output: () => out, exited });
      }
    });
    child.stderr!.on('data', (chunk) => (out += chunk));
    child.on('exit', () => reject(new Error(`server exited:\n${out}`)));
  });
}

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

/** One HTTP call; a refused or reset connection is status 0 (the server is gone). */
export async function call(base: string, method: string, url: string, token: string, body?: unknown): Promise<Reply> {
  try {
    const res = await fetch(base + url, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: kept as text.
    }
    return { status: res.status, headers: res.headers, body: parsed };
  } catch {
    return { status: 0, headers: new Headers(), body: undefined };
  }
}

/** An organization and a directory through the management API; the directory with its bearer token. */
export async function createDirectoryOver(base: string): Promise<{ id: string; bearer_token: string }> {
  const org = await call(base, 'POST', '/organizations', SERVER_API_KEY, { name: 'Acme', domains: ['acme.com'] });
  if (org.status !== 201) throw new Error(`organization create failed: ${org.status} ${JSON.stringify(org.body)}`);
  const dir = await call(base, 'POST', '/directories', SERVER_API_KEY, { organization_id: org.body.id, type: 'okta scim v2.0' });
  if (dir.status !== 201) throw new Error(`directory create failed: ${dir.status} ${JSON.stringify(dir.body)}`);
  return dir.body;
}
