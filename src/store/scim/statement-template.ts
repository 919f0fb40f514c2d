/**
 * A compiled statement as a template: its SQL text once, and for each bound parameter either a constant or the
 * argument it comes from. Built by compiling the statement once with probe values in place of the arguments,
 * then reading back where each probe went; a later statement of the same shape is the template with the
 * real arguments bound, with no query building and no compiling. Pure: no I/O.
 */
import { CompiledQuery } from 'kysely';

/** A bound parameter: a constant of the shape, or argument `arg` (lowercased, as a case-insensitive comparison binds it). */
export type Slot = { value: unknown } | { arg: number; lower: boolean };

export interface StatementTemplate {
  sql: string;
  slots: Slot[];
}

/** Marks every probe string, so that a parameter derived from one in any other way is recognized and refused. */
const PROBE_MARK = '\u0001GLPROBE';
/** Far outside any count, offset or constant a list statement binds; probe numbers lie in [base, base + span). */
const PROBE_NUMBER_BASE = 1_987_650_000;
const PROBE_NUMBER_SPAN = 1_000_000;

/**
 * Probe values for arguments of these kinds: mixed-case strings (so lowercased and uppercased forms are told
 * apart), and distinct numbers. Each `set` has other lengths and numbers, so that a constant computed from a
 * value (a suffix's length, say) differs between two sets' templates and is caught.
 */
export function probesFor(kinds: readonly ('string' | 'number')[], set = 0): unknown[] {
  return kinds.map((kind, i) => (kind === 'string' ? `${PROBE_MARK}${i}Xx${'Y'.repeat(set * 3)}\u0001` : PROBE_NUMBER_BASE + set * 1000 + i));
}

/**
 * The template of `compiled`, a statement built with `probes` as its arguments; undefined when some parameter
 * is derived from a probe other than as itself or lowercased (e.g. a LIKE pattern), which no slot can express.
 */
export function toTemplate(compiled: { sql: string; parameters: readonly unknown[] }, probes: readonly unknown[]): StatementTemplate | undefined {
  const slots: Slot[] = [];
  for (const parameter of compiled.parameters) {
    const slot = slotOf(parameter, probes);
    if (!slot) return undefined;
    slots.push(slot);
  }
  return { sql: compiled.sql, slots };
}

function slotOf(parameter: unknown, probes: readonly unknown[]): Slot | undefined {
  for (let i = 0; i < probes.length; i++) {
    const probe = probes[i];
    if (parameter === probe) return { arg: i, lower: false };
    if (typeof probe === 'string' && parameter === probe.toLowerCase()) return { arg: i, lower: true };
  }
  if (typeof parameter === 'string' && parameter.toUpperCase().includes(PROBE_MARK)) return undefined;
  if (typeof parameter === 'number' && parameter >= PROBE_NUMBER_BASE && parameter < PROBE_NUMBER_BASE + PROBE_NUMBER_SPAN) return undefined;
  return { value: parameter };
}

/** The statement for `args` (in the order of the probes the template was built with). */
export function instantiate(template: StatementTemplate, args: readonly unknown[]): CompiledQuery {
  const parameters = template.slots.map((slot) => {
    if ('value' in slot) return slot.value;
    const arg = args[slot.arg];
    return slot.lower ? String(arg).toLowerCase() : arg;
  });
  return CompiledQuery.raw(template.sql, parameters);
}

/** Whether two templates are the same SQL with the same slots. */
export function sameTemplate(a: StatementTemplate, b: StatementTemplate): boolean {
  return a.sql === b.sql && a.slots.length === b.slots.length && a.slots.every((slot, i) => sameSlot(slot, b.slots[i]!));
}

function sameSlot(a: Slot, b: Slot): boolean {
  if ('value' in a) return 'value' in b && sameValue(a.value, b.value);
  return 'arg' in b && a.arg === b.arg && a.lower === b.lower;
}

/** Whether two compiled statements are the same SQL with the same parameters. */
export function sameStatement(a: { sql: string; parameters: readonly unknown[] }, b: { sql: string; parameters: readonly unknown[] }): boolean {
  return a.sql === b.sql && a.parameters.length === b.parameters.length && a.parameters.every((p, i) => sameValue(p, b.parameters[i]));
}

/** Equal, or arrays of equal values (PostgreSQL binds a JSON path as a text array, a new one each compile). */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
}
