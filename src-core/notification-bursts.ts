/**
 * When notifications collapse (product §9): more than three within 10 s become one summary
 * ("5 new messages") that keeps counting while the burst lasts. While it lasts, the summary is
 * shown again with its latest count at most once a second: a catch-up after a night away brings
 * hundreds of notices within a second, and replacing the summary for each one kept the UI thread
 * and the OS notification service busy. Pure bookkeeping: the desktop shell and the browser
 * bridge show what it decides, each with its own notification API and timer.
 */
export const COLLAPSE_WINDOW_MS = 10_000;
export const MAX_SEPARATE_NOTIFICATIONS = 3;
export const SUMMARY_REFRESH_MS = 1_000;

export interface BurstArrival {
  /** The caller's notification id (a separate notification absorbed by a summary is closed). */
  id: string;
  conversationId: number | null;
  requireInteraction?: boolean;
  silent?: boolean;
}

export interface BurstSummary {
  count: number;
  /** The one conversation the burst is about (a click opens it), or null for a mixed burst. */
  conversationId: number | null;
  requireInteraction: boolean;
  /** Only the summary's first appearance may play a sound; its updates are quiet. */
  silent: boolean;
}

export type BurstStep =
  /** Show this notification on its own. Any pending summary refresh is void. */
  | { kind: 'separate' }
  /** Show (or replace) the summary now; close the separate notifications `absorbed`. */
  | { kind: 'summary'; summary: BurstSummary; absorbed: string[] }
  /**
   * Counted into the summary, shown with a later refresh: close `absorbed`, and when `schedule`,
   * call `due()` in `inMs` (only one refresh is ever pending).
   */
  | { kind: 'later'; absorbed: string[]; schedule: boolean; inMs: number };

interface Burst {
  count: number;
  conversationIds: Set<number | null>;
  requireInteraction: boolean;
  shownAt: number;
  pending: boolean;
}

export class NotificationBursts {
  private recent: Array<{ at: number; id: string; conversationId: number | null; requireInteraction: boolean }> = [];
  private burst: Burst | null = null;

  constructor(private readonly limits = { windowMs: COLLAPSE_WINDOW_MS, maxSeparate: MAX_SEPARATE_NOTIFICATIONS, refreshMs: SUMMARY_REFRESH_MS }) {}

  arrive(arrival: BurstArrival, now: number): BurstStep {
    this.recent = this.recent.filter((a) => now - a.at < this.limits.windowMs);
    const requireInteraction = arrival.requireInteraction === true;
    this.recent.push({ at: now, id: arrival.id, conversationId: arrival.conversationId, requireInteraction });
    if (this.recent.length <= this.limits.maxSeparate) {
      this.burst = null;
      return { kind: 'separate' };
    }
    if (this.burst === null) {
      const burst: Burst = { count: 0, conversationIds: new Set(), requireInteraction: false, shownAt: now, pending: false };
      for (const a of this.recent) {
        burst.count += 1;
        burst.conversationIds.add(a.conversationId);
        burst.requireInteraction ||= a.requireInteraction;
      }
      this.burst = burst;
      return { kind: 'summary', summary: this.summaryOf(burst, arrival.silent === true), absorbed: this.recent.map((a) => a.id) };
    }
    const burst = this.burst;
    burst.count += 1;
    burst.conversationIds.add(arrival.conversationId);
    burst.requireInteraction ||= requireInteraction;
    if (!burst.pending && now - burst.shownAt >= this.limits.refreshMs) {
      burst.shownAt = now;
      return { kind: 'summary', summary: this.summaryOf(burst, true), absorbed: [arrival.id] };
    }
    const schedule = !burst.pending;
    burst.pending = true;
    return { kind: 'later', absorbed: [arrival.id], schedule, inMs: Math.max(0, burst.shownAt + this.limits.refreshMs - now) };
  }

  /** The summary with its latest count, when a refresh is pending (else null: nothing to show). */
  due(now: number): BurstSummary | null {
    const burst = this.burst;
    if (!burst || !burst.pending) return null;
    burst.pending = false;
    burst.shownAt = now;
    return this.summaryOf(burst, true);
  }

  private summaryOf(burst: Burst, silent: boolean): BurstSummary {
    const [only] = burst.conversationIds.size === 1 ? [...burst.conversationIds] : [null];
    return { count: burst.count, conversationId: only ?? null, requireInteraction: burst.requireInteraction, silent };
  }
}
