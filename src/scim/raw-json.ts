/**
 * JSON text already made, carried inside a value that is serialized later: a user read from SQLite is answered
 * from its stored resource text, spliced around its id, groups and meta, instead of parsed into objects only to
 * be serialized back (a read's JSON.parse, spread and JSON.stringify of the whole resource).
 *
 * `stringify` is JSON.stringify that writes each RawJson's text in its place. A RawJson serializes to a token (a
 * string no client text can hold: it starts with a NUL, which the text rule refuses, and carries a per-process
 * nonce), which is then replaced by the text.
 */
import { randomBytes } from 'node:crypto';

const NONCE = randomBytes(8).toString('hex');
/** A token as JSON.stringify writes it: NUL is escaped as \u0000. */
const TOKEN = new RegExp(`"\\\\u0000${NONCE}:(\\d+)"`, 'g');

/** Texts of the RawJson values met by the stringify under way (JSON.stringify is synchronous: one at a time). */
let texts: string[] = [];

export class RawJson {
  /** `text` must be one complete JSON value. */
  constructor(readonly text: string) {}

  toJSON(): string {
    return `\u0000${NONCE}:${texts.push(this.text) - 1}`;
  }
}

/** JSON.stringify, with every RawJson inside `value` written as its text. */
export function stringify(value: unknown): string {
  const outer = texts;
  texts = [];
  try {
    const text = JSON.stringify(value);
    if (texts.length === 0) return text;
    const made = texts;
    return text.replace(TOKEN, (_, i: string) => made[Number(i)]!);
  } finally {
    texts = outer;
  }
}
