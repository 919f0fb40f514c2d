/**
 * The tail of one SCIM write in a directory: its events and its changes to the directory's counters. The
 * service reports what changed; this builds each event's data (Directory User and Group objects as the host app
 * reads them, from inside the transaction) and hands it all to the store, which writes it at the end of the
 * transaction, just before commit (group-commit.ts says why there).
 *
 * A write running in a transaction of its own (`streaming`) hands its large runs of membership events over as
 * streams instead: each chunk of users is read and made into events while the events are written, so a group of
 * 100,000 never has its 100,000 Directory User objects in memory at once. Made at the end of the transaction,
 * they see the state the write left, as they would have when the write told them; a shared batch makes its
 * events at once, since the batch's later writes could change those users before its end.
 */
import type { EventStream, EventType, PendingEvent } from '../store/event-log.ts';
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

/** Users read (and events made) per chunk of a membership run. */
const MEMBERSHIP_CHUNK = 100;

export class DirectoryEvents {
  private readonly pending: (PendingEvent | EventStream)[] = [];
  private readonly reads: DirectoryReads;

  constructor(
    private readonly db: Executor,
    private readonly dir: DirectoryRecord,
    private readonly urls: ScimUrls,
    private readonly q: ResourceQueries,
    private readonly streaming = false,
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
    if (Object.keys(previous).length > 0) this.add(event, Object.assign({}, after, { previous_attributes: previous }));
  }

  /**
   * One membership event per user, with the users read in chunks: made now, or, in a write of its own, made
   * and written a chunk at a time at the end of the transaction.
   */
  async memberships(event: 'dsync.group.user_added' | 'dsync.group.user_removed', group: Json, userIds: string[]): Promise<void> {
    if (this.streaming && userIds.length > MEMBERSHIP_CHUNK) {
      this.pending.push({ count: userIds.length, chunks: () => this.membershipChunks(event, group, userIds, true) });
      return;
    }
    for await (const chunk of this.membershipChunks(event, group, userIds, false)) for (const e of chunk) this.pending.push(e);
  }

  /** The events of one membership run, a chunk of users at a time; `strict`: every user must be found. */
  private async *membershipChunks(event: EventType, group: Json, userIds: string[], strict: boolean): AsyncGenerator<PendingEvent[]> {
    for (const chunk of chunks(userIds, MEMBERSHIP_CHUNK)) {
      const users = await this.users(await this.q.usersByIds(this.db, this.dir.id, chunk));
      const out: PendingEvent[] = [];
      for (const id of chunk) {
        const user = users.get(id);
        // The write's own membership changes lock these users until commit: none can have gone.
        if (!user && strict) throw new Error(`user ${id} of a membership change was not found when its event was made`);
        if (user) out.push({ event, directory_id: this.dir.id, organization_id: this.dir.organization_id, data: { directory_id: this.dir.id, user, group } });
      }
      yield out;
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

  /** Writes deferred to the end of the transaction besides the events: counter changes, users' updates. */
  private readonly counts: TailWrite[] = [];

  /** A write of the end of the transaction (a user's update, ResourceQueries.updateUser). */
  defer(item: TailWrite): void {
    this.counts.push(item);
  }

  /** Hands the events, counter changes and deferred updates to the end of the transaction. */
  flush(defer: (...items: TailWrite[]) => void): void {
    defer(...this.counts, { kind: 'events', events: this.pending });
  }
}
