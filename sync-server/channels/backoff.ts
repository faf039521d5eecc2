/**
 * Exponential backoff with full jitter (channels.md §17.3: base 1 s, factor 2, cap 5 min). Written
 * in-house because `p-retry` 9 requires Node 22 (channels.md §0).
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  factor?: number;
}

/**
 * The wait before retry number `retry` (1 = the first retry, after the first failed attempt):
 * a uniformly random duration in [0, min(cap, base · factor^(retry-1))]. Full jitter spreads
 * the retries of many failed sends instead of bunching them on the same instants.
 */
export function backoffDelay(retry: number, opts: BackoffOptions, random: () => number = Math.random): number {
  if (!Number.isInteger(retry) || retry < 1) throw new RangeError(`retry must be a positive integer, got ${retry}`);
  const factor = opts.factor ?? 2;
  const ceiling = Math.min(opts.capMs, opts.baseMs * factor ** (retry - 1));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(r * Math.max(0, ceiling));
}
