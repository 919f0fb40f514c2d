/**
 * The SQLite files hold personal data: the database, its WAL and its shared memory are 0600, and a data folder
 * the store creates is 0700, whatever the umask (a permissive one, or one stricter than the modes).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { loadSecretKey } from '../bootstrap.ts';
import { loadConfig } from '../config.ts';
import { SqliteStore } from './sqlite.ts';

const mode = (p: string) => fs.statSync(p).mode & 0o777;
const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-perm-'));
  dirs.push(dir);
  return dir;
};
const initialUmask = process.umask();
afterEach(() => {
  process.umask(initialUmask);
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

for (const umask of [0o000, 0o022, 0o077]) {
  it(`creates the folders 0700 and the database, WAL and shared memory 0600 (umask ${umask.toString(8).padStart(3, '0')})`, async () => {
    process.umask(umask);
    const root = tempDir();
    const file = path.join(root, 'data', 'nested', 'guestlist.db');
    const store = new SqliteStore(file, { checkpointIntervalMs: 5 });
    try {
      await store.migrate();
      await store.transaction(async () => {});
      expect(mode(path.join(root, 'data'))).toBe(0o700);
      expect(mode(path.join(root, 'data', 'nested'))).toBe(0o700);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect([f, mode(f)]).toEqual([f, 0o600]);
    } finally {
      await store.close();
    }
    // Reopened, the WAL and shared memory (created again, after the close removed them) are 0600 too.
    const again = new SqliteStore(file, { checkpointIntervalMs: 5 });
    try {
      await again.migrate();
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect([f, mode(f)]).toEqual([f, 0o600]);
    } finally {
      await again.close();
    }
  });
}

it('narrows a database left world-readable by an earlier version, and leaves an existing folder alone', async () => {
  process.umask(0o022);
  const root = tempDir();
  fs.chmodSync(root, 0o755);
  const file = path.join(root, 'old.db');
  const first = new SqliteStore(file, { checkpointIntervalMs: 0 });
  await first.migrate();
  await first.close();
  fs.chmodSync(file, 0o644);
  const store = new SqliteStore(file, { checkpointIntervalMs: 5 });
  try {
    await store.transaction(async () => {});
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect([f, mode(f)]).toEqual([f, 0o600]);
    expect(mode(root)).toBe(0o755);
  } finally {
    await store.close();
  }
});

it('the data folder made for the generated secret key is 0700', () => {
  process.umask(0o022);
  const dataDir = path.join(tempDir(), 'data');
  loadSecretKey(loadConfig({ GUESTLIST_DATA_DIR: dataDir }));
  expect(mode(dataDir)).toBe(0o700);
  expect(mode(path.join(dataDir, 'secret.key'))).toBe(0o600);
});
