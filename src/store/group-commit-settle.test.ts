/**
 * Group commit's `settle`: deferred items (a user's update) are written before a later write of the batch could
 * read them, outside that write's savepoint, and the rows read ahead before are dropped. Pure: the transaction
 * is a plain object, each statement a log line.
 * @database-independent
 */
import { expect, it } from 'vitest';
import { GroupCommit, type Prefetch, type Savepoints } from './group-commit.ts';

type Trx = { log: string[] };
/** A deferred update of a hint's row, or another tail item (an event). */
type Item = { deferred: string } | { event: string };

function setup(options: { settleFails?: boolean } = {}) {
  const log: string[] = [];
  const savepoints: Savepoints<Trx> = {
    begin: async () => void log.push('savepoint'),
    release: async () => void log.push('release'),
    rollback: async () => void log.push('rollback'),
    renew: async () => void log.push('renew'),
  };
  const prefetch: Prefetch<Trx> = {
    load: async (_trx, _key, hints) => void log.push(`load ${hints.join(',')}`),
    forget: () => void log.push('forget'),
  };
  const settled: string[][] = [];
  const finished: Item[][] = [];
  const gc = new GroupCommit<Trx, Item>(
    async (body) => body({ log }),
    async (_trx, items) => {
      finished.push([...items]);
      log.push('finish');
    },
    savepoints,
    {
      maxBatch: 64,
      lanes: 1,
      prefetch: prefetch as Prefetch<unknown>,
      settle: async (_trx, items) => {
        const deferred = items.flatMap((i) => ('deferred' in i ? [i.deferred] : []));
        if (deferred.length === 0) return items;
        if (options.settleFails) throw new Error('settle failed');
        log.push(`settle ${deferred.join(',')}`);
        settled.push(deferred);
        return items.filter((i) => !('deferred' in i));
      },
    },
  );
  /** A write of `hint`'s row that defers its update (`defers`), or fails. */
  const write = (hint: string | undefined, how: { defers?: boolean; fail?: boolean } = {}) =>
    gc.submit(
      async (_trx, defer) => {
        log.push(`write ${hint ?? '-'}`);
        if (how.fail) throw new Error(`refused ${hint}`);
        if (how.defers && hint) defer({ deferred: hint });
        defer({ event: `${hint ?? '-'} changed` });
        return hint;
      },
      'd',
      false,
      hint,
    );
  return { log, write, settled, finished, gc };
}

it('writes of distinct rows keep their updates to the end: one settle at the finish, none between', async () => {
  const { log, write, settled, finished } = setup();
  await Promise.all([write('a', { defers: true }), write('b', { defers: true }), write('c', { defers: true })]);
  expect(log.filter((l) => l.startsWith('settle'))).toEqual([]);
  expect(settled).toEqual([]);
  // The finish gets every deferred update (it writes them first), in the writes' order.
  expect(finished).toHaveLength(1);
  expect(finished[0]!.filter((i) => 'deferred' in i)).toEqual([{ deferred: 'a' }, { deferred: 'b' }, { deferred: 'c' }]);
});

it('settles before a write of a row a kept write deferred, and before a write without a hint, then reads ahead again', async () => {
  const { log, write, finished } = setup();
  await Promise.all([write('a', { defers: true }), write('b', { defers: true }), write('a', { defers: true }), write('c', { defers: true }), write(undefined), write('c', { defers: true })]);
  expect(log.filter((l) => /^(load|forget|write|settle|renew|savepoint)/.test(l))).toEqual([
    'load a,b,c',
    'write a',
    'savepoint',
    'write b',
    'settle a,b', // a is written again next: its first update must be in the database
    'forget', // rows read ahead before the settle may predate it
    'renew', // the settled updates leave the savepoint: a rollback of the next write cannot undo them
    'load a,c',
    'write a',
    'renew',
    'write c',
    'settle a,c', // a write without a hint may read any row
    'forget',
    'renew',
    'write -', // nothing read ahead left to forget after it
    'renew',
    'load c',
    'write c',
  ]);
  expect(finished[0]!.filter((i) => 'deferred' in i)).toEqual([{ deferred: 'c' }]);
  expect(finished[0]!.filter((i) => 'event' in i)).toHaveLength(6);
});

it("a failed write's deferred update is never written, and the failure does not make the batch settle", async () => {
  const { log, write, finished } = setup();
  const outcomes = await Promise.allSettled([write('a', { defers: true }), write('b', { fail: true }), write('c', { defers: true })]);
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect(log.filter((l) => l.startsWith('settle'))).toEqual([]);
  expect(finished[0]!.filter((i) => 'deferred' in i)).toEqual([{ deferred: 'a' }, { deferred: 'c' }]);
});

it('a settle that fails fails the batch: each write runs again alone, and none is lost', async () => {
  const { log, write, gc } = setup({ settleFails: true });
  const outcomes = await Promise.allSettled([write('a', { defers: true }), write('a', { defers: true })]);
  // Alone, each write's deferred update goes to its own finish; the failing settle is not called there.
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
  expect(gc.stats.failedBatches).toBe(1);
  expect(gc.stats.retriedAlone).toBe(2);
  expect(log.filter((l) => l === 'finish')).toHaveLength(2);
});

it('after a write rolled back, a settle still renews the savepoint, so the next rollback cannot undo it', async () => {
  const { log, write } = setup();
  const outcomes = await Promise.allSettled([write('a', { defers: true }), write('x'), write('b', { fail: true }), write('a', { defers: true, fail: true })]);
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
  const tail = log.filter((l) => /^(write|settle|renew|rollback|savepoint|release)/.test(l));
  expect(tail).toEqual(['write a', 'savepoint', 'write x', 'renew', 'write b', 'rollback', 'settle a', 'renew', 'write a', 'rollback', 'release']);
});
