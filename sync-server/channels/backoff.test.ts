import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';

const opts = { baseMs: 1000, capMs: 300_000 };

describe('backoffDelay', () => {
  it('doubles the ceiling with every retry (random at its maximum)', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, opts, () => 1));
    expect(ceilings).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000]);
  });

  it('never exceeds the cap', () => {
    expect(backoffDelay(9, opts, () => 1)).toBe(256_000);
    expect(backoffDelay(10, opts, () => 1)).toBe(300_000);
    expect(backoffDelay(60, opts, () => 1)).toBe(300_000);
  });

  it('draws uniformly between zero and the ceiling (full jitter)', () => {
    expect(backoffDelay(3, opts, () => 0)).toBe(0);
    expect(backoffDelay(3, opts, () => 0.25)).toBe(1000);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(2000);
    let seed = 42;
    const seeded = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const samples = Array.from({ length: 2000 }, () => backoffDelay(4, opts, seeded));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThanOrEqual(8000);
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    expect(mean).toBeGreaterThan(3600);
    expect(mean).toBeLessThan(4400);
  });

  it('honours another factor and a short test base', () => {
    expect(backoffDelay(3, { baseMs: 50, capMs: 400, factor: 3 }, () => 1)).toBe(400);
    expect(backoffDelay(2, { baseMs: 50, capMs: 400, factor: 3 }, () => 1)).toBe(150);
  });

  it('refuses a retry number below one', () => {
    expect(() => backoffDelay(0, opts)).toThrow(RangeError);
    expect(() => backoffDelay(1.5, opts)).toThrow(RangeError);
  });
});
