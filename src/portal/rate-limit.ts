/**
 * Failed sign-ins per client address: after `max` failures within `windowMs`, further attempts are refused
 * until the oldest failure leaves the window. In memory, per process: it slows guessing, it is no account lock
 * (which would let anyone lock the operator out).
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    readonly max = 10,
    readonly windowMs = 60_000,
    /** Addresses tracked at once; beyond, the stalest are forgotten, so a flood of addresses cannot exhaust memory. */
    private readonly maxKeys = 10_000,
  ) {}

  /** Whether `key` has used up its failures at `now` (ms). */
  blocked(key: string, now: number): boolean {
    return this.recent(key, now).length >= this.max;
  }

  fail(key: string, now: number): void {
    const kept = [...this.recent(key, now), now].slice(-this.max);
    this.failures.delete(key); // re-inserted last: the Map's order is then least recently failed first
    this.failures.set(key, kept);
    if (this.failures.size > this.maxKeys) this.evict();
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
  }

  /** The Map's order is least recently failed first: those go. */
  private evict(): void {
    for (const key of this.failures.keys()) {
      if (this.failures.size <= this.maxKeys) return;
      this.failures.delete(key);
    }
  }
}
