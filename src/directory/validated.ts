/**
 * A SCIM body validated by the strict core, as the store keeps it: without what the server owns (id, meta, and
 * the membership attributes, which are rows of their own), with its indexed fields and email rows drawn out.
 */
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../scim/schema/definitions.ts';
import type { ScimResource } from '../scim/schema/types.ts';
import { validateResource } from '../scim/schema/validate.ts';
import type { EmailRow, GroupRecord, UserRecord } from '../store/scim/records.ts';

type Mode = 'create' | 'replace';

/** A User body, validated, without id, meta and groups. */
export function validUser(body: unknown, mode: Mode): ScimResource {
  return withoutServerAttributes(validateResource(USER_RESOURCE_TYPE, body, { mode }), ['id', 'meta', 'groups']);
}

/** A Group body, validated, without id, meta and members; the members' values apart. */
export function validGroup(body: unknown, mode: Mode): { resource: ScimResource; members: string[] } {
  const validated = validateResource(GROUP_RESOURCE_TYPE, body, { mode });
  return { resource: withoutServerAttributes(validated, ['id', 'meta', 'members']), members: memberValues(validated) };
}

function withoutServerAttributes(resource: ScimResource, names: string[]): ScimResource {
  const out = { ...resource };
  for (const key of Object.keys(out)) if (names.includes(key.toLowerCase())) delete out[key];
  return out;
}

function memberValues(resource: ScimResource): string[] {
  if (!Array.isArray(resource.members)) return [];
  return (resource.members as Record<string, unknown>[]).map((m) => m.value as string);
}

/** The indexed fields of a validated User. */
export function userFields(resource: ScimResource): Pick<UserRecord, 'user_name' | 'external_id' | 'active'> {
  return { user_name: resource.userName as string, external_id: (resource.externalId as string | undefined) ?? null, active: resource.active !== false };
}

/** The indexed fields of a validated Group. */
export function groupFields(resource: ScimResource): Pick<GroupRecord, 'display_name' | 'external_id'> {
  return { display_name: resource.displayName as string, external_id: (resource.externalId as string | undefined) ?? null };
}

/** A User's emails as the store indexes them. */
export function emailsOf(resource: ScimResource): EmailRow[] {
  const emails = Array.isArray(resource.emails) ? (resource.emails as Record<string, unknown>[]) : [];
  return emails
    .filter((e) => typeof e.value === 'string')
    .map((e) => ({ value: e.value as string, type: typeof e.type === 'string' ? e.type : null, primary: e.primary === true }));
}
