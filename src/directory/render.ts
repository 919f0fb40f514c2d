/** Stored records → SCIM resources as the IdP reads them: id, meta, and the membership attributes. */
import { etagOf } from '../scim/etag.ts';
import type { ScimResource } from '../scim/schema/types.ts';
import type { GroupRecord, MemberRef, UserRecord } from '../store/scim/records.ts';

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
    ...(groups && groups.length > 0
      ? { groups: groups.map((g) => ({ value: g.id, $ref: `${urls.base}/Groups/${g.id}`, display: g.display, type: 'direct' })) }
      : {}),
    meta: meta('User', user, urls),
  };
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

function meta(resourceType: 'User' | 'Group', record: UserRecord | GroupRecord, urls: ScimUrls) {
  return {
    resourceType,
    created: record.created_at,
    lastModified: record.updated_at,
    location: `${urls.base}/${resourceType}s/${record.id}`,
    version: etagOf(record.version),
  };
}
