import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./testing/fake-electron'));

import type { NotificationRequest } from '../src-preload/api';
import { COLLAPSE_WINDOW_MS, NotificationCenter, summaryBody } from './notifications';
import { FakeNotification, resetFakeElectron } from './testing/fake-electron';

let clock: number;
let opened: Array<number | null>;
let center: NotificationCenter;
let timers: Array<{ at: number; fn: () => void }>;

/** Moves the clock on, running the summary refreshes that fall due on the way. */
function advance(ms: number): void {
  const until = clock + ms;
  for (;;) {
    timers.sort((a, b) => a.at - b.at);
    const next = timers[0];
    if (!next || next.at > until) break;
    timers.shift();
    clock = next.at;
    next.fn();
  }
  clock = until;
}

function message(n: number, conversationId: number | null = n, extra: Partial<NotificationRequest> = {}): NotificationRequest {
  return { id: `n${n}`, title: `Client ${n}`, body: `Message ${n}`, conversationId, ...extra };
}

beforeEach(() => {
  resetFakeElectron();
  clock = 1_000_000;
  opened = [];
  timers = [];
  center = new NotificationCenter({
    openConversation: (id) => opened.push(id),
    now: () => clock,
    setTimer: (fn, ms) => timers.push({ at: clock + ms, fn }),
  });
});

const bodies = (): string[] => FakeNotification.onScreen().map((n) => n.options.body);

describe('NotificationCenter', () => {
  it('shows a notification with its title, body and sound choice', () => {
    center.show(message(1, 10, { silent: true }));
    const [shown] = FakeNotification.onScreen();
    expect(shown.options).toMatchObject({ title: 'Client 1', body: 'Message 1', silent: true, timeoutType: 'default' });
  });

  it('keeps a notification on screen when asked to (product §9 option)', () => {
    center.show(message(1, 10, { requireInteraction: true }));
    expect(FakeNotification.onScreen()[0].options.timeoutType).toBe('never');
  });

  it('opens the conversation on click', () => {
    center.show(message(1, 10));
    FakeNotification.onScreen()[0].emit('click');
    expect(opened).toEqual([10]);
  });

  it('only focuses the inbox for a notification without a conversation', () => {
    center.show(message(1, null));
    FakeNotification.onScreen()[0].emit('click');
    expect(opened).toEqual([null]);
  });

  it('shows up to three separately within 10 s', () => {
    for (let n = 1; n <= 3; n++) {
      center.show(message(n));
      clock += 1000;
    }
    expect(bodies()).toEqual(['Message 1', 'Message 2', 'Message 3']);
  });

  it('collapses the fourth within 10 s into one summary that replaces the others', () => {
    for (let n = 1; n <= 4; n++) {
      center.show(message(n));
      clock += 1000;
    }
    expect(bodies()).toEqual([summaryBody(4)]);
    expect(summaryBody(4)).toBe('4 new messages');
  });

  it('keeps counting in one summary while the burst lasts, and only its first appearance makes a sound', () => {
    for (let n = 1; n <= 6; n++) {
      center.show(message(n));
      advance(500);
    }
    // The sixth came right after a refresh: it shows with the next one, a second later.
    expect(bodies()).toEqual(['5 new messages']);
    advance(1_000);
    expect(bodies()).toEqual(['6 new messages']);
    const summaries = FakeNotification.instances.filter((n) => n.options.title === 'Switchboard');
    expect(summaries.map((n) => n.options.silent)).toEqual([false, true, true]);
  });

  it('a flood within a second replaces the summary once more, with the final count, not once per notice', () => {
    for (let n = 1; n <= 200; n++) center.show(message(n));
    expect(bodies()).toEqual(['4 new messages']);
    expect(timers).toHaveLength(1);
    advance(1_000);
    expect(bodies()).toEqual(['200 new messages']);
    expect(FakeNotification.instances.filter((n) => n.options.title === 'Switchboard')).toHaveLength(2);
  });

  it('does not collapse four notifications spread over more than 10 s', () => {
    for (let n = 1; n <= 4; n++) {
      center.show(message(n));
      clock += COLLAPSE_WINDOW_MS / 3 + 1;
    }
    expect(bodies()).toEqual(['Message 1', 'Message 2', 'Message 3', 'Message 4']);
  });

  it('shows separate notifications again after a quiet spell', () => {
    for (let n = 1; n <= 5; n++) center.show(message(n));
    advance(COLLAPSE_WINDOW_MS);
    center.show(message(6));
    expect(bodies()).toEqual(['5 new messages', 'Message 6']);
  });

  it('opens the conversation from a summary about one conversation, and just the inbox otherwise', () => {
    for (let n = 1; n <= 4; n++) center.show(message(n, 77));
    FakeNotification.onScreen()[0].emit('click');
    expect(opened).toEqual([77]);

    clock += COLLAPSE_WINDOW_MS * 2;
    for (let n = 5; n <= 8; n++) center.show(message(n));
    const summaries = FakeNotification.onScreen().filter((n) => n.options.title === 'Switchboard');
    summaries[summaries.length - 1].emit('click');
    expect(opened).toEqual([77, null]);
  });

  it('replaces a notification that is still on screen when the same id comes again', () => {
    center.show(message(1));
    center.show({ ...message(1), body: 'Updated' });
    expect(bodies()).toEqual(['Updated']);
  });

  it('shows nothing where the OS has no notifications', () => {
    FakeNotification.supported = false;
    center.show(message(1));
    expect(FakeNotification.instances).toHaveLength(0);
  });
});
