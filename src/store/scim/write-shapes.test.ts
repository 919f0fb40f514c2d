import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../../../test/support/harness.ts';
import { SqliteStore } from '../sqlite.ts';
import { rowsShape, WriteShapes } from './write-shapes.ts';

let t: TestDatabase;
let db: Kysely<any>;

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.store.db as unknown as Kysely<any>;
  await sql`create table ws_probe (a varchar(20) primary key, b integer, c varchar(20))`.execute(db);
});
afterAll(async () => {
  await t.drop();
});

const rows = async () => (await sql<{ a: string; b: number; c: string | null }>`select a, b, c from ws_probe order by a`.execute(db)).rows.map((r) => ({ ...r, b: Number(r.b) }));

it("builds a shape's statement once, then binds each statement's own values into its text", async () => {
  const shapes = new WriteShapes();
  let built = 0;
  const insert = (values: { a: string; b: number; c: string | null }[]) => {
    const shape = rowsShape(values)!;
    return shapes.run(db as never, `probe:${shape.shape}`, shape.values, () => (built++, db.insertInto('ws_probe').values(values)));
  };
  await insert([{ a: 'x1', b: 1, c: 'one' }]);
  await insert([{ a: 'x2', b: 2, c: null }]);
  await insert([
    { a: 'x3', b: 3, c: "it's" },
    { a: 'x4', b: 4, c: '' },
  ]);
  await insert([
    { a: 'x5', b: 5, c: 'five' },
    { a: 'x6', b: 6, c: 'six' },
  ]);
  expect(built).toBe(2); // one row, two rows
  expect(shapes.stats).toEqual({ templated: 2, built: 2, refused: 0 });
  expect(await rows()).toEqual([
    { a: 'x1', b: 1, c: 'one' },
    { a: 'x2', b: 2, c: null },
    { a: 'x3', b: 3, c: "it's" },
    { a: 'x4', b: 4, c: '' },
    { a: 'x5', b: 5, c: 'five' },
    { a: 'x6', b: 6, c: 'six' },
  ]);
});

it('never keeps a shape whose parameters are not its values in order: it is built every time', async () => {
  const shapes = new WriteShapes();
  let built = 0;
  // The values given in another order than the statement binds them (b before a).
  const update = (a: string, b: number) =>
    shapes.run(db as never, 'probe:update', [b, a, 'swapped'], () => (built++, db.updateTable('ws_probe').set({ c: 'swapped' }).where('a', '=', a).where('b', '=', b)));
  await update('x1', 1);
  await update('x2', 2);
  expect(built).toBe(2);
  expect(shapes.stats).toEqual({ templated: 0, built: 2, refused: 1 });
  expect((await rows()).filter((r) => r.c === 'swapped').map((r) => r.a)).toEqual(['x1', 'x2']);
});

it('has no shape for rows with an undefined value (Kysely leaves that column out)', () => {
  expect(rowsShape([{ a: 'x', b: undefined }])).toBeUndefined();
  expect(rowsShape([{ a: 'x', b: 1 }, { b: 2, a: 'y' }])).toEqual({ shape: 'a,b|b,a', values: ['x', 1, 2, 'y'] });
});

it("the event log's inserts run from their shapes (their parameters are their values), in order", async () => {
  const { appendEvents, EVENT_SHAPES } = await import('../event-log.ts');
  const before = { ...EVENT_SHAPES.stats };
  for (let i = 0; i < 3; i++) {
    await appendEvents(db as never, [{ event: 'dsync.activated', directory_id: null, organization_id: null, data: { i } }], new Date().toISOString(), t.store.dialect === 'postgres');
  }
  expect(EVENT_SHAPES.stats.refused).toBe(before.refused);
  expect(EVENT_SHAPES.stats.templated - before.templated).toBeGreaterThanOrEqual(2);
  const last = (await sql<{ seq: number; data: unknown }>`select seq, data from events order by seq desc limit 3`.execute(db)).rows.reverse();
  expect(last.map((r) => Number(r.seq) - Number(last[0]!.seq))).toEqual([0, 1, 2]);
  expect(last.map((r) => (typeof r.data === 'string' ? JSON.parse(r.data) : r.data))).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
});

it.runIf(TEST_DATABASE_URL)("a SQLite and a PostgreSQL store in one process never run each other's shape texts", async () => {
  const { appendEvents } = await import('../event-log.ts');
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'write-shapes-'));
  const sqlite = new SqliteStore(path.join(folder, 'a.db'));
  try {
    await sqlite.migrate();
    for (let i = 0; i < 3; i++) {
      for (const store of [sqlite, t.store]) {
        await appendEvents(store.db as never, [{ event: 'dsync.activated', directory_id: null, organization_id: null, data: { i } }], new Date().toISOString());
      }
    }
    const count = async (store: { db: unknown }) => Number((await sql<{ n: number }>`select count(*) as n from events`.execute(store.db as Kysely<any>)).rows[0]!.n);
    expect(await count(sqlite)).toBe(3);
  } finally {
    await sqlite.close();
    fs.rmSync(folder, { recursive: true, force: true });
  }
});
