/**
 * Successful SCIM authentications, kept for a second: the directory and token a (directory, token hash) pair
 * authenticated as, so a read costs no authentication query while the same IdP keeps sending. Failures are never
 * kept (a guessed token costs its query each time, and fills nothing). The store forgets a directory's entries
 * the moment this process changes its tokens or the directory; another process's change is seen within the TTL.
 */
export class AuthCache<T> {
  private readonly byDirectory = new Map<string, Map<string, { value: T; expires: number }>>();
  private size = 0;

  constructor(
    private readonly ttlMs = 1000,
    private readonly capacity = 10_000,
    private readonly clock: () => number = Date.now,
  ) {}

  get(directoryId: string, tokenHash: string): T | undefined {
    const entry = this.byDirectory.get(directoryId)?.get(tokenHash);
    if (!entry) return undefined;
    if (entry.expires > this.clock()) return entry.value;
    this.remove(directoryId, tokenHash);
    return undefined;
  }

  set(directoryId: string, tokenHash: string, value: T): void {
    if (this.ttlMs <= 0) return;
    // Full: start over rather than track recency on the hot path; a second later it is warm again.
    if (this.size >= this.capacity) this.clear();
    let tokens = this.byDirectory.get(directoryId);
    if (!tokens) this.byDirectory.set(directoryId, (tokens = new Map()));
    if (!tokens.has(tokenHash)) this.size += 1;
    tokens.set(tokenHash, { value, expires: this.clock() + this.ttlMs });
  }

  forget(directoryId: string): void {
    const tokens = this.byDirectory.get(directoryId);
    if (!tokens) return;
    this.size -= tokens.size;
    this.byDirectory.delete(directoryId);
  }

  clear(): void {
    this.byDirectory.clear();
    this.size = 0;
  }

  private remove(directoryId: string, tokenHash: string): void {
    const tokens = this.byDirectory.get(directoryId);
    if (tokens?.delete(tokenHash)) this.size -= 1;
    if (tokens?.size === 0) this.byDirectory.delete(directoryId);
  }
}
