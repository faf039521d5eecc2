/**
 * OS notifications for new client messages and queries (product §9). The renderer decides what
 * deserves a notification; this module shows it, opens its conversation on click, and collapses
 * bursts: more than three within 10 s become one summary ("5 new messages") that keeps counting
 * while the burst lasts.
 */
import { Notification } from 'electron';
import type { NotificationRequest } from '../src-preload/api';

export const COLLAPSE_WINDOW_MS = 10_000;
export const MAX_SEPARATE_NOTIFICATIONS = 3;

export function summaryBody(count: number): string {
  return `${count} new messages`;
}

export interface NotificationCenterOptions {
  /** Focus the inbox and, when given, open that conversation. */
  openConversation(conversationId: number | null): void;
  now?: () => number;
}

interface Arrival {
  at: number;
  id: string;
  conversationId: number | null;
  requireInteraction: boolean;
}

interface Burst {
  count: number;
  conversationIds: Set<number | null>;
  requireInteraction: boolean;
}

export class NotificationCenter {
  /** Arrivals of the last COLLAPSE_WINDOW_MS. */
  private recent: Arrival[] = [];
  /** Separate notifications on screen, by the caller's id. Held so their click handlers live. */
  private readonly separate = new Map<string, Notification>();
  private summary: Notification | null = null;
  private burst: Burst | null = null;
  private readonly now: () => number;

  constructor(private readonly options: NotificationCenterOptions) {
    this.now = options.now ?? Date.now;
  }

  show(request: NotificationRequest): void {
    if (!Notification.isSupported()) return;
    const now = this.now();
    this.recent = this.recent.filter((arrival) => now - arrival.at < COLLAPSE_WINDOW_MS);
    this.recent.push({
      at: now,
      id: request.id,
      conversationId: request.conversationId,
      requireInteraction: request.requireInteraction === true,
    });

    if (this.recent.length <= MAX_SEPARATE_NOTIFICATIONS) {
      this.burst = null;
      this.showSeparate(request);
      return;
    }

    const startsBurst = this.burst === null;
    if (this.burst === null) {
      this.burst = { count: 0, conversationIds: new Set(), requireInteraction: false };
      for (const arrival of this.recent) {
        this.burst.count += 1;
        this.burst.conversationIds.add(arrival.conversationId);
        this.burst.requireInteraction ||= arrival.requireInteraction;
        this.closeSeparate(arrival.id);
      }
    } else {
      this.burst.count += 1;
      this.burst.conversationIds.add(request.conversationId);
      this.burst.requireInteraction ||= request.requireInteraction === true;
      this.closeSeparate(request.id);
    }
    // Only the summary's first appearance may play a sound; its updates are quiet.
    this.showSummary(this.burst, startsBurst ? request.silent === true : true);
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

  private showSummary(burst: Burst, silent: boolean): void {
    this.summary?.close();
    // A burst about one conversation still opens it; a mixed one just brings the inbox forward.
    const [onlyConversation] = burst.conversationIds.size === 1 ? [...burst.conversationIds] : [null];
    const notification = new Notification({
      title: 'Switchboard',
      body: summaryBody(burst.count),
      silent,
      timeoutType: burst.requireInteraction ? 'never' : 'default',
    });
    const forget = (): void => {
      if (this.summary === notification) this.summary = null;
    };
    notification.on('click', () => {
      forget();
      this.options.openConversation(onlyConversation ?? null);
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
