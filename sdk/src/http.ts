/**
 * One place that talks HTTP: the API key, JSON in and out, a time-out per attempt, errors turned into
 * GuestlistErrors, and retries (retry.ts says which and when).
 */
import { ConnectionError, GuestlistError, TimeoutError, apiError } from './errors.js';
import { queryString, type QueryParams } from './query.js';
import { parseRetryAfter, retryDelay } from './retry.js';
import { sleep } from './sleep.js';
import { VERSION } from './version.js';

export interface GuestlistOptions {
  /** The management API key (`sk_…`, GUESTLIST_API_KEY). */
  apiKey: string;
  /** Where the server answers, such as `https://guestlist.example.com`; a path prefix is kept. */
  baseUrl: string;
  /** A fetch implementation; the global one by default. */
  fetch?: typeof fetch;
  /** Retries after the first attempt (see retry.ts for which requests); 3 by default, 0 to turn them off. */
  maxRetries?: number;
  /** Time-out of each attempt, answer body included; 30 s by default. */
  timeoutMs?: number;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestInit {
  query?: QueryParams | undefined;
  body?: unknown;
  /** Aborting it ends the request (and any wait between retries) with the signal's reason. */
  signal?: AbortSignal | undefined;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: GuestlistError };

const DEFAULT_MAX_RETRIES = 3;
const DEFAULT_TIMEOUT_MS = 30_000;

export class HttpClient {
  private readonly apiKey: string;
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;
  private readonly maxRetries: number;
  private readonly timeoutMs: number;

  constructor(options: GuestlistOptions) {
    if (!options.apiKey) throw new TypeError('Guestlist: apiKey is required.');
    if (!options.baseUrl) throw new TypeError('Guestlist: baseUrl is required.');
    this.apiKey = options.apiKey;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    // Bound to globalThis: some fetch implementations refuse to be called as a method of another object.
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.maxRetries = Math.max(0, options.maxRetries ?? DEFAULT_MAX_RETRIES);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async request<T>(method: Method, path: string, init: RequestInit = {}): Promise<T> {
    const url = this.baseUrl + path + queryString(init.query);
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt<T>(method, url, init);
      if (outcome.ok) return outcome.value;
      const delay = retryDelay(method, outcome.error, attempt, this.maxRetries);
      if (delay === undefined) throw outcome.error;
      await sleep(delay, init.signal);
      if (init.signal?.aborted) throw init.signal.reason;
    }
  }

  /** One attempt: its value, or the error to retry or throw. The caller's own abort is thrown, never retried. */
  private async attempt<T>(method: Method, url: string, init: RequestInit): Promise<Outcome<T>> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.timeoutMs);
    const forward = () => timeout.abort();
    init.signal?.addEventListener('abort', forward, { once: true });
    try {
      if (init.signal?.aborted) throw init.signal.reason;
      const response = await this.fetch(url, { method, headers: this.headers(init.body !== undefined), signal: timeout.signal, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
      const text = await response.text();
      return response.ok ? { ok: true, value: parseJson<T>(response, text) } : { ok: false, error: errorOf(response, text) };
    } catch (error) {
      if (init.signal?.aborted) throw init.signal.reason;
      if (error instanceof GuestlistError) throw error;
      if (timeout.signal.aborted) return { ok: false, error: new TimeoutError({ message: `No answer from ${url} within ${this.timeoutMs} ms.`, code: 'timeout', cause: error }) };
      return { ok: false, error: new ConnectionError({ message: `Could not reach ${url}: ${describe(error)}`, code: 'connection_error', cause: error }) };
    } finally {
      clearTimeout(timer);
      init.signal?.removeEventListener('abort', forward);
    }
  }

  private headers(hasBody: boolean): Record<string, string> {
    return {
      authorization: `Bearer ${this.apiKey}`,
      accept: 'application/json',
      'user-agent': `guestlist-sdk-node/${VERSION}`,
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
    };
  }
}

/**
 * The answer's JSON as the caller's type: the one place the SDK trusts the server's shapes (they are the
 * server's TypeBox response schemas, mirrored in objects.ts). An empty body (204) is undefined.
 */
function parseJson<T>(response: Response, text: string): T {
  if (text === '') return undefined as T;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new GuestlistError({ message: `HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`, code: 'invalid_response', status: response.status, cause: error });
  }
  return value as T;
}

function errorOf(response: Response, text: string): GuestlistError {
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (a proxy's error page): the text goes into the message.
  }
  return apiError(response.status, body, {
    requestId: response.headers.get('x-request-id') ?? undefined,
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
  });
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // undici puts the reason (ECONNREFUSED, …) in `cause`; "fetch failed" alone says nothing.
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}
