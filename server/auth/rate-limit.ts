/**
 * A sliding-window limiter of failed attempts, keyed by client address, for login and pairing: a guessing
 * client is held to a handful of wrong tries a minute, while successful pairings of a whole band's tablets
 * from one address are never slowed.
 */
export class RateLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** 0 when `key` may try now, otherwise the seconds until it may try again. */
  retryAfter(key: string): number {
    const now = this.now();
    const recent = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    this.failures.set(key, recent);
    if (recent.length < this.limit) return 0;
    return Math.ceil((recent[0] + this.windowMs - now) / 1000);
  }

  recordFailure(key: string): void {
    const now = this.now();
    const list = this.failures.get(key) ?? [];
    list.push(now);
    this.failures.set(key, list);
    if (this.failures.size > 10_000) this.prune(now); // bounded memory under a spray of addresses
  }

  private prune(now: number): void {
    for (const [key, times] of this.failures) {
      if (times.every((t) => now - t >= this.windowMs)) this.failures.delete(key);
    }
  }
}
