/**
 * Real Chromium for the browser tests: Debian's package (`.ci/run` installs it with apt), driven by
 * playwright-core, never a downloaded browser. Without it the browser tests are skipped, loudly, unless
 * GUESTLIST_REQUIRE_BROWSER=1 (CI), where a missing browser fails the run instead of hiding the tests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PostgresStore } from '../../src/store/postgres.ts';
import type { SqliteStore } from '../../src/store/sqlite.ts';
import { TEST_DATABASE_URL, createTestDatabase, type TestDatabase } from './harness.ts';
import { SERVER_API_KEY, serverEnv, startServer, type ServerProcess } from './server-process.ts';

export const CHROMIUM = process.env.GUESTLIST_CHROMIUM || '/usr/bin/chromium';
export const browserAvailable = fs.existsSync(CHROMIUM);
if (!browserAvailable) {
  if (process.env.GUESTLIST_REQUIRE_BROWSER === '1') throw new Error(`GUESTLIST_REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM}`);
  console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt install chromium)`);
}

/** The flags that keep Chromium off a closed network: no background fetches, no component updates, no QUIC. */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

/** A real `guestlist start` on this run's database, with a default public URL (PORT=0: the port it takes). */
export interface BrowserServer {
  db: TestDatabase;
  server: ServerProcess;
  url: string;
  api(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export async function startBrowserServer(extra: Record<string, string> = {}): Promise<BrowserServer> {
  const db = await createTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-browser-'));
  const connection = db.store instanceof PostgresStore ? { url: TEST_DATABASE_URL!, schema: db.store.options.schema! } : { url: (db.store as SqliteStore).file };
  const server = await startServer(serverEnv(connection, dataDir, extra));
  const url = server.url.replace('127.0.0.1', 'localhost');
  return {
    db,
    server,
    url,
    api: async (method, path, body) => {
      const res = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${SERVER_API_KEY}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    stop: async () => {
      server.child.kill('SIGTERM');
      await server.exited;
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Errors the page reports: uncaught exceptions and console errors. A 401 from a session probe is how the apps
 * learn there is no session yet (the contract's answer), and Chromium logs every non-2xx fetch as an error.
 */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (/Failed to load resource: the server responded with a status of (401|403|404|409)/.test(message.text())) return;
    errors.push(`console: ${message.text()}`);
  });
  return errors;
}

/** Where screenshots go when GUESTLIST_SCREENSHOTS names a folder (`npm run screenshots` → docs/screenshots). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.GUESTLIST_SCREENSHOTS;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: false });
}

/** Polls until `check` holds (Playwright's own expect is not in playwright-core). */
export async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export type { Browser, BrowserContext, Page };
