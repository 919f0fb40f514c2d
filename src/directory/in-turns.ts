/**
 * Maps a long list (a SCIM page of up to 1,000 resources, each rendered and projected) in slices, giving the
 * event loop a turn between them: rendered in one go, a page of 1,000 users with a projection of 100 names held
 * the loop for tens of milliseconds, and every other tenant's requests waited behind it.
 */
export const SLICE = 100;

export async function mapInTurns<T, U>(items: readonly T[], map: (item: T) => U, slice = SLICE): Promise<U[]> {
  if (items.length <= slice) return items.map(map);
  const out: U[] = [];
  for (let start = 0; start < items.length; start += slice) {
    if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    for (let i = start; i < Math.min(items.length, start + slice); i++) out.push(map(items[i]!));
  }
  return out;
}
