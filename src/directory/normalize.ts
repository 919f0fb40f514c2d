/**
 * SCIM resources → the Directory User and Directory Group objects the host app reads (API.md §3), with the
 * attribute names WorkOS maps automatically, so an app written against WorkOS reads the same fields.
 */
import { isObject, type Json } from '../scim/json.ts';
import { ENTERPRISE_USER_SCHEMA } from '../scim/schema/types.ts';
import type { ManagerContact } from '../store/scim/directory-reads.ts';
import { appActive, type GroupRecord, type UserRecord } from '../store/scim/records.ts';
import type { DirectoryRecord } from '../store/store.ts';

export interface DirectoryEmail {
  primary: boolean;
  type: string | null;
  value: string;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** `local@domain.tld`: what a userName must look like to stand in for a missing email. */
const EMAIL_ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const isEmailAddress = (text: string): boolean => EMAIL_ADDRESS.test(text);

/** The email `email` names: `primary: true`, else the first `work` one, else the first; -1 for none. */
function primaryIndex(emails: { primary: boolean; type: string | null }[]): number {
  const marked = emails.findIndex((e) => e.primary);
  if (marked >= 0) return marked;
  const work = emails.findIndex((e) => e.type?.toLowerCase() === 'work');
  return work >= 0 ? work : emails.length > 0 ? 0 : -1;
}

/**
 * The user's emails, with exactly one marked primary when there are any: the one `email` names, so the two
 * never disagree (WorkOS's legacy Java and .NET SDKs find the primary email by the flag, and throw on none).
 */
export function normalizedEmails(resource: Json): DirectoryEmail[] {
  const emails = Array.isArray(resource.emails) ? resource.emails.filter(isObject) : [];
  const listed = emails
    .filter((e) => typeof e.value === 'string')
    .map((e) => ({ primary: e.primary === true, type: str(e.type), value: e.value as string }));
  const primary = primaryIndex(listed);
  return listed.map((e, i) => ({ ...e, primary: i === primary }));
}

/**
 * A user's `email`: the primary one of its (normalized) emails; with no emails, its userName when that is an
 * email address (IdPs that send only `userName: "ana@acme.com"`); else null.
 */
export function userEmail(emails: DirectoryEmail[], userName: string | null): string | null {
  if (emails.length > 0) return emails[primaryIndex(emails)]!.value;
  return userName !== null && isEmailAddress(userName) ? userName : null;
}

/**
 * Role slugs from SCIM `roles`. Entra can send a role's value as a JSON string (`{"id":…,"value":"Admin"}`):
 * such values are read for their `value` (else `displayName`), and kept verbatim otherwise.
 */
export function roleSlugs(resource: Json): string[] {
  const roles = Array.isArray(resource.roles) ? resource.roles.filter(isObject) : [];
  const primaryFirst = [...roles.filter((r) => r.primary === true), ...roles.filter((r) => r.primary !== true)];
  return primaryFirst.map((r) => roleValue(r.value ?? r.display)).filter((s): s is string => s !== null);
}

function roleValue(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const text = value.trim();
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as Json;
      return str(parsed.value) ?? str(parsed.displayName) ?? text;
    } catch {
      return text;
    }
  }
  return text;
}

function addresses(resource: Json): Json[] {
  const list = Array.isArray(resource.addresses) ? resource.addresses.filter(isObject) : [];
  return list.map((a) => ({
    primary: a.primary === true,
    type: str(a.type),
    formatted: str(a.formatted),
    street_address: str(a.streetAddress),
    locality: str(a.locality),
    region: str(a.region),
    postal_code: str(a.postalCode),
    country: str(a.country),
  }));
}

/** WorkOS's auto-mapped custom attributes, present only when the IdP sent the source attribute. */
function customAttributes(resource: Json, emails: DirectoryEmail[], managerEmail: string | null): Json {
  const enterprise = isObject(resource[ENTERPRISE_USER_SCHEMA]) ? (resource[ENTERPRISE_USER_SCHEMA] as Json) : {};
  const out: Json = {
    job_title: str(resource.title),
    department_name: str(enterprise.department),
    division_name: str(enterprise.division),
    cost_center_name: str(enterprise.costCenter),
    employee_number: str(enterprise.employeeNumber),
    employee_type: str(resource.userType),
    manager_email: managerEmail,
    organization: str(enterprise.organization),
    username: str(resource.userName),
  };
  const addressList = addresses(resource);
  if (addressList.length > 0) out.addresses = addressList;
  if (emails.length > 0) out.emails = emails;
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== null));
}

export interface DirectoryUserContext {
  directory: DirectoryRecord;
  /** The SCIM resource as the IdP reads it (id and meta included): raw_attributes. */
  raw: Json;
  managerEmail?: string | null;
  groups?: Json[];
}

export function toDirectoryUser(user: UserRecord, ctx: DirectoryUserContext): Json {
  const resource = user.resource;
  const name = isObject(resource.name) ? (resource.name as Json) : {};
  const emails = normalizedEmails(resource);
  const first = str(name.givenName);
  const last = str(name.familyName);
  // Roles the operator defined, resolved from the user's groups; without any, the IdP's own `roles` (legacy).
  const slugs = user.role_slugs !== null && user.role_slugs.length > 0 ? user.role_slugs : roleSlugs(resource);
  return {
    object: 'directory_user',
    id: user.id,
    idp_id: user.external_id ?? user.id,
    directory_id: user.directory_id,
    organization_id: ctx.directory.organization_id,
    email: userEmail(emails, user.user_name),
    emails,
    first_name: first,
    last_name: last,
    name: str(name.formatted) ?? str(resource.displayName) ?? ([first, last].filter(Boolean).join(' ') || null),
    username: user.user_name,
    // WorkOS's (deprecated) top-level job title, which its SDKs still read; also in custom_attributes.
    job_title: str(resource.title),
    // The app's view: a deactivation the deprovision guard holds leaves the user active here.
    state: appActive(user) ? 'active' : 'inactive',
    role: { slug: slugs[0] ?? 'member' },
    roles: (slugs.length > 0 ? slugs : ['member']).map((slug) => ({ slug })),
    // The operator's custom attributes (each defined one, null when missing) next to the standard ones.
    custom_attributes: { ...customAttributes(resource, emails, ctx.managerEmail ?? null), ...(user.mapped?.values ?? {}) },
    warnings: user.mapped?.warnings ?? [],
    raw_attributes: user.app_active === null ? ctx.raw : { ...ctx.raw, active: user.app_active },
    version: user.version,
    created_at: user.created_at,
    updated_at: user.updated_at,
    ...(ctx.groups ? { groups: ctx.groups } : {}),
  };
}

export function toDirectoryGroup(group: GroupRecord, directory: DirectoryRecord, memberCount: number, raw: Json): Json {
  return {
    object: 'directory_group',
    id: group.id,
    idp_id: group.external_id ?? group.display_name,
    directory_id: group.directory_id,
    organization_id: directory.organization_id,
    name: group.display_name,
    member_count: memberCount,
    raw_attributes: raw,
    version: group.version,
    created_at: group.created_at,
    updated_at: group.updated_at,
  };
}

/** The manager's id as the Enterprise extension holds it, to look up their email. */
function managerId(resource: Json): string | null {
  const enterprise = isObject(resource[ENTERPRISE_USER_SCHEMA]) ? (resource[ENTERPRISE_USER_SCHEMA] as Json) : {};
  return isObject(enterprise.manager) ? str(enterprise.manager.value) : null;
}

/** The managers the users name, to look their emails up in one go. */
export function managerIds(users: UserRecord[]): string[] {
  return users.map((u) => managerId(u.resource)).filter((v): v is string => v !== null);
}

/**
 * A user's manager_email: the `email` of the user that the manager's id (or externalId) names in `managers`,
 * by the rule of every user's `email`; else the value itself when the IdP put an email there.
 */
export function managerEmail(resource: Json, managers: Map<string, ManagerContact> | undefined): string | null {
  const manager = managerId(resource);
  if (!manager) return null;
  const contact = managers?.get(manager);
  return (contact ? userEmail(contact.emails, contact.userName) : null) ?? (manager.includes('@') ? manager : null);
}
