/**
 * Sorts a failure into the 5xx/stall classes already known to the team (issue 12), by what the request holds
 * and what the server logged; anything else is NEW. The label also carries the server's error, so two
 * different causes are never merged.
 */
import { DATABASE, firstFrame, type Outcome } from './server.ts';

export interface Classified {
  /** The known classes whose input features the request shows (judge these on a shrunk request). */
  known: string | undefined;
  /** The failure's cause: its kind and the logged error with ids and numbers blanked, else the answer. */
  cause: string;
  /** cause, labelled known or NEW. */
  signature: string;
}

/** All strings in a JSON value (keys too), and the nesting depth. */
function walk(value: unknown, visit: (s: string) => void, depth = 0): number {
  if (typeof value === 'string') {
    visit(value);
    return depth;
  }
  if (value === null || typeof value !== 'object') return depth;
  let max = depth;
  for (const [k, v] of Object.entries(value)) {
    visit(k);
    max = Math.max(max, walk(v, visit, depth + 1));
  }
  return max;
}

function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') max = Math.max(max, ++depth);
    else if (c === '}' || c === ']') depth--;
  }
  return max;
}

const HOSTILE_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

export function classify(o: Outcome): Classified {
  const r = o.resolved;
  const strings: string[] = [];
  let depth = 0;
  let body: any;
  if (typeof r.body === 'string') {
    try {
      body = JSON.parse(r.body);
      depth = walk(body, (s) => strings.push(s));
    } catch {
      strings.push(r.body);
      depth = jsonDepth(r.body);
    }
  } else if (r.body) strings.push(Buffer.from(r.body).toString('utf8'));
  const [path, query = ''] = r.url.split(/\?(.*)/s);
  strings.push(...path!.split('/').map(safeDecode));
  const params = query.split('&').map((p) => p.split('=').map(safeDecode) as [string, string?]);
  for (const [k, v] of params) strings.push(k, v ?? '');
  // Raw percent-encoded C0 or CESU-encoded surrogates in the URL also count.
  const rawHostile = /%(0[0-8bcef]|1[0-9a-f])|%ED%[AB]/i.test(r.url);

  const err = o.logged.find((l) => l.err)?.err;
  const why = `${o.problem?.kind ?? ''} ${err?.type ?? ''} ${err?.message ?? ''} ${err?.stack ?? ''}`;
  // A known class is named only when the request shows its feature AND the failure looks like its cause.
  const features: string[] = [];
  const filters = [...params.filter(([k]) => k === 'filter').map(([, v]) => v ?? ''), ...(typeof body?.filter === 'string' ? [body.filter] : [])];
  const attributeCount = Math.max(0, ...params.filter(([k]) => /ttributes$/.test(k)).map(([, v]) => (v ?? '').split(',').length), ...(Array.isArray(body?.attributes) ? [body.attributes.length] : []));
  const db = /DatabaseError|SqliteError|invalid byte sequence|encoding|index row|btree/i.test(why);
  if (DATABASE === 'postgres' && db && /byte sequence|\\u0000|unicode|UTF8|encoding/i.test(why) && (rawHostile || strings.some((s) => HOSTILE_CHAR.test(s)))) features.push('NUL/C0/lone surrogate on PostgreSQL');
  if (DATABASE === 'postgres' && db && /index row|btree|size/i.test(why) && strings.some((s) => s.length > 512)) features.push('string > 512 chars on PostgreSQL (index row size)');
  if (attributeCount > 1000 && /hang|projection|attributes/i.test(why)) features.push('very many names in attributes');
  if (r.url.includes('.search') && body && Array.isArray(body.attributes) && /search|list\.ts|projection/i.test(why)) features.push('.search attributes array');
  if (r.url.endsWith('/Bulk') && depth >= 1000 && /RangeError|stack|hang|crash/i.test(why)) features.push('Bulk data nested very deep');
  if (r.url.endsWith('/Bulk') && body && body.failOnErrors === 0 && /bulk/i.test(why)) features.push('Bulk failOnErrors: 0');
  if (r.method === 'PATCH' && typeof r.body === 'string' && (r.body.match(/"value"/g)?.length ?? 0) >= 200 && /hang/.test(why)) features.push('quadratic PATCH add (many values)');
  if (filters.some((f) => (f.match(/\bor\b/gi)?.length ?? 0) >= 32) && /filter|parser/i.test(why)) features.push('filter with 33+ or clauses');

  let answer: { code?: string; error?: string } = {};
  try {
    answer = JSON.parse(o.response?.body ?? '{}');
  } catch {
    /* not JSON */
  }
  const detail = err
    ? `${err.type ?? 'Error'}: ${(err.message ?? '').replace(/directory_(user|group)_\w+/g, '<id>').replace(/\d+/g, 'N').slice(0, 160)}${firstFrame(err.stack)}`
    : o.response && typeof answer.code === 'string'
      ? `${o.response.status} ${answer.code}${answer.error ? ` (${answer.error})` : ''}`
      : (o.problem?.detail ?? '').replace(/directory_\w+/g, '<id>').slice(0, 100);
  const cause = `${o.problem?.kind ?? 'ok'} ${detail}`;
  const known = features.length ? features.join(' + ') : undefined;
  return { known, cause, signature: `${known ? `[known? ${known}]` : '[NEW]'} ${cause}` };
}
