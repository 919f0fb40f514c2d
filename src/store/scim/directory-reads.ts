/** Cursor-paged reads of SCIM resources for the management API, across directories. */
import type { Expression, SqlBool } from 'kysely';
import { chunks } from '../chunks.ts';
import type { Executor } from '../db.ts';
import { pageById } from '../pagination.ts';
import type { Page, PageQuery } from '../store.ts';
import { toGroup, toUser, type GroupRecord, type Row, type UserRecord } from './records.ts';

export interface UserListFilter {
  directoryId?: string;
  groupId?: string;
  email?: string;
  /** `email` also matches users without emails whose userName it is (for whom it is their `email`). */
  emailFromUserName?: boolean;
  idpId?: string;
  /** A predicate over the user as `r` (the console's search). */
  match?: Expression<SqlBool>;
  /** Only users that lack a required custom attribute. */
  withWarnings?: boolean;
}

/** A manager as their email needs them. */
export interface ManagerContact {
  userName: string;
  emails: { value: string; primary: boolean; type: string | null }[];
}

export interface GroupListFilter {
  directoryId?: string;
  userId?: string;
  /** A predicate over the group as `r` (the console's search). */
  match?: Expression<SqlBool>;
}

export class DirectoryReads {
  constructor(private readonly db: Executor) {}

  async user(id: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('directory_users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async group(id: string): Promise<GroupRecord | undefined> {
    const row = await this.db.selectFrom('directory_groups').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toGroup(row) : undefined;
  }

  async users(filter: UserListFilter, page: PageQuery): Promise<Page<UserRecord>> {
    let q = this.db.selectFrom('directory_users as u').selectAll('u');
    if (filter.directoryId !== undefined) q = q.where('u.directory_id', '=', filter.directoryId);
    if (filter.groupId !== undefined) {
      const members = this.db.selectFrom('directory_group_members').select('user_id').where('group_id', '=', filter.groupId);
      q = q.where('u.id', 'in', members);
    }
    if (filter.email !== undefined) {
      const email = filter.email.toLowerCase();
      const withEmail = this.db.selectFrom('directory_user_emails').select('user_id').where('value_lower', '=', email);
      q = q.where((eb) => {
        const anyEmail = eb.selectFrom('directory_user_emails as e').select('e.user_id').whereRef('e.user_id', '=', 'u.id');
        const byUserName = eb.and([eb('u.user_name_lower', '=', email), eb.not(eb.exists(anyEmail))]);
        return eb.or([eb('u.id', 'in', withEmail), ...(filter.emailFromUserName ? [byUserName] : [])]);
      });
    }
    if (filter.idpId !== undefined) {
      const idp = filter.idpId;
      // idp_id is the externalId, or the id itself for users without one.
      q = q.where((eb) => eb.or([eb('u.external_id', '=', idp), eb.and([eb('u.external_id', 'is', null), eb('u.id', '=', idp)])]));
    }
    if (filter.match !== undefined) {
      const match = filter.match;
      q = q.where('u.id', 'in', this.db.selectFrom('directory_users as r').select('r.id').where(match));
    }
    if (filter.withWarnings) q = q.where('u.warning_count', '>', 0);
    const page0 = await pageById(q, 'u.id', page);
    return { ...page0, data: page0.data.map((r) => toUser(r as Row)) };
  }

  async groups(filter: GroupListFilter, page: PageQuery): Promise<Page<GroupRecord>> {
    let q = this.db.selectFrom('directory_groups as g').selectAll('g');
    if (filter.directoryId !== undefined) q = q.where('g.directory_id', '=', filter.directoryId);
    if (filter.userId !== undefined) {
      const memberships = this.db.selectFrom('directory_group_members').select('group_id').where('user_id', '=', filter.userId);
      q = q.where('g.id', 'in', memberships);
    }
    if (filter.match !== undefined) {
      const match = filter.match;
      q = q.where('g.id', 'in', this.db.selectFrom('directory_groups as r').select('r.id').where(match));
    }
    const page0 = await pageById(q, 'g.id', page);
    return { ...page0, data: page0.data.map((r) => toGroup(r as Row)) };
  }

  /**
   * The groups of each of the users, in id order: one query per thousand users, however many groups each has
   * (a list page's users all come back with their groups, so this must not be a query per user).
   */
  async groupsOfUsers(userIds: string[]): Promise<Map<string, GroupRecord[]>> {
    const out = new Map<string, GroupRecord[]>(userIds.map((id) => [id, []]));
    for (const chunk of chunks([...new Set(userIds)])) {
      const rows = await this.db
        .selectFrom('directory_groups as g')
        .innerJoin('directory_group_members as m', 'm.group_id', 'g.id')
        .selectAll('g')
        .select('m.user_id as member_id')
        .where('m.user_id', 'in', chunk)
        .orderBy('g.id')
        .execute();
      for (const { member_id, ...group } of rows) out.get(member_id)?.push(toGroup(group as Row));
    }
    return out;
  }

  /**
   * What a manager's email is made of (their emails in order, and their userName), keyed by the value the IdP
   * put in `manager.value`: the manager's SCIM id, or their externalId (what several IdPs send instead).
   */
  async managers(directoryId: string, values: string[]): Promise<Map<string, ManagerContact>> {
    const out = new Map<string, ManagerContact>();
    const wanted = [...new Set(values)];
    for (const chunk of chunks(wanted)) {
      const rows = await this.db
        .selectFrom('directory_users as u')
        .leftJoin('directory_user_emails as e', 'e.user_id', 'u.id')
        .select(['u.id', 'u.external_id', 'u.user_name', 'e.value', 'e.primary', 'e.type', 'e.position'])
        .where('u.directory_id', '=', directoryId)
        .where((eb) => eb.or([eb('u.id', 'in', chunk), eb('u.external_id', 'in', chunk)]))
        .orderBy('u.id')
        .orderBy('e.position')
        .execute();
      for (const r of rows) {
        const contact = out.get(r.id) ?? { userName: r.user_name, emails: [] };
        if (r.value !== null) contact.emails.push({ value: r.value, primary: Number(r.primary) === 1, type: r.type });
        out.set(r.id, contact);
        if (r.external_id) out.set(r.external_id, contact);
      }
    }
    return out;
  }
}
