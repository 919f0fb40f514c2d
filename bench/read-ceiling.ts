/**
 * The machine's ceiling for a read: node:http answering with one indexed row, looked up in the benchmark's own
 * seeded database (a read-only better-sqlite3 connection, or one pg pool), under the same load as Guestlist's
 * reads. A Guestlist read is shown as a share of it: what is left is the protocol's own work.
 */
import http from 'node:http';
import BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { load, type LoadResult } from './scim.ts';

export interface ReadCeiling {
  /** GET /Users/{id}: the row by primary key. */
  getById: LoadResult;
  /** GET /Users?filter=userName eq "…": the row by (directory_id, user_name_lower). */
  userNameEq: LoadResult;
}

type Lookup = (by: 'id' | 'userName', key: string) => Promise<unknown> | unknown;

function sqliteLookup(file: string, directoryId: string): { lookup: Lookup; close: () => void } {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  const byId = db.prepare('select * from directory_users where id = ? and directory_id = ?');
  const byName = db.prepare('select * from directory_users where directory_id = ? and user_name_lower = ?');
  return {
    lookup: (by, key) => (by === 'id' ? byId.get(key, directoryId) : byName.get(directoryId, key)),
    close: () => db.close(),
  };
}

function postgresLookup(pool: pg.Pool, schema: string, directoryId: string): Lookup {
  return async (by, key) => {
    const where = by === 'id' ? 'id = $1 and directory_id = $2' : 'user_name_lower = $1 and directory_id = $2';
    return (await pool.query(`select * from "${schema}".directory_users where ${where}`, [key, directoryId])).rows[0];
  };
}

const USER_NAME = /userName eq "([^"]*)"/;

function server(lookup: Lookup): http.Server {
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const filter = url.searchParams.get('filter');
    const key = filter ? USER_NAME.exec(filter)?.[1]?.toLowerCase() : url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
    Promise.resolve(key ? lookup(filter ? 'userName' : 'id', key) : undefined).then(
      (row) => res.writeHead(row ? 200 : 404, { 'content-type': 'application/scim+json' }).end(JSON.stringify(row ?? {})),
      () => res.writeHead(500).end(),
    );
  });
}

export async function measureReadCeiling(
  source: { sqliteFile: string } | { pool: pg.Pool; schema: string },
  directoryId: string,
  range: number,
  connections: number,
  duration: number,
): Promise<ReadCeiling> {
  const sqlite = 'sqliteFile' in source ? sqliteLookup(source.sqliteFile, directoryId) : undefined;
  const lookup = sqlite?.lookup ?? postgresLookup((source as { pool: pg.Pool }).pool, (source as { schema: string }).schema, directoryId);
  const srv = server(lookup);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
  try {
    const getById = await load({ kind: 'get', base, path: '/Users', headers: {}, connections, duration, range });
    const userNameEq = await load({ kind: 'lookup', base, path: '/Users', headers: {}, connections, duration, filter: 'userName eq "user{i}@bench.example.com"', range });
    return { getById, userNameEq };
  } finally {
    srv.close();
    sqlite?.close();
  }
}
