/**
 * The regression guard: `npm run bench -- --compare previous.json` (or `node --import tsx bench/compare.ts
 * previous.json current.json`). Each figure of this run (the `--json` document) is set beside the same figure of
 * a previous run, as new/old, and flagged when it is worse by more than the threshold (10% unless
 * `--threshold <percent>`). Rates are better higher; latencies, durations and megabytes better lower. Figures
 * that are neither (sizes, counts, shares) are not compared; figures only one run has are skipped.
 */
import fs from 'node:fs';

export type Direction = 'higher' | 'lower';

export interface Comparison {
  /** Where the figure sits in the document, e.g. `performance.results.sqlite.writes.POST.64.perSecond`. */
  figure: string;
  old: number;
  new: number;
  /** new / old. */
  ratio: number;
  better: Direction;
  /** Worse than the previous run by more than the threshold. */
  worse: boolean;
}

export const DEFAULT_THRESHOLD = 0.1;

/** Fields that name an element of an array of results (so that arrays are matched by name, not position). */
const NAMING_FIELDS = ['database', 'phase', 'name', 'users', 'kind'];

/** Settings and sizes, not figures: the same in both runs unless the run was set up differently. */
const NOT_FIGURES = /target|concurrency|ratepersecond|users|size|count|batch|^writes$|^events$|directories|completed|answered|seq|members$/i;
const HIGHER = /persecond$/i;
const LOWER = /(p\d+|max|mean|min|ms|seconds|mb|errors|msperrequest)$/i;

/** Whether a figure is better higher or lower, from its name; undefined for figures that are not compared. */
export function directionOf(key: string): Direction | undefined {
  if (NOT_FIGURES.test(key)) return undefined;
  if (HIGHER.test(key)) return 'higher';
  if (LOWER.test(key)) return 'lower';
  return undefined;
}

/** Every numeric figure of a document, by path; arrays of named objects are keyed by their name. */
export function figures(doc: unknown, prefix = '', out = new Map<string, number>()): Map<string, number> {
  if (typeof doc === 'number' && Number.isFinite(doc)) out.set(prefix, doc);
  else if (Array.isArray(doc)) {
    doc.forEach((item, i) => {
      const field = item && typeof item === 'object' ? NAMING_FIELDS.find((f) => ['string', 'number'].includes(typeof (item as Record<string, unknown>)[f])) : undefined;
      const name = field ? String((item as Record<string, unknown>)[field]) : String(i);
      figures(item, prefix ? `${prefix}.${name}` : name, out);
    });
  } else if (doc && typeof doc === 'object') {
    for (const [key, value] of Object.entries(doc)) figures(value, prefix ? `${prefix}.${key}` : key, out);
  }
  return out;
}

/** The figures both documents have and that have a direction, in the current document's order. */
export function compareRuns(previous: unknown, current: unknown, threshold = DEFAULT_THRESHOLD): Comparison[] {
  const before = figures(previous);
  const out: Comparison[] = [];
  for (const [figure, value] of figures(current)) {
    const old = before.get(figure);
    const better = directionOf(figure.split('.').at(-1)!);
    // A negative figure (memory handed back) has no meaningful ratio.
    if (old === undefined || better === undefined || old < 0 || value < 0) continue;
    // A figure that was zero has no ratio; it is worse only if a lower-better figure left zero.
    const ratio = old === 0 ? (value === 0 ? 1 : Infinity) : value / old;
    const worse = better === 'higher' ? ratio < 1 - threshold : ratio > 1 + threshold;
    out.push({ figure, old, new: value, ratio, better, worse });
  }
  return out;
}

const shown = (x: number) => (Number.isInteger(x) ? x.toLocaleString('en') : String(Math.round(x * 1000) / 1000));

/** The comparison as text: one line per figure, the worse ones marked, and a summary line. */
export function comparisonReport(comparisons: Comparison[], threshold = DEFAULT_THRESHOLD): string {
  const width = Math.max(6, ...comparisons.map((c) => c.figure.length));
  const lines = [`${'figure'.padEnd(width)}  ${'old'.padStart(10)}  ${'new'.padStart(10)}  new/old  better`];
  for (const c of comparisons) {
    const ratio = Number.isFinite(c.ratio) ? c.ratio.toFixed(2) : '∞';
    lines.push(`${c.figure.padEnd(width)}  ${shown(c.old).padStart(10)}  ${shown(c.new).padStart(10)}  ${ratio.padStart(7)}  ${c.better.padEnd(6)}${c.worse ? '  WORSE' : ''}`);
  }
  const worse = comparisons.filter((c) => c.worse);
  lines.push(
    '',
    worse.length === 0
      ? `No figure worse than the previous run by more than ${Math.round(threshold * 100)}% (${comparisons.length} compared).`
      : `${worse.length} of ${comparisons.length} figures worse than the previous run by more than ${Math.round(threshold * 100)}%: ${worse.map((c) => c.figure).join(', ')}.`,
  );
  return lines.join('\n');
}

/** `--threshold <percent>` from the arguments, as a fraction. */
export function thresholdOf(args: string[]): number {
  const i = args.indexOf('--threshold');
  const value = i >= 0 ? Number(args[i + 1]) : NaN;
  return Number.isFinite(value) && value >= 0 ? value / 100 : DEFAULT_THRESHOLD;
}

/** `--compare <file>` from the arguments. */
export function compareFileOf(args: string[]): string | undefined {
  const i = args.indexOf('--compare');
  return i >= 0 ? args[i + 1] : undefined;
}

/** The previous run's document; a bench run's stdout may carry text before the JSON, which is skipped. */
export function readRun(file: string): unknown {
  const text = fs.readFileSync(file, 'utf8');
  return JSON.parse(text.slice(text.indexOf('{')));
}

if (process.argv[1] && import.meta.filename === fs.realpathSync(process.argv[1])) {
  const args = process.argv.slice(2);
  const files = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--threshold');
  if (files.length !== 2) {
    process.stderr.write('usage: node --import tsx bench/compare.ts <previous.json> <current.json> [--threshold <percent>]\n');
    process.exit(2);
  }
  const threshold = thresholdOf(args);
  const comparisons = compareRuns(readRun(files[0]!), readRun(files[1]!), threshold);
  process.stdout.write(comparisonReport(comparisons, threshold) + '\n');
  if (comparisons.some((c) => c.worse)) process.exitCode = 1;
}
