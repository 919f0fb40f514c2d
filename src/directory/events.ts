/**
 * The tail of one SCIM write in a directory: its events and its changes to the directory's counters. The
 * service reports what changed; this builds each event's data (Directory User and Group objects as the host app
 * reads them, from inside the transaction) and hands it all to the store, which writes it at the end of the
 * transaction, just before commit (group-commit.ts says why there).
 */
import type { EventType, PendingEvent } from '../store/event-log.ts';
import { previousAttributes } from '../events/diff.ts';
import type { Json } from '../scim/json.ts';
import type { TailWrite } from '../store/tail-writes.ts';
import type { Executor } from '../store/db.ts';
import { DirectoryReads } from '../store/scim/directory-reads.ts';
import type { GroupRecord, UserRecord } from '../store/scim/records.ts';
import type { ResourceQueries } from '../store/scim/resources.ts';
import type { DirectoryRecord } from '../store/store.ts';
import { managerId, toDirectoryGroup, toDirectoryUser } from './normalize.ts';
import { renderGroup, renderUser } from './render.ts';

export class DirectoryEvents {
  private readonly pending: PendingEvent[] = [];
  private readonly reads: DirectoryReads;

  constructor(
    private readonly db: Executor,
    private readonly dir: DirectoryRecord,
    private readonly publicUrl: string,
    private readonly q: ResourceQueries,
  ) {
    this.reads = new DirectoryReads(db);
  }

  private get urls() {
    return { base: `${this.publicUrl}/scim/v2/${this.dir.id}` };
  }

  add(event: EventType, data: Json): void {
    this.pending.push({ event, directory_id: this.dir.id, organization_id: this.dir.organization_id, data });
  }

  async users(records: UserRecord[]): Promise<Map<string, Json>> {
    const managers = await this.reads.managerEmails(this.dir.id, records.map((u) => managerId(u.resource)).filter((v): v is string => v !== null));
    const out = new Map<string, Json>();
    for (const user of records) {
      const manager = managerId(user.resource);
      const managerEmail = manager ? (managers.get(manager) ?? (manager.includes('@') ? manager : null)) : null;
      out.set(user.id, toDirectoryUser(user, { directory: this.dir, raw: renderUser(user, undefined, this.urls), managerEmail }));
    }
    return out;
  }

  async user(record: UserRecord): Promise<Json> {
    return (await this.users([record])).get(record.id)!;
  }

  async group(record: GroupRecord): Promise<Json> {
    const count = (await this.q.memberCounts(this.db, [record.id])).get(record.id) ?? 0;
    return toDirectoryGroup(record, this.dir, count, renderGroup(record, undefined, this.urls));
  }

  updated(event: 'dsync.user.updated' | 'dsync.group.updated', before: Json, after: Json): void {
    this.add(event, { ...after, previous_attributes: previousAttributes(before, after) });
  }

  /** One membership event per user, with the users read in batches. */
  async memberships(event: 'dsync.group.user_added' | 'dsync.group.user_removed', group: Json, userIds: string[]): Promise<void> {
    for (let i = 0; i < userIds.length; i += 500) {
      const records = await this.q.usersByIds(this.db, this.dir.id, userIds.slice(i, i + 500));
      const users = await this.users(records);
      for (const id of userIds.slice(i, i + 500)) {
        const user = users.get(id);
        if (user) this.add(event, { directory_id: this.dir.id, user, group });
      }
    }
  }

  /** Changes the directory's user and group counts. */
  count(change: { usersActive?: number; usersInactive?: number; groups?: number }): void {
    const { usersActive = 0, usersInactive = 0, groups = 0 } = change;
    if (usersActive !== 0 || usersInactive !== 0 || groups !== 0) this.counts.push({ kind: 'counts', directoryId: this.dir.id, usersActive, usersInactive, groups });
  }

  private readonly counts: TailWrite[] = [];

  /** Hands the events and counter changes to the end of the transaction. */
  flush(defer: (...items: TailWrite[]) => void): void {
    defer(...this.counts, { kind: 'events', events: this.pending });
  }
}
