/**
 * Statement templates by shape, for the lists IdPs repeat with other values (a userName lookup before every
 * create). When a shape comes a second time, its statement is compiled with its real values and with probes;
 * the probe compile gives the template, which must bind exactly the real statement's parameters or the shape
 * is never templated (see statement-template.ts). After that a statement of the shape is built from its arguments alone:
 * no query building, no filter compiling, the same SQL text (which PostgreSQL then keeps prepared).
 */
import type { Compilable, CompiledQuery } from 'kysely';
import type { Executor } from '../db.ts';
import { instantiate, probesFor, sameStatement, sameTemplate, toTemplate, type StatementTemplate } from './statement-template.ts';

/** Shapes (times statements of each) held; past it the oldest is forgotten. Real IdP traffic has a few dozen. */
export const MAX_SHAPED_STATEMENTS = 512;

export interface ShapeStats {
  /** Statements run from a template. */
  templated: number;
  /** Statements built and compiled (first of a shape, or of a shape that cannot be templated). */
  compiled: number;
  /** Shapes that could not be templated: a parameter depends on a value other than as is or lowercased. */
  refused: number;
}

/** What a shaped statement is run with: its key, arguments, and how to build it with real or probe values. */
export interface ShapedStatement {
  key: string;
  args: readonly unknown[];
  /** The statement with the real values. */
  build(): Compilable;
  /** The same statement with `probes` (one per argument, in order) in place of the arguments. */
  probe(probes: readonly unknown[]): Compilable;
}

export class StatementShapes {
  readonly stats: ShapeStats = { templated: 0, compiled: 0, refused: 0 };
  /** null: the shape cannot be templated. */
  private readonly templates = new Map<string, StatementTemplate | null>();
  /** Shapes seen once: a shape is learned when it comes again, so a one-off costs one compile, not three. */
  private readonly seen = new Set<string>();

  /** The statement to run: from its shape's template when there is one, else built (and the shape learned). */
  statement(s: ShapedStatement): CompiledQuery {
    const known = this.templates.get(s.key);
    if (known) {
      this.stats.templated += 1;
      return instantiate(known, s.args);
    }
    this.stats.compiled += 1;
    const real = s.build().compile();
    if (known === undefined) {
      if (this.seen.delete(s.key)) this.learn(s, real);
      else remember(this.seen, s.key);
    }
    return real;
  }

  async rows(db: Executor, s: ShapedStatement): Promise<Record<string, unknown>[]> {
    return (await db.executeQuery(this.statement(s))).rows as Record<string, unknown>[];
  }

  get size(): number {
    return this.templates.size;
  }

  private learn(s: ShapedStatement, real: CompiledQuery): void {
    const kinds = s.args.map((a): 'number' | 'string' => (typeof a === 'number' ? 'number' : 'string'));
    const [first, second] = [0, 1].map((set) => this.templateOf(s, probesFor(kinds, set)));
    // Two probe sets of other lengths and numbers agree, and the real statement is the template's: no part of
    // the SQL or a constant depends on the values (beyond what the shape key holds).
    const usable = first && second && sameTemplate(first, second) && sameStatement(instantiate(first, s.args), real) ? first : null;
    if (usable === null) this.stats.refused += 1;
    if (this.templates.size >= MAX_SHAPED_STATEMENTS) this.templates.delete(this.templates.keys().next().value!);
    this.templates.set(s.key, usable);
  }

  private templateOf(s: ShapedStatement, probes: unknown[]): StatementTemplate | undefined {
    try {
      return toTemplate(s.probe(probes).compile(), probes);
    } catch {
      // A probe a value check refuses (a dateTime, a boolean): the shape depends on its values.
      return undefined;
    }
  }
}

function remember(seen: Set<string>, key: string): void {
  if (seen.size >= MAX_SHAPED_STATEMENTS) seen.delete(seen.values().next().value!);
  seen.add(key);
}
