import { Kysely, SqliteDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { instantiate, probesFor, sameStatement, sameTemplate, toTemplate } from './statement-template.ts';
import { StatementShapes, MAX_SHAPED_STATEMENTS } from './statement-shapes.ts';

// Builds queries only; never connects (no database is needed to compile).
const db = new Kysely<any>({ dialect: new SqliteDialect({ database: async () => ({}) as never }) });

const byName = (dir: string, name: string) => db.selectFrom('t').selectAll().where('dir', '=', dir).where('name_lower', '=', name.toLowerCase());

describe('statement templates', () => {
  it('binds each argument where its probe went, as is or lowercased, and keeps constants', () => {
    const probes = probesFor(['string', 'string']);
    const template = toTemplate(byName(probes[0] as string, probes[1] as string).where('n', '=', 7).compile(), probes)!;
    expect(template.slots).toEqual([{ arg: 0, lower: false }, { arg: 1, lower: true }, { value: 7 }]);
    const real = byName('D1', 'Alice@X').where('n', '=', 7).compile();
    expect(sameStatement(instantiate(template, ['D1', 'Alice@X']), real)).toBe(true);
  });

  it('refuses a parameter derived from a probe in any other way (a LIKE pattern, a suffix bound)', () => {
    const probes = probesFor(['string']);
    const like = db.selectFrom('t').selectAll().where('name', 'like', `${probes[0]}%`);
    expect(toTemplate(like.compile(), probes)).toBeUndefined();
    const upper = db.selectFrom('t').selectAll().where('name', '=', String(probes[0]).toUpperCase());
    expect(toTemplate(upper.compile(), probes)).toBeUndefined();
    const numbers = probesFor(['number']);
    const shifted = db.selectFrom('t').selectAll().limit((numbers[0] as number) + 1);
    expect(toTemplate(shifted.compile(), numbers)).toBeUndefined();
  });

  it('two probe sets differ in length and number, so a constant computed from a value tells them apart', () => {
    const [a, b] = [0, 1].map((set) => probesFor(['string', 'number'], set));
    expect(String(a![0]).length).not.toBe(String(b![0]).length);
    expect(a![1]).not.toBe(b![1]);
    const suffix = (p: unknown[]) => sql`substr(name, ${-String(p[0]).length}) = ${p[0]}`;
    const [ta, tb] = [a!, b!].map((p) => toTemplate(sql`select 1 where ${suffix(p)}`.compile(db), p)!);
    expect(sameTemplate(ta!, tb!)).toBe(false);
    const plain = (p: unknown[]) => sql`select 1 where name = ${p[0]} limit ${p[1]}`.compile(db);
    expect(sameTemplate(toTemplate(plain(a!), a!)!, toTemplate(plain(b!), b!)!)).toBe(true);
  });

  it('compares array parameters by their elements (PostgreSQL binds JSON paths as arrays, new each compile)', () => {
    const path = (p: unknown[]) => sql`select 1 where r #>> ${['name', 'familyName']} = ${p[0]}`.compile(db);
    const [a, b] = [0, 1].map((set) => probesFor(['string'], set));
    expect(sameTemplate(toTemplate(path(a!), a!)!, toTemplate(path(b!), b!)!)).toBe(true);
    expect(sameStatement(path(['x']), path(['x']))).toBe(true);
    expect(sameStatement(path(['x']), sql`select 1 where r #>> ${['name', 'givenName']} = ${'x'}`.compile(db))).toBe(false);
  });
});

describe('StatementShapes', () => {
  const shaped = (key: string, dir: string, name: string, build = byName) => ({
    key,
    args: [dir, name],
    build: () => build(dir, name),
    probe: (p: readonly unknown[]) => build(p[0] as string, p[1] as string),
  });

  it('learns a shape when it comes again, then builds its statements from the template', () => {
    const shapes = new StatementShapes();
    const values = [['D1', 'Bob'], ['D1', 'Ann'], ['D2', 'ÉVE'], ['D3', 'İlker']] as const;
    for (const [dir, name] of values) expect(sameStatement(shapes.statement(shaped('k', dir, name)), byName(dir, name).compile())).toBe(true);
    expect(shapes.stats).toEqual({ templated: 2, compiled: 2, refused: 0 });
  });

  it('a shape seen once costs one compile (no probes)', () => {
    const shapes = new StatementShapes();
    let probed = 0;
    for (let i = 0; i < 10; i++) shapes.statement({ ...shaped(`once${i}`, 'D', 'n'), probe: () => (probed++, byName('D', 'n')) });
    expect(probed).toBe(0);
    expect(shapes.size).toBe(0);
  });

  it('refuses a shape whose SQL depends on its values, and then always compiles it', () => {
    const shapes = new StatementShapes();
    const suffix = (dir: string, name: string) => db.selectFrom('t').selectAll().where('dir', '=', dir).where(sql<boolean>`substr(name, ${-name.length}) = ${name}`);
    // The first value has the probe's length: one probe set alone would have accepted the constant.
    const probeLength = String(probesFor(['string'])[0]).length;
    const names = ['x'.repeat(probeLength), 'x'.repeat(probeLength), 'yz'];
    for (const name of names) expect(sameStatement(shapes.statement(shaped('ew', 'D', name, suffix)), suffix('D', name).compile())).toBe(true);
    expect(shapes.stats).toEqual({ templated: 0, compiled: 3, refused: 1 });
  });

  it('refuses a shape whose probe a value check rejects', () => {
    const shapes = new StatementShapes();
    const dated = (dir: string, at: string) => {
      if (Number.isNaN(Date.parse(at))) throw new Error('not a dateTime');
      return db.selectFrom('t').selectAll().where('dir', '=', dir).where('at', '>', new Date(at).toISOString());
    };
    for (const at of ['2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z']) shapes.statement(shaped('d', 'D', at, dated));
    expect(shapes.stats).toEqual({ templated: 0, compiled: 3, refused: 1 });
  });

  it('holds a bounded number of shapes', () => {
    const shapes = new StatementShapes();
    for (let i = 0; i < MAX_SHAPED_STATEMENTS + 50; i++) for (let twice = 0; twice < 2; twice++) shapes.statement(shaped(`k${i}`, 'D', 'n'));
    expect(shapes.size).toBe(MAX_SHAPED_STATEMENTS);
  });
});
