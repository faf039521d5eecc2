import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBrowserBridge, SUMMARY_REFRESH_MS, type NotificationApi } from './browser';

interface Shown {
  title: string;
  body: string | undefined;
  silent: boolean | undefined;
  closed: boolean;
}

/** A Web Notifications double that records what was put on screen. */
function fakeNotifications(): { api: NotificationApi; shown: Shown[]; permissionReads: () => number } {
  const shown: Shown[] = [];
  let reads = 0;
  class FakeNotification {
    static get permission(): NotificationPermission {
      reads++;
      return 'granted';
    }
    static requestPermission = async () => 'granted' as NotificationPermission;
    onclick: (() => void) | null = null;
    private readonly record: Shown;
    constructor(title: string, options: NotificationOptions = {}) {
      this.record = { title, body: options.body, silent: options.silent ?? undefined, closed: false };
      shown.push(this.record);
    }
    close() {
      this.record.closed = true;
    }
  }
  return { api: FakeNotification as unknown as NotificationApi, shown, permissionReads: () => reads };
}

const fakeWindow = () => ({ document: { title: 'Switchboard' }, focus: () => undefined }) as unknown as Window;

const request = (i: number) => ({ id: `client_message:${i}`, title: `Client ${i}`, body: 'hello', conversationId: i, requireInteraction: true });

describe('browser bridge notifications', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows the first three separately, then one summary that keeps counting', async () => {
    const { api, shown } = fakeNotifications();
    const bridge = createBrowserBridge(fakeWindow(), api);
    for (let i = 1; i <= 4; i++) await bridge.notify(request(i));
    expect(shown.map((n) => n.title)).toEqual(['Client 1', 'Client 2', 'Client 3', 'Switchboard']);
    expect(shown[3].body).toBe('4 new messages');
  });

  it('replaces the summary at most once per refresh interval during a burst, ending on the full count', async () => {
    const { api, shown, permissionReads } = fakeNotifications();
    const bridge = createBrowserBridge(fakeWindow(), api);
    // A catch-up: 500 notices within the same moment.
    for (let i = 1; i <= 500; i++) await bridge.notify(request(i));
    // The permission (a question to the browser) was read once, not once per notice.
    expect(permissionReads()).toBeLessThanOrEqual(2);
    const summaries = () => shown.filter((n) => n.title === 'Switchboard');
    expect(summaries()).toHaveLength(1);
    expect(summaries()[0].body).toBe('4 new messages');

    await vi.advanceTimersByTimeAsync(SUMMARY_REFRESH_MS);
    expect(summaries()).toHaveLength(2);
    expect(summaries()[0].closed).toBe(true);
    expect(summaries()[1]).toMatchObject({ body: '500 new messages', silent: true, closed: false });

    // Nothing new: no further replacement.
    await vi.advanceTimersByTimeAsync(SUMMARY_REFRESH_MS * 3);
    expect(summaries()).toHaveLength(2);

    // More of the same burst later: counted on from 500.
    await bridge.notify(request(501));
    await vi.advanceTimersByTimeAsync(SUMMARY_REFRESH_MS);
    expect(summaries().at(-1)?.body).toBe('501 new messages');
  });

  it('shows separate notifications again once the burst is over', async () => {
    const { api, shown } = fakeNotifications();
    const bridge = createBrowserBridge(fakeWindow(), api);
    for (let i = 1; i <= 10; i++) await bridge.notify(request(i));
    await vi.advanceTimersByTimeAsync(11_000);
    const before = shown.length;
    await bridge.notify(request(42));
    expect(shown.slice(before).map((n) => n.title)).toEqual(['Client 42']);
  });
});
