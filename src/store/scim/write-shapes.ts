/**
 * The SQL of a hot write (a user's insert or update, its emails), built by Kysely once per shape: the table, the
 * columns of each row, the rows' number. Building and compiling an insert cost Kysely about 20 µs of a POST's
 * ~300 µs of main-thread CPU (parsing the rows, freezing its operation nodes, visiting them), the same every
 * time for the same shape. A shape's first statement is compiled; its text is kept only if the parameters
 * Kysely bound are exactly the values given, in the order given (so a later statement of the shape can bind its
 * own values the same way); otherwise the shape is built every time.
 */
import { CompiledQuery, type Compilable } from 'kysely';
import type { Executor } from '../db.ts';

/** Most shapes kept: a few dozen in practice (emails per user vary a little); beyond, built every time. */
const MAX_SHAPES = 256;

export class WriteShapes {
  /**
   * SQL text by shape key, for each database (Kysely's adapter of a store: one module-level cache serves a
   * SQLite and a PostgreSQL store in one process, whose texts differ); null: the shape's parameters were not its
   * values in order (never templated).
   */
  private readonly byDatabase = new WeakMap<object, Map<string, string | null>>();
  /** Statements run from a shape's text, built by Kysely, and shapes refused (their parameters were not their values). */
  readonly stats = { templated: 0, built: 0, refused: 0 };

  /** Runs the statement `build` makes, whose parameters are `values` in order, from its shape's text if known. */
  async run(db: Executor, key: string, values: readonly unknown[], build: () => Compilable): Promise<void> {
    const database = db.getExecutor().adapter;
    let texts = this.byDatabase.get(database);
    if (!texts) this.byDatabase.set(database, (texts = new Map()));
    const text = texts.get(key);
    if (text) {
      this.stats.templated += 1;
      await db.executeQuery(CompiledQuery.raw(text, values as unknown[]));
      return;
    }
    this.stats.built += 1;
    const compiled = build().compile();
    if (text === undefined && texts.size < MAX_SHAPES) {
      const same = sameValues(compiled.parameters, values);
      if (!same) this.stats.refused += 1;
      texts.set(key, same ? compiled.sql : null);
    }
    await db.executeQuery(compiled);
  }
}

/** Rows' shape (their columns, in order) and values, flattened; undefined when a value is undefined (Kysely omits it). */
export function rowsShape(rows: readonly Record<string, unknown>[]): { shape: string; values: unknown[] } | undefined {
  const values: unknown[] = [];
  const shape: string[] = [];
  for (const row of rows) {
    for (const [column, value] of Object.entries(row)) {
      if (value === undefined) return undefined;
      values.push(value);
    }
    shape.push(Object.keys(row).join(','));
  }
  return { shape: shape.join('|'), values };
}

function sameValues(parameters: readonly unknown[], values: readonly unknown[]): boolean {
  return parameters.length === values.length && parameters.every((p, i) => Object.is(p, values[i]));
}
