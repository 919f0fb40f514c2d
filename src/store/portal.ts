/**
 * Portal links and browser sessions (migration 0007). Rows only: what makes a link usable or a session live
 * is decided in src/portal/, except where the decision must be atomic with the write (claiming a link).
 */
import { sql } from 'kysely';
import type { Executor } from './db.ts';
import { pageById } from './pagination.ts';
import type { Page, PageQuery } from './store.ts';

export type LinkKind = 'setup' | 'invite';
export type SessionKind = 'portal' | 'console';

/** A link as the store shows it: never its token hash. */
export interface LinkRecord {
  id: string;
  organization_id: string;
  kind: LinkKind;
  return_url: string | null;
  success_url: string | null;
  expires_at: string;
  /** When it was first opened. */
  used_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

export interface SessionRecord {
  id: string;
  kind: SessionKind;
  organization_id: string | null;
  link_id: string | null;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ended_at: string | null;
  credential_epoch: string | null;
}

const LINK_COLUMNS = ['id', 'organization_id', 'kind', 'return_url', 'success_url', 'expires_at', 'used_at', 'revoked_at', 'created_at'] as const;
const SESSION_COLUMNS = ['id', 'kind', 'organization_id', 'link_id', 'created_at', 'last_seen_at', 'expires_at', 'ended_at', 'credential_epoch'] as const;

// Both columns are written only with these values.
const asLink = <T extends { kind: string }>(row: T) => row as T & { kind: LinkKind };
const asSession = <T extends { kind: string }>(row: T) => row as T & { kind: SessionKind };

export async function insertLink(db: Executor, link: LinkRecord & { token_hash: string }): Promise<void> {
  await db.insertInto('portal_links').values(link).execute();
}

export async function findLinkByTokenHash(db: Executor, tokenHash: string): Promise<LinkRecord | undefined> {
  const row = await db.selectFrom('portal_links').select(LINK_COLUMNS).where('token_hash', '=', tokenHash).executeTakeFirst();
  return row && asLink(row);
}

/** The link with this id (of this kind, when given). */
export async function getLink(db: Executor, id: string, kind?: LinkKind): Promise<LinkRecord | undefined> {
  let q = db.selectFrom('portal_links').select(LINK_COLUMNS).where('id', '=', id);
  if (kind !== undefined) q = q.where('kind', '=', kind);
  const row = await q.executeTakeFirst();
  return row && asLink(row);
}

export async function listLinks(db: Executor, kind: LinkKind, page: PageQuery, filter: { organization_id?: string }): Promise<Page<LinkRecord>> {
  let q = db.selectFrom('portal_links').select(LINK_COLUMNS).where('kind', '=', kind);
  if (filter.organization_id !== undefined) q = q.where('organization_id', '=', filter.organization_id);
  const result = await pageById(q, 'id', page);
  return { ...result, data: result.data.map(asLink) };
}

/**
 * Marks the link opened, if it still may be: not revoked, not expired and, for a setup link, never used. One
 * conditional UPDATE, so of two concurrent opens of a setup link only one succeeds (on PostgreSQL the second
 * waits for the first's row lock, then finds `used_at` set). It also serializes an open with a revocation.
 */
export async function claimLink(trx: Executor, link: Pick<LinkRecord, 'id' | 'kind'>, at: string): Promise<boolean> {
  let q = trx
    .updateTable('portal_links')
    .set({ used_at: sql<string>`coalesce(used_at, ${at})` })
    .where('id', '=', link.id)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', at);
  if (link.kind === 'setup') q = q.where('used_at', 'is', null);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Revokes a link and ends the sessions it started; false when there is no such link. Revoking twice keeps the first time. */
export async function revokeLink(trx: Executor, id: string, kind: LinkKind, at: string): Promise<boolean> {
  const link = await getLink(trx, id, kind);
  if (!link) return false;
  await trx.updateTable('portal_links').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  await trx.updateTable('sessions').set({ ended_at: at }).where('link_id', '=', id).where('ended_at', 'is', null).execute();
  return true;
}

/** Drops setup links that expired before `before`: they can never be opened, and are listed nowhere. */
export async function pruneSetupLinks(db: Executor, before: string): Promise<void> {
  await db.deleteFrom('portal_links').where('kind', '=', 'setup').where('expires_at', '<', before).execute();
}

export async function insertSession(db: Executor, session: SessionRecord & { id_hash: string }): Promise<void> {
  await db.insertInto('sessions').values(session).execute();
}

/** The session whose secret hashes to `idHash`, unless it has ended. */
export async function findSession(db: Executor, idHash: string, kind: SessionKind): Promise<SessionRecord | undefined> {
  const row = await db
    .selectFrom('sessions')
    .select(SESSION_COLUMNS)
    .where('id_hash', '=', idHash)
    .where('kind', '=', kind)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  return row && asSession(row);
}

export async function touchSession(db: Executor, id: string, at: string): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).where('ended_at', 'is', null).execute();
}

export async function endSession(db: Executor, id: string, at: string): Promise<void> {
  await db.updateTable('sessions').set({ ended_at: at }).where('id', '=', id).where('ended_at', 'is', null).execute();
}

/** Drops sessions past their absolute end before `before` (ended or not: none can be used again). */
export async function pruneSessions(db: Executor, before: string): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<', before).execute();
}
