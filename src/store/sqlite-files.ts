/**
 * The SQLite database holds personal data, so its files (database, WAL, shared memory) are readable by their
 * owner only (0600), and a data folder created here is 0700, whatever the process umask.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Owner-only modes for the database's folder and files. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `dir` (and missing parents) as 0700. `mkdir`'s mode passes through the umask, so each folder created
 * is set exactly afterwards; folders that already existed are left as the operator made them.
 */
export function makePrivateDir(dir: string): void {
  const first = fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (first === undefined) return;
  const top = path.resolve(first);
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    fs.chmodSync(d, PRIVATE_DIR_MODE);
    if (d === top || d === path.dirname(d)) break;
  }
}

/**
 * Makes the database file, before SQLite opens it, owner-only; an existing one with wider permissions (made
 * by an earlier version) is narrowed. SQLite creates the WAL and shared-memory files with the database file's
 * permissions (set exactly, not through the umask), so they follow; `restrictCompanions` narrows any that
 * predate this.
 */
export function restrictDatabaseFile(file: string): void {
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, PRIVATE_FILE_MODE);
  try {
    if ((fs.fstatSync(fd).mode & 0o777) !== PRIVATE_FILE_MODE) fs.fchmodSync(fd, PRIVATE_FILE_MODE);
  } finally {
    fs.closeSync(fd);
  }
}

export function restrictCompanions(file: string): void {
  for (const companion of [`${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      if ((fs.statSync(companion).mode & 0o777) !== PRIVATE_FILE_MODE) fs.chmodSync(companion, PRIVATE_FILE_MODE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
