/**
 * A directory's SCIM bearer tokens: stored as a hash and a suffix, never the secret; at most MAX_ACTIVE_TOKENS
 * active at once, so a token can be rotated without downtime.
 */
import { hashesEqual } from '../secrets.ts';
import type { Executor } from './db.ts';
import { organizationOf, toDirectory } from './directories.ts';
import { appendEvents, type PendingEvent } from './event-log.ts';
import { pageById } from './pagination.ts';
import { MAX_ACTIVE_TOKENS, StoreConflict, type DirectoryRecord, type EventData, type NewToken, type Page, type PageQuery, type TokenRecord } from './store.ts';

/** A token as the store shows it: never its hash. */
const TOKEN_COLUMNS = ['id', 'directory_id', 'token_suffix', 'created_at', 'last_used_at', 'revoked_at'] as const;

async function insertToken(trx: Executor, directoryId: string, token: NewToken, at: string): Promise<void> {
  await trx
    .insertInto('directory_tokens')
    .values({
      id: token.id,
      directory_id: directoryId,
      token_hash: token.hash,
      token_suffix: token.suffix,
      created_at: at,
      last_used_at: null,
      revoked_at: null,
    })
    .execute();
}

/** A new token with its `dsync.token.created`; StoreConflict when two are active already. The caller holds the directory's lock. */
export async function createToken(trx: Executor, directoryId: string, token: NewToken, eventData: EventData<TokenRecord>, at: string): Promise<void> {
  const active = await trx
    .selectFrom('directory_tokens')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('directory_id', '=', directoryId)
    .where('revoked_at', 'is', null)
    .executeTakeFirstOrThrow();
  if (Number(active.n) >= MAX_ACTIVE_TOKENS) {
    throw new StoreConflict('token_limit_reached', `A directory has at most ${MAX_ACTIVE_TOKENS} active tokens; revoke one before creating another.`);
  }
  await insertToken(trx, directoryId, token, at);
  await appendEvents(trx, [tokenCreated(await organizationOf(trx, directoryId), directoryId, token, eventData, at)], at);
}

/** The token a new directory starts with, and its `dsync.token.created`. */
export async function insertFirstToken(trx: Executor, organizationId: string, directoryId: string, token: NewToken, eventData: EventData<TokenRecord>, at: string): Promise<void> {
  await insertToken(trx, directoryId, token, at);
  await appendEvents(trx, [tokenCreated(organizationId, directoryId, token, eventData, at)], at);
}

function tokenCreated(organizationId: string, directoryId: string, token: NewToken, eventData: EventData<TokenRecord>, at: string): PendingEvent {
  const record: TokenRecord = { id: token.id, directory_id: directoryId, token_suffix: token.suffix, created_at: at, last_used_at: null, revoked_at: null };
  return tokenEvent('dsync.token.created', organizationId, record, eventData);
}

function tokenEvent(event: 'dsync.token.created' | 'dsync.token.revoked', organizationId: string, token: TokenRecord, eventData: EventData<TokenRecord>): PendingEvent {
  return { event, directory_id: token.directory_id, organization_id: organizationId, data: eventData(token) };
}

export function getToken(db: Executor, directoryId: string, tokenId: string): Promise<TokenRecord | undefined> {
  return db.selectFrom('directory_tokens').select(TOKEN_COLUMNS).where('directory_id', '=', directoryId).where('id', '=', tokenId).executeTakeFirst();
}

export function listTokens(db: Executor, directoryId: string, page: PageQuery): Promise<Page<TokenRecord>> {
  return pageById(db.selectFrom('directory_tokens').select(TOKEN_COLUMNS).where('directory_id', '=', directoryId), 'id', page);
}

/** Revokes an active token with its `dsync.token.revoked`; a token revoked already keeps its first time. */
export async function revokeToken(trx: Executor, directoryId: string, tokenId: string, eventData: EventData<TokenRecord>, at: string): Promise<void> {
  const res = await trx
    .updateTable('directory_tokens')
    .set({ revoked_at: at })
    .where('directory_id', '=', directoryId)
    .where('id', '=', tokenId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) return;
  const token = await trx.selectFrom('directory_tokens').select(TOKEN_COLUMNS).where('id', '=', tokenId).executeTakeFirstOrThrow();
  await appendEvents(trx, [tokenEvent('dsync.token.revoked', await organizationOf(trx, directoryId), token, eventData)], at);
}

/** The directory, with its active token whose hash matches (compared in constant time), if any. */
export async function authenticateDirectory(db: Executor, directoryId: string, tokenHash: string): Promise<{ directory: DirectoryRecord; token: TokenRecord } | undefined> {
  // One query for the directory and its active tokens: this runs before every SCIM request.
  const rows = await db
    .selectFrom('directories as d')
    .innerJoin('directory_tokens as t', (join) => join.onRef('t.directory_id', '=', 'd.id').on('t.revoked_at', 'is', null))
    .selectAll('d')
    .select([
      't.id as token_id',
      't.token_hash as token_hash',
      't.token_suffix as token_suffix',
      't.created_at as token_created_at',
      't.last_used_at as token_last_used_at',
    ])
    .where('d.id', '=', directoryId)
    .execute();
  // Every active token is compared, so timing does not reveal which one (or whether any) matched.
  let match: (typeof rows)[number] | undefined;
  for (const row of rows) if (hashesEqual(row.token_hash, tokenHash)) match = row;
  if (!match) return undefined;
  const token: TokenRecord = {
    id: match.token_id,
    directory_id: directoryId,
    token_suffix: match.token_suffix,
    created_at: match.token_created_at,
    last_used_at: match.token_last_used_at,
    revoked_at: null,
  };
  return { directory: toDirectory(match), token };
}

export async function touchToken(db: Executor, tokenId: string, at: string): Promise<void> {
  await db.updateTable('directory_tokens').set({ last_used_at: at }).where('id', '=', tokenId).execute();
}
