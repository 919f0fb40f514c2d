/**
 * `npm run bench processes` (PostgreSQL only: GUESTLIST_TEST_DATABASE_URL): the built `guestlist start`, run as 1,
 * 2 and 4 processes (`--processes N`) on a fresh schema each time, under POST /Users at c=64 for BENCH_SECONDS
 * (5 by default): into one directory, and spread over four. Beside each rate, the CPU time spent per request by
 * the Guestlist processes and by PostgreSQL's (read from /proc before and after the phase: on a shared machine
 * the PostgreSQL figure includes whatever else the server did meanwhile). Those per-request costs are what
 * docs/scaling.md projects larger machines from. Rewrites the marked section of docs/scaling.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { load, type LoadResult } from './scim.ts';

const BIN = path.resolve('bin/guestlist.js');
const API_KEY = 'sk_bench_0123456789abcdefghijklmnop';
const SECRET_KEY = 'bench-secret-key-0123456789abcdefghijklmnop';
const PROCESSES = [1, 2, 4];
const DOC = 'docs/scaling.md';

export interface ProcessesFigures {
  processes: number;
  phases: { phase: string; result: LoadResult; guestlistCpuMs: number; postgresCpuMs: number }[];
}

const TICK_MS = 10; // USER_HZ is 100 on Linux.

/** utime + stime of a process, in ms (0 if it is gone). */
function cpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Every PostgreSQL server process on this machine. */
function postgresPids(): number[] {
  return fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
    } catch {
      return false;
    }
  });
}

/** CPU ms used so far by a set of processes (a process that ended in between is simply not counted). */
const cpuOf = (pids: number[]) => new Map(pids.map((pid) => [pid, cpuMs(pid)]));
function spent(before: Map<number, number>, pids: number[]): number {
  return pids.reduce((sum, pid) => sum + Math.max(0, cpuMs(pid) - (before.get(pid) ?? 0)), 0);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function api(base: string, method: string, url: string, body?: unknown): Promise<any> {
  const res = await fetch(base + url, {
    method,
    headers: { authorization: `Bearer ${API_KEY}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function waitForHealth(base: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`guestlist exited:\n${output()}`);
    try {
      if ((await fetch(`${base}/health`)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`guestlist did not answer /health:\n${output()}`);
}

async function runWith(url: string, processes: number, seconds: number): Promise<ProcessesFigures> {
  const schema = `bench_procs_${processes}_${Date.now().toString(36)}`;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestlist-bench-procs-'));
  const { GUESTLIST_DATABASE_URL: _u, GUESTLIST_API_KEY: _k, ...rest } = process.env;
  const env = {
    ...rest,
    GUESTLIST_DATABASE_URL: url,
    GUESTLIST_DATABASE_SCHEMA: schema,
    GUESTLIST_API_KEY: API_KEY,
    GUESTLIST_SECRET_KEY: SECRET_KEY,
    GUESTLIST_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
  const args = processes === 1 ? ['start'] : ['start', '--processes', String(processes)];
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c) => (out = (out + c).slice(-20_000)));
  child.stderr!.on('data', (c) => (out = (out + c).slice(-20_000)));
  try {
    await waitForHealth(base, child, () => out);
    // Every process forked and done starting: a process still compiling its schemas would take cores from the
    // phase (seconds of CPU each on this machine). Quiet means under 50 ms of CPU in a second, all together.
    if (processes > 1) while (childrenOf(child.pid!).length < processes) await new Promise((r) => setTimeout(r, 200));
    for (let quiet = 0, tries = 0; quiet < 2 && tries < 120; tries++) {
      const pids = [child.pid!, ...childrenOf(child.pid!)];
      const before = cpuOf(pids);
      await new Promise((r) => setTimeout(r, 1_000));
      quiet = spent(before, pids) < 50 ? quiet + 1 : 0;
    }
    const org = await api(base, 'POST', '/organizations', { name: 'Bench', domains: ['bench.example.com'] });
    const dirs: { id: string; bearer_token: string }[] = [];
    for (let i = 0; i < 4; i++) dirs.push(await api(base, 'POST', '/directories', { organization_id: org.id, type: 'okta scim v2.0', name: `bench ${i}` }));
    const headers = { authorization: `Bearer ${dirs[0]!.bearer_token}`, 'content-type': 'application/scim+json' };
    const phases: ProcessesFigures['phases'] = [];
    const measure = async (phase: string, run: () => Promise<LoadResult>) => {
      const ours = [child.pid!, ...childrenOf(child.pid!)];
      const theirs = postgresPids();
      const before = [cpuOf(ours), cpuOf(theirs)] as const;
      const result = await run();
      const requests = Math.max(1, result.perSecond * seconds);
      phases.push({
        phase,
        result,
        guestlistCpuMs: Math.round((spent(before[0], ours) / requests) * 1000) / 1000,
        postgresCpuMs: Math.round((spent(before[1], theirs) / requests) * 1000) / 1000,
      });
    };
    await measure('POST /Users c=64, one directory', () =>
      load({ kind: 'create', base, path: `/scim/v2/${dirs[0]!.id}/Users`, headers, connections: 64, duration: seconds, prefix: 'one-' }),
    );
    await measure('POST /Users c=64, four directories', () =>
      load({
        kind: 'create',
        base,
        path: `/scim/v2/${dirs[0]!.id}/Users`,
        headers,
        connections: 64,
        duration: seconds,
        prefix: 'four-',
        spread: dirs.map((d) => ({ path: `/scim/v2/${d.id}/Users`, authorization: `Bearer ${d.bearer_token}` })),
      }),
    );
    return { processes, phases };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export function processesTable(results: ProcessesFigures[]): string {
  const rows = ['| processes | phase | per s | p50 / p99 ms | errors | CPU ms per request: Guestlist / PostgreSQL |', '| ---: | --- | ---: | ---: | ---: | ---: |'];
  for (const r of results) {
    for (const p of r.phases) {
      rows.push(`| ${r.processes} | ${p.phase} | ${p.result.perSecond.toLocaleString('en')} | ${p.result.p50} / ${p.result.p99} | ${p.result.errors} | ${p.guestlistCpuMs} / ${p.postgresCpuMs} |`);
    }
  }
  return rows.join('\n');
}

function writeSection(body: string): void {
  const open = '<!-- bench:processes -->';
  const close = '<!-- /bench:processes -->';
  let doc = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '# Scaling\n';
  const section = `${open}\n${body.trim()}\n${close}`;
  const start = doc.indexOf(open);
  const end = doc.indexOf(close);
  doc = start >= 0 && end > start ? doc.slice(0, start) + section + doc.slice(end + close.length) : `${doc.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(DOC, doc);
}

/** Runs the suite; without PostgreSQL it says so and returns nothing. */
export async function runProcessesBench(options: { json: boolean }): Promise<ProcessesFigures[] | undefined> {
  const url = process.env.GUESTLIST_TEST_DATABASE_URL;
  if (!url) {
    process.stderr.write('bench processes: skipped, it needs PostgreSQL (set GUESTLIST_TEST_DATABASE_URL)\n');
    return undefined;
  }
  if (!fs.existsSync(path.resolve('dist/cli.js'))) throw new Error('bench processes runs the built command: run `npm run build` first');
  const seconds = Number(process.env.BENCH_SECONDS || 5);
  const results: ProcessesFigures[] = [];
  // The machine's load average around the run: these machines are shared, and other work there skews every figure.
  const loadBefore = os.loadavg()[0]!.toFixed(1);
  for (const n of PROCESSES) results.push(await runWith(url, n, seconds));
  const loadAfter = os.loadavg()[0]!.toFixed(1);
  const table = processesTable(results);
  const cpus = os.cpus();
  const machine = `${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node.js ${process.version}`;
  if (!options.json) process.stdout.write(`\nProcesses on PostgreSQL (${machine})\n\n${table}\n`);
  writeSection(
    `Written by \`npm run bench processes\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine}; PostgreSQL on the same cores.\n` +
      `Each row: \`guestlist start\` (\`--processes N\`) on a fresh schema, autocannon in a worker thread of the bench process, ${seconds} s. ` +
      `Load average (1 min) ${loadBefore} before the run, ${loadAfter} after it: above 2, other work shared the two cores.\n\n${table}`,
  );
  return results;
}
