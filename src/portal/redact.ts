/**
 * What the SCIM request log may keep of a request: JSON with secrets redacted, capped in size, and text that
 * both databases store as given (PostgreSQL refuses NUL in `text`). Pure.
 *
 * - Any object key that names a secret (password, secret, token, authorization, credential, API key, private
 *   key; case-insensitive, anywhere in the tree, Bulk `data` included) has its value replaced by REDACTED.
 * - An object with a `path` that names a secret (a PATCH operation `{op, path: "password", value}`, or
 *   `urn:…:User:password`) has its `value` replaced too. A PATCH without a path carries the attributes as
 *   keys of its value, so the key rule covers it.
 * - Query parameters that name a secret are redacted in the logged URL.
 */

export const REDACTED = '[REDACTED]';
export const TRUNCATED = '…[truncated]';
/** Deeper than this, a value is replaced by TOO_DEEP (SCIM bodies nest at most 64; this bounds the recursion). */
export const MAX_DEPTH = 64;
export const TOO_DEEP = '[too deep]';

const SECRET_NAME = /pass(?:word|wd|phrase)|secret|token|authori[sz]ation|credential|api[\s_-]?key|private[\s_-]?key/i;

export function namesSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}

type Container = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Container => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when the object is an operation (or anything) whose `path` names a secret: its `value` is one. */
function secretPath(object: Container): boolean {
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (key.toLowerCase() === 'path' && typeof value === 'string' && namesSecret(value)) return true;
  }
  return false;
}

/** Thrown inside the writer once the output passes its budget: the walk stops there, whatever is left. */
class Full extends Error {}

/** JSON text, written piece by piece, that gives up (throws Full) once it is longer than `budget`. */
class BoundedWriter {
  private readonly parts: string[] = [];
  length = 0;

  constructor(private readonly budget: number) {}

  write(text: string): void {
    this.parts.push(text);
    this.length += text.length;
    if (this.length > this.budget) throw new Full();
  }

  text(): string {
    return this.parts.join('');
  }
}

/** JSON.stringify of a string, cut first when it alone would overflow the budget (a 4 MB value costs 16 KB). */
function writeString(out: BoundedWriter, value: string, budget: number): void {
  const room = budget - out.length + 1;
  out.write(JSON.stringify(value.length > room ? value.slice(0, room) : value));
}

function writeValue(out: BoundedWriter, value: unknown, depth: number, budget: number): void {
  if (typeof value === 'string') return writeString(out, value, budget);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return out.write(JSON.stringify(value));
  if (typeof value !== 'object') return out.write('null'); // not JSON (undefined, functions): as JSON.stringify in an array
  if (depth >= MAX_DEPTH) return out.write(JSON.stringify(TOO_DEEP));
  if (Array.isArray(value)) return writeArray(out, value, depth, budget);
  return writeObject(out, value as Container, depth, budget);
}

function writeArray(out: BoundedWriter, array: unknown[], depth: number, budget: number): void {
  out.write('[');
  array.forEach((item, i) => {
    if (i > 0) out.write(',');
    writeValue(out, item, depth + 1, budget);
  });
  out.write(']');
}

function writeObject(out: BoundedWriter, object: Container, depth: number, budget: number): void {
  const valueIsSecret = secretPath(object);
  out.write('{');
  let first = true;
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (value === undefined || typeof value === 'function') continue;
    if (!first) out.write(',');
    first = false;
    writeString(out, key, budget);
    out.write(':');
    const secret = namesSecret(key) || (valueIsSecret && key.toLowerCase() === 'value');
    if (secret) out.write(JSON.stringify(REDACTED));
    else writeValue(out, value, depth + 1, budget);
  }
  out.write('}');
}

/**
 * `value` as JSON text with secrets redacted. Longer than `maxChars`: its first `maxChars` characters and
 * TRUNCATED (no longer JSON, so a reader tells the two apart by parsing). The work is bounded by `maxChars`,
 * not by the size of `value`.
 */
export function redactedJson(value: unknown, maxChars: number): string {
  const out = new BoundedWriter(maxChars);
  try {
    writeValue(out, value, 0, maxChars);
    return out.text();
  } catch (error) {
    if (!(error instanceof Full)) throw error;
    return cut(out.text(), maxChars) + TRUNCATED;
  }
}

/** The first `max` characters, without splitting a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text[max - 1] ?? '') ? max - 1 : max;
  return text.slice(0, end);
}

// C0 controls but tab, LF and CR (NUL among them: PostgreSQL refuses it in text), and lone surrogates.
const UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** At most `max` characters of `text`, then TRUNCATED if there were more. */
export function capped(text: string, max: number): string {
  return text.length > max ? cut(text, max) + TRUNCATED : text;
}

/**
 * Raw text (a user agent, an error detail) as both databases store it: unsafe characters become U+FFFD, and
 * more than `max` characters end in TRUNCATED.
 */
export function safeText(text: string, max: number): string {
  return capped(text, max).replace(UNSAFE, '\uFFFD');
}

/** A URL as sent, with the values of query parameters that name a secret redacted. */
export function redactSecretParams(url: string): string {
  const mark = url.indexOf('?');
  if (mark < 0) return url;
  const params = url.slice(mark + 1).split('&');
  let redacted = false;
  for (let i = 0; i < params.length; i++) {
    const param = params[i]!;
    const eq = param.indexOf('=');
    if (eq >= 0 && namesSecret(decodeName(param.slice(0, eq)))) {
      params[i] = `${param.slice(0, eq)}=${REDACTED}`;
      redacted = true;
    }
  }
  // Every list request is logged: most name no secret, and keep the URL as it came.
  return redacted ? `${url.slice(0, mark)}?${params.join('&')}` : url;
}

function decodeName(name: string): string {
  if (!name.includes('%') && !name.includes('+')) return name;
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/**
 * Whether raw text that is not JSON may be kept: only when nothing in it names a secret, since without a parse
 * there is no telling which part would be one.
 */
export function mayKeepRawText(text: string): boolean {
  return !namesSecret(text);
}
