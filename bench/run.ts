/**
 * `npm run bench [suite…] [--json] [--compare previous.json [--threshold percent]]`. Suites: scim, events, mapping, sources, performance, hostile, memory (all when none is named). Runs on
 * SQLite, and on PostgreSQL too when GUESTLIST_TEST_DATABASE_URL is set; prints a table and rewrites that suite's
 * section of docs/benchmarks.md (performance and hostile: of docs/performance.md), leaving the others as they were.
 * `--compare` then sets each figure beside a previous `--json` run's (bench/compare.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import { boundHeapGrowth, DEFAULT_HEAP_GROWING_PERCENT } from '../src/heap.ts';
import { compareFileOf, compareRuns, comparisonReport, readRun, thresholdOf } from './compare.ts';
import { runEventsBench, type EventsFigures } from './events.ts';
import { HOSTILE_KINDS } from './hostile-client.ts';
import { HOSTILE_TARGETS, runHostileBench, type HostileFigures } from './hostile.ts';
import { mappingTable, runMappingBench, type MappingFigures } from './mapping.ts';
import { runSourcesBench, sourcesTable, type SourcesFigures } from './sources.ts';
import { memoryTable, runMemoryBench } from './memory.ts';
import { measureCeiling, READ_CONNECTIONS, runPerformanceBench, type Ceiling, type PerformanceFigures } from './performance.ts';
import { runProcessesBench } from './processes.ts';
import type { Shares } from './profile.ts';
import { runScimBench, type ScimFigures } from './scim.ts';

// The in-process servers run as `guestlist start` does (src/heap.ts), GUESTLIST_HEAP_GROWING_PERCENT included.
boundHeapGrowth(Number(process.env.GUESTLIST_HEAP_GROWING_PERCENT ?? DEFAULT_HEAP_GROWING_PERCENT));

const args = process.argv.slice(2);
const json = args.includes('--json');
const suites = args.filter((a, i) => !a.startsWith('--') && !['--compare', '--threshold'].includes(args[i - 1]!));
const wanted = suites.length > 0 ? suites : ['scim', 'events', 'mapping', 'sources', 'performance', 'hostile', 'memory'];
const compareFile = compareFileOf(args);

const TARGETS = { creates: 1500, lookupP99: 20, memberAdd: 20, deliveries: 3000, firstAttemptP99: 20 };

function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node.js ${process.version}`;
}

function scimTable(results: ScimFigures[]): string {
  const rows: string[] = ['| measure | ' + results.map((r) => r.database).join(' | ') + ' | target (SQLite) |', '| --- |' + results.map(() => ' ---: |').join('') + ' --- |'];
  const row = (label: string, f: (r: ScimFigures) => string, target: string) => rows.push(`| ${label} | ${results.map(f).join(' | ')} | ${target} |`);
  row('users in the directory', (r) => r.users.toLocaleString('en'), '100,000');
  row('POST /Users per second (c=32)', (r) => r.create.perSecond.toLocaleString('en'), `≥ ${TARGETS.creates}`);
  row('POST /Users p50 / p99 ms', (r) => `${r.create.p50} / ${r.create.p99}`, '');
  row('POST /Users errors', (r) => String(r.create.errors), '0');
  for (const name of Object.keys(results[0]!.lookups)) {
    row(`\`${name}\` per second (c=8)`, (r) => r.lookups[name]!.perSecond.toLocaleString('en'), '');
    row(`\`${name}\` p50 / p99 ms`, (r) => `${r.lookups[name]!.p50} / ${r.lookups[name]!.p99}`, `p99 ≤ ${TARGETS.lookupP99}`);
  }
  row('add 1 member, group of 50,000: p50 / p99 ms', (r) => `${r.memberAdd.p50} / ${r.memberAdd.p99}`, `≤ ${TARGETS.memberAdd}`);
  row('add 1 member, group of 1+: p50 / p99 ms', (r) => `${r.memberAdd.smallGroupP50} / ${r.memberAdd.smallGroupP99}`, 'same as above');
  return rows.join('\n');
}

async function main(): Promise<void> {
  const output: Record<string, unknown> = { machine: machine(), date: new Date().toISOString() };
  if (wanted.includes('scim')) {
    const results = [await runScimBench('sqlite')];
    if (process.env.GUESTLIST_TEST_DATABASE_URL) results.push(await runScimBench('postgres'));
    output.scim = results;
    const table = scimTable(results);
    if (!json) process.stdout.write(`\nSCIM (${machine()})\n\n${table}\n`);
    writeSection('scim', scimSection(table, results));
  }
  if (wanted.includes('events')) {
    const results = [await runEventsBench('sqlite')];
    if (process.env.GUESTLIST_TEST_DATABASE_URL) results.push(await runEventsBench('postgres'));
    output.events = results;
    const table = eventsTable(results);
    if (!json) process.stdout.write(`\nEvents and webhooks (${machine()})\n\n${table}\n`);
    writeSection('events', eventsSection(table, results));
  }
  if (wanted.includes('mapping')) {
    const results = [await runMappingBench('sqlite')];
    if (process.env.GUESTLIST_TEST_DATABASE_URL) results.push(await runMappingBench('postgres'));
    output.mapping = results;
    const table = mappingTable(results);
    if (!json) process.stdout.write(`\nAttribute re-evaluation (${machine()})\n\n${table}\n`);
    writeSection('mapping', mappingSection(table, results));
  }
  if (wanted.includes('sources')) {
    const results = [await runSourcesBench('sqlite')];
    if (process.env.GUESTLIST_TEST_DATABASE_URL) results.push(await runSourcesBench('postgres'));
    output.sources = results;
    const table = sourcesTable(results);
    if (!json) process.stdout.write(`\nPulled directories (${machine()})\n\n${table}\n`);
    writeSection('sources', sourcesSection(table));
  }
  if (wanted.includes('performance')) {
    const ceiling = await measureCeiling();
    const results = [await runPerformanceBench('sqlite')];
    if (process.env.GUESTLIST_TEST_DATABASE_URL) results.push(await runPerformanceBench('postgres'));
    output.performance = { ceiling, results };
    const table = performanceTable(ceiling, results);
    if (!json) process.stdout.write(`\nPerformance (${machine()})\n\n${table}\n`);
    // The hostile suite's section lives in the same file and survives this rewrite.
    const kept = markedSection(fs.existsSync(PERFORMANCE_DOC) ? fs.readFileSync(PERFORMANCE_DOC, 'utf8') : '', 'hostile');
    fs.writeFileSync(PERFORMANCE_DOC, performanceDoc(table, ceiling, results) + (kept ? `\n${kept}\n` : ''));
  }
  if (wanted.includes('hostile')) {
    const results = [await runHostileBench('sqlite')];
    if (process.env.GUESTLIST_TEST_DATABASE_URL) results.push(await runHostileBench('postgres'));
    output.hostile = results;
    const table = hostileTable(results);
    if (!json) process.stdout.write(`\nHostile load (${machine()})\n\n${table}\n`);
    writeSection('hostile', hostileSection(table, results), PERFORMANCE_DOC);
  }
  if (wanted.includes('memory')) {
    const results = [await runMemoryBench('sqlite')];
    if (process.env.GUESTLIST_TEST_DATABASE_URL) results.push(await runMemoryBench('postgres'));
    output.memory = results;
    const table = memoryTable(results);
    if (!json) process.stdout.write(`\nMemory (${machine()})\n\n${table}\n`);
    writeSection('memory', memorySection(table));
  }
  // Only when named (PostgreSQL, spawns the built command): `npm run bench processes`; writes docs/scaling.md.
  if (suites.includes('processes')) output.processes = await runProcessesBench({ json });
  if (json) process.stdout.write(JSON.stringify(output, null, 2) + '\n');
  if (compareFile) {
    const threshold = thresholdOf(args);
    const comparisons = compareRuns(readRun(compareFile), output, threshold);
    // With --json the comparison goes to stderr, so stdout stays one JSON document for the next --compare.
    (json ? process.stderr : process.stdout).write(`\nCompared with ${compareFile}\n\n${comparisonReport(comparisons, threshold)}\n`);
  }
}

const pct = (x: number, of: number) => `${Math.round((x / of) * 100)}%`;

function performanceTable(ceiling: Ceiling, results: PerformanceFigures[]): string {
  const bare = ceiling.bareHttp.perSecond;
  const insert = ceiling.httpSqliteInsert.perSecond;
  const rows: string[] = ['| measure | ' + results.map((r) => r.database).join(' | ') + ' |', '| --- |' + results.map(() => ' ---: |').join('')];
  const row = (label: string, f: (r: PerformanceFigures) => string) => rows.push(`| ${label} | ${results.map(f).join(' | ')} |`);
  rows.push(`| ceiling: bare node:http POST/s (c=64), p50 / p99 ms | ${results.map(() => `${bare.toLocaleString('en')}, ${ceiling.bareHttp.p50} / ${ceiling.bareHttp.p99}`).join(' | ')} |`);
  rows.push(`| ceiling: node:http + 1 SQLite insert POST/s (c=64), p50 / p99 ms | ${results.map(() => `${insert.toLocaleString('en')}, ${ceiling.httpSqliteInsert.p50} / ${ceiling.httpSqliteInsert.p99}`).join(' | ')} |`);
  for (const method of ['POST', 'PUT', 'PATCH']) {
    for (const c of [1, 16, 64, 256]) {
      row(`${method} /Users c=${c}: per s (of insert ceiling), p50 / p99 ms, errors`, (r) => {
        const w = r.writes[method]![c]!;
        return `${w.perSecond.toLocaleString('en')} (${pct(w.perSecond, insert)}), ${w.p50} / ${w.p99}, ${w.errors}`;
      });
    }
  }
  row('POST /Users c=64, group commit off: per s (of insert ceiling), p50 / p99 ms, errors', (r) => {
    const w = r.postAlone64;
    return `${w.perSecond.toLocaleString('en')} (${pct(w.perSecond, insert)}), ${w.p50} / ${w.p99}, ${w.errors}`;
  });
  row('POST /Users c=64 over four directories: per s (of insert ceiling), p50 / p99 ms, errors', (r) => {
    const w = r.postFourDirectories64;
    return `${w.perSecond.toLocaleString('en')} (${pct(w.perSecond, insert)}), ${w.p50} / ${w.p99}, ${w.errors}`;
  });
  row('group commit over all the write phases: writes per batch (mean / largest)', (r) =>
    `${(r.groupCommit.writes / Math.max(1, r.groupCommit.batches)).toFixed(1)} / ${r.groupCommit.largestBatch}`);
  row(`ceiling: node:http + 1 indexed lookup by id / by userName, at the largest size (c=${READ_CONNECTIONS}): per s, p99 ms`, (r) =>
    r.readCeiling ? `${r.readCeiling.getById.perSecond.toLocaleString('en')}, ${r.readCeiling.getById.p99} / ${r.readCeiling.userNameEq.perSecond.toLocaleString('en')}, ${r.readCeiling.userNameEq.p99}` : '–');
  const reads = Object.keys(results[0]!.reads);
  for (const name of reads) {
    for (let k = 0; k < results[0]!.reads[name]!.length; k++) {
      const users = results[0]!.reads[name]![k]!.users;
      row(`\`${name}\` at ${users.toLocaleString('en')} users (c=${READ_CONNECTIONS}): per s (of lookup ceiling), p99 ms, DB ms per request`, (r) => {
        const x = r.reads[name]![k];
        const ceiling = r.readCeiling ? (name === 'get by id' ? r.readCeiling.getById : r.readCeiling.userNameEq).perSecond : bare;
        return x ? `${x.result.perSecond.toLocaleString('en')} (${pct(x.result.perSecond, ceiling)}), ${x.result.p99}, ${x.dbMsPerRequest}` : '–';
      });
    }
  }
  row('`GET /events` page of 100: p50 / p99 ms', (r) => `${r.eventsPage.p50} / ${r.eventsPage.p99}`);
  row('write → first webhook attempt: p50 / p99 ms', (r) => `${r.writeToWebhook.p50} / ${r.writeToWebhook.p99}`);
  row('PATCH add 10,000 members / remove them: s; RSS growth MB', (r) => `${r.members10k.addSeconds} / ${r.members10k.removeSeconds}; ${r.members10k.rssGrowthMb}`);
  row('peak RSS MB (whole benchmark process)', (r) => String(r.peakRssMb));
  row('event-loop delay p99 ms under POST / PUT / PATCH c=64', (r) => ['POST', 'PUT', 'PATCH'].map((m) => r.loopDelayP99Ms?.[m] ?? '–').join(' / '));
  return rows.join('\n');
}

function performanceDoc(table: string, ceiling: Ceiling, results: PerformanceFigures[]): string {
  const sqlite = results[0]!;
  const pg = results.find((r) => r.database === 'postgres');
  const best = (r: PerformanceFigures, method: string) => Math.max(...Object.values(r.writes[method]!).map((w) => w.perSecond));
  const filtered = Object.entries(sqlite.reads).filter(([n]) => n !== 'get by id').flatMap(([, v]) => v);
  const largest = Math.max(...filtered.map((f) => f.users));
  const atLargest = filtered.filter((f) => f.users === largest);
  const getById = (r: PerformanceFigures) => r.reads['get by id']!.find((f) => f.users === largest)!.result;
  const pgReads = (r: PerformanceFigures) => Math.min(...Object.values(r.reads).flatMap((v) => v.filter((f) => f.users === largest).map((f) => f.result.perSecond)));
  return `# Performance

Written by \`npm run bench performance\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine()}.
Command: \`npm run bench performance\` (add \`GUESTLIST_TEST_DATABASE_URL=postgres://…\` for the PostgreSQL
column; \`BENCH_SIZES\` and \`BENCH_SECONDS\` change the directory sizes and the length of each load phase,
here ${process.env.BENCH_SIZES ?? '10000,100000,1000000'} users and ${process.env.BENCH_SECONDS ?? 5} s).

One process holds the real HTTP server; autocannon runs in a worker thread; the directory is seeded by direct
inserts, then everything is measured through HTTP. The ceiling is this machine's own: the same autocannon
against a bare node:http server (${ceiling.bareHttp.perSecond.toLocaleString('en')} POST/s) and against node:http doing one
SQLite insert per request (${ceiling.httpSqliteInsert.perSecond.toLocaleString('en')} POST/s); writes are shown as a share of the
second. For reads the ceiling is node:http answering with one row looked up by an index in the run's own
database at its largest size (by id, and by userName for the filters), under the same load; reads are shown as a
share of it. "DB ms per request" sums the duration of every query a request ran (measured one request at a
time), as Kysely reports it. The ceilings themselves move between runs on these shared machines (the bare
node:http ceiling has been measured from about 22,000 to 49,000 POST/s on the same kind of machine), so compare
runs by their shares of the same run's ceilings, not by their rates.

${table}

Against the targets (SQLite, one process):

${['POST', 'PUT', 'PATCH'].map((method) => { const w = sqlite.writes[method]![64]!; return verdict(w.perSecond >= 4000 && w.p99 <= 50, `durable ${method} writes at c=64: ${w.perSecond.toLocaleString('en')}/s with p99 ${w.p99} ms, against ≥ 4,000/s with p99 ≤ 50 ms.`); }).join('\n')}
${verdict(['POST', 'PUT', 'PATCH'].every((m) => (sqlite.loopDelayP99Ms?.[m] ?? Infinity) <= 20), `event-loop delay p99 under POST / PUT / PATCH at c=64: ${['POST', 'PUT', 'PATCH'].map((m) => sqlite.loopDelayP99Ms?.[m] ?? '–').join(' / ')} ms, against ≤ 20 ms.`)}
${verdict(Math.min(...atLargest.map((f) => f.result.perSecond)) >= 8000, `filtered reads at ${largest.toLocaleString('en')} users: ${Math.min(...atLargest.map((f) => f.result.perSecond)).toLocaleString('en')}–${Math.max(...atLargest.map((f) => f.result.perSecond)).toLocaleString('en')}/s, against ≥ 8,000/s; this machine's ceiling for a userName lookup in the same run (node:http and one indexed SELECT, nothing else) was ${sqlite.readCeiling.userNameEq.perSecond.toLocaleString('en')}/s${sqlite.readCeiling.userNameEq.perSecond < 8000 ? ', below the target' : ''}.`)}
${verdict(getById(sqlite).perSecond >= 10000 && getById(sqlite).p99 <= 20, `get by id at ${largest.toLocaleString('en')} users: ${getById(sqlite).perSecond.toLocaleString('en')}/s with p99 ${getById(sqlite).p99} ms, against ≥ 10,000/s; the ceiling for a lookup by id in the same run was ${sqlite.readCeiling.getById.perSecond.toLocaleString('en')}/s${sqlite.readCeiling.getById.perSecond < 10000 ? ', below the target' : ''}.`)}
${verdict(atLargest.every((f) => f.result.p99 <= 20), `read p99 at ${largest.toLocaleString('en')} users: at most ${Math.max(...atLargest.map((f) => f.result.p99))} ms, against ≤ 20 ms.`)}
${verdict(Math.max(...atLargest.map((f) => f.dbMsPerRequest)) <= 1, `database time per lookup at ${largest.toLocaleString('en')} users: at most ${Math.max(...atLargest.map((f) => f.dbMsPerRequest))} ms, against ≤ 1 ms.`)}
${verdict(Math.max(sqlite.members10k.addSeconds, sqlite.members10k.removeSeconds) <= 2, `a PATCH adding 10,000 members: ${sqlite.members10k.addSeconds} s, removing them: ${sqlite.members10k.removeSeconds} s, against ≤ 2 s (RSS grew ${sqlite.members10k.rssGrowthMb} MB).`)}
${pg ? verdict(pgReads(pg) >= 4000, `PostgreSQL reads at ${largest.toLocaleString('en')} users: at worst ${pgReads(pg).toLocaleString('en')}/s, against ≥ 4,000/s; the ceiling (node:http and one indexed SELECT through pg, the server on the same two cores) was ${pg.readCeiling.getById.perSecond.toLocaleString('en')}/s by id and ${pg.readCeiling.userNameEq.perSecond.toLocaleString('en')}/s by userName${Math.max(pg.readCeiling.getById.perSecond, pg.readCeiling.userNameEq.perSecond) < 4000 ? ', below the target' : ''}.`) : ''}
${pg ? verdict(Math.min(best(pg, 'POST'), best(pg, 'PUT'), best(pg, 'PATCH')) >= 2000 && pg.postFourDirectories64.perSecond >= 2500, `PostgreSQL writes on one directory: at best ${best(pg, 'POST').toLocaleString('en')} POST/s, ${best(pg, 'PUT').toLocaleString('en')} PUT/s and ${best(pg, 'PATCH').toLocaleString('en')} PATCH/s, against ≥ 2,000/s each; POST over four: ${pg.postFourDirectories64.perSecond.toLocaleString('en')}/s, against ≥ 2,500/s.`) : '- PostgreSQL not measured in this run.'}

## Group commit

Concurrent SCIM writes share one transaction and one commit (\`src/store/group-commit.ts\`; at most
\`GUESTLIST_GROUP_COMMIT_MAX_BATCH\` writes, 64 by default). The same POST load at c=64 with it turned off:
${results.map((r) => `${r.database} ${r.postAlone64.perSecond.toLocaleString('en')}/s (p99 ${r.postAlone64.p99} ms) against ${r.writes.POST![64]!.perSecond.toLocaleString('en')}/s (p99 ${r.writes.POST![64]!.p99} ms) with it, ×${(r.writes.POST![64]!.perSecond / Math.max(1, r.postAlone64.perSecond)).toFixed(2)}`).join('; ')}.

On SQLite a batch runs on the main thread (better-sqlite3 is synchronous) and gives the event loop a turn every
2 ms (\`writerSlices\`, \`src/store/sqlite-dialect.ts\`), so that requests keep being read and answered while
it runs: an A/B on this machine (c=64, 4 s phases, alternated) moved the loop's p99 under POST, PATCH and PUT
from 33–42 ms to 12–16 ms, with rates the same or higher.

A directory's writes are held by one batch at a time (so that two transactions of one process never deadlock on
its rows); on PostgreSQL, up to four batches of different directories run at once. The same c=64 POST load
spread over four directories: ${results.map((r) => `${r.database} ${r.postFourDirectories64.perSecond.toLocaleString('en')}/s (p99 ${r.postFourDirectories64.p99} ms)`).join('; ')}.

On PostgreSQL a directory's batch is serialized, so its length is the sum of its statements' round trips, and
that bounds one directory's write rate. A batch of k PATCHes was 3k + 6 statements in a row (begin, the
directory's lock; per write a savepoint, a locking select and the update; the event sequence, the events, the
commit), and each write read its user's groups again after the commit. Now (docs/scim.md, "Few round trips")
\`begin\` and the savepoints are sent without waiting for their answer (pg's pipeline mode), the batch reads the
users of its queued PUTs and PATCHes ahead in one locking statement with their groups, and the event sequence's
update is part of the events' insert: k + 4 round trips. An alternated A/B on 2026-12-03 (the commit before and
after, 10,000 users, c=64, 4 s phases, three rounds, PostgreSQL on the same two cores; the host was slow that
day, so compare within a round): PATCH 281 / 466 / 381 → 905 / 720 / 1,048 per s, PUT 391 / 669 / 521 →
1,272 / 1,180 / 943, POST 628 / 1,124 / 971 → 1,459 / 1,222 / 1,191; main-thread CPU per PATCH 2.02 / 1.30 /
1.56 → 0.65 / 0.86 / 0.55 ms (each statement costs CPU on both sides: a socket write, a wake-up of the server
process, parsing its answer). On SQLite the PATCH's groups now come with its user in one statement: CPU per
PATCH 0.307 / 0.299 / 0.361 → 0.267 / 0.294 / 0.249 ms in the same kind of A/B. A user's insert and update
(and its emails'), the events' insert and the SCIM request log's are built by Kysely once per shape, their
columns and rows (\`src/store/scim/write-shapes.ts\`):
inserting a user with one email took 32.9–37.6 µs of CPU built each time and 19.2–22.7 µs from its shape
(SQLite, 5,000 inserts a round, six rounds alternated, statements included), below what this host's noise lets
an HTTP A/B show.

Then the k updates went too (PostgreSQL, \`src/store/tail-writes.ts\`): a PUT's or PATCH's update that keeps
the user's userName, externalId and emails waits for the batch's end, and the batch's updates are one statement,
so a batch of k PUTs or PATCHes queued together is 5 round trips (4 since the batch's lock is pipelined too). An alternated A/B on 2026-12-03 (the option
off and on, 10,000 users, c=64, 4 s phases, three rounds): PATCH 1,396 / 1,176 / 942 → 2,892 / 1,763 / 2,444
per s, PUT 1,881 / 1,340 / 1,397 → 2,365 / 2,156 / 2,270; main-thread CPU per PATCH 0.41 / 0.49 / 0.61 →
0.19 / 0.32 / 0.24 ms; 98–99% of the updates deferred, 54 to a statement on average. (The benchmark's seeded
users were not stored as a SCIM POST stores them until that day: their resource lacked their externalId, so
each PATCH of one also cleared it, and could not be deferred; test/bench/seed.test.ts now checks the seed.)

## Reads

A lookup an IdP makes (\`userName eq\`, \`externalId eq\`, an email, a member) is one statement on SQLite's read
connection, on the main thread: the user with its groups as JSON in a correlated subquery. LIMIT and OFFSET
are written into the SQL as integer literals (\`LiteralLimitCompiler\`, \`src/store/sqlite-dialect.ts\`):
SQLite 3.53 plans a statement again on every run whose bound LIMIT changed, and the same cached statement took
38 µs with \`limit ?\` against 12–16 µs with \`limit 1\` (measured with better-sqlite3 alone, 20,000 users);
database time per filtered read at 100,000 users went from 0.136 to 0.084 ms (userName), 0.259 to 0.149
(emails) and 0.129 to 0.075 (members).

Lists of one shape share their statements (\`src/store/scim/statement-shapes.ts\`, \`src/directory/list-shape.ts\`):
a filter with its string values taken out is a shape, as IdPs send the same lookup with another userName each
time. When a shape comes a second time, its list is compiled with its real values and with two sets of probe
values (other lengths, other numbers); the template read back from the probes (the SQL text, and for each parameter the
argument it binds, as is or lowercased, or a constant) is kept only if both probe sets give the same template
and it reproduces the real statement. A later list of the shape binds its values into the template: no filter
compiling, no query building, no SQL rendering, and on PostgreSQL the same prepared statement. \`sw\` and \`ew\`
(which bind a pattern or a length computed from the value), dateTime and boolean comparisons are refused and
compiled every time; an \`or\` is never shaped. A property test (\`test/scim/list-shapes.test.ts\`) checks on
both databases that lists from templates answer exactly as lists compiled afresh. What it saves shows in the
profiles below: Kysely's building and compiling was 11.1% of the main thread in the \`userName eq\` phase on
2026-12-02 and 2.0–2.7% in two runs on 2026-12-03, as for get by id (2.2–2.7%). An A/B at 1,000,000 users (the
commit before and after, alternated, two rounds, c=64, 4 s phases, on 2026-12-03; the host's speed moved get
by id's own cost by ±20% between runs) gave main-thread CPU per request 0.237 / 0.204 → 0.170 / 0.147 ms for
\`userName eq\`, 0.281 / 0.289 → 0.191 / 0.146 for \`externalId eq\`, 0.301 / 0.252 → 0.241 / 0.189 for the
email lookup and 0.222 / 0.197 → 0.173 / 0.179 (with the next change) for \`members[value eq]\`.

Lists that no index bounds (an unindexed filter, a page or a count of a whole directory) run on a read worker
thread with its own connection (\`src/store/sqlite-read-workers.ts\`), so that a long one never holds the
event loop (§ Hostile load); an \`or\` of \`eq\` on one attribute compiles to one \`in (…)\`, computed once a row
(200 or-ed \`title eq\` over 20,000 users: 623 ms of SQLite before, 19.9 ms after). A filter on \`members\` or
\`groups\` reads the membership rows alone and joins the users (or groups) only to compare a display name:
on PostgreSQL the join was 5 of the 9 buffers a \`members[value eq]\` lookup read.

On PostgreSQL, SQL a process runs again and again goes as named prepared statements
(\`src/store/postgres-prepared.ts\`): PostgreSQL planned the user lookup with its groups in 0.98 ms and ran it in
0.14 ms, on the same two cores as the app. An A/B in one process (two stores on one schema of 100,000 users,
alternated 4 s phases at c=64, three rounds) gave get by id +32–55%, \`userName eq\` +16–31% and
\`externalId eq\` +18–39% with them.

### Object spread

On Node.js 20 (V8 11.3) an object literal that begins with a spread of a non-empty object and then adds a key
the source lacks (\`{ ...request, parsedFilter }\`, \`{ ...(filter ? { filter } : {}), count }\`) costs 1–3 µs,
against 0.02–0.1 µs for \`Object.assign({}, a, b)\`, for a literal whose spread comes after its first key, or for
one that only overrides keys the source has (measured with each form alone, 500,000 times). The read path built
five such objects a request (the list parameters, the normalized list request, each attribute path of the
filter, each user decoded with its groups) and a PATCH about as many: they are now assigned (or
\`Object.assign\`ed, where the keys are ours; objects keyed by a client keep their spread). With the token's
SHA-256 made by \`crypto.hash\` (one call, 0.36 µs against 1.02 µs for \`createHash\`) and the response's
content type found without two regular expressions when the client accepts anything, an alternated A/B
(100,000 users, c=64, 4 s phases, three rounds, 2026-12-03) gave main-thread CPU per request
0.199 / 0.178 / 0.207 → 0.177 / 0.161 / 0.166 ms for \`userName eq\`, 0.164 / 0.140 / 0.147 → 0.141 / 0.132 /
0.126 for get by id and 0.287 / 0.268 (one round's base was disturbed) → 0.268 / 0.236 for PATCH.

### Rows, hooks, and where a lookup's CPU goes

better-sqlite3 makes each row's object itself and looks every column name up in V8's string table for every
row. The statements of the SQLite statement cache that return rows now read them as arrays and make the
objects with one compiled object literal per statement (\`rowsByName\`, \`src/store/sqlite-dialect.ts\`;
the same objects, which a test compares with better-sqlite3's): a page of 100 users 525–547 → 363–373 µs
(SQLite included, three rounds alternated), one user's row 3.6 → 2.2 µs. A loop of assignments, tried first,
went through V8's megamorphic stores (1% of a POST's CPU under perf). Hooks that never wait (the request id,
nosniff, metrics, the request log's two, admission's precheck) take Fastify's callback instead of being async.

Sampled with Linux perf (CPU time, kernel included, the main thread only; \`node --perf-basic-prof\`) during
\`userName eq\` at 100,000 users on 2026-12-03: the lookup's statement was 16.6% of the main thread's CPU (SQLite
itself 6.8%, the kernel reading its pages 5.4%, libc 2.0%; 19.9% before the change above), sending the response
11.2% (the kernel's TCP send, which on loopback also delivers it to the load generator's socket), reading
requests 3.8%, JSON.parse 4.1% (the stored resource), JSON.stringify 3.4%, garbage collection 1.9%; the rest is
node:http, Fastify, and the protocol's own work spread thin (the filter's parse and the list's shape about 5%,
authentication with its cached answer about 3%). No single part left holds the ~30% the 8,000/s target needs.

### Answers from the stored text

On SQLite a user's resource comes back as the JSON text that was stored. A read without \`attributes\` or
\`excludedAttributes\` now answers from that text: schemas, id, the stored members, groups and meta are spliced
(\`renderUserText\`, \`src/directory/render.ts\`), without parsing the resource into objects, spreading it into
the answer and serializing it back (\`RawJson\` carries the text into the response's one JSON.stringify). A text
it cannot splice safely (schemas not first; a member named id, meta, groups or password anywhere in it) and any
projection take the parsing path as before; a property test holds both paths to the same JSON, member for
member. Measured alone (300,000 times, a typical user with one group, as a one-user list): 6.4 → 3.2 µs. In
alternated A/Bs at 100,000 users (c=64, 4 s phases, 2026-12-03, the host's speed drifting by a third within a
run) main-thread CPU per \`userName eq\` went 0.176 / 0.169 / 0.154 → 0.177 / 0.161 / 0.142 ms and per get by id
0.143 / 0.147 / 0.130 → 0.152 / 0.131 / 0.112 ms: a few percent, about what the 3 µs predicts, and smaller than
one round's noise. PostgreSQL hands back jsonb already parsed, so its reads are unchanged.

Other parts measured alone, to see what is left: parsing and normalizing a \`userName eq\` list request 1.7 µs;
the list's query and shape key 3.9 µs (the filter's shape 0.85); prom-client's counter and histogram for a
request 0.67 µs (label objects; cached label children were slower, 0.90); Kysely's \`executeQuery\` around a
prepared SQLite statement 2–2.5 µs over calling it directly. Each is 1–3% of a read's 0.14–0.18 ms.

## Where the time goes (profiles)

Each phase below ran again under V8's sampling profiler (the server's main thread; autocannon runs in a worker
thread and is not counted). The profiler slows a phase down, so its rate is shown only beside its profile.
Shares are of all the main thread's time: "database" is SQLite executing statements (native code, called from
the driver) or the pg client's protocol work; "query building" is Kysely building and compiling SQL; "http" is
node:http, sockets and Fastify; "guestlist" is our own code (validation, normalization, filters, rendering,
events); "idle" is the main thread waiting (on PostgreSQL, for the database's answers).

${profileTable(results)}

${analysis(results)}

${costSection(results)}
`;
}

/** The per-request cost of each measured phase, from the main thread's own CPU time (not the profiler's). */
function costSection(results: PerformanceFigures[]): string {
  const withCosts = results.filter((r) => r.costs && Object.keys(r.costs).length > 0);
  if (withCosts.length === 0) return '';
  const budget = (phase: string, database: string) =>
    database === 'postgres' ? (phase.includes('/Users') ? 0.5 : 0.25) : phase.startsWith('get by id') ? 0.1 : phase.includes('/Users') ? 0.25 : 0.125;
  const rows = [
    '| phase | main-thread CPU ms per request (of it kernel) | database ms per request | the rest (JavaScript) | one core\'s bound per s | target\'s budget ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of withCosts) {
    for (const [phase, c] of Object.entries(r.costs)) {
      const rest = Math.max(0, c.cpuMs - c.kernelMs - (r.database === 'sqlite' ? c.databaseMs : 0));
      rows.push(
        `| ${r.database}: ${phase} | ${c.cpuMs} (${c.kernelMs}) | ${c.databaseMs} | ${rest.toFixed(3)} | ${Math.round(1000 / Math.max(0.001, c.cpuMs)).toLocaleString('en')} | ${budget(phase, r.database)} |`,
      );
    }
  }
  return `## Per-request cost under load

The same phases as the tables above, measured while they ran: the server's main thread's own CPU time (from
\`/proc/self/task/<pid>/stat\`: the load generator's thread is not counted, nor time spent waiting for a core)
and the database time its queries took, each divided by the requests served. Kernel time is mostly the
socket writes of the answers. On SQLite the database time is CPU of the same thread (better-sqlite3 runs
statements synchronously), so "the rest" is CPU minus kernel minus database; on PostgreSQL it is time waited
for the server, overlapping other requests, and not part of the thread's CPU. One core serves at most
1,000 / CPU ms requests per second; the budget is what the target allows (4,000 writes/s: 0.25 ms; 8,000
reads/s: 0.125 ms; 10,000 gets by id/s: 0.1 ms; on PostgreSQL 2,000 writes/s and 4,000 reads/s).

${rows.join('\n')}`;
}

function profileTable(results: PerformanceFigures[]): string {
  const cols: (keyof Shares)[] = ['database', 'query building', 'http', 'guestlist', 'gc', 'other', 'idle'];
  const rows = ['| phase | per s (profiled) | ' + cols.join(' | ') + ' |', '| --- | ---: |' + cols.map(() => ' ---: |').join('')];
  for (const r of results) {
    for (const [name, p] of Object.entries(r.profiles)) {
      rows.push(`| ${r.database}: ${name} | ${p.perSecond.toLocaleString('en')} | ${cols.map((c) => `${p.shares[c]}%`).join(' | ')} |`);
    }
  }
  return rows.join('\n');
}

/** What bounds each figure, computed from the profiles of this run: main-thread CPU per request, by category. */
function analysis(results: PerformanceFigures[]): string {
  const out: string[] = [
    '## What bounds the figures',
    '',
    'Main-thread CPU time per request, from the profiles above (busy share of the phase ÷ requests per second).',
    'One core gives 1,000 ms per second, so a phase that needs T ms per request cannot exceed 1,000 / T per',
    'second in one process, however fast the database is. The targets need at most 0.5 ms per write (2,000/s)',
    'and 0.125 ms per read (8,000/s).',
    '',
  ];
  const ms = (share: number, perSecond: number) => (share / 100) * (1000 / Math.max(1, perSecond));
  for (const r of results) {
    for (const [name, p] of Object.entries(r.profiles)) {
      const s = p.shares;
      const busy = 100 - s.idle;
      const total = ms(busy, p.perSecond);
      const part = (c: keyof Shares) => ms(s[c], p.perSecond).toFixed(3);
      out.push(
        `- ${r.database}, ${name}: ${total.toFixed(3)} ms per request (database ${part('database')}, query building ` +
          `${part('query building')}, HTTP ${part('http')}, Guestlist ${part('guestlist')}, GC ${part('gc')}, other ${part('other')}), ` +
          `so at most ${Math.round(1000 / total).toLocaleString('en')}/s on one core; the main thread was idle ${s.idle}% of the phase` +
          (r.database === 'postgres' ? ' (waiting for PostgreSQL, whose processes share the same two cores).' : '.'),
      );
    }
  }
  out.push(
    '',
    'Idle time on SQLite is time the server waited for the next request: the load generator and the server share',
    "this machine's two cores, so part of each read figure is the generator's limit, not the server's.",
  );
  return out.join('\n');
}

const verdict = (ok: boolean, text: string) => `- ${ok ? 'Met' : '**Missed**'}: ${text}`;

const PERFORMANCE_DOC = 'docs/performance.md';

/** The suite's marked section of a document, markers included, or undefined. */
function markedSection(doc: string, suite: string): string | undefined {
  const open = `<!-- bench:${suite} -->`;
  const close = `<!-- /bench:${suite} -->`;
  const start = doc.indexOf(open);
  const end = doc.indexOf(close);
  return start >= 0 && end > start ? doc.slice(start, end + close.length) : undefined;
}

/** Replaces the suite's marked section of docs/benchmarks.md (or another file) or appends it, keeping the rest. */
function writeSection(suite: string, body: string, file = 'docs/benchmarks.md'): void {
  const open = `<!-- bench:${suite} -->`;
  const close = `<!-- /bench:${suite} -->`;
  let doc = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (file === 'docs/benchmarks.md' && !doc.startsWith('# Benchmarks')) {
    doc = `# Benchmarks\n\nFigures written by \`npm run bench\`; each suite rewrites its own section. Benchmarks are never part of\n\`npm test\`: these machines are shared and noisy, so figures are reported, not asserted.\n`;
  }
  const section = `${open}\n${body.trim()}\n${close}`;
  const start = doc.indexOf(open);
  const end = doc.indexOf(close);
  doc = start >= 0 && end > start ? doc.slice(0, start) + section + doc.slice(end + close.length) : `${doc.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(file, doc);
}

function hostileTable(results: HostileFigures[]): string {
  const rows: string[] = [
    '| phase (hostile load on another directory) | ' + results.map((r) => `${r.database}: victim p50 / p99 ms; loop max ms`).join(' | ') + ' | target |',
    '| --- |' + results.map(() => ' ---: |').join('') + ' --- |',
  ];
  for (let i = 0; i < results[0]!.phases.length; i++) {
    const name = results[0]!.phases[i]!.phase;
    const cells = results.map((r) => {
      const p = r.phases[i];
      if (!p) return '–';
      const mark = (ok: boolean, text: string) => (ok ? text : `**${text}**`);
      const errors = p.victim.errors > 0 ? `, ${p.victim.errors} errors` : '';
      return `${p.victim.p50} / ${mark(p.victim.p99 <= HOSTILE_TARGETS.victimP99Ms, String(p.victim.p99))}; ${mark(p.loop.maxMs <= HOSTILE_TARGETS.loopMaxMs, String(p.loop.maxMs))}${errors}`;
    });
    rows.push(`| ${name in HOSTILE_KINDS ? `${name}: ${HOSTILE_KINDS[name as keyof typeof HOSTILE_KINDS]}` : name} | ${cells.join(' | ')} | p99 ≤ ${HOSTILE_TARGETS.victimP99Ms}; ≤ ${HOSTILE_TARGETS.loopMaxMs} |`);
  }
  return rows.join('\n');
}

/** What the hostile clients got, per kind, in the phase where all ran at once. */
function hostileAnswers(results: HostileFigures[]): string {
  const rows = ['| hostile kind | ' + results.map((r) => `${r.database}: requests, answers, mean / max ms`).join(' | ') + ' |', '| --- |' + results.map(() => ' --- |').join('')];
  for (const kind of Object.keys(HOSTILE_KINDS)) {
    rows.push(
      `| ${kind} | ${results
        .map((r) => {
          const h = r.phases.at(-1)!.hostile[kind];
          if (!h) return '–';
          const answers = Object.entries(h.statuses).map(([status, n]) => `${n}× ${status}`).join(', ');
          return `${h.completed}, ${answers || 'none'}, ${h.meanMs} / ${h.maxMs}`;
        })
        .join(' | ')} |`,
    );
  }
  return rows.join('\n');
}

function hostileSection(table: string, results: HostileFigures[]): string {
  const first = results[0]!;
  const all = (r: HostileFigures) => r.phases.at(-1)!;
  const verdicts = results.map((r) => {
    const p = all(r);
    return `${verdict(p.victim.p99 <= HOSTILE_TARGETS.victimP99Ms && p.victim.errors === 0, `${r.database}, all hostile kinds at once: the victim's p99 ${p.victim.p99} ms (p50 ${p.victim.p50}, max ${p.victim.max}; ${p.victim.errors} errors of ${p.victim.answered}), against ≤ ${HOSTILE_TARGETS.victimP99Ms} ms.`)}\n${verdict(p.loop.maxMs <= HOSTILE_TARGETS.loopMaxMs, `${r.database}, all hostile kinds at once: largest event-loop delay ${p.loop.maxMs} ms (p99 ${p.loop.p99Ms} ms), against ≤ ${HOSTILE_TARGETS.loopMaxMs} ms.`)}`;
  });
  const stalls = results.flatMap((r) => r.phases.filter((p) => p.phase in HOSTILE_KINDS && p.loop.maxMs > HOSTILE_TARGETS.loopMaxMs).map((p) => `${r.database} ${p.phase} (${p.loop.maxMs} ms)`));
  return `## Hostile load

Written by \`npm run bench hostile\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine()}.
Command: \`npm run bench hostile\` (add \`GUESTLIST_TEST_DATABASE_URL=postgres://…\` for the PostgreSQL column;
\`BENCH_HOSTILE_USERS\`, \`BENCH_HOSTILE_RATE\`, \`BENCH_HOSTILE_KIND_SECONDS\` and \`BENCH_SECONDS\` change the
directory size, the victim's rate and the phase lengths, here ${first.users.toLocaleString('en')} users, ${first.ratePerSecond}/s, ${first.phases[1]?.seconds ?? '–'} s and ${all(first).seconds} s).

One process holds the real HTTP server, built with the default configuration; two directories of one
organization hold ${first.users.toLocaleString('en')} seeded users each. A well-behaved client (the victim) reads one directory at
a fixed ${first.ratePerSecond} requests per second, open loop, alternating \`GET /Users?filter=userName eq "…"\` and
\`GET /Users/{id}\`; its latency counts from when each request was due. Meanwhile hostile clients send the other
directory requests that stay within every documented limit, back to back (two loops per kind, one for Bulk;
64 sockets for slow bodies). Victim and hostile clients run in worker threads; the event-loop delay is the
server thread's own (\`perf_hooks.monitorEventLoopDelay\`, 5 ms resolution), over the victim's phase. The
machine's two cores are shared by the server, both clients and, for PostgreSQL, the database server.

${table}

Bold figures miss their target. Against the targets:

${verdicts.join('\n')}
${stalls.length > 0 ? `- Hostile kinds that still stall the event loop past ${HOSTILE_TARGETS.loopMaxMs} ms on their own: ${stalls.join('; ')}.` : `- No hostile kind alone stalls the event loop past ${HOSTILE_TARGETS.loopMaxMs} ms.`}

What the hostile clients got while all kinds ran at once (status 0: connection failed; \`closed\`: a slow-body
connection closed without an answer; slow bodies are cut off at \`GUESTLIST_REQUEST_TIMEOUT_MS\`, 30 s, so a
phase shorter than that shows none):

${hostileAnswers(results)}
`;
}

function eventsTable(results: EventsFigures[]): string {
  const rows: string[] = ['| measure | ' + results.map((r) => r.database).join(' | ') + ' | target (both) |', '| --- |' + results.map(() => ' ---: |').join('') + ' --- |'];
  const row = (label: string, f: (r: EventsFigures) => string, target: string) => rows.push(`| ${label} | ${results.map(f).join(' | ')} | ${target} |`);
  row('write → visible in `GET /events`: p50 / p99 / max ms', (r) => `${r.visible.p50} / ${r.visible.p99} / ${r.visible.max}`, '');
  row('write → first webhook attempt: p50 / p99 / max ms', (r) => `${r.firstAttempt.p50} / ${r.firstAttempt.p99} / ${r.firstAttempt.max}`, `p99 ≤ ${TARGETS.firstAttemptP99}`);
  row('backlog drained: events (directories)', (r) => `${r.backlog.events.toLocaleString('en')} (${r.backlog.directories})`, '');
  row('backlog: deliveries per second', (r) => r.backlog.perSecond.toLocaleString('en'), `≥ ${TARGETS.deliveries.toLocaleString('en')}`);
  row('backlog: outcomes recorded per transaction (mean)', (r) => String(r.backlog.batchSize), '');
  row('backlog: fan-out into deliveries done after s', (r) => String(r.backlog.fanOutSeconds), '');
  row('live (16 writers + dispatcher): events delivered per second', (r) => r.live.perSecond.toLocaleString('en'), '');
  return rows.join('\n');
}

function eventsSection(table: string, results: EventsFigures[]): string {
  const sqlite = results[0]!;
  const verdicts = results.flatMap((r) => [
    verdict(r.backlog.perSecond >= TARGETS.deliveries, `${r.backlog.perSecond.toLocaleString('en')} deliveries/s on ${r.database}, against ≥ ${TARGETS.deliveries.toLocaleString('en')}.`),
    verdict(r.firstAttempt.p99 <= TARGETS.firstAttemptP99, `write → first attempt p99 ${r.firstAttempt.p99} ms on ${r.database}, against ≤ ${TARGETS.firstAttemptP99} ms.`),
  ]);
  return `## Events and webhooks

Written by \`npm run bench events\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine()}.
One process holds the real HTTP server, the webhook dispatcher exactly as \`npm start\` runs it, and the load;
the receiver (answers 200 at once) runs in a worker thread. Reproduce with
\`npm run bench events\` (add \`GUESTLIST_TEST_DATABASE_URL=postgres://…\` for the PostgreSQL column).

- Latency: ${sqlite.writes} SCIM user creates, one at a time 5 ms apart, each timed from the moment its request
  is sent; a reader pages \`GET /events?after=…\` back to back, and the receiver notes each first arrival.
- Backlog: ${sqlite.backlog.events.toLocaleString('en')} events over ${sqlite.backlog.directories} directories written while no dispatcher runs,
  then one dispatcher started and timed until every event has reached the receiver. Each directory is a FIFO
  queue with one delivery in flight, so parallelism comes from directories (up to
  \`GUESTLIST_WEBHOOK_CONCURRENCY\`, 64, sends at once: here all ${sqlite.backlog.directories}).
- Live: 16 directories' writers creating users while the dispatcher delivers, until all have arrived.

${table}

${verdicts.join('\n')}

The database work of a delivery is shared. A fresh event's delivery is claimed by the fan-out transaction that
creates it when its queue was idle; otherwise one transaction claims many due queues and reads their heads, with
their events and endpoints, in one statement. The answers that came in while the previous batch was being
written are recorded together, in one transaction of five statements (lock the queues, read the next heads past
the deliveries being finished, insert the attempts, update the deliveries, update the queues), which also claims
each queue's next delivery: the mean batch is in the table, so a delivery costs a fraction of a round trip to
the database. What is left per delivery is the HTTP request and its answer, the signatures, and the rows
written (an attempt, and the delivery's row twice: sending, then its outcome). The machine's two cores are shared
by the benchmark's process (server, load and dispatcher), its receiver thread and, for the PostgreSQL column, the
database server; scale-out beyond that comes from running more \`guestlist worker\` processes, which split the
queues between them. Run it more than once: on a machine shared with other work, these figures move by a third
between runs.
`;
}


function sourcesSection(table: string): string {
  return `## Pulled directories

Written by \`npm run bench sources\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine()}.
A Google Workspace directory of ${Number(process.env.BENCH_SOURCE_USERS ?? 10_000).toLocaleString('en')} users in 20 groups, served by the fake Google of the tests
(\`test/fakes/google.ts\`: it checks the service account's signed JWT, the scopes and the paging as Google does) in
the same process, over loopback; the first sync (every user, group and membership created, with their events), a
sync that finds nothing to change, and one that finds 1 % of the users renamed. Each is timed from the request
until its sync history row is finished. RSS is the process's (server and fake together), its peak during the
first sync over the level just before it. Reproduce with \`npm run bench sources\` (\`BENCH_SOURCE_USERS\` changes
the size; add \`GUESTLIST_TEST_DATABASE_URL=postgres://…\` for the PostgreSQL column).

${table}
`;
}

function memorySection(table: string): string {
  return `## Memory

Written by \`npm run bench memory\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine()}.
The directory (${Number(process.env.BENCH_MEMORY_USERS ?? 150_000).toLocaleString('en')} users, and a group of ${Number(process.env.BENCH_MEMORY_GROUP ?? 100_000).toLocaleString('en')} members) is seeded by direct inserts;
then the server runs alone in a child process (\`bench/memory-server.ts\`), and a thread of its own samples its
RSS every 2 ms, also while the main thread is busy in SQLite. Each operation is measured from a baseline taken
after a full GC (and after a warm-up: every operation once on a small group, reads of 20,000 users, so that
V8's young generation has reached its working size, and 10,000 other members added and removed, so that SQLite's
page cache, up to 16 MB per connection, is as full as in a server that has taken writes): the figure is its peak
RSS over that baseline, and in brackets what it still held after a full GC. Bold figures miss their target. The
server runs as \`guestlist start\` does, with V8's old generation bounded to 20 % growth past its live set
(\`src/heap.ts\`, \`GUESTLIST_HEAP_GROWING_PERCENT\`). The server's own
peak RSS over its whole life is \`process.resourceUsage().maxRSS\` in that process. Reproduce with
\`npm run bench memory\` (\`BENCH_MEMORY_USERS\` and \`BENCH_MEMORY_GROUP\` change the sizes; add
\`GUESTLIST_TEST_DATABASE_URL=postgres://…\` for the PostgreSQL column).

${table}
`;
}

function mappingSection(table: string, results: MappingFigures[]): string {
  const sqlite = results[0]!;
  return `## Attribute re-evaluation

Written by \`npm run bench mapping\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine()}.
A directory of ${sqlite.users.toLocaleString('en')} users (seeded by direct inserts, each with the enterprise extension's
department and cost center) is re-evaluated three times, each timed from the API call until
\`GET /directories/{id}/attribute_mapping\` answers \`state: "current"\`: after two custom attributes are defined (every
user gains both), after a mapping change that moves every user's \`cost_center\`, and after one that changes the
configuration but no value. The sweep works in chunks of 500 users, each its own transaction with its events
(\`src/directory/reevaluate.ts\`). To show that it does not stall SCIM writes, the same POST /Users load (c=8,
${process.env.BENCH_SECONDS ?? 8} s, autocannon in a worker thread) runs alone and then during the second re-evaluation.
Reproduce with \`npm run bench mapping\` (\`BENCH_MAPPING_USERS\` changes the size; add
\`GUESTLIST_TEST_DATABASE_URL=postgres://…\` for the PostgreSQL column).

${table}
`;
}

function scimSection(table: string, results: ScimFigures[]): string {
  const sqlite = results[0]!;
  return `## SCIM

Written by \`npm run bench scim\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine()}.
Load comes from autocannon in a worker thread of the same process (its own core), over loopback, against the
real HTTP server; the directory is
seeded with ${sqlite.users.toLocaleString('en')} users by direct inserts (${sqlite.seedSeconds} s on SQLite), then
every figure below is measured through the SCIM API. Each load phase runs ${process.env.BENCH_SECONDS ?? 10} s.
Reproduce with:

\`\`\`sh
npm run bench scim                       # SQLite
GUESTLIST_TEST_DATABASE_URL=postgres://… npm run bench scim   # SQLite and PostgreSQL
npm run bench scim -- --json             # machine-readable
\`\`\`

${table}

Against the SQLite targets:

${verdict(sqlite.create.perSecond >= TARGETS.creates, `${sqlite.create.perSecond} creates/s against ≥ ${TARGETS.creates}.`)}
${verdict(Math.max(...Object.values(sqlite.lookups).map((l) => l.p99)) <= TARGETS.lookupP99, `lookup p99 at most ${Math.max(...Object.values(sqlite.lookups).map((l) => l.p99))} ms against ≤ ${TARGETS.lookupP99} ms.`)}
${verdict(sqlite.memberAdd.p99 <= TARGETS.memberAdd, `adding one member to a group of ${sqlite.memberAdd.groupSize.toLocaleString('en')}: p99 ${sqlite.memberAdd.p99} ms against ≤ ${TARGETS.memberAdd} ms (a group of one: p99 ${sqlite.memberAdd.smallGroupP99} ms).`)}

PostgreSQL runs the same code with one pool of 10 connections and no write batching; its figures are reported,
not targeted here (group commit and PostgreSQL throughput belong to the burst-proofing work). The machine has
two cores shared by the server, the load generator and, for PostgreSQL, the database server.
`;
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
