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
import { chunks } from '../store/chunks.ts';
import { managerEmail, managerIds, toDirectoryGroup, toDirectoryUser } from './normalize.ts';
import { renderGroup, renderUser, type ScimUrls } from './render.ts';

export class DirectoryEvents {
  private readonly pending: PendingEvent[] = [];
  private readonly reads: DirectoryReads;

  constructor(
    private readonly db: Executor,
    private readonly dir: DirectoryRecord,
    private readonly urls: ScimUrls,
    private readonly q: ResourceQueries,
  ) {
    this.reads = new DirectoryReads(db);
  }

  add(event: EventType, data: Json): void {
    this.pending.push({ event, directory_id: this.dir.id, organization_id: this.dir.organization_id, data });
  }

  async users(records: UserRecord[]): Promise<Map<string, Json>> {
    const managers = await this.reads.managers(this.dir.id, managerIds(records));
    const out = new Map<string, Json>();
    for (const user of records) {
      const raw = renderUser(user, undefined, this.urls);
      out.set(user.id, toDirectoryUser(user, { directory: this.dir, raw, managerEmail: managerEmail(user.resource, managers) }));
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

  /** An update the app can see; none when only the version moved (a change the deprovision guard holds). */
  updated(event: 'dsync.user.updated' | 'dsync.group.updated', before: Json, after: Json): void {
    const previous = previousAttributes(before, after);
    if (Object.keys(previous).length > 0) this.add(event, { ...after, previous_attributes: previous });
  }

  /** One membership event per user, with the users read in batches. */
  async memberships(event: 'dsync.group.user_added' | 'dsync.group.user_removed', group: Json, userIds: string[]): Promise<void> {
    for (const chunk of chunks(userIds, 500)) {
      const users = await this.users(await this.q.usersByIds(this.db, this.dir.id, chunk));
      for (const id of chunk) {
        const user = users.get(id);
        if (user) this.add(event, { directory_id: this.dir.id, user, group });
      }
    }
  }

  /** Moves a user between the directory's active and inactive counts (undefined: not a user before / after). */
  countUser(before: boolean | undefined, after: boolean | undefined): void {
    const delta = (state: boolean | undefined, sign: number) => (state === undefined ? [0, 0] : state ? [sign, 0] : [0, sign]);
    const [a1, i1] = delta(before, -1);
    const [a2, i2] = delta(after, 1);
    this.count({ usersActive: a1! + a2!, usersInactive: i1! + i2! });
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
