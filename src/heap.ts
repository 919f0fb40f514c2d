/**
 * How far V8 lets the old generation grow past what survived the last full GC. V8's default grows it by up to
 * ×4 while a process is allocating fast, so the garbage of one large group operation (a PUT of 100,000
 * members reads and renders 100,000 users for its events; on PostgreSQL much of it outlives a young-generation
 * collection while the next statement is awaited) stayed resident as 150–200 MB of RSS until a full GC came.
 * At 20 % the process holds its live set plus a fifth: `npm run bench memory` measured every large operation
 * under 50 MB over the baseline on both databases, and the write throughput of `npm run bench performance`
 * did not move (docs/performance.md). A server's live set is small, so the extra full GCs are short.
 */
import v8 from 'node:v8';

export const DEFAULT_HEAP_GROWING_PERCENT = 20;

/** Applies the growth bound to this process (0: leave V8's own policy). Call once, at start. */
export function boundHeapGrowth(percent = DEFAULT_HEAP_GROWING_PERCENT): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
