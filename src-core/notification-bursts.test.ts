import { describe, expect, it } from 'vitest';
import { NotificationBursts, type BurstArrival } from './notification-bursts';

const note = (id: string, conversationId: number | null = 1, extra: Partial<BurstArrival> = {}): BurstArrival => ({ id, conversationId, ...extra });

describe('notification bursts (product §9)', () => {
  it('shows up to three within 10 s separately, and the fourth as a summary that absorbs them', () => {
    const b = new NotificationBursts();
    expect(b.arrive(note('a'), 0).kind).toBe('separate');
    expect(b.arrive(note('b'), 100).kind).toBe('separate');
    expect(b.arrive(note('c'), 200).kind).toBe('separate');
    expect(b.arrive(note('d', 1, { silent: true }), 300)).toEqual({
      kind: 'summary', absorbed: ['a', 'b', 'c', 'd'], summary: { count: 4, conversationId: 1, requireInteraction: false, silent: true },
    });
  });

  it('does not collapse notices spread over more than 10 s, and starts over after a quiet spell', () => {
    const b = new NotificationBursts();
    for (const [i, at] of [0, 4_000, 8_000, 12_000, 16_000].entries()) expect(b.arrive(note(String(i)), at).kind).toBe('separate');
    for (const id of ['a', 'b', 'c']) b.arrive(note(id), 30_000);
    expect(b.arrive(note('d'), 30_000).kind).toBe('summary');
    expect(b.arrive(note('e'), 60_000).kind).toBe('separate');
  });

  it('while a burst lasts, its count is shown again at most once a second, quietly', () => {
    const b = new NotificationBursts();
    for (const id of ['a', 'b', 'c', 'd']) b.arrive(note(id, Number(id.charCodeAt(0))), 0);
    // The next ones within the second wait for one refresh; only the first asks for it.
    expect(b.arrive(note('e', 9), 100)).toEqual({ kind: 'later', absorbed: ['e'], schedule: true, inMs: 900 });
    expect(b.arrive(note('f', 9), 500)).toEqual({ kind: 'later', absorbed: ['f'], schedule: false, inMs: 500 });
    expect(b.due(1_000)).toEqual({ count: 6, conversationId: null, requireInteraction: false, silent: true });
    expect(b.due(1_001)).toBeNull();
    // A second later an arrival is shown at once again.
    expect(b.arrive(note('g', 9), 2_000)).toMatchObject({ kind: 'summary', summary: { count: 7, silent: true } });
  });

  it('a summary about one conversation opens it; one that must stay on screen stays', () => {
    const b = new NotificationBursts();
    b.arrive(note('a', 5), 0);
    b.arrive(note('b', 5, { requireInteraction: true }), 0);
    b.arrive(note('c', 5), 0);
    const step = b.arrive(note('d', 5), 0);
    expect(step).toMatchObject({ kind: 'summary', summary: { conversationId: 5, requireInteraction: true, silent: false } });
  });

  it('a separate notice between bursts voids a pending refresh', () => {
    const b = new NotificationBursts();
    for (const id of ['a', 'b', 'c', 'd']) b.arrive(note(id), 0);
    expect(b.arrive(note('e'), 10).kind).toBe('later');
    expect(b.arrive(note('f'), 20_000).kind).toBe('separate');
    expect(b.due(20_001)).toBeNull();
  });
});
