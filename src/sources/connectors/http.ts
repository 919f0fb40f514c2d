/**
 * The one HTTP path of the connectors: a request with quota-aware retries. Transient answers (429, quota 403s the
 * connector names, 5xx, network errors) are retried with exponential backoff and jitter, waiting out Retry-After
 * when the source sends one, up to maxAttempts; then SourceUnavailableError. Authentication refusals become
 * SourceAuthError at once, anything else SourceResponseError. Messages carry the status and a short excerpt of the
 * vendor's answer, never a credential.
 */
import { SourceAuthError, SourceResponseError, SourceUnavailableError, type HttpOptions } from './types.ts';

export type Failure = { kind: 'transient' | 'auth' | 'other'; message: string };

/** How a connector reads a non-2xx answer: status and body text in, a kind of failure out. */
export type Classifier = (status: number, body: string) => Failure;

export interface Http {
  fetch: typeof fetch;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  random: () => number;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function resolveHttp(options: HttpOptions): Http {
  const maxAttempts = options.maxAttempts ?? 5;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError('maxAttempts must be a positive integer');
  return {
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    sleep: options.sleep ?? abortableSleep,
    maxAttempts,
    baseDelayMs: options.baseDelayMs ?? 1000,
    maxDelayMs: options.maxDelayMs ?? 32_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
    random: Math.random,
  };
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** A vendor's answer, shortened for an error message. */
export function excerpt(body: string, max = 200): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** 401/403 → auth, 408/429/5xx → transient, anything else → other. */
export function classifyByStatus(status: number, body: string): Failure {
  const message = `HTTP ${status}${body ? `: ${excerpt(body)}` : ''}`;
  if (status === 401 || status === 403) return { kind: 'auth', message };
  if (status === 408 || status === 429 || status >= 500) return { kind: 'transient', message };
  return { kind: 'other', message };
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

function isAbort(error: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || (error instanceof Error && error.name === 'AbortError');
}

/**
 * Sends `request` (called afresh for every attempt) until it answers 2xx, then returns the body parsed as JSON.
 * `what` names the request in error messages ("Google users.list").
 */
export async function requestJson(
  http: Http,
  what: string,
  request: (signal?: AbortSignal) => Promise<Response>,
  classify: Classifier,
  signal?: AbortSignal,
  options: { notFoundAsUndefined?: boolean } = {},
): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    let response: Response;
    try {
      response = await request(signal);
    } catch (error) {
      if (isAbort(error, signal)) throw signal?.reason ?? error;
      const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      if (attempt >= http.maxAttempts) throw new SourceUnavailableError(`${what}: network error: ${reason} (gave up after ${attempt} attempts)`);
      await http.sleep(backoff(http, attempt), signal);
      continue;
    }
    const body = await response.text();
    if (response.ok) {
      try {
        return JSON.parse(body) as unknown;
      } catch {
        throw new SourceResponseError(`${what}: HTTP ${response.status} with a body that is not JSON (${response.headers.get('content-type') ?? 'no Content-Type'}): ${excerpt(body, 80)}`);
      }
    }
    if (response.status === 404 && options.notFoundAsUndefined) return undefined;
    const failure = classify(response.status, body);
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    if (failure.kind === 'auth') throw new SourceAuthError(`${what}: ${failure.message}`);
    if (failure.kind === 'other') throw new SourceResponseError(`${what}: ${failure.message}`);
    if (retryAfterMs !== undefined && retryAfterMs > http.maxRetryAfterMs) {
      throw new SourceUnavailableError(`${what}: ${failure.message} (Retry-After ${Math.ceil(retryAfterMs / 1000)} s)`, retryAfterMs);
    }
    if (attempt >= http.maxAttempts) {
      throw new SourceUnavailableError(`${what}: ${failure.message} (gave up after ${attempt} attempts)`, retryAfterMs);
    }
    await http.sleep(retryAfterMs ?? backoff(http, attempt), signal);
  }
}

/** Exponential: base·2^(attempt−1), capped, with jitter between half and all of it. */
export function backoff(http: Http, attempt: number): number {
  const ceiling = Math.min(http.maxDelayMs, http.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (http.random() * ceiling) / 2);
}

/** The value of a report field as text: strings as they are, numbers and booleans printed, Workday references by their descriptor. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    return text(record['Descriptor'] ?? record['descriptor'] ?? record['ID'] ?? record['id']);
  }
  return undefined;
}

/** Drops keys whose value is undefined, and an object left empty, so that resources stay compact and comparable. */
export function compact<T extends Record<string, unknown>>(record: T): T | undefined {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (value !== undefined) out[key] = value;
  return Object.keys(out).length > 0 ? (out as T) : undefined;
}
