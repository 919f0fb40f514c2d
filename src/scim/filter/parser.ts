/**
 * SCIM filter parser (RFC 7644 §3.4.2.2): a scannerless recursive-descent parser, since what a token is
 * depends on where it stands (an attribute path may hold `.` and `:`, a bare value may hold `@`).
 *
 *   filter  = or
 *   or      = and *("or" and)
 *   and     = unary *("and" unary)
 *   unary   = "not" unary / atom
 *   atom    = "(" filter ")" / attrPath "[" filter "]" ["." subAttr (compareOp value / "pr")]
 *           / attrPath "pr" / attrPath compareOp value
 *
 * Precedence is not > and > or. Every syntax error is 400 invalidFilter naming the 1-based position; a compared
 * string that breaks the text rule (../text.ts) is 400 invalidValue naming the attribute compared.
 */
import { badRequest } from '../errors.ts';
import { textProblem } from '../text.ts';
import type { AttrPath, CompareOp, Filter, Literal } from './ast.ts';

export interface ParseOptions {
  /** Take an unquoted word after an operator as a string (`externalId eq jyoung`): the IdP-tolerant edge. */
  bareWordValues?: boolean;
}

/** Long enough for 200 comparisons of e-mail addresses joined by `or`. */
export const MAX_FILTER_LENGTH = 16_384;
export const MAX_DEPTH = 32;
export const MAX_COMPARISONS = 200;

const OPERATORS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const SUB_NAME = /^(\$ref|[A-Za-z][A-Za-z0-9_-]*)$/;
const PATH_CHAR = /[A-Za-z0-9:._$-]/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/;
/** Control characters a JSON string may not hold raw; tab, LF and CR are refused by JSON, not by the text rule. */
const RAW_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

export function parseFilter(text: string, options: ParseOptions = {}): Filter {
  if (typeof text !== 'string') throw badRequest('invalidFilter', 'The filter must be a string.');
  if (text.length > MAX_FILTER_LENGTH) throw badRequest('invalidFilter', `The filter is longer than ${MAX_FILTER_LENGTH} characters.`);
  const parser = new Parser(text, options);
  const filter = parser.filter(false);
  parser.end();
  return filter;
}

/** Parses an attribute path (`name.givenName`, `urn:…:User:manager.value`); `at` is for error positions. */
export function parseAttrPath(raw: string, at = 0): AttrPath {
  let uri: string | undefined;
  let rest = raw;
  if (/^urn:/i.test(raw)) {
    const cut = raw.lastIndexOf(':');
    uri = raw.slice(0, cut);
    rest = raw.slice(cut + 1);
  }
  const dot = rest.indexOf('.');
  const attr = dot < 0 ? rest : rest.slice(0, dot);
  const sub = dot < 0 ? undefined : rest.slice(dot + 1);
  if (!NAME.test(attr) || (sub !== undefined && !SUB_NAME.test(sub))) {
    throw badRequest('invalidFilter', `"${raw}" is not a valid attribute path at position ${at + 1}.`);
  }
  const path: AttrPath = { attr };
  if (uri) path.uri = uri;
  if (sub !== undefined) path.sub = sub;
  return path;
}

export class Parser {
  pos = 0;
  /** The attribute a value filter (`emails[…]`) is on: its comparisons name sub-attributes of it. */
  within?: AttrPath;
  private depth = 0;
  private comparisons = 0;

  constructor(
    readonly text: string,
    private readonly options: ParseOptions = {},
  ) {}

  fail(expected: string, at = this.pos): never {
    const found = at >= this.text.length ? 'the end of the filter' : `"${this.text.slice(at, at + 12)}"`;
    throw badRequest('invalidFilter', `Expected ${expected} at position ${at + 1}, found ${found}.`);
  }

  private skip(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  end(): void {
    this.skip();
    if (this.pos < this.text.length) this.fail('"and", "or" or the end of the filter');
  }

  /** The next run of path characters, without consuming it. */
  private peekWord(): string {
    this.skip();
    let end = this.pos;
    while (end < this.text.length && PATH_CHAR.test(this.text[end]!)) end++;
    return this.text.slice(this.pos, end);
  }

  private keyword(word: string): boolean {
    const next = this.peekWord();
    if (next.toLowerCase() !== word) return false;
    this.pos += next.length;
    return true;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw badRequest('invalidFilter', `The filter nests deeper than ${MAX_DEPTH} levels.`);
  }

  /** `inValuePath`: inside `[…]`, where another value path may not appear. */
  filter(inValuePath: boolean): Filter {
    this.enter();
    let left = this.and(inValuePath);
    while (this.keyword('or')) left = { kind: 'or', left, right: this.and(inValuePath) };
    this.depth--;
    return left;
  }

  private and(inValuePath: boolean): Filter {
    let left = this.unary(inValuePath);
    while (this.keyword('and')) left = { kind: 'and', left, right: this.unary(inValuePath) };
    return left;
  }

  private unary(inValuePath: boolean): Filter {
    const start = this.pos;
    if (this.keyword('not')) {
      this.skip();
      // `not` binds to the next atom; `notes eq 1` is an attribute, so require a delimiter after it.
      if (this.pos === start + 3 && this.text[this.pos] !== '(') this.pos = start;
      else {
        this.enter();
        const filter: Filter = { kind: 'not', filter: this.unary(inValuePath) };
        this.depth--;
        return filter;
      }
    }
    return this.atom(inValuePath);
  }

  private atom(inValuePath: boolean): Filter {
    this.skip();
    if (this.text[this.pos] === '(') {
      this.pos++;
      const inner = this.filter(inValuePath);
      this.skip();
      if (this.text[this.pos] !== ')') this.fail('")"');
      this.pos++;
      return inner;
    }
    const at = this.pos;
    const word = this.peekWord();
    if (word === '') this.fail('an attribute name or "("');
    this.pos += word.length;
    const path = parseAttrPath(word, at);
    if (this.text[this.pos] === '[') {
      if (inValuePath) this.fail('a comparison: value filters cannot be nested', this.pos);
      return this.valuePath(path);
    }
    return this.comparison(path);
  }

  private valuePath(path: AttrPath): Filter {
    this.pos++;
    this.within = path;
    const inner = this.filter(true);
    this.skip();
    if (this.text[this.pos] !== ']') this.fail('"]"');
    this.pos++;
    if (this.text[this.pos] !== '.') {
      this.within = undefined;
      return { kind: 'valuePath', path, filter: inner };
    }
    // Entra's `emails[type eq "work"].value eq "x"`: a comparison on a sub-attribute of the matching element.
    this.pos++;
    const at = this.pos;
    const sub = this.peekWord();
    if (this.pos !== at || !SUB_NAME.test(sub)) this.fail('a sub-attribute name', at);
    this.pos += sub.length;
    const comparison = this.comparison({ attr: sub });
    this.within = undefined;
    return { kind: 'valuePath', path, filter: { kind: 'and', left: inner, right: comparison } };
  }

  private comparison(path: AttrPath): Filter {
    if (++this.comparisons > MAX_COMPARISONS) throw badRequest('invalidFilter', `The filter has more than ${MAX_COMPARISONS} comparisons.`);
    this.skip();
    const at = this.pos;
    const op = this.peekWord().toLowerCase();
    if (op === 'pr') {
      this.pos += 2;
      return { kind: 'present', path };
    }
    if (!OPERATORS.has(op)) this.fail('a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)', at);
    this.pos += 2;
    if (this.pos < this.text.length && !/[\s("]/.test(this.text[this.pos]!)) this.fail('a space after the operator');
    const value = this.value(path);
    if (typeof value === 'string') this.checkText(value, path);
    if ((value === null || typeof value === 'boolean') && !['eq', 'ne'].includes(op)) {
      throw badRequest('invalidFilter', `"${op}" cannot compare with ${String(value)} at position ${at + 1}.`);
    }
    return { kind: 'compare', path, op: op as CompareOp, value };
  }

  /** The text rule for a compared string: it would reach the database as a bound parameter. */
  private checkText(value: string, path: AttrPath): void {
    const problem = textProblem(value);
    if (problem) throw badRequest('invalidValue', `The value compared with "${this.label(path)}" ${problem}.`);
  }

  private label(path: AttrPath): string {
    return this.within ? `${formatPath(this.within)}.${formatPath(path)}` : formatPath(path);
  }

  private value(path: AttrPath): Literal {
    this.skip();
    const at = this.pos;
    const c = this.text[this.pos];
    if (c === '"') return this.string(path);
    const rest = this.text.slice(this.pos);
    const number = NUMBER.exec(rest);
    if (number && this.delimited(this.pos + number[0].length)) {
      this.pos += number[0].length;
      return Number(number[0]);
    }
    const word = /^[^\s()[\]]+/.exec(rest)?.[0] ?? '';
    const lower = word.toLowerCase();
    if (lower === 'true' || lower === 'false' || lower === 'null') {
      this.pos += word.length;
      return lower === 'null' ? null : lower === 'true';
    }
    if (this.options.bareWordValues && word !== '' && !word.includes('"')) {
      this.pos += word.length;
      return word;
    }
    return this.fail('a value (a "quoted string", number, true, false or null)', at);
  }

  private delimited(at: number): boolean {
    return at >= this.text.length || /[\s)\]]/.test(this.text[at]!);
  }

  /** A JSON string literal, with every JSON escape. */
  private string(path: AttrPath): string {
    const start = this.pos;
    let i = this.pos + 1;
    while (i < this.text.length && this.text[i] !== '"') i += this.text[i] === '\\' ? 2 : 1;
    if (i >= this.text.length) this.fail('a closing quote for the string that starts', start);
    const raw = this.text.slice(start, i + 1);
    this.pos = i + 1;
    // A raw NUL (`%00` in a URL) is refused like an escaped one, not as a syntax error.
    if (RAW_CONTROL.test(raw)) this.checkText(raw, path);
    try {
      return JSON.parse(raw) as string;
    } catch {
      return this.fail('a valid string (check its escapes)', start);
    }
  }
}

export interface FormatOptions {
  /** Print every compared value as `"…"`: the filter's shape without its values (emails), for logs. */
  maskValues?: boolean;
}

export function formatPath(p: AttrPath): string {
  return `${p.uri ? `${p.uri}:` : ''}${p.attr}${p.sub ? `.${p.sub}` : ''}`;
}

/**
 * Prints a filter canonically; parseFilter(formatFilter(f)) equals f. Brackets only where the parse needs
 * them (`and`/`or` are left-associative), so a flat chain of 200 `or`s prints flat instead of nesting 200 deep.
 */
export function formatFilter(f: Filter, options: FormatOptions = {}): string {
  const value = (v: Literal) => (options.maskValues ? '"…"' : JSON.stringify(v));
  const grouped = (g: Filter, kinds: Filter['kind'][]) => (kinds.includes(g.kind) ? `(${print(g)})` : print(g));
  const print = (g: Filter): string => {
    switch (g.kind) {
      case 'compare':
        return `${formatPath(g.path)} ${g.op} ${value(g.value)}`;
      case 'present':
        return `${formatPath(g.path)} pr`;
      case 'and':
        return `${grouped(g.left, ['or'])} and ${grouped(g.right, ['or', 'and'])}`;
      case 'or':
        return `${print(g.left)} or ${grouped(g.right, ['or'])}`;
      case 'not':
        return `not (${print(g.filter)})`;
      case 'valuePath':
        return `${formatPath(g.path)}[${print(g.filter)}]`;
    }
  };
  return print(f);
}
