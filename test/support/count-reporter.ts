/**
 * Ends every run with the plain line `N passed, N failed`, which CI reads. Unhandled errors, files that fail
 * to load and failing hooks count as failures, so a broken suite can never report zero failures.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class CountReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    for (const mod of testModules) {
      let failedCases = 0;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedCases++;
      }
      // A file that failed outside any test (load error, failing hook) still counts once.
      failed += failedCases > 0 ? failedCases : mod.state() === 'failed' ? 1 : 0;
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  }
}
