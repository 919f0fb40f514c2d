/** `guestlist simulate <idp> --target <url> --token <token> […]`: argument parsing, progress, the report. */
import { parseArgs } from 'node:util';
import { IDPS, type IdpName } from './profiles.ts';
import { SCENARIOS, simulate, type Scenario, type SimulationReport } from './simulate.ts';

export const SIMULATE_HELP = `Usage: guestlist simulate <idp> --target <scim base url> --token <token> [options]

Drives a SCIM endpoint the way an identity provider does, then reads it back and reports every difference.

  <idp>              okta, entra, onelogin, jumpcloud, pingfederate or generic
  --target URL       the SCIM base URL (e.g. http://localhost:8080/scim/v2/directory_…)
  --token TOKEN      the bearer token
  --users N          users in the synthetic directory (default 50)
  --groups M         groups (default 10; the first eight are departments)
  --scenario S       initial, churn, deprovision or burst (default initial)
  --seed S           the synthetic directory's seed (default 1)
  --concurrency C    requests in flight (default: the IdP's typical)
  --entra-flag       Entra's aadOptscim062020 dialect
  --json             print the report as JSON

Exits 0 when the target holds exactly what the IdP provisioned and no protocol violation was seen, 1 otherwise,
2 on bad arguments.
`;

class UsageError extends Error {}

function integer(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${name} expects an integer ≥ ${min}, got "${value}"`);
  return Number(value);
}

export function parseSimulateArgs(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      target: { type: 'string' },
      token: { type: 'string' },
      users: { type: 'string' },
      groups: { type: 'string' },
      scenario: { type: 'string' },
      seed: { type: 'string' },
      concurrency: { type: 'string' },
      'entra-flag': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  const idp = positionals[0] as IdpName | undefined;
  if (!idp || !IDPS.includes(idp)) throw new UsageError(`expected an IdP: ${IDPS.join(', ')}`);
  if (!values.target || !/^https?:\/\//.test(values.target)) throw new UsageError('--target expects an http(s) SCIM base URL');
  if (!values.token) throw new UsageError('--token is required');
  const scenario = (values.scenario ?? 'initial') as Scenario;
  if (!SCENARIOS.includes(scenario)) throw new UsageError(`--scenario expects one of ${SCENARIOS.join(', ')}`);
  return {
    idp,
    target: values.target,
    token: values.token,
    users: integer(values.users, 'users', 50, 1),
    groups: integer(values.groups, 'groups', 10, 0),
    scenario,
    seed: integer(values.seed, 'seed', 1, 0),
    ...(values.concurrency !== undefined ? { concurrency: integer(values.concurrency, 'concurrency', 1, 1) } : {}),
    entraFlag: values['entra-flag'] ?? false,
    json: values.json ?? false,
  };
}

export function formatReport(r: SimulationReport): string {
  const rows = [
    ['IdP / scenario / seed', `${r.idp} / ${r.scenario} / ${r.seed}`],
    ['users / groups', `${r.users} / ${r.groups}`],
    ['requests (errors, retries)', `${r.requests} (${r.errors}, ${r.retries})`],
    ['latency p50 / p95 / p99 / max ms', `${r.latencyMs.p50} / ${r.latencyMs.p95} / ${r.latencyMs.p99} / ${r.latencyMs.max}`],
    ['seconds', String(r.seconds)],
    ['differences', String(r.differences.length)],
    ['protocol violations', String(r.violations.length)],
  ];
  const width = Math.max(...rows.map(([k]) => k!.length));
  const lines = rows.map(([k, v]) => `${k!.padEnd(width)}  ${v}`);
  for (const d of r.differences.slice(0, 50)) lines.push(`  difference  ${d.kind}  ${d.subject}: ${d.detail}`);
  for (const v of r.violations.slice(0, 50)) lines.push(`  violation   ${v.request}: ${v.problem}`);
  const more = r.differences.length + r.violations.length - Math.min(50, r.differences.length) - Math.min(50, r.violations.length);
  if (more > 0) lines.push(`  … and ${more} more (use --json for all)`);
  lines.push(r.ok ? 'OK: the target holds exactly what the IdP provisioned.' : 'FAILED: see the differences and violations above.');
  return lines.join('\n') + '\n';
}

export async function runSimulate(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(SIMULATE_HELP);
    return 0;
  }
  let args;
  try {
    args = parseSimulateArgs(argv);
  } catch (error) {
    process.stderr.write(`guestlist simulate: ${(error as Error).message}\n\n${SIMULATE_HELP}`);
    return 2;
  }
  const tty = process.stderr.isTTY && !args.json;
  const report = await simulate({
    ...args,
    ...(tty
      ? {
          onProgress: (done: number, phase: string) => {
            if (done < 0) process.stderr.write(`\r\x1b[K${phase}…`);
            else if (done % 10 === 0) process.stderr.write(`\r\x1b[K${'█'.repeat(Math.min(40, Math.floor(done / 25)))} ${done} requests`);
          },
        }
      : {}),
  });
  if (tty) process.stderr.write('\r\x1b[K');
  process.stdout.write(args.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
  return report.ok ? 0 : 1;
}
