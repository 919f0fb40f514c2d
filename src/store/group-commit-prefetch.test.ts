/**
 * Group commit's read-ahead (Prefetch): which hints a batch loads, in how many statements, and when it must
 * forget them. Pure: the transaction is a plain object, each statement a log line.
 * @database-independent
 */
import { expect, it } from 'vitest';
import { GroupCommit, type Prefetch, type Savepoints } from './group-commit.ts';

type Trx = { log: string[] };

function setup() {
  const log: string[] = [];
  const savepoints: Savepoints<Trx> = {
    begin: async () => void log.push('savepoint'),
    release: async () => void log.push('release'),
    rollback: async () => void log.push('rollback'),
    renew: async () => void log.push('renew'),
  };
  const prefetch: Prefetch<Trx> = {
    load: async (_trx, key, hints) => void log.push(`load ${key} ${hints.join(',')}`),
    forget: () => void log.push('forget'),
  };
  const gc = new GroupCommit<Trx, never>(async (body) => body({ log }), async () => void log.push('finish'), savepoints, {
    maxBatch: 64,
    lanes: 1,
    prefetch: prefetch as Prefetch<unknown>,
  });
  const write = (key: string, hint: string | undefined, fail = false, alone = false) =>
    gc.submit(
      async () => {
        log.push(`write ${key} ${hint ?? '-'}`);
        if (fail) throw new Error(`refused ${hint}`);
        return hint;
      },
      key,
      alone,
      hint,
    );
  return { log, write };
}

it("reads ahead, in one statement, the hints of the batch's writes of the same key, and each only once", async () => {
  const { log, write } = setup();
  await Promise.all([write('d1', 'a'), write('d1', 'b'), write('d2', 'x'), write('d1', 'c'), write('d1', 'a'), write('d2', 'y')]);
  expect(log.filter((l) => l.startsWith('load'))).toEqual(['load d1 a,b,c', 'load d2 x,y']);
  // Each load comes right before the first write that needs it.
  expect(log.indexOf('load d1 a,b,c')).toBe(log.indexOf('write d1 a') - 1);
  expect(log.indexOf('load d2 x,y')).toBe(log.indexOf('write d2 x') - 1);
  expect(log).not.toContain('forget');
});

it('forgets what it read after a write without a hint, and after a rollback; reads the rest again when needed', async () => {
  const { log, write } = setup();
  const outcomes = await Promise.allSettled([write('d', 'a'), write('d', undefined), write('d', 'b'), write('d', 'c', true), write('d', 'e')]);
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  expect(log.filter((l) => /^(load|forget|write|rollback)/.test(l))).toEqual([
    'load d a,b,c,e',
    'write d a',
    'write d -', // a group write, say: it may have changed what was read
    'forget',
    'load d b,c,e',
    'write d b',
    'write d c',
    'rollback', // the read-ahead rows' locks may have gone with the savepoint
    'forget',
    'load d e',
    'write d e',
  ]);
});

it('never reads ahead for a write that runs alone, nor past it (its key\'s later writes wait for it)', async () => {
  const { log, write } = setup();
  await Promise.all([write('d', 'a'), write('d', 'big', false, true), write('d', 'b')]);
  expect(log.filter((l) => l.startsWith('load'))).toEqual(['load d a', 'load d b']);
  expect(log).toContain('write d big');
});
