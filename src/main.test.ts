import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { runsBackground } from './main.ts';

describe('which server processes run the background work', () => {
  it('by default only the first of --processes N (a single process is its own first)', () => {
    const config = loadConfig({});
    expect(config.serverBackground).toBe('first');
    expect(runsBackground(config, 0)).toBe(true);
    expect([1, 2, 3].map((i) => runsBackground(config, i))).toEqual([false, false, false]);
  });

  it('all of them, or none (guestlist worker processes deliver)', () => {
    const all = loadConfig({ GUESTLIST_SERVER_BACKGROUND: 'ALL' });
    expect([0, 1, 5].map((i) => runsBackground(all, i))).toEqual([true, true, true]);
    const none = loadConfig({ GUESTLIST_SERVER_BACKGROUND: 'none' });
    expect([0, 1].map((i) => runsBackground(none, i))).toEqual([false, false]);
    expect(() => loadConfig({ GUESTLIST_SERVER_BACKGROUND: 'some' })).toThrow(/GUESTLIST_SERVER_BACKGROUND: expected one of first, all, none/);
  });
});
