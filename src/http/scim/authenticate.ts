/** Bearer-token authentication per directory: the token is valid only for the directory its URL names. */
import type { FastifyRequest } from 'fastify';
import { activatedEventData } from '../../directory/lifecycle-events.ts';
import { isId } from '../../ids.ts';
import { ScimError } from '../../scim/errors.ts';
import { hashSecret } from '../../secrets.ts';
import type { DirectoryRecord, TokenRecord } from '../../store/store.ts';
import { bearerToken } from '../auth.ts';
import type { AppContext } from '../context.ts';
import { directoryObject, organizationObject } from '../objects.ts';

declare module 'fastify' {
  interface FastifyRequest {
    scim?: { directory: DirectoryRecord; token: TokenRecord };
    /** A request refused 401 names a directory that exists: the request log keeps it (the admin's most useful entry). */
    scimDirectoryExists?: boolean;
  }
}

/** last_used_at is a hint for humans; writing it at most once a minute keeps reads read-only. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * `authenticate` as a Fastify onRequest hook. A pair this process authenticated within the cache's TTL (most
 * requests: an IdP sends in bursts) is accepted without a promise; anything else takes the whole path.
 */
export function authenticateHook(ctx: AppContext) {
  return (request: FastifyRequest, _reply: unknown, done: (error?: Error) => void): void => {
    const { directoryId } = request.params as { directoryId: string };
    const presented = bearerToken(request.headers.authorization);
    const cached = presented !== undefined && isId(directoryId, 'directory') ? ctx.store.cachedAuthentication(directoryId, hashSecret(presented)) : undefined;
    if (cached && cached.directory.state !== 'unlinked') {
      accept(ctx, request, cached);
      return done();
    }
    authenticate(ctx, request).then(() => done(), done);
  };
}

/** Sets `request.scim`, or throws 401. The first authenticated request links an unlinked directory. */
export async function authenticate(ctx: AppContext, request: FastifyRequest): Promise<void> {
  const { directoryId } = request.params as { directoryId: string };
  const presented = bearerToken(request.headers.authorization);
  if (presented === undefined) {
    await noteDirectory(ctx, request, directoryId);
    throw new ScimError(401, undefined, 'Authorization: Bearer <token> is required.');
  }
  // A directory id that cannot be ours (NUL: a PostgreSQL error) authenticates nothing, without a query.
  const found = isId(directoryId, 'directory') ? await ctx.store.authenticateDirectory(directoryId, hashSecret(presented)) : undefined;
  if (!found) {
    await noteDirectory(ctx, request, directoryId);
    throw new ScimError(401, undefined, 'The bearer token is not valid for this directory.');
  }
  accept(ctx, request, found);
  if (found.directory.state === 'unlinked') await link(ctx, found.directory);
}

/** The request is the directory's, through this token; the token's last use is noted at most once a minute. */
function accept(ctx: AppContext, request: FastifyRequest, { directory, token }: { directory: DirectoryRecord; token: TokenRecord }): void {
  request.scim = { directory, token };
  const at = Date.now();
  if (!token.last_used_at || at - Date.parse(token.last_used_at) > TOUCH_INTERVAL_MS) {
    // The token may be the store's cached one: noting the touch there keeps the next requests from touching it.
    const iso = new Date(at).toISOString();
    token.last_used_at = iso;
    ctx.store.touchToken(token.id, iso).catch((err) => request.log.warn({ err }, 'token touch failed'));
  }
}

/**
 * On a 401, whether the directory exists: only then is the refusal logged. A flood of requests to made-up
 * directory ids must not fill the request log's buffer and push out other directories' entries.
 */
async function noteDirectory(ctx: AppContext, request: FastifyRequest, directoryId: string): Promise<void> {
  if (!isId(directoryId, 'directory')) return;
  request.scimDirectoryExists = (await ctx.store.getDirectory(directoryId)) !== undefined;
}

/** Links the directory on its first authenticated request, with `dsync.activated` (unless another request did). */
async function link(ctx: AppContext, directory: DirectoryRecord): Promise<void> {
  if (await activateDirectory(ctx, directory)) directory.state = 'linked';
}

/** Moves an unlinked directory to `linked` with `dsync.activated` (a SCIM IdP's first request, a first pull). */
export async function activateDirectory(ctx: Pick<AppContext, 'store' | 'config'>, directory: DirectoryRecord): Promise<boolean> {
  const org = await ctx.store.getOrganization(directory.organization_id);
  const domains = org ? organizationObject(org).domains : [];
  return ctx.store.markDirectoryLinked(directory.id, (dir) => activatedEventData(directoryObject(dir, ctx.config.publicUrl), domains));
}

/** The directory the request authenticated for (set by `authenticate`, which runs before every route). */
export function directoryOf(request: FastifyRequest): DirectoryRecord {
  return request.scim!.directory;
}
