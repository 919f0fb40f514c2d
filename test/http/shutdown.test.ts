/**
 * Graceful shutdown over real sockets: a keep-alive connection whose request is under way when the app starts
 * closing gets its answer, with `Connection: close`, and the close completes. Without that, Node keeps such a
 * connection open after its answer until keepAliveTimeout (72 s), and the close (a SIGTERM, a test's teardown)
 * waits that long. No speed is asserted: the bound is a tenth of keepAliveTimeout.
 */
import net from 'node:net';
import { expect, it } from 'vitest';
import { createDirectory, createTestApp } from '../support/harness.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

it('a request under way when closing starts is answered with Connection: close, and the close completes', async () => {
  const t = await createTestApp();
  try {
    const dir = await createDirectory(t);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.server.address() as net.AddressInfo).port;

    // Headers and half the body: the server holds a request, so the connection is not idle when closing starts.
    const body = JSON.stringify({ schemas: [USER], userName: 'closing@acme.com', active: true });
    const socket = net.connect(port, '127.0.0.1');
    socket.setEncoding('utf8');
    let response = '';
    socket.on('data', (chunk: string) => (response += chunk));
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => {});
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const requested = new Promise<void>((resolve) => t.app.server.once('request', () => resolve()));
    socket.write(
      `POST /scim/v2/${dir.id}/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${dir.bearer_token}\r\n` +
        `Content-Type: application/scim+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
    );
    await requested;

    let closed = false;
    const closing = t.app.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(false);
    socket.write(body.slice(10));

    const bound = new Promise<'timed out'>((r) => setTimeout(() => r('timed out'), 7_200).unref());
    expect(await Promise.race([closing.then(() => 'closed' as const), bound])).toBe('closed');
    await ended;
    expect(response).toMatch(/^HTTP\/1\.1 201 /);
    expect(response.toLowerCase()).toContain('\r\nconnection: close\r\n');
    const users = await t.store.db.selectFrom('directory_users').select('user_name').where('directory_id', '=', dir.id).execute();
    expect(users.map((u) => u.user_name)).toEqual(['closing@acme.com']);
  } finally {
    await t.close();
  }
}, 30_000);
