/** The connector for a pulled directory's type, built from its stored connection and the configured URLs. */
import type { Config } from '../config.ts';
import type { DirectoryRecord } from '../store/store.ts';
import type { BambooConnection, Connection, GoogleConnection, GoogleConsentConnection, WorkdayConnection } from './connection.ts';
import { SourceAuthError, bamboohrConnector, googleConnector, workdayConnector, type GoogleCredentials } from './connectors/index.ts';
import type { Connector } from './connectors/types.ts';
import type { WorkdayColumns } from './connectors/workday.ts';

/** `settings.group_filter`: the Google groups (ids or emails) to sync, and only their members. */
function groupFilter(dir: DirectoryRecord): string[] | undefined {
  const filter = dir.settings.group_filter;
  return Array.isArray(filter) && filter.length > 0 ? filter.filter((g): g is string => typeof g === 'string') : undefined;
}

/** The API names the report's columns by their default names (`Employee_ID`, …); the connector by field. */
const WORKDAY_FIELDS: Record<string, keyof WorkdayColumns> = {
  Employee_ID: 'employeeId',
  Email: 'email',
  First_Name: 'firstName',
  Last_Name: 'lastName',
  Active: 'active',
  Job_Title: 'jobTitle',
  Department: 'department',
  Manager_Email: 'managerEmail',
  Groups: 'groups',
};

export function workdayColumns(renamed: Record<string, string>): Partial<WorkdayColumns> {
  const out: Partial<WorkdayColumns> = {};
  for (const [column, name] of Object.entries(renamed)) {
    const field = WORKDAY_FIELDS[column];
    if (field) out[field] = name;
  }
  return out;
}

function googleCredentials(c: GoogleConnection | GoogleConsentConnection, client: Config['sources']['googleClient']): GoogleCredentials {
  const customer = c.customer ? { customer: c.customer } : {};
  if (c.kind === 'service_account') return { kind: 'service_account', key: c.service_account_key, adminEmail: c.admin_email, ...customer };
  // A consent is bound to the operator's OAuth client: without it configured, the source cannot be read.
  if (!client) throw new SourceAuthError('The Google connection was made by admin consent, but GUESTLIST_GOOGLE_CLIENT_ID and _SECRET are not set.');
  return { kind: 'oauth', clientId: client.id, clientSecret: client.secret, refreshToken: c.refresh_token, ...customer };
}

export function connectorFactory(urls: Config['sources']) {
  return (dir: DirectoryRecord, connection: Connection): Connector => {
    if (dir.type === 'gsuite directory') {
      const groupIds = groupFilter(dir);
      return googleConnector({
        credentials: googleCredentials(connection as GoogleConnection | GoogleConsentConnection, urls.googleClient),
        apiUrl: urls.googleApiUrl,
        tokenUrl: urls.googleTokenUrl,
        ...(groupIds ? { groupIds } : {}),
      });
    }
    if (dir.type === 'workday') {
      const c = connection as WorkdayConnection;
      return workdayConnector({ reportUrl: c.report_url, username: c.username, password: c.password, ...(c.columns ? { columns: workdayColumns(c.columns) } : {}) });
    }
    const c = connection as BambooConnection;
    return bamboohrConnector({ subdomain: c.subdomain, apiKey: c.api_key, apiUrl: urls.bamboohrApiUrl });
  };
}
