/**
 * One SCIM request as the request log keeps it: what the HTTP layer captured, turned into a row with secrets
 * redacted, sizes capped and text made safe for both databases. Pure but for the new id.
 */
import { newId } from '../ids.ts';
import type { ScimRequestRecord } from '../store/scim-requests.ts';
import { capped, mayKeepRawText, redactedJson, redactSecretParams, safeText } from './redact.ts';

/** What the SCIM endpoint saw of one request, after its response was sent. */
export interface ScimRequestCapture {
  directoryId: string;
  method: string;
  /** The URL as sent: path and query. */
  url: string;
  status: number;
  durationMs: number;
  userAgent: string | undefined;
  /** When the request arrived (epoch ms). */
  receivedAt: number;
  /** The parsed body; or the text of one that was not JSON; undefined when there was none (or it was never read). */
  body: { json: unknown } | { text: string } | undefined;
  /** What was answered, for status >= 400: the SCIM Error JSON. */
  errorPayload: string | undefined;
  /** A request that changes something when it succeeds (POST, PUT, PATCH, DELETE, Bulk; not `.search`). */
  write: boolean;
}

export const LIMITS = {
  /** Characters of a body kept, as redacted JSON (~16 KB). */
  body: 16_384,
  /** Characters of a body that is not JSON kept as text (when nothing in it names a secret). */
  rawBody: 1024,
  path: 2048,
  userAgent: 512,
  error: 2048,
};

export function toRow(capture: ScimRequestCapture): ScimRequestRecord {
  return {
    id: newId('scim_request'),
    directory_id: capture.directoryId,
    method: capture.method,
    path: safeText(redactSecretParams(capture.url), LIMITS.path),
    status: capture.status,
    duration_ms: Math.max(0, Math.round(capture.durationMs)),
    user_agent: capture.userAgent === undefined ? null : safeText(capture.userAgent, LIMITS.userAgent),
    request_body: bodyText(capture.body),
    error: capture.status >= 400 && capture.errorPayload !== undefined ? errorText(capture.errorPayload) : null,
    created_at: new Date(capture.receivedAt).toISOString(),
  };
}

/**
 * JSON bodies are kept redacted. A body that is not JSON cannot be redacted reliably, so only its first
 * LIMITS.rawBody characters are kept, and only when nothing in it names a secret; otherwise null. They are
 * stored as a JSON string: NUL and lone surrogates escaped (PostgreSQL stores them), and read back as a string.
 */
function bodyText(body: ScimRequestCapture['body']): string | null {
  if (body === undefined) return null;
  if ('json' in body) return redactedJson(body.json, LIMITS.body);
  return mayKeepRawText(body.text) ? JSON.stringify(capped(body.text, LIMITS.rawBody)) : null;
}

/** `scimType: detail` from a SCIM Error (just the detail without a scimType), else the payload's first characters. */
export function errorText(payload: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return safeText(payload, LIMITS.error);
  }
  const { detail, scimType } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { detail?: unknown; scimType?: unknown };
  if (typeof detail !== 'string') return safeText(payload, LIMITS.error);
  return safeText(typeof scimType === 'string' ? `${scimType}: ${detail}` : detail, LIMITS.error);
}
