/** One signed webhook request: an event's body POSTed to an endpoint, and the answer as a retry needs it. */
import { postJson, type AllLookup } from './http-post.ts';
import { retryAfterMs } from './retry-policy.ts';
import { signatureHeaders } from './signing.ts';
import { checkUrlShape } from './url-safety.ts';
import type { SigningSecrets } from './webhooks-store.ts';

export interface PostOptions {
  timeoutMs: number;
  blockPrivate: boolean;
  lookup?: AllLookup;
}

export interface Posted {
  /** The answer's status; null when none came (refused, timed out, not sent). */
  status: number | null;
  error: string | null;
  /** How long the receiver asked to wait (Retry-After), in milliseconds. */
  retryAfterMs?: number;
}

export async function postEvent(endpointUrl: string, signing: SigningSecrets, eventId: string, body: string, options: PostOptions): Promise<Posted> {
  let url: URL;
  try {
    url = checkUrlShape(endpointUrl);
  } catch (error) {
    return { status: null, error: (error as Error).message };
  }
  // During a rotation overlap both secrets sign, the current one first.
  const secrets = [signing.secret, ...(signing.previous_secret ? [signing.previous_secret] : [])];
  const headers = { 'content-type': 'application/json', 'user-agent': 'Guestlist-Webhooks/1', ...signatureHeaders(secrets, eventId, body) };
  const result = await postJson(url, headers, body, options);
  const retry = retryAfterMs(result.retryAfter);
  return { status: result.status, error: result.error, ...(retry !== undefined ? { retryAfterMs: retry } : {}) };
}
