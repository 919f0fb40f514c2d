/**
 * Google Workspace through the Admin SDK Directory API: users.list, groups.list (or groups.get for a group filter)
 * and members.list of each group, every one paged to the end (pageToken/nextPageToken).
 *
 * Credentials: a service account with domain-wide delegation (an RS256 JWT, signed here with node:crypto, exchanged
 * at the token endpoint with the JWT bearer grant; `sub` is the admin it acts as), or an OAuth consent's refresh
 * token. The access token is cached until 60 s before it expires, in the connector (or in a `tokenCache` the caller
 * shares between connectors). A 401 from the API drops the cached token and tries once more with a fresh one.
 *
 * Refusals (`invalid_grant`, `unauthorized_client`, `invalid_client`, 401, a 403 that is not a quota) are
 * SourceAuthError. Quotas (429; 403 `rateLimitExceeded`, `userRateLimitExceeded`, `quotaExceeded`) and 5xx are
 * retried with backoff, then SourceUnavailableError.
 */
import { createHash, sign } from 'node:crypto';
import { compact, requestJson, resolveHttp, excerpt, type Classifier, type Failure, type Http } from './http.ts';
import {
  ENTERPRISE_USER_SCHEMA,
  SCIM_USER_SCHEMA,
  SourceAuthError,
  SourceResponseError,
  type Connector,
  type HttpOptions,
  type Listing,
  type SourceGroup,
  type SourceUser,
} from './types.ts';

export const GOOGLE_SOURCE_SCHEMA = 'urn:guestlist:source:google:1.0:User';
export const GOOGLE_SCOPES = [
  'https://www.googleapis.com/auth/admin.directory.user.readonly',
  'https://www.googleapis.com/auth/admin.directory.group.readonly',
  'https://www.googleapis.com/auth/admin.directory.group.member.readonly',
] as const;
export const GOOGLE_API_URL = 'https://admin.googleapis.com';
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Page sizes: the largest the API allows. */
const USERS_PAGE = 500;
const GROUPS_PAGE = 200;
const MEMBERS_PAGE = 200;
/** A token is used until this long before it expires. */
const TOKEN_MARGIN_MS = 60_000;
/** Lifetime asked of a service-account assertion: Google's maximum. */
const ASSERTION_LIFETIME_S = 3600;

export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  token_uri?: string;
  [key: string]: unknown;
}

export type GoogleCredentials =
  | { kind: 'service_account'; key: ServiceAccountKey; adminEmail: string; customer?: string }
  | { kind: 'oauth'; clientId: string; clientSecret: string; refreshToken: string; customer?: string };

export interface CachedToken {
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** Where access tokens are kept between list() calls; keyed by a hash of the credentials (no secret in the key). */
export interface TokenCache {
  get(key: string): CachedToken | undefined;
  set(key: string, token: CachedToken): void;
  delete(key: string): void;
}

export interface GoogleConnectorOptions extends HttpOptions {
  credentials: GoogleCredentials;
  /** GUESTLIST_GOOGLE_API_URL; default https://admin.googleapis.com. */
  apiUrl?: string;
  /** GUESTLIST_GOOGLE_TOKEN_URL; default the key's token_uri, else https://oauth2.googleapis.com/token. */
  tokenUrl?: string;
  /** Only these groups (ids or emails), and only the users who are their direct members. */
  groupIds?: string[];
  /** Epoch ms; default Date.now. */
  now?: () => number;
  /** Default: one cache per connector. */
  tokenCache?: TokenCache;
}

interface GoogleName {
  givenName?: string;
  familyName?: string;
  fullName?: string;
}
interface GoogleOrganization {
  primary?: boolean;
  name?: string;
  title?: string;
  department?: string;
  costCenter?: string;
  description?: string;
}
interface GoogleUser {
  id: string;
  primaryEmail: string;
  name?: GoogleName;
  suspended?: boolean;
  archived?: boolean;
  orgUnitPath?: string;
  organizations?: GoogleOrganization[];
  relations?: { type?: string; customType?: string; value?: string }[];
  externalIds?: { type?: string; customType?: string; value?: string }[];
  customSchemas?: Record<string, unknown>;
  aliases?: string[];
}
interface GoogleGroup {
  id: string;
  email?: string;
  name?: string;
  description?: string;
}
interface GoogleMember {
  id?: string;
  email?: string;
  type?: string;
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** The RS256-signed JWT a service account exchanges for an access token (RFC 7523 §2.1, Google's claims). */
export function signServiceAccountAssertion(key: ServiceAccountKey, adminEmail: string, audience: string, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = base64url(
    JSON.stringify({ iss: key.client_email, sub: adminEmail, scope: GOOGLE_SCOPES.join(' '), aud: audience, iat, exp: iat + ASSERTION_LIFETIME_S }),
  );
  const input = `${header}.${claims}`;
  let signature: Buffer;
  try {
    signature = sign('sha256', Buffer.from(input), key.private_key);
  } catch {
    throw new SourceAuthError('Google: the service account key\'s private_key is not a usable RSA private key');
  }
  return `${input}.${base64url(signature)}`;
}

function googleErrorReasons(body: string): { reasons: string[]; message?: string } {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; error_description?: unknown };
    if (typeof parsed.error === 'string') {
      // The token endpoint's OAuth form: {"error":"invalid_grant","error_description":"…"}.
      return { reasons: [parsed.error], ...(typeof parsed.error_description === 'string' ? { message: parsed.error_description } : {}) };
    }
    if (parsed.error && typeof parsed.error === 'object') {
      const error = parsed.error as { message?: unknown; status?: unknown; errors?: { reason?: unknown }[] };
      const reasons = (error.errors ?? []).map((e) => e.reason).filter((r): r is string => typeof r === 'string');
      if (typeof error.status === 'string') reasons.push(error.status);
      return { reasons, ...(typeof error.message === 'string' ? { message: error.message } : {}) };
    }
  } catch {
    // not JSON: classified by status alone
  }
  return { reasons: [] };
}

const QUOTA_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded', 'RESOURCE_EXHAUSTED']);
const TOKEN_REFUSALS = new Set(['invalid_grant', 'unauthorized_client', 'invalid_client', 'access_denied', 'invalid_scope']);

function describe(status: number, reasons: string[], message: string | undefined, body: string): string {
  const why = reasons.length > 0 ? ` ${reasons.join('/')}` : '';
  return `HTTP ${status}${why}: ${message ?? excerpt(body)}`;
}

/** The Directory API's errors: quota 403s and 429/5xx are transient, other 401/403 a refusal. */
export const classifyDirectoryError: Classifier = (status, body): Failure => {
  const { reasons, message } = googleErrorReasons(body);
  const text = describe(status, reasons, message, body);
  if (status === 429 || status >= 500 || (status === 403 && reasons.some((r) => QUOTA_REASONS.has(r)))) return { kind: 'transient', message: text };
  if (status === 401 || status === 403) return { kind: 'auth', message: text };
  return { kind: 'other', message: text };
};

/** The token endpoint's errors: the OAuth refusals are SourceAuthError whatever their status. */
export const classifyTokenError: Classifier = (status, body): Failure => {
  const { reasons, message } = googleErrorReasons(body);
  const text = describe(status, reasons, message, body);
  if (status === 429 || status >= 500) return { kind: 'transient', message: text };
  if (reasons.some((r) => TOKEN_REFUSALS.has(r)) || status === 401 || status === 403) return { kind: 'auth', message: text };
  return { kind: 'other', message: text };
};

function mapCache(): TokenCache {
  const map = new Map<string, CachedToken>();
  return { get: (k) => map.get(k), set: (k, t) => void map.set(k, t), delete: (k) => void map.delete(k) };
}

function primaryOrganization(user: GoogleUser): GoogleOrganization | undefined {
  return user.organizations?.find((o) => o.primary) ?? user.organizations?.[0];
}

/** A Google user in SCIM shape; the manager (an email in Google) is resolved to an id once every user is listed. */
export function googleUserToScim(user: GoogleUser): { user: SourceUser; managerEmail?: string } {
  const org = primaryOrganization(user);
  const managerEmail = user.relations?.find((r) => r.type === 'manager' && r.value)?.value;
  const employeeNumber = user.externalIds?.find((e) => e.type === 'organization' && e.value)?.value;
  const enterprise = compact({ department: org?.department, costCenter: org?.costCenter, employeeNumber, organization: org?.name });
  const source = compact({ orgUnitPath: user.orgUnitPath, customSchemas: user.customSchemas, managerEmail });
  const resource: Record<string, unknown> = {
    schemas: [SCIM_USER_SCHEMA, ...(enterprise ? [ENTERPRISE_USER_SCHEMA] : []), ...(source ? [GOOGLE_SOURCE_SCHEMA] : [])],
    externalId: user.id,
    userName: user.primaryEmail,
  };
  const name = compact({ givenName: user.name?.givenName, familyName: user.name?.familyName, formatted: user.name?.fullName });
  if (name) resource['name'] = name;
  resource['emails'] = [{ value: user.primaryEmail, type: 'work', primary: true }];
  resource['active'] = !(user.suspended === true || user.archived === true);
  if (org?.title) resource['title'] = org.title;
  if (enterprise) resource[ENTERPRISE_USER_SCHEMA] = enterprise;
  if (source) resource[GOOGLE_SOURCE_SCHEMA] = source;
  return { user: { externalId: user.id, resource }, ...(managerEmail ? { managerEmail } : {}) };
}

function setManager(resource: Record<string, unknown>, managerId: string): void {
  let enterprise = resource[ENTERPRISE_USER_SCHEMA] as Record<string, unknown> | undefined;
  if (!enterprise) {
    enterprise = {};
    resource[ENTERPRISE_USER_SCHEMA] = enterprise;
    const schemas = resource['schemas'] as string[];
    schemas.splice(1, 0, ENTERPRISE_USER_SCHEMA);
  }
  enterprise['manager'] = { value: managerId };
}

function asList<T>(page: unknown, key: string, what: string): { items: T[]; next?: string } {
  if (!page || typeof page !== 'object') throw new SourceResponseError(`${what}: the answer is not a JSON object`);
  const record = page as Record<string, unknown>;
  const items = record[key];
  // The API leaves the array out of an empty page.
  if (items !== undefined && !Array.isArray(items)) throw new SourceResponseError(`${what}: "${key}" is not an array`);
  const next = record['nextPageToken'];
  if (next !== undefined && typeof next !== 'string') throw new SourceResponseError(`${what}: "nextPageToken" is not a string`);
  return { items: (items ?? []) as T[], ...(next ? { next } : {}) };
}

export function googleConnector(options: GoogleConnectorOptions): Connector {
  const http: Http = resolveHttp(options);
  const credentials = options.credentials;
  const apiUrl = (options.apiUrl ?? GOOGLE_API_URL).replace(/\/+$/, '');
  const tokenUrl =
    options.tokenUrl ?? (credentials.kind === 'service_account' ? credentials.key.token_uri : undefined) ?? GOOGLE_TOKEN_URL;
  const now = options.now ?? Date.now;
  const cache = options.tokenCache ?? mapCache();
  const customer = credentials.customer ?? 'my_customer';
  const cacheKey = createHash('sha256')
    .update(
      JSON.stringify(
        credentials.kind === 'service_account'
          ? [credentials.kind, tokenUrl, credentials.key.client_email, credentials.key.private_key, credentials.adminEmail]
          : [credentials.kind, tokenUrl, credentials.clientId, credentials.clientSecret, credentials.refreshToken],
      ),
    )
    .digest('hex');

  async function fetchToken(signal?: AbortSignal): Promise<CachedToken> {
    const form = new URLSearchParams();
    if (credentials.kind === 'service_account') {
      form.set('grant_type', JWT_BEARER_GRANT);
      form.set('assertion', signServiceAccountAssertion(credentials.key, credentials.adminEmail, tokenUrl, now()));
    } else {
      form.set('grant_type', 'refresh_token');
      form.set('client_id', credentials.clientId);
      form.set('client_secret', credentials.clientSecret);
      form.set('refresh_token', credentials.refreshToken);
    }
    const body = form.toString();
    const answer = await requestJson(
      http,
      'Google token endpoint',
      (s) =>
        http.fetch(tokenUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body,
          ...(s ? { signal: s } : {}),
        }),
      classifyTokenError,
      signal,
    );
    const token = answer as { access_token?: unknown; expires_in?: unknown };
    if (typeof token?.access_token !== 'string' || token.access_token === '') {
      throw new SourceResponseError('Google token endpoint: the answer has no access_token');
    }
    const expiresIn = typeof token.expires_in === 'number' ? token.expires_in : Number(token.expires_in ?? 3600);
    return { accessToken: token.access_token, expiresAt: now() + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000 };
  }

  async function accessToken(signal?: AbortSignal): Promise<{ token: string; fresh: boolean }> {
    const cached = cache.get(cacheKey);
    if (cached && now() < cached.expiresAt - TOKEN_MARGIN_MS) return { token: cached.accessToken, fresh: false };
    const token = await fetchToken(signal);
    cache.set(cacheKey, token);
    return { token: token.accessToken, fresh: true };
  }

  /** GET on the Directory API; a 401 with a cached token fetches a fresh one and tries once more. */
  async function apiGet(path: string, query: Record<string, string | undefined>, what: string, signal?: AbortSignal, notFound = false): Promise<unknown> {
    const url = new URL(apiUrl + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    for (let round = 0; ; round++) {
      const { token, fresh } = await accessToken(signal);
      let unauthenticated = false;
      const classify: Classifier = (status, body) => {
        unauthenticated = status === 401;
        return classifyDirectoryError(status, body);
      };
      try {
        return await requestJson(
          http,
          what,
          (s) => http.fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, ...(s ? { signal: s } : {}) }),
          classify,
          signal,
          { notFoundAsUndefined: notFound },
        );
      } catch (error) {
        if (error instanceof SourceAuthError && unauthenticated) {
          cache.delete(cacheKey);
          if (!fresh && round === 0) continue;
        }
        throw error;
      }
    }
  }

  /** Every page of one listing, handing each item to `each` as it comes; no page is kept. */
  async function pages<T>(path: string, query: Record<string, string | undefined>, key: string, what: string, each: (item: T) => void, signal?: AbortSignal, notFound = false): Promise<boolean> {
    let pageToken: string | undefined;
    const seen = new Set<string>();
    do {
      const answer = await apiGet(path, { ...query, pageToken }, what, signal, notFound);
      if (answer === undefined) return false;
      const { items, next } = asList<T>(answer, key, what);
      for (const item of items) each(item);
      if (next !== undefined) {
        if (seen.has(next)) throw new SourceResponseError(`${what}: the same nextPageToken came twice`);
        seen.add(next);
      }
      pageToken = next;
    } while (pageToken !== undefined);
    return true;
  }

  async function groupMembers(group: GoogleGroup, signal?: AbortSignal): Promise<string[] | undefined> {
    const ids: string[] = [];
    const found = await pages<GoogleMember>(
      `/admin/directory/v1/groups/${encodeURIComponent(group.id)}/members`,
      // Indirect members too: a user in a group nested in this one is a member of it for the app (its roles).
      { maxResults: String(MEMBERS_PAGE), includeDerivedMembership: 'true' },
      'members',
      `Google members.list (group ${group.id})`,
      (m) => {
        if (m.type === 'USER' && typeof m.id === 'string') ids.push(m.id);
      },
      signal,
      true,
    );
    return found ? [...new Set(ids)] : undefined;
  }

  async function list(signal?: AbortSignal): Promise<Listing> {
    if (credentials.kind === 'service_account' && (!credentials.key?.client_email || !credentials.key.private_key)) {
      throw new SourceAuthError('Google: the service account key has no client_email or private_key');
    }
    const groups: SourceGroup[] = [];
    const groupFilter = options.groupIds;
    let wanted: Set<string> | undefined;

    if (groupFilter) {
      wanted = new Set();
      for (const key of groupFilter) {
        const group = (await apiGet(`/admin/directory/v1/groups/${encodeURIComponent(key)}`, {}, `Google groups.get (${key})`, signal, true)) as GoogleGroup | undefined;
        if (group === undefined) continue; // gone from the source: it is simply not listed
        if (typeof group?.id !== 'string') throw new SourceResponseError(`Google groups.get (${key}): the answer has no id`);
        const members = await groupMembers(group, signal);
        if (members === undefined) continue;
        for (const id of members) wanted.add(id);
        groups.push(toSourceGroup(group, members));
      }
    }

    const users: SourceUser[] = [];
    const idByEmail = new Map<string, string>();
    const managers: { resource: Record<string, unknown>; email: string }[] = [];
    await pages<GoogleUser>(
      '/admin/directory/v1/users',
      { customer, maxResults: String(USERS_PAGE), projection: 'full' },
      'users',
      'Google users.list',
      (raw) => {
        if (typeof raw?.id !== 'string' || typeof raw.primaryEmail !== 'string') throw new SourceResponseError('Google users.list: a user has no id or primaryEmail');
        idByEmail.set(raw.primaryEmail.toLowerCase(), raw.id);
        for (const alias of raw.aliases ?? []) idByEmail.set(alias.toLowerCase(), raw.id);
        if (wanted && !wanted.has(raw.id)) return;
        const { user, managerEmail } = googleUserToScim(raw);
        users.push(user);
        if (managerEmail) managers.push({ resource: user.resource, email: managerEmail });
      },
      signal,
    );
    for (const { resource, email } of managers) {
      const id = idByEmail.get(email.toLowerCase());
      if (id !== undefined) setManager(resource, id);
    }

    const listed = new Set(users.map((u) => u.externalId));
    if (groupFilter) {
      for (const group of groups) group.memberExternalIds = group.memberExternalIds.filter((id) => listed.has(id));
    } else {
      const all: GoogleGroup[] = [];
      await pages<GoogleGroup>('/admin/directory/v1/groups', { customer, maxResults: String(GROUPS_PAGE) }, 'groups', 'Google groups.list', (g) => {
        if (typeof g?.id !== 'string') throw new SourceResponseError('Google groups.list: a group has no id');
        all.push(g);
      }, signal);
      for (const group of all) {
        const members = await groupMembers(group, signal);
        if (members === undefined) continue; // deleted between groups.list and members.list
        groups.push(toSourceGroup(group, members.filter((id) => listed.has(id))));
      }
    }
    return { users, groups };
  }

  return { list };
}

function toSourceGroup(group: GoogleGroup, memberExternalIds: string[]): SourceGroup {
  return {
    externalId: group.id,
    displayName: group.name ?? group.email ?? group.id,
    ...(group.description ? { description: group.description } : {}),
    memberExternalIds: [...new Set(memberExternalIds)],
  };
}
