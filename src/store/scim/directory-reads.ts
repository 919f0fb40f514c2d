/** Cursor-paged reads of SCIM resources for the management API, across directories. */
import { chunks } from '../chunks.ts';
import type { Executor } from '../db.ts';
import { pageById } from '../pagination.ts';
import type { Page, PageQuery } from '../store.ts';
import { toGroup, toUser, type GroupRecord, type Row, type UserRecord } from './records.ts';

export interface UserListFilter {
  directoryId?: string;
  groupId?: string;
  email?: string;
  idpId?: string;
}

export interface GroupListFilter {
  directoryId?: string;
  userId?: string;
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
      const withEmail = this.db.selectFrom('directory_user_emails').select('user_id').where('value_lower', '=', filter.email.toLowerCase());
      q = q.where('u.id', 'in', withEmail);
    }
    if (filter.idpId !== undefined) {
      const idp = filter.idpId;
      // idp_id is the externalId, or the id itself for users without one.
      q = q.where((eb) => eb.or([eb('u.external_id', '=', idp), eb.and([eb('u.external_id', 'is', null), eb('u.id', '=', idp)])]));
    }
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
    const page0 = await pageById(q, 'g.id', page);
    return { ...page0, data: page0.data.map((r) => toGroup(r as Row)) };
  }

  /** The groups of one user, in id order. */
  async groupsOfUser(userId: string): Promise<GroupRecord[]> {
    const rows = await this.db
      .selectFrom('directory_groups as g')
      .innerJoin('directory_group_members as m', 'm.group_id', 'g.id')
      .selectAll('g')
      .where('m.user_id', '=', userId)
      .orderBy('g.id')
      .execute();
    return rows.map((r) => toGroup(r as Row));
  }

  /**
   * Managers' primary emails, keyed by the value the IdP put in `manager.value`: the manager's SCIM id, or
   * their externalId (what several IdPs send instead).
   */
  async managerEmails(directoryId: string, values: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const wanted = [...new Set(values)];
    if (wanted.length === 0) return out;
    for (const chunk of chunks(wanted)) {
      const rows = await this.db
        .selectFrom('directory_users as u')
        .innerJoin('directory_user_emails as e', 'e.user_id', 'u.id')
        .select(['u.id', 'u.external_id', 'e.value', 'e.primary', 'e.type', 'e.position'])
        .where('u.directory_id', '=', directoryId)
        .where((eb) => eb.or([eb('u.id', 'in', chunk), eb('u.external_id', 'in', chunk)]))
        .orderBy('e.position')
        .execute();
      const byUser = new Map<string, typeof rows>();
      rows.forEach((r) => byUser.set(r.id, [...(byUser.get(r.id) ?? []), r]));
      for (const [id, emails] of byUser) {
        const best = emails.find((e) => Number(e.primary) === 1) ?? emails.find((e) => e.type?.toLowerCase() === 'work') ?? emails[0];
        if (!best) continue;
        out.set(id, best.value);
        if (emails[0]!.external_id) out.set(emails[0]!.external_id, best.value);
      }
    }
    return out;
  }
}
