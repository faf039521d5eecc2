/**
 * OS notifications for new client messages and queries (product §9). The renderer decides what
 * deserves a notification; this module shows it, opens its conversation on click, and collapses
 * bursts as `src-core/notification-bursts` decides: more than three within 10 s become one
 * summary ("5 new messages") that keeps counting while the burst lasts.
 */
import { Notification } from 'electron';
import { NotificationBursts, type BurstSummary } from '../src-core/notification-bursts';
import type { NotificationRequest } from '../src-preload/api';

export { COLLAPSE_WINDOW_MS, MAX_SEPARATE_NOTIFICATIONS, SUMMARY_REFRESH_MS } from '../src-core/notification-bursts';

export function summaryBody(count: number): string {
  return `${count} new messages`;
}

export interface NotificationCenterOptions {
  /** Focus the inbox and, when given, open that conversation. */
  openConversation(conversationId: number | null): void;
  now?: () => number;
  /** Runs `fn` after `ms` (a summary's delayed refresh); setTimeout by default. */
  setTimer?: (fn: () => void, ms: number) => unknown;
}

export class NotificationCenter {
  /** Separate notifications on screen, by the caller's id. Held so their click handlers live. */
  private readonly separate = new Map<string, Notification>();
  private summary: Notification | null = null;
  private readonly bursts = new NotificationBursts();
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;

  constructor(private readonly options: NotificationCenterOptions) {
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  }

  show(request: NotificationRequest): void {
    if (!Notification.isSupported()) return;
    const step = this.bursts.arrive(request, this.now());
    if (step.kind === 'separate') {
      this.showSeparate(request);
      return;
    }
    for (const id of step.absorbed) this.closeSeparate(id);
    if (step.kind === 'summary') this.showSummary(step.summary);
    else if (step.schedule) {
      this.setTimer(() => {
        const summary = this.bursts.due(this.now());
        if (summary) this.showSummary(summary);
      }, step.inMs);
    }
  }

  private showSeparate(request: NotificationRequest): void {
    this.closeSeparate(request.id);
    const notification = new Notification({
      title: request.title,
      body: request.body,
      silent: request.silent === true,
      timeoutType: request.requireInteraction ? 'never' : 'default',
    });
    const forget = (): void => {
      if (this.separate.get(request.id) === notification) this.separate.delete(request.id);
    };
    notification.on('click', () => {
      forget();
      this.options.openConversation(request.conversationId);
    });
    notification.on('close', forget);
    notification.on('failed', forget);
    this.separate.set(request.id, notification);
    notification.show();
  }

  private showSummary(burst: BurstSummary): void {
    this.summary?.close();
    const notification = new Notification({
      title: 'Switchboard',
      body: summaryBody(burst.count),
      silent: burst.silent,
      timeoutType: burst.requireInteraction ? 'never' : 'default',
    });
    const forget = (): void => {
      if (this.summary === notification) this.summary = null;
    };
    notification.on('click', () => {
      forget();
      // A burst about one conversation still opens it; a mixed one just brings the inbox forward.
      this.options.openConversation(burst.conversationId);
    });
    notification.on('close', forget);
    notification.on('failed', forget);
    this.summary = notification;
    notification.show();
  }

  private closeSeparate(id: string): void {
    const notification = this.separate.get(id);
    if (!notification) return;
    this.separate.delete(id);
    notification.close();
  }
}
