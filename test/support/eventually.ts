/**
 * Waiting for something to happen by checking for it, never by sleeping: a test takes as long as the thing
 * takes, on an idle machine or a loaded one, and a deadline turns "never" into a failure that says what was
 * last seen.
 */
export interface PollOptions {
  /** How long to keep checking (a failure after that, not a hang until the test's own timeout). */
  timeoutMs?: number;
  /** The pause between checks. */
  intervalMs?: number;
}

/**
 * Re-runs `check` (an assertion, sync or async) until it passes, and returns what it returned. Once `timeoutMs`
 * has passed, the last failure is thrown as it is: the assertion's own message says what was expected and seen.
 */
export async function eventually<T>(check: () => T | Promise<T>, { timeoutMs = 10_000, intervalMs = 20 }: PollOptions = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Waits until `condition` holds; once `timeoutMs` has passed, fails naming `what`. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'the condition'): Promise<void> {
  await eventually(
    async () => {
      if (!(await condition())) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    },
    { timeoutMs },
  );
}
