/**
 * How GroupCommit schedules batches over its lanes, with an in-memory stand-in for the database (its logic is
 * independent of one): a key is held by one running batch at a time, its writes keep their order, and different
 * keys use the lanes at once.
 */
import { expect, it } from 'vitest';
import { GroupCommit } from './group-commit.ts';

interface Trx {
  id: number;
}

function harness(lanes: number) {
  let open = 0;
  let peak = 0;
  let next = 0;
  /** Keys of the transactions running now, per transaction. */
  const live = new Map<number, Set<string>>();
  const overlaps: string[] = [];
  /** The writes each transaction ran, by transaction. */
  const ran = new Map<number, string[]>();
  const gc = new GroupCommit<Trx, never>(
    async (body) => {
      const trx = { id: next++ };
      open += 1;
      peak = Math.max(peak, open);
      live.set(trx.id, new Set());
      try {
        return await body(trx);
      } finally {
        open -= 1;
        live.delete(trx.id);
      }
    },
    async () => {},
    { begin: async () => {}, release: async () => {}, rollback: async () => {}, renew: async () => {} },
    { maxBatch: 4, lanes },
  );
  const write = (key: string, order: string[], label: string, alone = false) =>
    gc.submit(async (trx) => {
      for (const [id, keys] of live) if (id !== trx.id && keys.has(key)) overlaps.push(key);
      live.get(trx.id)!.add(key);
      // Yield a few times, as a write waiting on its queries does.
      for (let k = 0; k < 3; k += 1) await new Promise((r) => setImmediate(r));
      order.push(label);
      ran.set(trx.id, [...(ran.get(trx.id) ?? []), label]);
      return label;
    }, key, alone);
  return { gc, write, overlaps, peak: () => peak, ran };
}

it('one key never runs in two concurrent transactions, and keeps its order', async () => {
  const h = harness(4);
  const order: string[] = [];
  await Promise.all(Array.from({ length: 40 }, (_, i) => h.write('directory_a', order, `a${i}`)));
  expect(h.overlaps).toEqual([]);
  expect(order).toEqual(Array.from({ length: 40 }, (_, i) => `a${i}`));
  expect(h.peak()).toBe(1);
});

it('different keys share the lanes at once, each key still alone and in order', async () => {
  const h = harness(4);
  const orders: Record<string, string[]> = { a: [], b: [], c: [], d: [] };
  await Promise.all(
    Array.from({ length: 80 }, (_, i) => {
      const key = 'abcd'[i % 4]!;
      return h.write(key, orders[key]!, `${key}${i}`);
    }),
  );
  expect(h.overlaps).toEqual([]);
  expect(h.peak()).toBeGreaterThan(1);
  expect(h.peak()).toBeLessThanOrEqual(4);
  for (const key of 'abcd') expect(orders[key]).toEqual(Array.from({ length: 80 }, (_, i) => i).filter((i) => 'abcd'[i % 4] === key).map((i) => `${key}${i}`));
});

it('a write submitted alone gets a transaction of its own, in its turn among its key\'s writes', async () => {
  const h = harness(4);
  const orders: Record<string, string[]> = { a: [], b: [] };
  await Promise.all(
    Array.from({ length: 30 }, (_, i) => {
      const key = i % 3 === 0 ? 'b' : 'a';
      return h.write(key, orders[key]!, `${key}${i}`, i === 10 || i === 11);
    }),
  );
  expect(h.overlaps).toEqual([]);
  expect(orders.a).toEqual(Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 3 !== 0).map((i) => `a${i}`));
  expect(orders.b).toEqual(Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 3 === 0).map((i) => `b${i}`));
  const own = [...h.ran.values()].filter((labels) => labels.includes('a10') || labels.includes('a11'));
  expect(own).toEqual([['a10'], ['a11']]);
});
