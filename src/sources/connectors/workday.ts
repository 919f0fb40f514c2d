/**
 * Workday through a custom report published as a web service (RaaS), read as JSON: GET the report URL with
 * `format=json` and Basic authentication (an integration system user), answer `{"Report_Entry":[…]}`, one entry per
 * worker. The report is read whole (RaaS does not page).
 *
 * Columns (renamable with `columns`): Employee_ID, Email, First_Name, Last_Name, Active ("1"/"0"), Job_Title,
 * Department, Manager_Email (resolved to that worker's Employee_ID when the worker is in the report), Groups (names
 * separated by ";", or a multi-instance field: an array of names or of {Descriptor}). A group's externalId is its
 * name, since the report carries no group id.
 *
 * 401/403, and 404 (no report at that URL), are SourceAuthError: the connection settings are refused. 429/5xx are
 * retried, then SourceUnavailableError.
 */
import { basicAuth, classifyByStatus, compact, requestJson, resolveHttp, text, type Classifier } from './http.ts';
import {
  ENTERPRISE_USER_SCHEMA,
  SCIM_USER_SCHEMA,
  SourceResponseError,
  type Connector,
  type HttpOptions,
  type Listing,
  type SourceGroup,
  type SourceUser,
} from './types.ts';

export const WORKDAY_SOURCE_SCHEMA = 'urn:guestlist:source:workday:1.0:User';

export interface WorkdayColumns {
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

export const DEFAULT_WORKDAY_COLUMNS: WorkdayColumns = {
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

export interface WorkdayConnectorOptions extends HttpOptions {
  /** The report's REST URL (…/ccx/service/customreport2/{tenant}/{owner}/{report}); format=json is set on it. */
  reportUrl: string;
  username: string;
  password: string;
  /** Renames any of the default columns. */
  columns?: Partial<WorkdayColumns>;
}

const INACTIVE = new Set(['0', 'false', 'no', 'n', 'inactive', 'terminated']);

const classifyWorkday: Classifier = (status, body) => {
  if (status === 404) return { kind: 'auth', message: 'HTTP 404: no report at this URL (check the report URL and that it is enabled as a web service)' };
  return classifyByStatus(status, body);
};

/** The report URL with format=json (replacing another format: only JSON is read). */
export function workdayJsonUrl(reportUrl: string): URL {
  const url = new URL(reportUrl);
  if (url.searchParams.get('format')?.toLowerCase() !== 'json') url.searchParams.set('format', 'json');
  return url;
}

function groupNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => text(v)).filter((v): v is string => v !== undefined);
  const joined = text(value);
  if (joined === undefined) return [];
  return joined.split(';').map((s) => s.trim()).filter(Boolean);
}

export function workdayConnector(options: WorkdayConnectorOptions): Connector {
  const http = resolveHttp(options);
  const columns: WorkdayColumns = { ...DEFAULT_WORKDAY_COLUMNS, ...options.columns };
  const url = workdayJsonUrl(options.reportUrl);
  const authorization = basicAuth(options.username, options.password);

  async function list(signal?: AbortSignal): Promise<Listing> {
    const answer = await requestJson(
      http,
      'Workday report',
      (s) => http.fetch(url, { headers: { authorization, accept: 'application/json' }, ...(s ? { signal: s } : {}) }),
      classifyWorkday,
      signal,
    );
    const entries = (answer as { Report_Entry?: unknown } | null)?.Report_Entry;
    if (!Array.isArray(entries)) throw new SourceResponseError('Workday report: the answer has no "Report_Entry" array');

    const users: SourceUser[] = [];
    const byId = new Map<string, SourceUser>();
    const idByEmail = new Map<string, string>();
    const managers: { user: SourceUser; email: string }[] = [];
    const groups = new Map<string, Set<string>>();

    for (const entry of entries as Record<string, unknown>[]) {
      if (!entry || typeof entry !== 'object') continue;
      const employeeId = text(entry[columns.employeeId]);
      if (employeeId === undefined) continue; // a row that names no worker cannot be keyed
      const names = groupNames(entry[columns.groups]);
      const existing = byId.get(employeeId);
      if (!existing) {
        const email = text(entry[columns.email]);
        const managerEmail = text(entry[columns.managerEmail]);
        const user = workerToScim(employeeId, entry, columns, email);
        users.push(user);
        byId.set(employeeId, user);
        if (email) idByEmail.set(email.toLowerCase(), employeeId);
        if (managerEmail) managers.push({ user, email: managerEmail });
      }
      // A worker on several rows (a multi-instance field) is one user, in the union of the rows' groups.
      for (const name of names) {
        let members = groups.get(name);
        if (!members) groups.set(name, (members = new Set()));
        members.add(employeeId);
      }
    }

    for (const { user, email } of managers) {
      const managerId = idByEmail.get(email.toLowerCase());
      const enterprise = (user.resource[ENTERPRISE_USER_SCHEMA] ??= {}) as Record<string, unknown>;
      if (managerId !== undefined && managerId !== user.externalId) enterprise['manager'] = { value: managerId };
      else user.resource[WORKDAY_SOURCE_SCHEMA] = { managerEmail: email };
    }
    for (const user of users) user.resource['schemas'] = schemasOf(user.resource);
    const listed: SourceGroup[] = [...groups].map(([name, members]) => ({ externalId: name, displayName: name, memberExternalIds: [...members] }));
    return { users, groups: listed };
  }

  return { list };
}

function schemasOf(resource: Record<string, unknown>): string[] {
  return [SCIM_USER_SCHEMA, ...[ENTERPRISE_USER_SCHEMA, WORKDAY_SOURCE_SCHEMA].filter((s) => resource[s] !== undefined)];
}

function workerToScim(employeeId: string, entry: Record<string, unknown>, columns: WorkdayColumns, email: string | undefined): SourceUser {
  const givenName = text(entry[columns.firstName]);
  const familyName = text(entry[columns.lastName]);
  const activeText = text(entry[columns.active]);
  const resource: Record<string, unknown> = {
    schemas: [SCIM_USER_SCHEMA],
    externalId: employeeId,
    userName: email ?? employeeId,
  };
  const name = compact({ givenName, familyName, formatted: [givenName, familyName].filter(Boolean).join(' ') || undefined });
  if (name) resource['name'] = name;
  if (email) resource['emails'] = [{ value: email, type: 'work', primary: true }];
  // A report without the Active column lists active workers only.
  resource['active'] = activeText === undefined || !INACTIVE.has(activeText.toLowerCase());
  const title = text(entry[columns.jobTitle]);
  if (title) resource['title'] = title;
  resource[ENTERPRISE_USER_SCHEMA] = compact({ department: text(entry[columns.department]), employeeNumber: employeeId });
  return { externalId: employeeId, resource };
}
