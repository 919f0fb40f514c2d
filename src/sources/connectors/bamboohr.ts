/**
 * BambooHR through its custom report: `POST {apiUrl}/api/gateway.php/{subdomain}/v1/reports/custom?format=JSON
 * &onlyCurrent=false` with the fields below, Basic authentication with the API key as user name and "x" as password,
 * `Accept: application/json`. The answer is `{title, fields, employees:[…]}`, every employee (terminated ones too, so
 * that they are listed inactive rather than vanishing). BambooHR has no groups: the listing has none.
 *
 * Inactive: status "Inactive", or a terminationDate in the past ("0000-00-00" is BambooHR's empty date). Manager:
 * supervisorEId (an employee id, the externalId of the manager), else supervisorEmail resolved against workEmail.
 *
 * 401/403, and 404 (no company at that subdomain), are SourceAuthError. 429/503 (with Retry-After) and other 5xx
 * are retried, then SourceUnavailableError.
 */
import { basicAuth, classifyByStatus, compact, requestJson, resolveHttp, text, type Classifier } from './http.ts';
import { ENTERPRISE_USER_SCHEMA, SCIM_USER_SCHEMA, SourceResponseError, type Connector, type HttpOptions, type Listing, type SourceUser } from './types.ts';

export const BAMBOOHR_SOURCE_SCHEMA = 'urn:guestlist:source:bamboohr:1.0:User';
export const BAMBOOHR_API_URL = 'https://api.bamboohr.com';
export const BAMBOOHR_FIELDS = [
  'id',
  'employeeNumber',
  'firstName',
  'lastName',
  'displayName',
  'workEmail',
  'jobTitle',
  'department',
  'division',
  'location',
  'status',
  'supervisorEId',
  'supervisorEmail',
  'hireDate',
  'terminationDate',
] as const;

export interface BambooHrConnectorOptions extends HttpOptions {
  subdomain: string;
  apiKey: string;
  /** GUESTLIST_BAMBOOHR_API_URL; default https://api.bamboohr.com. */
  apiUrl?: string;
  /** Epoch ms, for "a terminationDate in the past"; default Date.now. */
  now?: () => number;
}

const classifyBambooHr: Classifier = (status, body) => {
  if (status === 404) return { kind: 'auth', message: 'HTTP 404: no BambooHR company at this subdomain' };
  return classifyByStatus(status, body);
};

/** YYYY-MM-DD, or undefined for BambooHR's empty date 0000-00-00 and anything unreadable. */
function date(value: unknown): string | undefined {
  const raw = text(value);
  if (!raw || !/^\d{4}-\d{2}-\d{2}$/.test(raw) || raw.startsWith('0000')) return undefined;
  return raw;
}

export function bamboohrConnector(options: BambooHrConnectorOptions): Connector {
  const http = resolveHttp(options);
  const base = (options.apiUrl ?? BAMBOOHR_API_URL).replace(/\/+$/, '');
  const url = new URL(`${base}/api/gateway.php/${encodeURIComponent(options.subdomain)}/v1/reports/custom`);
  url.searchParams.set('format', 'JSON');
  url.searchParams.set('onlyCurrent', 'false');
  const authorization = basicAuth(options.apiKey, 'x');
  const now = options.now ?? Date.now;
  const body = JSON.stringify({ title: 'Guestlist directory sync', fields: BAMBOOHR_FIELDS });

  async function list(signal?: AbortSignal): Promise<Listing> {
    const answer = await requestJson(
      http,
      'BambooHR custom report',
      (s) =>
        http.fetch(url, {
          method: 'POST',
          headers: { authorization, accept: 'application/json', 'content-type': 'application/json' },
          body,
          ...(s ? { signal: s } : {}),
        }),
      classifyBambooHr,
      signal,
    );
    const employees = (answer as { employees?: unknown } | null)?.employees;
    if (!Array.isArray(employees)) throw new SourceResponseError('BambooHR custom report: the answer has no "employees" array');

    const today = new Date(now()).toISOString().slice(0, 10);
    const users: SourceUser[] = [];
    const idByEmail = new Map<string, string>();
    const bySupervisorEmail: { user: SourceUser; email: string }[] = [];
    for (const employee of employees as Record<string, unknown>[]) {
      const id = text(employee?.['id']);
      if (id === undefined) continue;
      const workEmail = text(employee['workEmail']);
      if (workEmail) idByEmail.set(workEmail.toLowerCase(), id);
      const user = employeeToScim(id, employee, today);
      users.push(user);
      const supervisorEmail = text(employee['supervisorEmail']);
      if (text(employee['supervisorEId']) === undefined && supervisorEmail) bySupervisorEmail.push({ user, email: supervisorEmail });
    }
    for (const { user, email } of bySupervisorEmail) {
      const managerId = idByEmail.get(email.toLowerCase());
      if (managerId === undefined || managerId === user.externalId) continue;
      const enterprise = (user.resource[ENTERPRISE_USER_SCHEMA] ??= {}) as Record<string, unknown>;
      enterprise['manager'] = { value: managerId };
      const schemas = user.resource['schemas'] as string[];
      if (!schemas.includes(ENTERPRISE_USER_SCHEMA)) schemas.splice(1, 0, ENTERPRISE_USER_SCHEMA);
    }
    return { users, groups: [] };
  }

  return { list };
}

function employeeToScim(id: string, employee: Record<string, unknown>, today: string): SourceUser {
  const givenName = text(employee['firstName']);
  const familyName = text(employee['lastName']);
  const workEmail = text(employee['workEmail']);
  const employeeNumber = text(employee['employeeNumber']);
  const status = text(employee['status']);
  const terminationDate = date(employee['terminationDate']);
  const supervisorEId = text(employee['supervisorEId']);
  const enterprise = compact({
    department: text(employee['department']),
    division: text(employee['division']),
    employeeNumber,
    manager: supervisorEId && supervisorEId !== id ? { value: supervisorEId } : undefined,
  });
  const source = compact({ location: text(employee['location']), status, hireDate: date(employee['hireDate']), terminationDate });
  const resource: Record<string, unknown> = {
    schemas: [SCIM_USER_SCHEMA, ...(enterprise ? [ENTERPRISE_USER_SCHEMA] : []), ...(source ? [BAMBOOHR_SOURCE_SCHEMA] : [])],
    externalId: id,
    // An employee without a work email is still listed; the host app sees the employee number (or id) as userName.
    userName: workEmail ?? employeeNumber ?? id,
  };
  const formatted = text(employee['displayName']) ?? ([givenName, familyName].filter(Boolean).join(' ') || undefined);
  const name = compact({ givenName, familyName, formatted });
  if (name) resource['name'] = name;
  if (workEmail) resource['emails'] = [{ value: workEmail, type: 'work', primary: true }];
  const terminated = terminationDate !== undefined && terminationDate < today;
  resource['active'] = status?.toLowerCase() !== 'inactive' && !terminated;
  const title = text(employee['jobTitle']);
  if (title) resource['title'] = title;
  if (enterprise) resource[ENTERPRISE_USER_SCHEMA] = enterprise;
  if (source) resource[BAMBOOHR_SOURCE_SCHEMA] = source;
  return { externalId: id, resource };
}
