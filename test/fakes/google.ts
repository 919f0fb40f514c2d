/**
 * A fake Google Workspace: the OAuth 2.0 token endpoint and the Admin SDK Directory API (users.list, groups.list,
 * groups.get, members.list), on a real node:http server on loopback. It checks requests as Google does.
 *
 * Use:
 *   const google = await startGoogleFake();                 // generates an RSA service-account key (2048 bits)
 *   google.data.addUser({ primaryEmail: 'ada@example.com', name: { givenName: 'Ada', familyName: 'Lovelace' } });
 *   const eng = google.data.addGroup({ email: 'eng@example.com', name: 'Engineering' });
 *   google.data.addMember(eng.id, 'ada@example.com');
 *   googleConnector({ apiUrl: google.url, tokenUrl: google.tokenUrl,
 *     credentials: { kind: 'service_account', key: google.serviceAccountKey, adminEmail: google.adminEmail } });
 *   // or credentials: { kind: 'oauth', ...google.oauth }
 *   await google.close();
 *
 * Dataset (google.data): users, groups (with members) as plain arrays you may also edit; helpers addUser,
 * addUsers(n), suspendUser, archiveUser, deleteUser (also drops its memberships), setManager, addGroup, deleteGroup,
 * addMember (a user or a group, by id or email), removeMember. `generateGoogleUsers(n)` makes users for a bench.
 * `google.adminEmail` (admin@<domain>) is a user of the dataset and a super admin.
 *
 * Faults (google.faults):
 *   fail(n, fault, where?)  the next n requests to `where` ('api' | 'token' | 'any', default 'api') answer `fault`:
 *                           'rateLimitExceeded' | 'userRateLimitExceeded' | 'quotaExceeded' (403 usageLimits),
 *                           429, 503, 500; `retryAfterSec` adds a Retry-After header.
 *   revokeGrant()           delegation removed / consent revoked: token requests answer 401 unauthorized_client
 *                           (service account) or 400 invalid_grant (refresh token), and issued tokens stop working
 *                           (the API answers 401 authError). restoreGrant() undoes it.
 *   emptyListing = true     users.list and groups.list answer empty pages.
 *   pageSize = n            pages hold at most n items whatever maxResults asks.
 *   google.now = () => ms   moves the fake's clock (token expiry, JWT iat/exp checks).
 *
 * What it checks, as Google does:
 *   token endpoint   POST, application/x-www-form-urlencoded. JWT bearer grant: the assertion's RS256 signature
 *                    against the service account's public key, header alg, iss = client_email, aud = this token
 *                    URL, exp − iat ≤ 3600 and the times current (±5 min), scope present and every scope authorized
 *                    for domain-wide delegation (`delegatedScopes`), sub a user of the domain. Refresh-token grant:
 *                    client_id/client_secret, the refresh token. Authorization-code grant (the portal's admin
 *                    consent): client_id/client_secret, a code `consent()` issued, once, for its redirect_uri.
 *                    Anything else: unsupported_grant_type.
 *   Directory API    GET only; `Authorization: Bearer` a token it issued and not expired; the token acts as an
 *                    admin (a token without sub, or for a non-admin, gets 403 "Not Authorized to access this
 *                    resource/api"); the scope each method needs; `customer` = my_customer or the customer id
 *                    (users.list, groups.list); maxResults within [1, 500] (users) or [1, 200] (groups, members);
 *                    projection basic|full|custom and customFieldMask only with custom; page tokens it issued, for
 *                    the same listing.
 *
 * google.requests logs every request (method, path, query, headers); google.tokensIssued counts access tokens.
 */
import { generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import { FaultQueue, pageToken, readPageToken, startServer, type FakeAnswer, type FakeRequest, type LoggedRequest } from './server.ts';

export const DIRECTORY_SCOPES = [
  'https://www.googleapis.com/auth/admin.directory.user.readonly',
  'https://www.googleapis.com/auth/admin.directory.group.readonly',
  'https://www.googleapis.com/auth/admin.directory.group.member.readonly',
];
const USER_SCOPES = ['https://www.googleapis.com/auth/admin.directory.user.readonly', 'https://www.googleapis.com/auth/admin.directory.user'];
const GROUP_SCOPES = ['https://www.googleapis.com/auth/admin.directory.group.readonly', 'https://www.googleapis.com/auth/admin.directory.group'];
const MEMBER_SCOPES = [...GROUP_SCOPES, 'https://www.googleapis.com/auth/admin.directory.group.member.readonly', 'https://www.googleapis.com/auth/admin.directory.group.member'];

export interface FakeGoogleUser {
  id: string;
  primaryEmail: string;
  name: { givenName?: string; familyName?: string; fullName?: string };
  suspended: boolean;
  archived: boolean;
  isAdmin: boolean;
  orgUnitPath: string;
  organizations?: { primary?: boolean; name?: string; title?: string; department?: string; costCenter?: string; description?: string }[];
  relations?: { type: string; value: string }[];
  externalIds?: { type: string; value: string }[];
  customSchemas?: Record<string, Record<string, unknown>>;
  aliases?: string[];
}

export interface FakeGoogleMember {
  id: string;
  email: string;
  type: 'USER' | 'GROUP';
  role: 'OWNER' | 'MANAGER' | 'MEMBER';
  status: 'ACTIVE';
}

export interface FakeGoogleGroup {
  id: string;
  email: string;
  name: string;
  description?: string;
  members: FakeGoogleMember[];
}

let sequence = 0;
function nextId(): string {
  sequence++;
  return `1${String(Date.now() % 1e9).padStart(9, '0')}${String(sequence).padStart(11, '0')}`;
}

/** N users of `domain` (user0001@…), every tenth with a manager (the first user), every 50th suspended. */
export function generateGoogleUsers(n: number, domain = 'example.com'): FakeGoogleUser[] {
  const width = Math.max(4, String(n).length);
  const users: FakeGoogleUser[] = [];
  for (let i = 1; i <= n; i++) {
    const handle = `user${String(i).padStart(width, '0')}`;
    users.push({
      id: nextId(),
      primaryEmail: `${handle}@${domain}`,
      name: { givenName: 'User', familyName: String(i), fullName: `User ${i}` },
      suspended: i % 50 === 0,
      archived: false,
      isAdmin: false,
      orgUnitPath: i % 2 === 0 ? '/Engineering' : '/Sales',
      organizations: [{ primary: true, title: 'Engineer', department: i % 2 === 0 ? 'Engineering' : 'Sales', costCenter: `CC${i % 7}` }],
      externalIds: [{ type: 'organization', value: `E${i}` }],
      ...(i % 10 === 0 ? { relations: [{ type: 'manager', value: `user${'1'.padStart(width, '0')}@${domain}` }] } : {}),
    });
  }
  return users;
}

export class GoogleDirectory {
  users: FakeGoogleUser[] = [];
  groups: FakeGoogleGroup[] = [];

  constructor(readonly domain: string) {}

  addUser(user: Partial<FakeGoogleUser> & { primaryEmail: string }): FakeGoogleUser {
    const full: FakeGoogleUser = { id: nextId(), name: {}, suspended: false, archived: false, isAdmin: false, orgUnitPath: '/', ...user };
    if (full.name.fullName === undefined && (full.name.givenName || full.name.familyName)) {
      full.name = { ...full.name, fullName: [full.name.givenName, full.name.familyName].filter(Boolean).join(' ') };
    }
    this.users.push(full);
    return full;
  }

  addUsers(n: number): FakeGoogleUser[] {
    const made = generateGoogleUsers(n, this.domain);
    for (const u of made) this.users.push(u);
    return made;
  }

  user(idOrEmail: string): FakeGoogleUser {
    const key = idOrEmail.toLowerCase();
    const found = this.users.find((u) => u.id === idOrEmail || u.primaryEmail.toLowerCase() === key);
    if (!found) throw new Error(`fake Google: no user ${idOrEmail}`);
    return found;
  }

  suspendUser(idOrEmail: string, suspended = true): void {
    this.user(idOrEmail).suspended = suspended;
  }

  archiveUser(idOrEmail: string, archived = true): void {
    this.user(idOrEmail).archived = archived;
  }

  deleteUser(idOrEmail: string): void {
    const user = this.user(idOrEmail);
    this.users.splice(this.users.indexOf(user), 1);
    for (const g of this.groups) g.members = g.members.filter((m) => m.id !== user.id);
  }

  /** Sets (or with undefined, removes) the user's manager relation, an email as Google keeps it. */
  setManager(idOrEmail: string, managerEmail: string | undefined): void {
    const user = this.user(idOrEmail);
    const others = (user.relations ?? []).filter((r) => r.type !== 'manager');
    user.relations = managerEmail ? [...others, { type: 'manager', value: managerEmail }] : others;
  }

  addGroup(group: { email: string; name: string; description?: string; id?: string }): FakeGoogleGroup {
    const full: FakeGoogleGroup = { id: group.id ?? nextId(), email: group.email, name: group.name, members: [], ...(group.description ? { description: group.description } : {}) };
    this.groups.push(full);
    return full;
  }

  group(idOrEmail: string): FakeGoogleGroup | undefined {
    const key = idOrEmail.toLowerCase();
    return this.groups.find((g) => g.id === idOrEmail || g.email.toLowerCase() === key);
  }

  deleteGroup(idOrEmail: string): void {
    const group = this.group(idOrEmail);
    if (!group) throw new Error(`fake Google: no group ${idOrEmail}`);
    this.groups.splice(this.groups.indexOf(group), 1);
    for (const g of this.groups) g.members = g.members.filter((m) => m.id !== group.id);
  }

  /** Adds a user, or a group (nested), by id or email. */
  addMember(groupIdOrEmail: string, memberIdOrEmail: string, role: FakeGoogleMember['role'] = 'MEMBER'): void {
    const group = this.group(groupIdOrEmail);
    if (!group) throw new Error(`fake Google: no group ${groupIdOrEmail}`);
    const nested = this.group(memberIdOrEmail);
    const member: FakeGoogleMember = nested
      ? { id: nested.id, email: nested.email, type: 'GROUP', role, status: 'ACTIVE' }
      : (() => {
          const u = this.user(memberIdOrEmail);
          return { id: u.id, email: u.primaryEmail, type: 'USER' as const, role, status: 'ACTIVE' as const };
        })();
    if (!group.members.some((m) => m.id === member.id)) group.members.push(member);
  }

  /**
   * members.list with includeDerivedMembership=true: the direct members (nested groups too), then the users of
   * the nested groups, at any depth, once each (cycles end).
   */
  derivedMembers(group: FakeGoogleGroup): FakeGoogleMember[] {
    const out = new Map(group.members.map((m) => [m.id, m]));
    const seen = new Set([group.id]);
    const walk = (g: FakeGoogleGroup) => {
      for (const m of g.members) {
        if (m.type === 'USER') {
          if (!out.has(m.id)) out.set(m.id, m);
        } else if (!seen.has(m.id)) {
          seen.add(m.id);
          const nested = this.group(m.id);
          if (nested) walk(nested);
        }
      }
    };
    walk(group);
    return [...out.values()];
  }

  removeMember(groupIdOrEmail: string, memberIdOrEmail: string): void {
    const group = this.group(groupIdOrEmail);
    if (!group) throw new Error(`fake Google: no group ${groupIdOrEmail}`);
    const key = memberIdOrEmail.toLowerCase();
    group.members = group.members.filter((m) => m.id !== memberIdOrEmail && m.email.toLowerCase() !== key);
  }
}

export type GoogleFault = 'rateLimitExceeded' | 'userRateLimitExceeded' | 'quotaExceeded' | 429 | 503 | 500;

export interface GoogleFaults {
  fail(count: number, fault: GoogleFault, where?: 'api' | 'token' | 'any', retryAfterSec?: number): void;
  revokeGrant(): void;
  restoreGrant(): void;
  emptyListing: boolean;
  pageSize: number | undefined;
  clear(): void;
}

export interface GoogleFake {
  /** The Directory API base: pass as apiUrl. */
  url: string;
  /** Pass as tokenUrl; it is also the `aud` the assertion must carry. */
  tokenUrl: string;
  customerId: string;
  domain: string;
  adminEmail: string;
  serviceAccountKey: { type: 'service_account'; client_email: string; private_key: string; private_key_id: string; token_uri: string; client_id: string };
  oauth: { clientId: string; clientSecret: string; refreshToken: string };
  /** Scopes domain-wide delegation authorizes for the service account; edit to test a missing scope. */
  delegatedScopes: string[];
  data: GoogleDirectory;
  faults: GoogleFaults;
  requests: LoggedRequest[];
  tokensIssued: number;
  /** The fake's clock (epoch ms), for token lifetimes and JWT times; replace it to move time. */
  now: () => number;
  /**
   * A super admin consenting on Google's consent screen: the authorization code Google would send to
   * `redirectUri`, which the token endpoint then exchanges (once, for that redirect URI) for a refresh token.
   */
  consent(redirectUri: string, scopes: string[]): string;
  close(): Promise<void>;
}

export interface GoogleFakeOptions {
  domain?: string;
  customerId?: string;
  /** PEM public key of the service account; with privateKeyPem. Default: a fresh RSA 2048 pair. */
  publicKeyPem?: string;
  privateKeyPem?: string;
  /** Lifetime of issued access tokens (default 3600 s). */
  tokenLifetimeSec?: number;
  /** Epoch ms; default Date.now. */
  now?: () => number;
}

interface IssuedToken {
  subject: string | undefined;
  scopes: Set<string>;
  expiresAt: number;
}

function googleError(status: number, reason: string, message: string, statusText?: string, domain = 'global'): FakeAnswer {
  return { status, body: { error: { code: status, message, errors: [{ message, domain, reason }], ...(statusText ? { status: statusText } : {}) } } };
}

function oauthError(status: number, error: string, description: string): FakeAnswer {
  return { status, body: { error, error_description: description } };
}

function faultAnswer(fault: GoogleFault, retryAfterSec?: number): FakeAnswer {
  const answer =
    fault === 429
      ? googleError(429, 'rateLimitExceeded', 'Quota exceeded for quota metric', 'RESOURCE_EXHAUSTED', 'usageLimits')
      : fault === 503
        ? googleError(503, 'backendError', 'The service is currently unavailable.', 'UNAVAILABLE')
        : fault === 500
          ? googleError(500, 'backendError', 'Internal error encountered.', 'INTERNAL')
          : googleError(403, fault, fault === 'quotaExceeded' ? 'Quota exceeded.' : 'Rate Limit Exceeded', 'PERMISSION_DENIED', 'usageLimits');
  return retryAfterSec === undefined ? answer : { ...answer, headers: { 'retry-after': String(retryAfterSec) } };
}

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export async function startGoogleFake(options: GoogleFakeOptions = {}): Promise<GoogleFake> {
  const domain = options.domain ?? 'example.com';
  const customerId = options.customerId ?? 'C03az79cb';
  const now = () => fake.now();
  const lifetime = options.tokenLifetimeSec ?? 3600;
  let publicKey: KeyObject | string;
  let privateKeyPem: string;
  if (options.publicKeyPem && options.privateKeyPem) {
    publicKey = options.publicKeyPem;
    privateKeyPem = options.privateKeyPem;
  } else {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    publicKey = pair.publicKey;
    privateKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  const data = new GoogleDirectory(domain);
  const adminEmail = `admin@${domain}`;
  data.addUser({ primaryEmail: adminEmail, name: { givenName: 'Super', familyName: 'Admin' }, isAdmin: true });
  const tokens = new Map<string, IssuedToken>();
  const queue = new FaultQueue<'api' | 'token'>();
  let revoked = false;
  const requests: LoggedRequest[] = [];

  const faults: GoogleFaults = {
    fail: (count, fault, where = 'api', retryAfterSec) => queue.push(count, faultAnswer(fault, retryAfterSec), where),
    revokeGrant: () => {
      revoked = true;
      tokens.clear();
    },
    restoreGrant: () => {
      revoked = false;
    },
    emptyListing: false,
    pageSize: undefined,
    clear: () => {
      queue.clear();
      faults.emptyListing = false;
      faults.pageSize = undefined;
      revoked = false;
    },
  };

  const fake = {} as GoogleFake;
  /** Authorization codes a consent issued, each with the redirect URI and scopes it was for. */
  const codes = new Map<string, { redirectUri: string; scopes: string[] }>();

  function issue(subject: string | undefined, scopes: string[]): FakeAnswer {
    const accessToken = `ya29.fake-${randomBytes(24).toString('base64url')}`;
    tokens.set(accessToken, { subject, scopes: new Set(scopes), expiresAt: now() + lifetime * 1000 });
    fake.tokensIssued++;
    return { status: 200, body: { access_token: accessToken, expires_in: lifetime, token_type: 'Bearer' } };
  }

  function token(request: FakeRequest): FakeAnswer {
    if (request.method !== 'POST') return { status: 405, body: { error: 'invalid_request', error_description: 'Method not allowed' } };
    if (!String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return oauthError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(request.body);
    const grant = form.get('grant_type');
    if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      const parts = (form.get('assertion') ?? '').split('.');
      if (parts.length !== 3) return oauthError(400, 'invalid_grant', 'Invalid JWT: not three segments.');
      const [h = '', c = '', s = ''] = parts;
      const header = decodeSegment(h);
      const claims = decodeSegment(c);
      if (!header || !claims) return oauthError(400, 'invalid_grant', 'Invalid JWT: segments are not JSON.');
      if (header['alg'] !== 'RS256') return oauthError(400, 'invalid_grant', 'Invalid JWT: alg must be RS256.');
      if (!verify('sha256', Buffer.from(`${h}.${c}`), publicKey, Buffer.from(s, 'base64url'))) {
        return oauthError(400, 'invalid_grant', 'Invalid JWT Signature.');
      }
      if (claims['iss'] !== fake.serviceAccountKey.client_email) return oauthError(400, 'invalid_grant', 'Invalid JWT: iss is not this service account.');
      if (claims['aud'] !== fake.tokenUrl) return oauthError(400, 'invalid_grant', 'Invalid JWT: aud is not the token endpoint.');
      const iat = claims['iat'];
      const exp = claims['exp'];
      const nowSec = now() / 1000;
      if (typeof iat !== 'number' || typeof exp !== 'number' || exp - iat > 3600 || exp <= iat || iat > nowSec + 300 || exp < nowSec - 300) {
        return oauthError(400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.');
      }
      const scope = claims['scope'];
      if (typeof scope !== 'string' || scope.trim() === '') return oauthError(400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
      const scopes = scope.split(' ').filter(Boolean);
      if (revoked || !scopes.every((x) => fake.delegatedScopes.includes(x))) {
        return oauthError(401, 'unauthorized_client', 'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.');
      }
      const sub = claims['sub'];
      if (sub !== undefined) {
        if (typeof sub !== 'string' || !data.users.some((u) => u.primaryEmail.toLowerCase() === sub.toLowerCase())) {
          return oauthError(400, 'invalid_grant', 'Invalid email or User ID');
        }
      }
      return issue(sub as string | undefined, scopes);
    }
    if (grant === 'authorization_code') {
      if (form.get('client_id') !== fake.oauth.clientId || form.get('client_secret') !== fake.oauth.clientSecret) {
        return oauthError(401, 'invalid_client', 'The OAuth client was not found.');
      }
      const code = form.get('code') ?? '';
      const granted = codes.get(code);
      // Single use, and for the redirect URI it was issued to (RFC 6749 §4.1.3).
      codes.delete(code);
      if (!granted || granted.redirectUri !== form.get('redirect_uri')) return oauthError(400, 'invalid_grant', 'Malformed auth code.');
      const answer = issue(fake.adminEmail, DIRECTORY_SCOPES);
      return { ...answer, body: { ...(answer.body as object), refresh_token: fake.oauth.refreshToken, scope: granted.scopes.join(' ') } };
    }
    if (grant === 'refresh_token') {
      if (form.get('client_id') !== fake.oauth.clientId || form.get('client_secret') !== fake.oauth.clientSecret) {
        return oauthError(401, 'invalid_client', 'The OAuth client was not found.');
      }
      if (revoked || form.get('refresh_token') !== fake.oauth.refreshToken) return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
      return issue(fake.adminEmail, DIRECTORY_SCOPES);
    }
    return oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grant ?? ''}`);
  }

  function limit(request: FakeRequest, max: number, fallback: number): number | FakeAnswer {
    const raw = request.query['maxResults'];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > max) return googleError(400, 'invalid', `Invalid value '${raw}'. Values must be within the range: [1, ${max}]`, 'INVALID_ARGUMENT');
    return n;
  }

  function page<T>(request: FakeRequest, listing: string, items: T[], size: number, key: string, kind: string): FakeAnswer {
    const offset = readPageToken(listing, request.query['pageToken']);
    if (offset === 'invalid') return googleError(400, 'invalid', 'Invalid Input: pageToken', 'INVALID_ARGUMENT');
    const start = offset ?? 0;
    const effective = Math.min(size, fake.faults.pageSize ?? Infinity);
    const slice = items.slice(start, start + effective);
    const body: Record<string, unknown> = { kind, etag: `"${randomBytes(6).toString('hex')}"` };
    if (slice.length > 0) body[key] = slice;
    if (start + effective < items.length) body['nextPageToken'] = pageToken(listing, start + effective);
    return { status: 200, body };
  }

  function checkCustomer(request: FakeRequest): FakeAnswer | undefined {
    const customer = request.query['customer'];
    if (customer === undefined && request.query['domain'] === undefined) return googleError(400, 'badRequest', 'Bad Request', 'INVALID_ARGUMENT');
    if (customer !== undefined && customer !== 'my_customer' && customer !== customerId) return googleError(400, 'badRequest', 'Bad Request', 'INVALID_ARGUMENT');
    if (customer === undefined && request.query['domain'] !== domain) return googleError(403, 'forbidden', 'Not Authorized to access this resource/api', 'PERMISSION_DENIED');
    return undefined;
  }

  function userView(user: FakeGoogleUser, projection: string, mask: string[]): Record<string, unknown> {
    const { customSchemas, ...rest } = user;
    const view: Record<string, unknown> = { kind: 'admin#directory#user', etag: `"${user.id}"`, ...rest, customerId };
    if (customSchemas && projection === 'full') view['customSchemas'] = customSchemas;
    if (customSchemas && projection === 'custom') {
      const picked = Object.fromEntries(Object.entries(customSchemas).filter(([name]) => mask.includes(name)));
      if (Object.keys(picked).length > 0) view['customSchemas'] = picked;
    }
    return view;
  }

  function groupView(group: FakeGoogleGroup): Record<string, unknown> {
    return {
      kind: 'admin#directory#group',
      id: group.id,
      etag: `"${group.id}"`,
      email: group.email,
      name: group.name,
      directMembersCount: String(group.members.length),
      ...(group.description ? { description: group.description } : {}),
      adminCreated: true,
    };
  }

  function api(request: FakeRequest): FakeAnswer {
    const fault = queue.take('api');
    if (fault) return fault;
    const auth = /^Bearer (\S+)$/.exec(String(request.headers['authorization'] ?? ''));
    const issued = auth?.[1] ? tokens.get(auth[1]) : undefined;
    if (!issued || issued.expiresAt <= now()) {
      return googleError(401, 'authError', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.', 'UNAUTHENTICATED');
    }
    if (request.method !== 'GET') return googleError(405, 'methodNotAllowed', 'This fake is read-only.');
    const actor = issued.subject ? data.users.find((u) => u.primaryEmail.toLowerCase() === issued.subject?.toLowerCase()) : undefined;
    if (!actor?.isAdmin || actor.suspended) return googleError(403, 'forbidden', 'Not Authorized to access this resource/api', 'PERMISSION_DENIED');
    const needs = (scopes: string[]) => scopes.some((s) => issued.scopes.has(s));
    const insufficient = googleError(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.', 'PERMISSION_DENIED');
    const path = request.path.replace(/^\/admin\/directory\/v1/, '');
    if (path === request.path) return googleError(404, 'notFound', 'Not Found');

    if (path === '/users') {
      if (!needs(USER_SCOPES)) return insufficient;
      const bad = checkCustomer(request);
      if (bad) return bad;
      const size = limit(request, 500, 100);
      if (typeof size !== 'number') return size;
      const projection = request.query['projection'] ?? 'basic';
      if (!['basic', 'full', 'custom'].includes(projection)) return googleError(400, 'invalidParameter', `Invalid value '${projection}' for projection`, 'INVALID_ARGUMENT');
      const mask = request.query['customFieldMask'];
      if (mask !== undefined && projection !== 'custom') return googleError(400, 'invalid', 'customFieldMask is only valid with projection=custom', 'INVALID_ARGUMENT');
      if (projection === 'custom' && mask === undefined) return googleError(400, 'invalid', 'projection=custom needs customFieldMask', 'INVALID_ARGUMENT');
      const masked = (mask ?? '').split(',').filter(Boolean);
      const listed = fake.faults.emptyListing ? [] : data.users.map((u) => userView(u, projection, masked));
      return page(request, `users:${projection}`, listed, size, 'users', 'admin#directory#users');
    }
    if (path === '/groups') {
      if (!needs(GROUP_SCOPES)) return insufficient;
      const bad = checkCustomer(request);
      if (bad) return bad;
      const size = limit(request, 200, 200);
      if (typeof size !== 'number') return size;
      const listed = fake.faults.emptyListing ? [] : data.groups.map(groupView);
      return page(request, 'groups', listed, size, 'groups', 'admin#directory#groups');
    }
    const groupMatch = /^\/groups\/([^/]+)(\/members)?$/.exec(path);
    if (groupMatch?.[1]) {
      const group = data.group(decodeURIComponent(groupMatch[1]));
      if (groupMatch[2]) {
        if (!needs(MEMBER_SCOPES)) return insufficient;
        if (!group) return googleError(404, 'notFound', 'Resource Not Found: groupKey', 'NOT_FOUND');
        const size = limit(request, 200, 200);
        if (typeof size !== 'number') return size;
        const derived = request.query['includeDerivedMembership'] === 'true';
        const members = (derived ? data.derivedMembers(group) : group.members).map((m) => ({ kind: 'admin#directory#member', etag: `"${m.id}"`, ...m }));
        return page(request, `members:${group.id}`, members, size, 'members', 'admin#directory#members');
      }
      if (!needs(GROUP_SCOPES)) return insufficient;
      if (!group) return googleError(404, 'notFound', 'Resource Not Found: groupKey', 'NOT_FOUND');
      return { status: 200, body: groupView(group) };
    }
    return googleError(404, 'notFound', 'Not Found');
  }

  const server = await startServer((request) => {
    requests.push({ method: request.method, path: request.path, query: request.query, headers: request.headers });
    if (request.path === '/token') return queue.take('token') ?? token(request);
    return api(request);
  });

  Object.assign(fake, {
    url: server.url,
    tokenUrl: `${server.url}/token`,
    customerId,
    domain,
    adminEmail,
    serviceAccountKey: {
      type: 'service_account' as const,
      client_email: `guestlist-sync@fake-project.iam.gserviceaccount.com`,
      private_key: privateKeyPem,
      private_key_id: randomBytes(20).toString('hex'),
      token_uri: `${server.url}/token`,
      client_id: '104' + String(Date.now()).slice(-15),
    },
    oauth: { clientId: 'fake-client.apps.googleusercontent.com', clientSecret: `GOCSPX-${randomBytes(12).toString('base64url')}`, refreshToken: `1//fake-${randomBytes(24).toString('base64url')}` },
    delegatedScopes: [...DIRECTORY_SCOPES],
    data,
    faults,
    requests,
    tokensIssued: 0,
    now: options.now ?? Date.now,
    consent: (redirectUri: string, scopes: string[]) => {
      const code = `4/fake-${randomBytes(16).toString('base64url')}`;
      codes.set(code, { redirectUri, scopes });
      return code;
    },
    close: server.close,
  });
  return fake;
}
