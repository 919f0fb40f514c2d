/**
 * `npm run bench [suite…] [--json]`. Suites: scim. Runs on SQLite, and on PostgreSQL too when
 * GUESTLIST_TEST_DATABASE_URL is set; prints a table and writes docs/benchmarks.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import { runScimBench, type ScimFigures } from './scim.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const suites = args.filter((a) => !a.startsWith('--'));
const wanted = suites.length > 0 ? suites : ['scim'];

const TARGETS = { creates: 1500, lookupP99: 20, memberAdd: 20 };

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
    writeDocs(table, results);
  }
  if (json) process.stdout.write(JSON.stringify(output, null, 2) + '\n');
}

function writeDocs(table: string, results: ScimFigures[]): void {
  const sqlite = results[0]!;
  const verdict = (ok: boolean, text: string) => `- ${ok ? 'Met' : '**Missed**'}: ${text}`;
  const doc = `# Benchmarks

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
  fs.writeFileSync('docs/benchmarks.md', doc);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
