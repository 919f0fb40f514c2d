import { describe, expect, it } from 'vitest';
import { mapInTurns } from './in-turns.ts';

describe('mapInTurns', () => {
  it('maps in order, and lets the event loop turn between slices of a long list', async () => {
    let mapped = 0;
    // A macrotask queued before: it runs between slices, not after the whole list.
    const seen = new Promise<number>((resolve) => setImmediate(() => resolve(mapped)));
    const out = await mapInTurns(Array.from({ length: 1000 }, (_, i) => i), (i) => (mapped++, i * 2), 100);
    expect(out).toEqual(Array.from({ length: 1000 }, (_, i) => i * 2));
    const between = await seen;
    expect(between).toBeGreaterThan(0);
    expect(between).toBeLessThan(1000);
  });

  it('maps a short list at once', async () => {
    let turned = false;
    setImmediate(() => (turned = true));
    expect(await mapInTurns([1, 2, 3], (x) => x + 1, 100)).toEqual([2, 3, 4]);
    expect(turned).toBe(false);
  });
});
