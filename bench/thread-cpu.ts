/**
 * CPU time of this process's main thread alone (Linux: /proc/self/task/<pid>/stat), split into user and
 * kernel time. The load generator runs in a worker thread of the same process, so process.cpuUsage() would
 * mix the two; the main thread's own figure divided by the requests served is the server's cost per request,
 * whatever else the machine is doing (time spent waiting for a core is not counted).
 */
import fs from 'node:fs';

/** Clock ticks per second of the stat file's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

export interface ThreadCpu {
  userMs: number;
  systemMs: number;
}

export function mainThreadCpu(): ThreadCpu | undefined {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from the third: utime is the 14th, stime the 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const tick = 1000 / TICKS_PER_SECOND;
    return { userMs: Number(fields[11]) * tick, systemMs: Number(fields[12]) * tick };
  } catch {
    return undefined;
  }
}

/** Per-request cost of one load phase: the main thread's CPU (and of it, kernel time) and database time. */
export interface RequestCost {
  cpuMs: number;
  kernelMs: number;
  databaseMs: number;
}

/**
 * Runs a load phase and divides the main thread's CPU time and the database time (as `databaseMs()` counts
 * it, summed over every query) by the requests it served.
 */
export async function costed<T extends { perSecond: number; requests?: number }>(
  phase: () => Promise<T>,
  databaseMs: () => number,
): Promise<{ result: T; cost: RequestCost | undefined }> {
  const cpu0 = mainThreadCpu();
  const db0 = databaseMs();
  const started = performance.now();
  const result = await phase();
  const seconds = (performance.now() - started) / 1000;
  const cpu1 = mainThreadCpu();
  const requests = result.requests ?? result.perSecond * seconds;
  if (!cpu0 || !cpu1 || requests <= 0) return { result, cost: undefined };
  const per = (x: number) => Math.round((x / requests) * 1000) / 1000;
  return {
    result,
    cost: {
      cpuMs: per(cpu1.userMs + cpu1.systemMs - cpu0.userMs - cpu0.systemMs),
      kernelMs: per(cpu1.systemMs - cpu0.systemMs),
      databaseMs: per(databaseMs() - db0),
    },
  };
}
