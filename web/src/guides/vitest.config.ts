/**
 * Runs the guide tests on their own: `npx vitest run --config web/src/guides/vitest.config.ts`
 * (or `npx vitest run --root web/src/guides`). The root vitest.config.ts includes only src/, test/ and sdk/, so
 * `npx vitest run web/src/guides` finds no test file until `web/**\/*.test.ts` is added to its `include`.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: decodeURIComponent(new URL('.', import.meta.url).pathname),
    include: ['**/*.test.ts'],
  },
});
