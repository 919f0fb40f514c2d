import { describe, expect, it } from 'vitest';
import { compareFileOf, compareRuns, comparisonReport, directionOf, figures, thresholdOf } from '../../bench/compare.ts';

const previous = {
  machine: '2 × CPU',
  date: '2025-01-01T00:00:00.000Z',
  scim: [
    { database: 'sqlite', users: 100_000, create: { perSecond: 1000, p50: 10, p99: 20, errors: 0 } },
    { database: 'postgres', users: 100_000, create: { perSecond: 500, p50: 20, p99: 40, errors: 0 } },
  ],
  memory: [{ database: 'sqlite', operations: [{ name: 'PATCH add', peakGrowthMb: 80, targetMb: 20, seconds: 1.5 }] }],
};

const current = {
  machine: '2 × CPU',
  date: '2025-02-01T00:00:00.000Z',
  scim: [
    // In another order: results are matched by their database, not their position.
    { database: 'postgres', users: 100_000, create: { perSecond: 520, p50: 19, p99: 60, errors: 0 } },
    { database: 'sqlite', users: 100_000, create: { perSecond: 850, p50: 10.5, p99: 19, errors: 0 } },
  ],
  memory: [{ database: 'sqlite', operations: [{ name: 'PATCH add', peakGrowthMb: 12, targetMb: 20, seconds: 1.6 }] }],
  hostile: [{ database: 'sqlite', victim: { p99: 5 } }],
};

describe('the bench regression guard', () => {
  it('tells rates (higher is better) from latencies, durations and megabytes (lower is better), and skips the rest', () => {
    expect(directionOf('perSecond')).toBe('higher');
    for (const key of ['p50', 'p99', 'max', 'maxMs', 'seconds', 'addSeconds', 'peakGrowthMb', 'peakRssMb', 'dbMsPerRequest', 'errors']) expect(directionOf(key)).toBe('lower');
    for (const key of ['users', 'targetMb', 'concurrency', 'largestBatch', 'writes', 'ratePerSecond', 'groupMembers']) expect(directionOf(key)).toBeUndefined();
  });

  it('keys arrays of results by their name', () => {
    const f = figures(current);
    expect(f.get('scim.sqlite.create.perSecond')).toBe(850);
    expect(f.get('memory.sqlite.operations.PATCH add.peakGrowthMb')).toBe(12);
  });

  it('gives each figure its ratio to the previous run and flags those worse by more than the threshold', () => {
    const byFigure = new Map(compareRuns(previous, current).map((c) => [c.figure, c]));
    // 850 / 1000: a rate 15% lower is worse.
    expect(byFigure.get('scim.sqlite.create.perSecond')).toMatchObject({ old: 1000, new: 850, ratio: 0.85, better: 'higher', worse: true });
    // 520 / 500: a higher rate is better.
    expect(byFigure.get('scim.postgres.create.perSecond')).toMatchObject({ ratio: 1.04, worse: false });
    // 60 / 40: a latency 50% higher is worse; 10.5 / 10 is within 10%.
    expect(byFigure.get('scim.postgres.create.p99')).toMatchObject({ ratio: 1.5, better: 'lower', worse: true });
    expect(byFigure.get('scim.sqlite.create.p50')).toMatchObject({ ratio: 1.05, worse: false });
    // Fewer megabytes are better.
    expect(byFigure.get('memory.sqlite.operations.PATCH add.peakGrowthMb')).toMatchObject({ ratio: 0.15, better: 'lower', worse: false });
    // Zero errors before and after: a ratio of 1, not a division by zero.
    expect(byFigure.get('scim.sqlite.create.errors')).toMatchObject({ ratio: 1, worse: false });
    // Sizes, targets and figures only one run has are left out.
    expect(byFigure.has('scim.sqlite.users')).toBe(false);
    expect(byFigure.has('memory.sqlite.operations.PATCH add.targetMb')).toBe(false);
    expect(byFigure.has('hostile.sqlite.victim.p99')).toBe(false);
  });

  it('takes its threshold from the arguments', () => {
    expect(thresholdOf([])).toBe(0.1);
    expect(thresholdOf(['--compare', 'old.json', '--threshold', '20'])).toBe(0.2);
    expect(compareFileOf(['performance', '--compare', 'old.json'])).toBe('old.json');
    // With a 60% threshold, only the latency that grew by half is within bounds: nothing is flagged.
    expect(compareRuns(previous, current, 0.6).filter((c) => c.worse)).toEqual([]);
  });

  it('prints one line per figure and names the worse ones', () => {
    const report = comparisonReport(compareRuns(previous, current));
    const line = report.split('\n').find((l) => l.startsWith('scim.sqlite.create.perSecond'))!;
    expect(line).toMatch(/1,000\s+850\s+0\.85\s+higher\s+WORSE$/);
    expect(report).toContain('2 of 10 figures worse than the previous run by more than 10%: scim.postgres.create.p99, scim.sqlite.create.perSecond.');
  });
});
