/**
 * A fake BambooHR API: the custom report (`POST /api/gateway.php/{subdomain}/v1/reports/custom`) and the employee
 * directory (`GET …/v1/employees/directory`), on a real node:http server on loopback. It checks requests as BambooHR
 * does.
 *
 * Use:
 *   const bamboo = await startBambooHrFake();
 *   bamboo.data.addEmployee({ id: '101', firstName: 'Ada', lastName: 'Lovelace', workEmail: 'ada@example.com' });
 *   bamboohrConnector({ apiUrl: bamboo.url, subdomain: bamboo.subdomain, apiKey: bamboo.apiKey });
 *   await bamboo.close();
 *
 * Dataset (bamboo.data): employees (a plain array you may edit); helpers addEmployee, addEmployees(n), terminate
 * (status Inactive and a termination date), setSupervisor (by the supervisor's id; supervisorEmail follows),
 * removeEmployee. `generateBambooHrEmployees(n)` makes employees for a bench. Empty dates are answered as
 * "0000-00-00", as BambooHR does.
 *
 * Faults (bamboo.faults): fail(n, status, retryAfterSec?) answers the next n requests with that status (429, 503
 * with Retry-After as BambooHR's rate limiting does, 500, 401, 403…); emptyListing = true answers no employees.
 *
 * What it checks: the subdomain (else 404); Basic authentication with the API key as user name and "x" as password
 * (else 401); `Accept: application/json` (else 406); on the custom report: POST, `format=JSON` (any case; else
 * 400), a JSON body with a `fields` array (else 400), and `onlyCurrent` (default true: inactive employees left
 * out). It answers `{title, fields:[{id,type,name}], employees:[{id, …the fields asked}]}`.
 * bamboo.requests logs every request.
 */
import { FaultQueue, basicCredentials, startServer, type FakeAnswer, type LoggedRequest } from './server.ts';

export interface FakeBambooHrEmployee {
  id: string;
  employeeNumber?: string;
  firstName?: string;
  lastName?: string;
  displayName?: string;
  workEmail?: string;
  jobTitle?: string;
  department?: string;
  division?: string;
  location?: string;
  status: 'Active' | 'Inactive';
  supervisorEId?: string;
  hireDate?: string;
  terminationDate?: string;
}

/** N employees (ids from 1001), every tenth supervised by the first, every 50th terminated. */
export function generateBambooHrEmployees(n: number, domain = 'example.com'): FakeBambooHrEmployee[] {
  const out: FakeBambooHrEmployee[] = [];
  for (let i = 1; i <= n; i++) {
    const id = String(1000 + i);
    const terminated = i % 50 === 0;
    out.push({
      id,
      employeeNumber: `EMP${i}`,
      firstName: 'User',
      lastName: String(i),
      workEmail: `user${i}@${domain}`,
      jobTitle: 'Engineer',
      department: i % 2 === 0 ? 'Engineering' : 'Sales',
      division: 'North',
      location: 'Remote',
      status: terminated ? 'Inactive' : 'Active',
      hireDate: '2020-01-01',
      ...(terminated ? { terminationDate: '2024-01-31' } : {}),
      ...(i % 10 === 0 ? { supervisorEId: '1001' } : {}),
    });
  }
  return out;
}

export class BambooHrCompany {
  employees: FakeBambooHrEmployee[] = [];

  addEmployee(employee: Partial<FakeBambooHrEmployee> & { id: string }): FakeBambooHrEmployee {
    const full: FakeBambooHrEmployee = { status: 'Active', ...employee };
    this.employees.push(full);
    return full;
  }

  addEmployees(n: number): FakeBambooHrEmployee[] {
    const made = generateBambooHrEmployees(n);
    this.employees.push(...made);
    return made;
  }

  employee(id: string): FakeBambooHrEmployee {
    const found = this.employees.find((e) => e.id === id);
    if (!found) throw new Error(`fake BambooHR: no employee ${id}`);
    return found;
  }

  /** Status Inactive with a termination date (default yesterday); with { keepActive } only the date is set. */
  terminate(id: string, terminationDate?: string, opts: { keepActive?: boolean } = {}): void {
    const e = this.employee(id);
    e.terminationDate = terminationDate ?? new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    if (!opts.keepActive) e.status = 'Inactive';
  }

  setSupervisor(id: string, supervisorId: string | undefined): void {
    const e = this.employee(id);
    if (supervisorId === undefined) delete e.supervisorEId;
    else e.supervisorEId = supervisorId;
  }

  removeEmployee(id: string): void {
    this.employees.splice(this.employees.indexOf(this.employee(id)), 1);
  }
}

export interface BambooHrFaults {
  fail(count: number, status: number, retryAfterSec?: number): void;
  emptyListing: boolean;
  clear(): void;
}

export interface BambooHrFake {
  /** Pass as apiUrl. */
  url: string;
  subdomain: string;
  apiKey: string;
  data: BambooHrCompany;
  faults: BambooHrFaults;
  requests: LoggedRequest[];
  close(): Promise<void>;
}

const FIELD_NAMES: Record<string, string> = {
  id: 'ID',
  employeeNumber: 'Employee #',
  firstName: 'First Name',
  lastName: 'Last Name',
  displayName: 'Display name',
  workEmail: 'Work Email',
  jobTitle: 'Job Title',
  department: 'Department',
  division: 'Division',
  location: 'Location',
  status: 'Status',
  supervisorEId: 'Supervisor EID',
  supervisorEmail: 'Supervisor email',
  hireDate: 'Hire Date',
  terminationDate: 'Termination Date',
};
const DATE_FIELDS = new Set(['hireDate', 'terminationDate']);

export async function startBambooHrFake(options: { subdomain?: string; apiKey?: string } = {}): Promise<BambooHrFake> {
  const queue = new FaultQueue<'api'>();
  const requests: LoggedRequest[] = [];
  const fake = {} as BambooHrFake;
  const text = (status: number, message: string, headers: Record<string, string> = {}): FakeAnswer => ({
    status,
    raw: message,
    headers: { 'content-type': 'text/plain', 'x-bamboohr-error-message': message, ...headers },
  });
  const faults: BambooHrFaults = {
    fail: (count, status, retryAfterSec) => queue.push(count, text(status, `HTTP ${status}`, retryAfterSec === undefined ? {} : { 'retry-after': String(retryAfterSec) })),
    emptyListing: false,
    clear: () => {
      queue.clear();
      faults.emptyListing = false;
    },
  };

  function value(e: FakeBambooHrEmployee, field: string): string | null {
    if (field === 'supervisorEmail') {
      const sup = e.supervisorEId ? fake.data.employees.find((x) => x.id === e.supervisorEId) : undefined;
      return sup?.workEmail ?? null;
    }
    if (field === 'displayName') return e.displayName ?? ([e.firstName, e.lastName].filter(Boolean).join(' ') || null);
    const v = (e as unknown as Record<string, string | undefined>)[field];
    if (v === undefined) return DATE_FIELDS.has(field) ? '0000-00-00' : null;
    return v;
  }

  const server = await startServer((request): FakeAnswer => {
    requests.push({ method: request.method, path: request.path, query: request.query, headers: request.headers });
    const fault = queue.take('api');
    if (fault) return fault;
    const match = /^\/api\/gateway\.php\/([^/]+)\/v1\/(reports\/custom|employees\/directory)$/.exec(request.path);
    if (!match || decodeURIComponent(match[1] ?? '') !== fake.subdomain) return text(404, 'Not Found');
    const creds = basicCredentials(request.headers['authorization']);
    if (!creds || creds.username !== fake.apiKey || creds.password !== 'x') return text(401, 'Unauthorized', { 'www-authenticate': 'Basic realm="BambooHR"' });
    if (!String(request.headers['accept'] ?? '').includes('application/json')) return text(406, 'Not Acceptable: send Accept: application/json');
    const listed = faults.emptyListing ? [] : fake.data.employees;

    if (match[2] === 'employees/directory') {
      if (request.method !== 'GET') return text(405, 'Method Not Allowed');
      const fields = ['displayName', 'firstName', 'lastName', 'jobTitle', 'workEmail', 'department', 'location', 'division', 'supervisorEId'];
      return {
        status: 200,
        body: {
          fields: fields.map((id) => ({ id, type: 'text', name: FIELD_NAMES[id] ?? id })),
          employees: listed.filter((e) => e.status === 'Active').map((e) => ({ id: e.id, ...Object.fromEntries(fields.map((f) => [f, value(e, f)])) })),
        },
      };
    }

    if (request.method !== 'POST') return text(405, 'Method Not Allowed');
    if (request.query['format']?.toUpperCase() !== 'JSON') return text(400, 'format must be one of CSV, PDF, XLS, XML, JSON');
    let asked: unknown;
    try {
      asked = (JSON.parse(request.body) as { fields?: unknown }).fields;
    } catch {
      return text(400, 'The request body is not JSON');
    }
    if (!Array.isArray(asked) || asked.some((f) => typeof f !== 'string')) return text(400, 'fields must be an array of field names');
    const onlyCurrent = request.query['onlyCurrent'] !== 'false';
    const rows = listed.filter((e) => !onlyCurrent || e.status === 'Active');
    const fields = (asked as string[]).filter((f) => f !== 'id');
    return {
      status: 200,
      body: {
        title: 'Report',
        fields: (asked as string[]).map((id) => ({ id, type: DATE_FIELDS.has(id) ? 'date' : 'text', name: FIELD_NAMES[id] ?? id })),
        employees: rows.map((e) => ({ id: e.id, ...Object.fromEntries(fields.map((f) => [f, value(e, f)])) })),
      },
    };
  });

  Object.assign(fake, {
    url: server.url,
    subdomain: options.subdomain ?? 'acme',
    apiKey: options.apiKey ?? 'b4mb00-fake-api-key-0123456789abcdef',
    data: new BambooHrCompany(),
    faults,
    requests,
    close: server.close,
  });
  return fake;
}
