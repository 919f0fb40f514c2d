/**
 * The simulator's SCIM client: one request at a time per call, retries on 429 and 5xx with exponential backoff
 * (honouring Retry-After, as Okta and Entra do), latency and error counts, and a record of every protocol
 * violation seen: unexpected status codes, error bodies that are not SCIM Error JSON, missing fields.
 *
 * A request whose connection dropped before any answer (the server process died, a balancer cut it) is sent
 * again too, and may then find its own work done: a create that landed answers 409 (uniqueness), a delete 404.
 * After a dropped attempt, and only then, those answers are no violation: the response says `replayed`, and
 * the caller looks the object up and adopts it, as IdPs do when a create's answer was lost (Okta and Entra
 * match existing users and groups by userName or displayName before creating, on their next cycle) and as they
 * treat a 404 to a DELETE (already gone).
 */
import { performance } from 'node:perf_hooks';

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export interface Violation {
  request: string;
  problem: string;
}

export interface ScimResponse {
  status: number;
  json: any;
  text: string;
  /** A retry after a dropped connection that found the first attempt's work done (409 to a POST, 404 to a DELETE). */
  replayed?: boolean;
}

export interface ClientStats {
  requests: number;
  errors: number;
  retries: number;
  /** Retries after a dropped connection that found their work already done. */
  replayed: number;
  latencies: number[];
}

export class ScimHttpClient {
  readonly stats: ClientStats = { requests: 0, errors: 0, retries: 0, replayed: 0, latencies: [] };
  readonly violations: Violation[] = [];

  constructor(
    private readonly base: string,
    private readonly token: string,
    private readonly options: { contentType: string; maxRetries?: number; baseDelayMs?: number } = { contentType: 'application/scim+json' },
  ) {}

  /**
   * Sends a request; `expect` lists the statuses the IdP treats as success. Anything else is a violation,
   * except 429/5xx, which are retried first.
   */
  async send(method: string, path: string, body: unknown, expect: number[]): Promise<ScimResponse> {
    const label = `${method} ${path}`;
    const maxRetries = this.options.maxRetries ?? 6;
    let dropped = false;
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      let res: Response;
      try {
        res = await fetch(this.base + path, {
          method,
          headers: { authorization: `Bearer ${this.token}`, accept: 'application/scim+json, application/json', ...(body === undefined ? {} : { 'content-type': this.options.contentType }) },
          ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (error) {
        this.stats.requests++;
        this.stats.errors++;
        dropped = true;
        if (attempt < maxRetries) {
          this.stats.retries++;
          await sleep(this.delay(attempt, null));
          continue;
        }
        this.violations.push({ request: label, problem: `no answer: ${(error as Error).message}` });
        return { status: 0, json: undefined, text: '' };
      }
      const text = await res.text();
      this.stats.requests++;
      this.stats.latencies.push(performance.now() - started);
      if ((res.status === 429 || res.status >= 500) && attempt < maxRetries) {
        this.stats.retries++;
        await sleep(this.delay(attempt, res.headers.get('retry-after')));
        continue;
      }
      const json = parse(text);
      if (dropped && ((method === 'POST' && res.status === 409) || (method === 'DELETE' && res.status === 404))) {
        this.stats.replayed++;
        return { status: res.status, json, text, replayed: true };
      }
      if (res.status >= 400) {
        this.stats.errors++;
        this.checkError(label, res.status, json);
      }
      if (!expect.includes(res.status)) this.violations.push({ request: label, problem: `answered ${res.status}, expected ${expect.join(' or ')}${text ? `: ${text.slice(0, 200)}` : ''}` });
      else if (res.status !== 204 && text && json === undefined) this.violations.push({ request: label, problem: 'body is not JSON' });
      return { status: res.status, json, text };
    }
  }

  private checkError(label: string, status: number, json: any): void {
    if (json === undefined) return void this.violations.push({ request: label, problem: `error ${status} body is not SCIM Error JSON` });
    if (!Array.isArray(json.schemas) || !json.schemas.includes(ERROR_SCHEMA)) this.violations.push({ request: label, problem: `error ${status} body lacks the Error schema` });
    if (String(json.status) !== String(status)) this.violations.push({ request: label, problem: `error body status "${json.status}" differs from HTTP ${status}` });
  }

  private delay(attempt: number, retryAfter: string | null): number {
    const base = (this.options.baseDelayMs ?? 200) * 2 ** attempt;
    const jittered = base * (0.8 + Math.random() * 0.4);
    const asked = retryAfter && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) * 1000 : 0;
    return Math.min(30_000, Math.max(jittered, asked));
  }

  /** Records a violation found by a caller (a missing field, a wrong shape). */
  violation(request: string, problem: string): void {
    this.violations.push({ request, problem });
  }
}

function parse(text: string): any {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` over `items` with at most `concurrency` in flight. */
export async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>, onDone?: () => void): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
      onDone?.();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}
