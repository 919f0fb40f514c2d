import fs from 'node:fs';
import path from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';
import { DATABASE_VARIABLE, INDEPENDENT_MARKER, databaseIndependentTests } from './test/support/database-independent.ts';

const ROOT = import.meta.dirname;
const TEST_DIRS = ['src', 'test', 'sdk', 'web'];
const include = TEST_DIRS.map((dir) => `${dir}/**/*.test.ts`);

/**
 * The PostgreSQL pass (GUESTLIST_TEST_DATABASE_URL set) leaves out the test files that never read that variable,
 * directly or through anything they import, and those marked @database-independent (test/support/database-independent.ts):
 * they give the same result on every database, and CI's SQLite pass has run them. Without the variable every file runs.
 */
function databaseIndependentExcludes(): string[] {
  if (!process.env[DATABASE_VARIABLE]) return [];
  const files = TEST_DIRS.flatMap((dir) =>
    fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.test.ts') && !name.split('/').includes('node_modules'))
      .map((name) => `${dir}/${name}`),
  );
  const skipped = databaseIndependentTests(ROOT, files);
  console.log(`PostgreSQL pass: ${skipped.length} of ${files.length} test files skipped as database-independent (nothing they import reads ${DATABASE_VARIABLE}, or they say ${INDEPENDENT_MARKER}; the SQLite pass runs them)`);
  return skipped;
}

export default defineConfig({
  test: {
    include,
    exclude: [...configDefaults.exclude, ...databaseIndependentExcludes()],
    reporters: ['default', './test/support/count-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one worker per core less one: a single worker on these 2-core machines. Much of the
    // suite waits (on servers it spawned, Chromium, Retry-After, PostgreSQL), so three workers overlap those
    // waits: the SQLite run went from 426 s to 286 s, all passing.
    maxWorkers: 3,
  },
});
