/**
 * Prefixed, time-ordered ids (`directory_01J…`): a ULID (48-bit millisecond time + 80 random bits, Crockford
 * base32) behind the object's prefix. Ids made in one process are strictly increasing even within one
 * millisecond, so they double as stable list cursors.
 */
import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export type IdPrefix =
  | 'org'
  | 'org_domain'
  | 'directory'
  | 'directory_user'
  | 'directory_group'
  | 'directory_token'
  | 'event'
  | 'we'
  | 'webhook_delivery'
  | 'webhook_attempt'
  | 'api_key'
  | 'scim_request'
  | 'portal_link'
  | 'portal_invite'
  | 'session'
  | 'audit_log'
  | 'custom_attribute'
  | 'role'
  | 'directory_sync';

let lastTime = -1;
let lastRandom: Uint8Array = new Uint8Array(10);

/**
 * Random bytes drawn 4 KiB at a time: one getrandom system call per ~400 new milliseconds instead of one each,
 * which showed in profiles of read load (every request logs under a fresh id).
 */
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;

function randomTen(): Uint8Array {
  if (poolOffset + 10 > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  // A copy: increment() changes it in place, and the pool's bytes are never handed out twice.
  const bytes = pool.slice(poolOffset, poolOffset + 10);
  poolOffset += 10;
  return bytes;
}

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/** Adds one to the 80-bit random part; on overflow borrows the next millisecond. */
function increment(bytes: Uint8Array): boolean {
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 255) {
      bytes[i]!++;
      return true;
    }
    bytes[i] = 0;
  }
  return false;
}

export function ulid(now: number = Date.now()): string {
  if (now <= lastTime) {
    if (!increment(lastRandom)) lastTime++;
    now = lastTime;
  } else {
    lastTime = now;
    lastRandom = randomTen();
  }
  return encodeTime(now) + encodeRandom(lastRandom);
}

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${ulid()}`;
}

/**
 * The smallest id of `prefix` made at or after `ms`: every id made earlier sorts below it, so "older than a
 * time" is a range of the primary key (retention without an index on the time).
 */
export function idFloor(prefix: IdPrefix, ms: number): string {
  return `${prefix}_${encodeTime(ms)}${'0'.repeat(16)}`;
}

const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * True when `value` can be an id of that prefix: a cheap guard before a database lookup, so that a client's
 * NUL, control characters or 10,000 characters never reach a query. The length is checked first.
 */
export function isId(value: unknown, prefix: IdPrefix): boolean {
  return (
    typeof value === 'string' &&
    value.length === prefix.length + 27 &&
    value.startsWith(`${prefix}_`) &&
    ULID_PATTERN.test(value.slice(prefix.length + 1))
  );
}

/** A client-sent would-be id as an error message may quote it: printable ASCII, at most 64 characters. */
export function printableId(value: string): string {
  const printable = value.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 64 ? `${printable.slice(0, 64)}…` : printable;
}
