/**
 * `npm run fuzz`: the long fuzz run. Sends grammar-aware hostile SCIM and management requests (the generators
 * of test/fuzz/lib/arbitraries.ts) to a real Guestlist on a real socket, on SQLite and, when
 * GUESTLIST_TEST_DATABASE_URL is set, on PostgreSQL, each database in a child process of its own (a crash of
 * the server ends only that run, and is reported as one).
 *
 * Every answer must be below 500, well-formed and prompt (GUESTLIST_FUZZ_HANG_MS, 20 s). Failures are grouped
 * by cause and sorted into the known classes of issue 12 or NEW; the first of each group is shrunk by
 * fast-check to a minimal reproduction. At the end the directory must be consistent (every user and group
 * reads back, counters match rows). The last line is `N cases, N 5xx`; the exit code is 1 on any failure.
 *
 *   npm run fuzz                                   # 100,000 cases on SQLite
 *   npm run fuzz -- --cases 5000 --seed 7
 *   GUESTLIST_TEST_DATABASE_URL=postgres://… npm run fuzz   # SQLite, then PostgreSQL
 *   npm run fuzz -- --db postgres                  # PostgreSQL only (needs the URL)
 *   GUESTLIST_FUZZ_CASES=20000 npm run fuzz
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    cases: { type: 'string' },
    seed: { type: 'string' },
    db: { type: 'string' },
    worker: { type: 'boolean', default: false },
    'shrink-budget': { type: 'string' },
    concurrency: { type: 'string' },
    minutes: { type: 'string' },
    parallel: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});

const CASES = Number(args.cases ?? process.env.GUESTLIST_FUZZ_CASES ?? 100_000);
const SEED = Number(args.seed ?? process.env.GUESTLIST_FUZZ_SEED ?? 20_261_128);
const SHRINK_BUDGET = Number(args['shrink-budget'] ?? 1000);
/** Requests in flight at once (each lane runs its own seeds); 1 gives a fully deterministic run. */
const CONCURRENCY = Number(args.concurrency ?? process.env.GUESTLIST_FUZZ_CONCURRENCY ?? 4);
/** A time budget: no new chunk of cases starts after this many minutes (the run then reports what it did). */
const MINUTES = Number(args.minutes ?? process.env.GUESTLIST_FUZZ_MINUTES ?? Infinity);
const RESULT = 'FUZZ-RESULT ';

interface WorkerResult {
  database: string;
  cases: number;
  fiveHundreds: number;
  hangs: number;
  crashes: number;
  malformed: number;
  statuses: Record<string, number>;
  seconds: number;
  slowest: string[];
  classes: Array<{ signature: string; count: number; known: boolean; reproduction: string; replay: string }>;
  consistency: string[];
}

if (args.worker) await worker();
else await parent();

// ---------------------------------------------------------------------------------------------------------

async function parent(): Promise<void> {
  // Ctrl-C reaches the workers too: they stop starting cases, check the directory and report; wait for them.
  process.on('SIGINT', () => console.log('\nstopping: the runs finish their current cases and report…'));
  const url = process.env.GUESTLIST_TEST_DATABASE_URL;
  const wanted = args.db ?? (url ? 'both' : 'sqlite');
  const databases = wanted === 'both' ? ['sqlite', 'postgres'] : [wanted];
  if (databases.includes('postgres') && !url) {
    console.error('PostgreSQL needs GUESTLIST_TEST_DATABASE_URL=postgres://…');
    process.exit(2);
  }
  console.log(`Guestlist fuzz: ${CASES.toLocaleString('en')} cases per database on ${databases.join(' and ')}, seed ${SEED}\n`);
  // --parallel runs the databases at the same time (faster, but each one's duration then includes sharing).
  const results: WorkerResult[] = args.parallel ? await Promise.all(databases.map(runWorker)) : [];
  if (!args.parallel) for (const database of databases) results.push(await runWorker(database));

  let failed = false;
  for (const r of results) {
    console.log(`\n== ${r.database}: ${r.cases} cases in ${r.seconds.toFixed(0)} s (${(r.cases / r.seconds).toFixed(0)} cases/s)`);
    console.log(`   statuses: ${Object.entries(r.statuses).sort().map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`   5xx ${r.fiveHundreds}, hangs ${r.hangs}, crashes ${r.crashes}, malformed ${r.malformed}`);
    console.log(`   slowest answers:\n     ${r.slowest.join('\n     ')}`);
    for (const c of r.classes) {
      console.log(`\n   [${c.count}×] ${c.signature}\n   replay: ${c.replay}\n   minimal reproduction:\n     ${c.reproduction.replace(/\n/g, '\n     ')}`);
    }
    console.log(r.consistency.length ? `\n   directory INCONSISTENT:\n     ${r.consistency.slice(0, 20).join('\n     ')}` : '   directory consistent afterwards');
    failed ||= r.fiveHundreds + r.hangs + r.crashes + r.malformed > 0 || r.consistency.length > 0;
  }
  console.log('');
  for (const r of results) console.log(`${r.database}: ${r.cases} cases, ${r.fiveHundreds} 5xx, ${r.hangs} hangs, ${r.crashes} crashes, ${r.malformed} malformed, ${r.seconds.toFixed(0)} s`);
  const cases = results.reduce((n, r) => n + r.cases, 0);
  const fives = results.reduce((n, r) => n + r.fiveHundreds, 0);
  console.log(`${cases} cases, ${fives} 5xx`);
  process.exit(failed ? 1 : 0);
}

function runWorker(database: string): Promise<WorkerResult> {
  const env = { ...process.env };
  if (database === 'sqlite') delete env.GUESTLIST_TEST_DATABASE_URL;
  const script = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', script, '--worker', '--cases', String(CASES), '--seed', String(SEED), '--shrink-budget', String(SHRINK_BUDGET), '--concurrency', String(CONCURRENCY), ...(Number.isFinite(MINUTES) ? ['--minutes', String(MINUTES)] : [])], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let progress = 0;
  const started = performance.now();
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    let nl: number;
    while ((nl = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      if (line.startsWith(RESULT)) result = JSON.parse(line.slice(RESULT.length));
      else {
        const m = /^(\w+): (\d+)\//.exec(line);
        if (m) progress = Number(m[2]);
        console.log(line);
      }
    }
  });
  let result: WorkerResult | undefined;
  return new Promise((done) => {
    child.on('exit', (code, signal) => {
      if (result) return done(result);
      // The server process died: that is a crash, whatever the cases before it said.
      done({
        database, cases: progress, fiveHundreds: 0, hangs: 0, crashes: 1, malformed: 0, statuses: {}, slowest: [], seconds: (performance.now() - started) / 1000,
        classes: [{ signature: `crash [NEW] the server process exited (${signal ?? `code ${code}`}) after about ${progress} cases`, count: 1, known: false, reproduction: 'see the output above', replay: `npm run fuzz -- --db ${database} --seed ${SEED}` }],
        consistency: [],
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------

async function worker(): Promise<void> {
  const fc = (await import('fast-check')).default;
  const { anyCase } = await import('../test/fuzz/lib/arbitraries.ts');
  const { classify } = await import('../test/fuzz/lib/classify.ts');
  const { DATABASE, checkDirectory, describeOutcome, runCase, startTarget } = await import('../test/fuzz/lib/server.ts');
  type Outcome = Awaited<ReturnType<typeof runCase>>;

  process.on('uncaughtException', (e) => {
    console.error(`${DATABASE}: uncaught exception in the fuzz process (the server, or the fuzzer itself):`, e);
    process.exit(3);
  });

  const t = await startTarget();
  const started = performance.now();
  const statuses: Record<string, number> = {};
  const counts = { fiveHundreds: 0, hangs: 0, crashes: 0, malformed: 0 };
  const classes = new Map<string, { count: number; known: boolean; reproduction: string; replay: string }>();
  const CHUNK = 250;
  let done = 0;
  let nextReport = 5000;

  /** Shrinks the failing case `index` of the chunk `seed`, keeping only candidates that fail the same way. */
  const shrink = async (seed: number, index: number, numRuns: number, cause: string): Promise<Outcome | undefined> => {
    let budget = SHRINK_BUDGET;
    let smallest: Outcome | undefined;
    await fc.check(
      fc.asyncProperty(anyCase, async (c) => {
        if (budget-- <= 0) return true;
        const o = await runCase(t, c);
        const same = o.problem !== undefined && classify(o).cause === cause;
        if (same) smallest = o;
        return !same;
      }),
      { seed, path: String(index), numRuns },
    );
    return smallest;
  };

  let nextChunk = 0;
  const deadline = performance.now() + MINUTES * 60_000;
  let stopping = false;
  process.on('SIGINT', () => (stopping = true));
  process.on('SIGTERM', () => (stopping = true));
  const slowest: Array<{ ms: number; what: string }> = [];
  let checking: Promise<void> | undefined;
  const lane = async () => {
    for (;;) {
      if (stopping || performance.now() > deadline) return;
      const chunk = nextChunk++;
      if (chunk * CHUNK >= CASES) return;
      const seed = SEED + chunk;
      const numRuns = Math.min(CHUNK, CASES - chunk * CHUNK);
      const failures: Array<{ index: number; outcome: Outcome }> = [];
      let index = -1;
      await fc.check(
        fc.asyncProperty(anyCase, async (c) => {
          index++;
          const o = await runCase(t, c);
          if (o.response && o.response.ms > 1000 && (slowest.length < 10 || o.response.ms > slowest[9]!.ms)) {
            const body = typeof o.resolved.body === 'string' ? ` ${o.resolved.body.length} chars: ${o.resolved.body.slice(0, 120)}` : '';
            slowest.push({ ms: o.response.ms, what: `${o.response.ms.toFixed(0)} ms ${o.response.status} ${o.resolved.method} ${o.resolved.url.slice(0, 120)}${body}` });
            slowest.sort((a, b) => b.ms - a.ms).splice(10);
          }
          const status = o.response ? `${Math.floor(o.response.status / 100)}xx` : o.problem!.kind;
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (o.response?.status === 431) statuses['431 (header size)'] = (statuses['431 (header size)'] ?? 0) + 1;
          if (o.problem) failures.push({ index, outcome: o });
          return true;
        }),
        { seed, numRuns },
      );
      done += numRuns;
      for (const { index: at, outcome } of failures) {
        const kind = outcome.problem!.kind;
        if (kind === '5xx') counts.fiveHundreds++;
        else if (kind === 'hang') counts.hangs++;
        else if (kind === 'crash') counts.crashes++;
        else counts.malformed++;
        const { cause } = classify(outcome);
        const entry = classes.get(cause);
        if (entry) {
          entry.count++;
          continue;
        }
        const placeholder = { count: 1, known: false, reproduction: describeOutcome(outcome, 400), replay: '' };
        classes.set(cause, placeholder);
        const smallest = (await shrink(seed, at, numRuns, cause)) ?? outcome;
        const { known } = classify(smallest);
        Object.assign(placeholder, {
          known: known !== undefined,
          label: `${known ? `[known? ${known}]` : '[NEW]'} ${cause}`,
          reproduction: describeOutcome(smallest, 400),
          replay: `npm run fuzz -- --db ${DATABASE} --seed ${SEED} --concurrency 1  (chunk seed ${seed}, case ${at})`,
        });
        console.log(`${DATABASE}: new failure class: ${(placeholder as { label?: string }).label}\n  ${placeholder.reproduction.replace(/\n/g, '\n  ')}`);
      }
      if (done >= nextReport || done >= CASES) {
        nextReport += 5000;
        const seconds = (performance.now() - started) / 1000;
        console.log(`${DATABASE}: ${done}/${CASES} cases, ${counts.fiveHundreds} 5xx, ${counts.hangs} hangs, ${counts.crashes} crashes, ${counts.malformed} malformed (${(done / seconds).toFixed(0)} cases/s)`);
      }
      if (chunk % 20 === 19 && !checking) {
        checking = checkDirectory(t, 100, CONCURRENCY > 1).then((problems) => {
          if (problems.length) console.log(`${DATABASE}: consistency problems after ${done} cases:\n  ${problems.slice(0, 10).join('\n  ')}`);
          checking = undefined;
        });
        await checking;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, CONCURRENCY) }, lane));
  const seconds = (performance.now() - started) / 1000;
  // Lists, totals and counters in full; individual reads for up to 2,000 users and groups each (every one
  // of tens of thousands, read one by one, takes longer than the run on a busy machine).
  console.log(`${DATABASE}: checking the directory…`);
  const consistency = await checkDirectory(t, 2000);
  await t.close();
  const result: WorkerResult = {
    database: DATABASE, cases: done, ...counts, statuses, seconds, slowest: slowest.map((s) => s.what),
    classes: [...classes].sort((a, b) => Number(a[1].known) - Number(b[1].known) || b[1].count - a[1].count).map(([cause, c]) => ({ ...c, signature: (c as { label?: string }).label ?? cause })),
    consistency,
  };
  process.stdout.write(`${RESULT}${JSON.stringify(result)}\n`);
  process.exit(0);
}
