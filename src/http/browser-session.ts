/**
 * Cookie authentication for the browser: the portal's and the console's session cookies, and the CSRF check
 * every cookie-authenticated change passes (docs/portal.md § Sessions and CSRF).
 */
import type { FastifyRequest } from 'fastify';
import { csrfProblem } from '../portal/csrf.ts';
import type { ActiveSession, Sessions } from '../portal/sessions.ts';
import type { SessionKind } from '../store/portal.ts';
import { sessionCookie } from './cookies.ts';
import { ApiError } from './errors.ts';

const sessions = new WeakMap<FastifyRequest, ActiveSession>();

/** The session the request was authenticated with (by authenticateBrowser, in the scope's onRequest hook). */
export function sessionOf(request: FastifyRequest): ActiveSession {
  const session = sessions.get(request);
  if (!session) throw new Error('no session: the route is outside a session scope');
  return session;
}

export const unauthorized = (message = 'Not signed in, or the session has ended.') => new ApiError(401, 'unauthorized', message);

const header = (request: FastifyRequest, name: string) => {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
};

/** 403 `csrf_failed` unless the request is safe, or carries the session's token from an allowed origin. */
export function checkCsrf(request: FastifyRequest, session: ActiveSession, publicUrl: string): void {
  const problem = csrfProblem(
    { method: request.method, origin: header(request, 'origin'), host: header(request, 'host'), token: header(request, 'x-csrf-token') },
    session.csrf_token,
    publicUrl,
  );
  if (problem) throw new ApiError(403, 'csrf_failed', problem);
}

/** The live session of the request's `kind` cookie, CSRF-checked; 401 or 403 otherwise. */
export async function authenticateBrowser(request: FastifyRequest, kind: SessionKind, store: Sessions, publicUrl: string): Promise<ActiveSession> {
  const session = await store.authenticate(kind, sessionCookie(request, kind));
  if (!session) throw unauthorized();
  checkCsrf(request, session, publicUrl);
  sessions.set(request, session);
  return session;
}
