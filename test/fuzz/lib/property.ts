/** The property every fuzz test states: each generated request is answered, below 500, well-formed. */
import fc from 'fast-check';
import type { Case } from './arbitraries.ts';
import { classify } from './classify.ts';
import { describeOutcome, runCase, type Target } from './server.ts';

/** Fixed by default so a failure replays; GUESTLIST_FUZZ_SEED explores elsewhere. */
export const BASE_SEED = Number(process.env.GUESTLIST_FUZZ_SEED ?? 20_261_128);
/** Scales every suite's case count (GUESTLIST_FUZZ_SCALE=10 runs ten times as many). */
export const SCALE = Number(process.env.GUESTLIST_FUZZ_SCALE ?? 1);

/** Requests allowed for shrinking after the first failure, so a hanging class cannot stall the suite. */
const SHRINK_BUDGET = 150;

export async function assertWellAnswered(t: Target, arbitrary: fc.Arbitrary<Case>, options: { numRuns: number; seedOffset: number }): Promise<void> {
  const seed = BASE_SEED + options.seedOffset;
  let firstCause: string | undefined;
  let shrinkRequests = 0;
  const details = await fc.check(
    fc.asyncProperty(arbitrary, async (c) => {
      if (firstCause !== undefined && ++shrinkRequests > SHRINK_BUDGET) return true; // stop shrinking; keep the smallest so far
      const o = await runCase(t, c);
      if (!o.problem) return true;
      const { cause, signature } = classify(o);
      if (firstCause !== undefined && cause !== firstCause) return true; // shrink towards the same failure only
      firstCause = cause;
      throw new Error(`${describeOutcome(o)}\n  class: ${signature}`);
    }),
    { seed, numRuns: Math.max(1, Math.round(options.numRuns * SCALE)) },
  );
  if (details.failed) {
    const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(
      `Fuzz property failed after ${details.numRuns} cases (${details.numShrinks} shrinks).\n` +
        `Replay: GUESTLIST_FUZZ_SEED=${BASE_SEED} (property seed ${seed}, path "${details.counterexamplePath}")\n` +
        `Smallest failing request:\n${error}`,
    );
  }
}
