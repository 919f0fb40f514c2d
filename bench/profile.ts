/**
 * CPU profiles of benchmark phases, summarized by where the server's main thread spent its time. They are the
 * evidence behind docs/performance.md's account of what bounds each figure: V8's sampling profiler, through the
 * inspector, attributes every sample to the function on top of the stack (native code such as a SQLite step is
 * attributed to the JavaScript that called it).
 */
import { Session } from 'node:inspector/promises';

export const CATEGORIES = ['database', 'query building', 'http', 'guestlist', 'gc', 'other', 'idle'] as const;
export type Category = (typeof CATEGORIES)[number];
export type Shares = Record<Category, number>;

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function categoryOf({ functionName, url }: CallFrame): Category | undefined {
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'gc';
  if (functionName === '(program)' || functionName === '(root)') return 'other';
  // Native code has no URL: it counts for whoever called it (a SQLite step for the driver that ran it).
  if (url === '') return undefined;
  if (/better-sqlite3|\/pg\/|pg-protocol|pg-pool|kysely\/.*(sqlite|postgres)-driver/.test(url)) return 'database';
  if (/node_modules\/kysely\//.test(url)) return 'query building';
  if (/\/src\//.test(url) && !/node_modules/.test(url)) return 'guestlist';
  if (/fastify|find-my-way|secure-json-parse|fast-json-stringify|avvio|^node:(_http|net|internal\/(streams|stream_base|http))/.test(url)) return 'http';
  return 'other';
}

/** Shares of the main thread's time by category, leaving out the profiler's own work. */
export function summarize(profile: Profile): Shares {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, Category | 'profiler'>();
  const classify = (id: number): Category | 'profiler' => {
    const known = memo.get(id);
    if (known) return known;
    const { callFrame } = byId.get(id)!;
    const up = parent.get(id);
    const own = /^node:inspector/.test(callFrame.url) ? 'profiler' : categoryOf(callFrame);
    const found = own ?? (up === undefined ? 'other' : classify(up));
    memo.set(id, found);
    return found;
  };
  const time = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Shares;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const category = classify(id);
    if (category === 'profiler') return;
    const dt = profile.timeDeltas[i] ?? 0;
    time[category] += dt;
    total += dt;
  });
  if (process.env.BENCH_PROFILE_DEBUG) {
    // The heaviest frames of one category, to check (or extend) the classification.
    const frames = new Map<string, number>();
    profile.samples.forEach((id, i) => {
      if (classify(id) !== process.env.BENCH_PROFILE_DEBUG) return;
      const { callFrame } = byId.get(id)!;
      const key = `${callFrame.functionName} ${callFrame.url}`;
      frames.set(key, (frames.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
    });
    for (const [key, t] of [...frames].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.error(`${((100 * t) / total).toFixed(1)}% ${key}`);
  }
  for (const c of CATEGORIES) time[c] = total > 0 ? Math.round((time[c] / total) * 1000) / 10 : 0;
  return time;
}

/** Runs `work` under the sampling profiler (main thread only) and summarizes where the time went. */
export async function profiled<T>(work: () => Promise<T>): Promise<{ result: T; shares: Shares }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 250 });
    await session.post('Profiler.start');
    const result = await work();
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
    return { result, shares: summarize(profile) };
  } finally {
    session.disconnect();
  }
}
