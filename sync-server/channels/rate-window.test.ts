import { describe, expect, it } from 'vitest';
import { SlidingWindowLimiter } from './rate-window';

describe('SlidingWindowLimiter', () => {
  it('lets at most N requests through in any window and says when the next one may come', () => {
    let now = 1000;
    const limiter = new SlidingWindowLimiter(3, 1000, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    now = 1400;
    expect(limiter.take('a')).toBe(600);
    expect(limiter.take('b')).toBe(0);
    now = 1999;
    expect(limiter.take('a')).toBe(1);
    now = 2000;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1000);
  });

  it('does not count refused requests', () => {
    let now = 0;
    const limiter = new SlidingWindowLimiter(1, 1000, () => now);
    expect(limiter.take('k')).toBe(0);
    for (let i = 0; i < 5; i++) {
      now += 100;
      expect(limiter.take('k')).toBeGreaterThan(0);
    }
    now = 1000;
    expect(limiter.take('k')).toBe(0);
  });
});
