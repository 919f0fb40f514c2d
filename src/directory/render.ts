/** Stored records → SCIM resources as the IdP reads them: id, meta, and the membership attributes. */
import { etagOf } from '../scim/etag.ts';
import { RawJson } from '../scim/raw-json.ts';
import type { ScimResource } from '../scim/schema/types.ts';
import type { GroupRecord, MemberRef, UserRecord } from '../store/scim/records.ts';

/** A resource as answered: an object, or its JSON text (RawJson) where it was made without parsing. */
export type Answer = ScimResource | RawJson;

export interface ScimUrls {
  /** `{publicUrl}/scim/v2/{directoryId}` */
  base: string;
}

export function renderUser(user: UserRecord, groups: MemberRef[] | undefined, urls: ScimUrls): ScimResource {
  const { schemas, ...attributes } = user.resource;
  return {
    schemas,
    id: user.id,
    ...attributes,
    ...(groups && groups.length > 0 ? { groups: renderedGroups(groups, urls) } : {}),
    meta: meta('User', user, urls),
  };
}

/**
 * renderUser's resource as JSON text, made from the resource's stored text without parsing it: the same
 * members in the same order (schemas, id, the stored attributes, groups, meta). Undefined when the stored text
 * is not one this can splice safely: schemas not its first member, or a member named like one added here or
 * one never returned (those are never stored, so the check only guards against a text written otherwise).
 */
export function renderUserText(user: Omit<UserRecord, 'resource'>, stored: string, groups: MemberRef[] | undefined, urls: ScimUrls): RawJson | undefined {
  const schemasEnd = stored.startsWith(SCHEMAS_FIRST) ? endOfStringArray(stored, SCHEMAS_FIRST.length - 1) : -1;
  if (schemasEnd < 0 || !stored.endsWith('}') || SPLICED_MEMBERS.test(stored)) return undefined;
  const rest = stored.slice(schemasEnd + 1, -1);
  if (rest !== '' && rest[0] !== ',') return undefined;
  const rendered = groups && groups.length > 0 ? renderedGroups(groups, urls) : undefined;
  return new RawJson(
    `${stored.slice(0, schemasEnd + 1)},"id":${JSON.stringify(user.id)}${rest}` +
      `${rendered ? `,"groups":${JSON.stringify(rendered)}` : ''},"meta":${JSON.stringify(meta('User', user, urls))}}`,
  );
}

const SCHEMAS_FIRST = '{"schemas":[';
/** Anywhere in the text, not only at the top level: erring towards the parsing path costs only time. */
const SPLICED_MEMBERS = /"(?:id|meta|groups|password)":/;

/**
 * The index of the `]` closing the array of strings opened at `open`, or -1 if anything else is in it (the text
 * came from JSON.stringify: strings hold no raw quote or control character, only escapes).
 */
function endOfStringArray(text: string, open: number): number {
  let i = open + 1;
  if (text[i] === ']') return i;
  for (;;) {
    if (text[i] !== '"') return -1;
    for (i++; text[i] !== '"'; i++) {
      if (i >= text.length) return -1;
      if (text[i] === '\\') i++;
    }
    i++;
    if (text[i] === ']') return i;
    if (text[i] !== ',') return -1;
    i++;
  }
}

function renderedGroups(groups: MemberRef[], urls: ScimUrls) {
  return groups.map((g) => ({ value: g.id, $ref: `${urls.base}/Groups/${g.id}`, display: g.display, type: 'direct' }));
}

/** One member of a group, as the Group resource lists it. */
export function renderMember(m: MemberRef, urls: ScimUrls) {
  return { value: m.id, $ref: `${urls.base}/Users/${m.id}`, display: m.display, type: 'User' };
}

export function renderGroup(group: GroupRecord, members: MemberRef[] | undefined, urls: ScimUrls): ScimResource {
  const { schemas, ...attributes } = group.resource;
  return {
    schemas,
    id: group.id,
    ...attributes,
    ...(members ? { members: members.map((m) => renderMember(m, urls)) } : {}),
    meta: meta('Group', group, urls),
  };
}

function meta(resourceType: 'User' | 'Group', record: Pick<UserRecord | GroupRecord, 'id' | 'created_at' | 'updated_at' | 'version'>, urls: ScimUrls) {
  return {
    resourceType,
    created: record.created_at,
    lastModified: record.updated_at,
    location: `${urls.base}/${resourceType}s/${record.id}`,
    version: etagOf(record.version),
  };
}
