/**
 * A fake Workday RaaS endpoint: one custom report published as a web service, on a real node:http server on
 * loopback. It checks requests as Workday does.
 *
 * Use:
 *   const workday = await startWorkdayFake();
 *   workday.data.addWorker({ employeeId: '21001', email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace',
 *     groups: ['Engineering'] });
 *   workdayConnector({ reportUrl: workday.reportUrl, username: workday.username, password: workday.password });
 *   await workday.close();
 *
 * Dataset (workday.data): workers (a plain array you may edit); helpers addWorker, addWorkers(n), terminate (Active
 * "0"), removeWorker, setManager (by the manager's email, as the report carries it), addToGroup, removeFromGroup.
 * `generateWorkdayWorkers(n)` makes workers for a bench. Each worker is rendered as a Report_Entry with the column
 * names in `workday.columns` (the defaults; rename them to test the connector's `columns` option): Active "1"/"0",
 * Groups joined with "; ", empty fields left out (as RaaS does).
 *
 * Faults (workday.faults): fail(n, status, retryAfterSec?) answers the next n requests with that status (429, 503,
 * 500, 401…); emptyListing = true answers {"Report_Entry":[]}.
 *
 * What it checks: GET on the report path (else 404/405); Basic authentication with the integration system user's
 * name and password (else 401); `format=json` (without it the answer is XML, Workday's default; another format
 * gets 400). workday.requests logs every request.
 */
import { FaultQueue, basicCredentials, startServer, type FakeAnswer, type LoggedRequest } from './server.ts';

export interface FakeWorkdayWorker {
  employeeId: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  active: boolean;
  jobTitle?: string;
  department?: string;
  managerEmail?: string;
  groups: string[];
}

export interface WorkdayColumnNames {
  employeeId: string;
  email: string;
  firstName: string;
  lastName: string;
  active: string;
  jobTitle: string;
  department: string;
  managerEmail: string;
  groups: string;
}

/** N workers (E00001, user00001@example.com …), every tenth managed by the first, every 50th inactive. */
export function generateWorkdayWorkers(n: number, domain = 'example.com'): FakeWorkdayWorker[] {
  const width = Math.max(5, String(n).length);
  const out: FakeWorkdayWorker[] = [];
  for (let i = 1; i <= n; i++) {
    const tag = String(i).padStart(width, '0');
    out.push({
      employeeId: `E${tag}`,
      email: `user${tag}@${domain}`,
      firstName: 'User',
      lastName: String(i),
      active: i % 50 !== 0,
      jobTitle: 'Engineer',
      department: i % 2 === 0 ? 'Engineering' : 'Sales',
      ...(i % 10 === 0 ? { managerEmail: `user${'1'.padStart(width, '0')}@${domain}` } : {}),
      groups: [i % 2 === 0 ? 'Engineering' : 'Sales'],
    });
  }
  return out;
}

export class WorkdayReport {
  workers: FakeWorkdayWorker[] = [];

  addWorker(worker: Partial<FakeWorkdayWorker> & { employeeId: string }): FakeWorkdayWorker {
    const full: FakeWorkdayWorker = { active: true, groups: [], ...worker };
    this.workers.push(full);
    return full;
  }

  addWorkers(n: number): FakeWorkdayWorker[] {
    const made = generateWorkdayWorkers(n);
    this.workers.push(...made);
    return made;
  }

  worker(employeeId: string): FakeWorkdayWorker {
    const found = this.workers.find((w) => w.employeeId === employeeId);
    if (!found) throw new Error(`fake Workday: no worker ${employeeId}`);
    return found;
  }

  terminate(employeeId: string, terminated = true): void {
    this.worker(employeeId).active = !terminated;
  }

  removeWorker(employeeId: string): void {
    this.workers.splice(this.workers.indexOf(this.worker(employeeId)), 1);
  }

  setManager(employeeId: string, managerEmail: string | undefined): void {
    const w = this.worker(employeeId);
    if (managerEmail === undefined) delete w.managerEmail;
    else w.managerEmail = managerEmail;
  }

  addToGroup(employeeId: string, group: string): void {
    const w = this.worker(employeeId);
    if (!w.groups.includes(group)) w.groups.push(group);
  }

  removeFromGroup(employeeId: string, group: string): void {
    const w = this.worker(employeeId);
    w.groups = w.groups.filter((g) => g !== group);
  }
}

export interface WorkdayFaults {
  fail(count: number, status: number, retryAfterSec?: number): void;
  emptyListing: boolean;
  clear(): void;
}

export interface WorkdayFake {
  /** The server's base URL. */
  url: string;
  /** The report URL without a format, as a customer copies it: pass as reportUrl. */
  reportUrl: string;
  username: string;
  password: string;
  columns: WorkdayColumnNames;
  data: WorkdayReport;
  faults: WorkdayFaults;
  requests: LoggedRequest[];
  close(): Promise<void>;
}

export interface WorkdayFakeOptions {
  tenant?: string;
  username?: string;
  password?: string;
  reportName?: string;
  columns?: Partial<WorkdayColumnNames>;
}

const DEFAULT_COLUMNS: WorkdayColumnNames = {
  employeeId: 'Employee_ID',
  email: 'Email',
  firstName: 'First_Name',
  lastName: 'Last_Name',
  active: 'Active',
  jobTitle: 'Job_Title',
  department: 'Department',
  managerEmail: 'Manager_Email',
  groups: 'Groups',
};

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export async function startWorkdayFake(options: WorkdayFakeOptions = {}): Promise<WorkdayFake> {
  const tenant = options.tenant ?? 'acme';
  const username = options.username ?? 'ISU_Guestlist';
  const password = options.password ?? 'isu-password-1';
  const path = `/ccx/service/customreport2/${tenant}/${username}/${options.reportName ?? 'Guestlist_Workers'}`;
  const queue = new FaultQueue<'report'>();
  const requests: LoggedRequest[] = [];
  const fake = {} as WorkdayFake;
  const faults: WorkdayFaults = {
    fail: (count, status, retryAfterSec) =>
      queue.push(count, { status, raw: `HTTP ${status}`, headers: { 'content-type': 'text/plain', ...(retryAfterSec === undefined ? {} : { 'retry-after': String(retryAfterSec) }) } }),
    emptyListing: false,
    clear: () => {
      queue.clear();
      faults.emptyListing = false;
    },
  };

  function entry(w: FakeWorkdayWorker): Record<string, string> {
    const c = fake.columns;
    const out: Record<string, string> = { [c.employeeId]: w.employeeId, [c.active]: w.active ? '1' : '0' };
    const optional: [string, string | undefined][] = [
      [c.email, w.email],
      [c.firstName, w.firstName],
      [c.lastName, w.lastName],
      [c.jobTitle, w.jobTitle],
      [c.department, w.department],
      [c.managerEmail, w.managerEmail],
      [c.groups, w.groups.length > 0 ? w.groups.join('; ') : undefined],
    ];
    for (const [k, v] of optional) if (v !== undefined && v !== '') out[k] = v;
    return out;
  }

  const server = await startServer((request): FakeAnswer => {
    requests.push({ method: request.method, path: request.path, query: request.query, headers: request.headers });
    const fault = queue.take('report');
    if (fault) return fault;
    if (request.path !== path) return { status: 404, raw: 'Not Found', headers: { 'content-type': 'text/plain' } };
    if (request.method !== 'GET') return { status: 405, raw: 'Method Not Allowed', headers: { 'content-type': 'text/plain' } };
    const creds = basicCredentials(request.headers['authorization']);
    if (!creds || creds.username !== fake.username || creds.password !== fake.password) {
      return { status: 401, raw: 'Unauthorized', headers: { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="Workday"' } };
    }
    const rows = faults.emptyListing ? [] : fake.data.workers.map(entry);
    const format = request.query['format']?.toLowerCase();
    if (format === 'json') return { status: 200, body: { Report_Entry: rows } };
    if (format !== undefined) return { status: 400, raw: `Unsupported format ${format}`, headers: { 'content-type': 'text/plain' } };
    const xml = `<?xml version='1.0' encoding='UTF-8'?><wd:Report_Data xmlns:wd="urn:com.workday.report/Guestlist_Workers">${rows
      .map((r) => `<wd:Report_Entry>${Object.entries(r).map(([k, v]) => `<wd:${k}>${xmlEscape(v)}</wd:${k}>`).join('')}</wd:Report_Entry>`)
      .join('')}</wd:Report_Data>`;
    return { status: 200, raw: xml, headers: { 'content-type': 'text/xml;charset=UTF-8' } };
  });

  Object.assign(fake, {
    url: server.url,
    reportUrl: `${server.url}${path}`,
    username,
    password,
    columns: { ...DEFAULT_COLUMNS, ...options.columns },
    data: new WorkdayReport(),
    faults,
    requests,
    close: server.close,
  });
  return fake;
}
