/**
 * `npm run bench [suite…] [--json]`. Suites: scim, events (both when none is named). Runs on SQLite, and on
 * PostgreSQL too when GUESTLIST_TEST_DATABASE_URL is set; prints a table and rewrites that suite's section of
 * docs/benchmarks.md, leaving the other suites' sections as they were.
 */
import fs from 'node:fs';
import os from 'node:os';
import { runEventsBench, type EventsFigures } from './events.ts';
import { runScimBench, type ScimFigures } from './scim.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const suites = args.filter((a) => !a.startsWith('--'));
const wanted = suites.length > 0 ? suites : ['scim', 'events'];

const TARGETS = { creates: 1500, lookupP99: 20, memberAdd: 20, deliveries: 1000 };

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
  if (json) process.stdout.write(JSON.stringify(output, null, 2) + '\n');
}

const verdict = (ok: boolean, text: string) => `- ${ok ? 'Met' : '**Missed**'}: ${text}`;

/** Replaces the suite's marked section of docs/benchmarks.md (or appends it), keeping the others. */
function writeSection(suite: string, body: string): void {
  const file = 'docs/benchmarks.md';
  const open = `<!-- bench:${suite} -->`;
  const close = `<!-- /bench:${suite} -->`;
  let doc = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (!doc.startsWith('# Benchmarks')) {
    doc = `# Benchmarks\n\nFigures written by \`npm run bench\`; each suite rewrites its own section. Benchmarks are never part of\n\`npm test\`: these machines are shared and noisy, so figures are reported, not asserted.\n`;
  }
  const section = `${open}\n${body.trim()}\n${close}`;
  const start = doc.indexOf(open);
  const end = doc.indexOf(close);
  doc = start >= 0 && end > start ? doc.slice(0, start) + section + doc.slice(end + close.length) : `${doc.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(file, doc);
}

function eventsTable(results: EventsFigures[]): string {
  const rows: string[] = ['| measure | ' + results.map((r) => r.database).join(' | ') + ' | target (SQLite) |', '| --- |' + results.map(() => ' ---: |').join('') + ' --- |'];
  const row = (label: string, f: (r: EventsFigures) => string, target: string) => rows.push(`| ${label} | ${results.map(f).join(' | ')} | ${target} |`);
  row('write → visible in `GET /events`: p50 / p99 / max ms', (r) => `${r.visible.p50} / ${r.visible.p99} / ${r.visible.max}`, '');
  row('write → first webhook attempt: p50 / p99 / max ms', (r) => `${r.firstAttempt.p50} / ${r.firstAttempt.p99} / ${r.firstAttempt.max}`, '');
  row('backlog drained: events (directories)', (r) => `${r.backlog.events.toLocaleString('en')} (${r.backlog.directories})`, '');
  row('backlog: deliveries per second', (r) => r.backlog.perSecond.toLocaleString('en'), `≥ ${TARGETS.deliveries}`);
  row('backlog: fan-out into deliveries done after s', (r) => String(r.backlog.fanOutSeconds), '');
  row('live (16 writers + dispatcher): events delivered per second', (r) => r.live.perSecond.toLocaleString('en'), '');
  return rows.join('\n');
}

function eventsSection(table: string, results: EventsFigures[]): string {
  const sqlite = results[0]!;
  return `## Events and webhooks

Written by \`npm run bench events\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine()}.
One process holds the real HTTP server, the webhook dispatcher exactly as \`npm start\` runs it, and the load;
the receiver (answers 200 at once) runs in a worker thread. Reproduce with
\`npm run bench events\` (add \`GUESTLIST_TEST_DATABASE_URL=postgres://…\` for the PostgreSQL column).

- Latency: ${sqlite.writes} SCIM user creates, one at a time 5 ms apart, each timed from the moment its request
  is sent; a reader pages \`GET /events?after=…\` back to back, and the receiver notes each first arrival.
- Backlog: ${sqlite.backlog.events.toLocaleString('en')} events over ${sqlite.backlog.directories} directories written while no dispatcher runs,
  then one dispatcher started and timed until every event has reached the receiver. Each directory is a FIFO
  queue with one delivery in flight, so parallelism comes from directories (up to 16 sends at once).
- Live: 16 directories' writers creating users while the dispatcher delivers, until all have arrived.

${table}

${verdict(sqlite.backlog.perSecond >= TARGETS.deliveries, `${sqlite.backlog.perSecond.toLocaleString('en')} deliveries/s on SQLite against ≥ ${TARGETS.deliveries.toLocaleString('en')}.`)}

On PostgreSQL a delivery costs about ten round trips to the database (read the delivery, endpoint and event;
then one transaction that locks the queue, records the attempt and outcome and claims the next head), and the
database server shares the machine's two cores with the benchmark, so its figures are reported, not targeted.
Scale-out there comes from running more \`guestlist worker\` processes, which split the queues between them.
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
