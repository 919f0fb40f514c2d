/** Rows per statement for bulk work: well under both databases' bound-parameter limits. */
export const CHUNK = 1000;

/** `items` in consecutive slices of at most `size`. */
export function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
