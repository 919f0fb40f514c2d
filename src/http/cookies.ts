/**
 * The two session cookies (docs/portal.md § Sessions and CSRF): read from the Cookie header and written with
 * Set-Cookie, by hand (RFC 6265 §4), since their values are base64url and need no escaping.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionKind } from '../store/portal.ts';

export const COOKIES: Record<SessionKind, { name: string; path: string }> = {
  portal: { name: 'guestlist_portal', path: '/portal' },
  console: { name: 'guestlist_console', path: '/' },
};

/** The value of cookie `name`, if the request carries it (the first, as browsers send the most specific first). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

export function sessionCookie(request: FastifyRequest, kind: SessionKind): string | undefined {
  return readCookie(request.headers.cookie, COOKIES[kind].name);
}

function attributes(kind: SessionKind, secure: boolean, maxAgeSeconds: number): string {
  return [`Path=${COOKIES[kind].path}`, `Max-Age=${maxAgeSeconds}`, 'HttpOnly', 'SameSite=Lax', ...(secure ? ['Secure'] : [])].join('; ');
}

/** `Secure` when the public URL is https: a browser then never sends the cookie in clear. */
export const secureCookies = (publicUrl: string) => publicUrl.startsWith('https:');

/** A new session's cookie, living as long as the session may (idleness may end the session sooner). */
export function setSessionCookie(reply: FastifyReply, kind: SessionKind, value: string, maxAgeSeconds: number, secure: boolean): void {
  reply.header('set-cookie', `${COOKIES[kind].name}=${value}; ${attributes(kind, secure, maxAgeSeconds)}`);
}

export function clearSessionCookie(reply: FastifyReply, kind: SessionKind, secure: boolean): void {
  reply.header('set-cookie', `${COOKIES[kind].name}=; ${attributes(kind, secure, 0)}`);
}
