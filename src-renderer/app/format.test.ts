import { describe, expect, it } from 'vitest';
import { formatListTime } from './format';

describe('list times', () => {
  const tz = 'Asia/Kolkata'; // UTC+05:30: its days start at 18:30 UTC
  const now = Date.UTC(2026, 2, 12, 18, 45); // 12 Mar 2026, 00:15 in Kolkata on the 13th

  it('tells today from yesterday across a day boundary that is not on the hour in UTC', () => {
    const justAfterMidnight = Date.UTC(2026, 2, 12, 18, 30);
    const justBefore = Date.UTC(2026, 2, 12, 18, 29, 59);
    expect(formatListTime(justAfterMidnight, 'en', tz, now)).toMatch(/^12:00\s?AM$/);
    expect(formatListTime(justBefore, 'en', tz, now)).toBe('Thu');
  });

  it('gives the same answers when asked again (day numbers are remembered)', () => {
    const times = Array.from({ length: 50 }, (_, i) => now - i * 3_600_000);
    const first = times.map((t) => formatListTime(t, 'en', tz, now));
    const again = times.map((t) => formatListTime(t, 'en', tz, now));
    expect(again).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(1);
  });
});
