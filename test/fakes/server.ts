/**
 * The plumbing the vendor fakes share: a node:http server on loopback (port 0), a request log, a queue of injected
 * faults, and small answer helpers. Not meant to be imported by tests directly; use the fakes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
}

export interface FakeRequest extends LoggedRequest {
  url: URL;
  body: string;
}

export interface FakeAnswer {
  status: number;
  body?: unknown;
  /** Sent as is (a string body is not JSON-encoded). */
  raw?: string;
  headers?: Record<string, string>;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function startServer(handle: (request: FakeRequest) => FakeAnswer | Promise<FakeAnswer>): Promise<RunningServer> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const request: FakeRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        url,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      Promise.resolve()
        .then(() => handle(request))
        .then(
          (answer) => send(res, answer),
          (error: unknown) => send(res, { status: 500, body: { error: String(error) } }),
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: http.ServerResponse, answer: FakeAnswer): void {
  const payload = answer.raw ?? (answer.body === undefined ? '' : JSON.stringify(answer.body));
  const headers: Record<string, string> = { ...(answer.raw === undefined && answer.body !== undefined ? { 'content-type': 'application/json; charset=UTF-8' } : {}), ...answer.headers };
  res.writeHead(answer.status, headers);
  res.end(payload);
}

/** The user and password of a Basic Authorization header, or undefined. */
export function basicCredentials(header: string | undefined): { username: string; password: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Faults answered instead of the real response: the next `count` matching requests get `answer`. */
export class FaultQueue<Where extends string> {
  private queue: { remaining: number; where: Where | 'any'; answer: FakeAnswer }[] = [];

  push(count: number, answer: FakeAnswer, where: Where | 'any' = 'any'): void {
    if (count > 0) this.queue.push({ remaining: count, where, answer });
  }

  /** The fault for this request, consumed; undefined when none is pending for `where`. */
  take(where: Where): FakeAnswer | undefined {
    const fault = this.queue.find((f) => f.where === 'any' || f.where === where);
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining <= 0) this.queue.splice(this.queue.indexOf(fault), 1);
    return fault.answer;
  }

  clear(): void {
    this.queue = [];
  }

  get pending(): number {
    return this.queue.reduce((n, f) => n + f.remaining, 0);
  }
}

/** An opaque page token bound to one listing, and the offset it stands for. */
export function pageToken(listing: string, offset: number): string {
  return Buffer.from(JSON.stringify({ l: listing, o: offset })).toString('base64url');
}

export function readPageToken(listing: string, token: string | undefined): number | undefined | 'invalid' {
  if (token === undefined || token === '') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { l?: unknown; o?: unknown };
    if (parsed.l !== listing || typeof parsed.o !== 'number' || !Number.isInteger(parsed.o) || parsed.o < 0) return 'invalid';
    return parsed.o;
  } catch {
    return 'invalid';
  }
}
