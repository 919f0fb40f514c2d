/**
 * The browser's client for Guestlist's JSON routes. It sends the session's CSRF token on every change
 * (docs/portal.md), fetches a fresh one and retries once when the server answers `csrf_failed`, and reports a
 * lost session to the app so it can return to its sign-in page. Errors carry a message written for a person.
 */

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
    readonly errors: { field?: string; code?: string; message?: string }[] = [],
  ) {
    super(message);
  }
}

const NETWORK_MESSAGE = 'Could not reach the Guestlist server. Check your connection, then try again.';

export type Query = Record<string, string | number | string[] | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export interface ClientOptions {
  /** GET answers the session object with `csrf_token`, or 401. */
  sessionPath: string;
  /** Called when a request answers 401: the session has ended. */
  onUnauthorized: () => void;
}

export interface Client {
  csrfToken: string | undefined;
  get<T>(path: string, query?: Query): Promise<T>;
  send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

async function readError(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => ({}))) as { message?: string; code?: string; errors?: ApiError['errors'] };
  const fallback = response.status >= 500 ? 'The server ran into a problem. Try again in a moment.' : `The request failed (${response.status}).`;
  return new ApiError(body.message ?? fallback, response.status, body.code, body.errors ?? []);
}

async function call(method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Response> {
  try {
    return await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError(NETWORK_MESSAGE, 0, 'network_error');
  }
}

export function createClient(options: ClientOptions): Client {
  const client: Client = {
    csrfToken: undefined,
    get: (path, query) => request('GET', withQuery(path, query)),
    send: (method, path, body) => request(method, path, body),
  };

  async function refreshCsrf(): Promise<boolean> {
    const response = await call('GET', options.sessionPath, {});
    if (!response.ok) return false;
    client.csrfToken = ((await response.json()) as { csrf_token?: string }).csrf_token;
    return true;
  }

  async function request<T>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
    const csrf: Record<string, string> = method !== 'GET' && client.csrfToken ? { 'x-csrf-token': client.csrfToken } : {};
    const response = await call(method, path, csrf, body);
    if (response.ok) return (response.status === 204 ? undefined : await response.json().catch(() => undefined)) as T;
    const error = await readError(response);
    if (response.status === 401) options.onUnauthorized();
    if (response.status === 403 && error.code === 'csrf_failed' && !retried && (await refreshCsrf())) {
      return request(method, path, body, true);
    }
    throw error;
  }

  return client;
}
