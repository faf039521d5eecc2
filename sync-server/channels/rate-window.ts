/**
 * "At most N requests in any window" limits (the Custom app's 50 requests/s, product §3.5). A token
 * bucket lets a full burst through right after a full second; a sliding log of the last N
 * accepted times never lets more than N through in any window.
 */
export class SlidingWindowLimiter {
  private readonly logs = new Map<string, number[]>();

  constructor(private readonly limit: number, private readonly windowMs: number, private readonly now: () => number = Date.now) {}

  /** Counts one request; returns 0 when allowed, else the milliseconds until one would be. */
  take(key: string): number {
    const t = this.now();
    let log = this.logs.get(key);
    if (!log) {
      log = [];
      this.logs.set(key, log);
      if (this.logs.size > 10_000) this.prune(t);
    }
    while (log.length > 0 && log[0] <= t - this.windowMs) log.shift();
    if (log.length >= this.limit) return Math.max(1, log[0] + this.windowMs - t);
    log.push(t);
    return 0;
  }

  private prune(t: number): void {
    for (const [k, log] of this.logs) if (log.length === 0 || log[log.length - 1] <= t - this.windowMs) this.logs.delete(k);
  }
}
