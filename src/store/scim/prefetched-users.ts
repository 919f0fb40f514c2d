/**
 * Users read ahead for the writes of a group-commit batch (group-commit.ts, Prefetch): the next PUTs and PATCHes
 * of a directory name the users they will lock and read, and one statement reads them all, locked (PostgreSQL),
 * with their groups. Each write takes its user from here at most once; a user not here (written twice in the
 * batch, or forgotten) is read from the database, which then holds the batch's own writes.
 */
import type { Executor } from '../db.ts';
import type { Prefetch } from '../group-commit.ts';
import type { MemberRef, UserRecord } from './records.ts';

export interface UserForWrite {
  user: UserRecord;
  groups: MemberRef[];
}

export type UsersForWrite = (db: Executor, directoryId: string, ids: string[]) => Promise<UserForWrite[]>;

export class PrefetchedUsers implements Prefetch<Executor> {
  /** By transaction: a batch's cache lives and dies with it. */
  private readonly byTransaction = new WeakMap<object, Map<string, UserForWrite>>();
  /** Users read ahead, and those of them a write took (for tests and metrics). */
  readonly stats = { read: 0, taken: 0 };

  constructor(private readonly read: UsersForWrite) {}

  async load(trx: Executor, directoryId: string, ids: string[]): Promise<void> {
    const found = await this.read(trx, directoryId, ids);
    let cache = this.byTransaction.get(trx);
    if (!cache) this.byTransaction.set(trx, (cache = new Map()));
    for (const row of found) cache.set(row.user.id, row);
    this.stats.read += found.length;
  }

  forget(trx: Executor): void {
    this.byTransaction.delete(trx);
  }

  /** The user read ahead for this write, if any; taken once. */
  take(db: Executor, directoryId: string, id: string): UserForWrite | undefined {
    const cache = this.byTransaction.get(db);
    const found = cache?.get(id);
    if (!found || found.user.directory_id !== directoryId) return undefined;
    cache!.delete(id);
    this.stats.taken += 1;
    return found;
  }
}
