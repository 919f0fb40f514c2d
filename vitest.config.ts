import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'sdk/**/*.test.ts', 'web/**/*.test.ts'],
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
