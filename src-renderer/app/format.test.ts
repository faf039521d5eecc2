import { describe, expect, it } from 'vitest';
import { dayLabel, sameDay } from './format';

describe('calendar days in the company time zone', () => {
  it('split at local midnight, also in a zone three quarters of an hour off, and agree when asked again', () => {
    // Kathmandu is UTC+5:45: local midnight of 11 March 2024 is 18:15 UTC on 10 March.
    const tz = 'Asia/Kathmandu';
    const before = Date.UTC(2024, 2, 10, 18, 14, 59);
    const after = Date.UTC(2024, 2, 10, 18, 15, 0);
    for (let round = 0; round < 2; round++) {
      expect(sameDay(before, after, tz)).toBe(false);
      expect(sameDay(before, Date.UTC(2024, 2, 10, 0, 0, 0), tz)).toBe(true);
      expect(sameDay(after, Date.UTC(2024, 2, 11, 18, 14, 0), tz)).toBe(true);
      expect(sameDay(before, after, 'UTC')).toBe(true);
    }
    const now = Date.UTC(2024, 2, 11, 12, 0, 0);
    expect(dayLabel(after, 'en', tz, now).relative).toBe('today');
    expect(dayLabel(before, 'en', tz, now).relative).toBe('yesterday');
  });
});
