/**
 * The bridge in a plain browser (the web client and the end-to-end tests): Web Notifications,
 * `window.open` for the settings window, the document title and the app badge for the unread
 * count, and the session in localStorage (a browser has no OS key store; signing out clears it).
 */
import { NotificationBursts, SUMMARY_REFRESH_MS, type BurstSummary } from '../../src-core/notification-bursts';
import type { NotificationRequest, StoredSession, SwitchboardBridge, Unsubscribe } from '../../src-preload/api';

export { SUMMARY_REFRESH_MS };

const SESSION_KEY = 'switchboard.session';

/** What the bridge needs of the Web Notifications API (a test passes a double). */
export interface NotificationApi {
  readonly permission: NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
  new (title: string, options?: NotificationOptions & { requireInteraction?: boolean }): Notification;
}

function isStoredSession(v: unknown): v is StoredSession {
  const s = v as StoredSession;
  return typeof s === 'object' && s !== null && typeof s.serverUrl === 'string' && typeof s.refreshToken === 'string'
    && Number.isSafeInteger(s.userId) && Number.isSafeInteger(s.companyId);
}

export function isSafeExternalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === 'mailto:';
  } catch {
    return false;
  }
}

export function createBrowserBridge(win: Window = window, notifications: NotificationApi | undefined = (globalThis as { Notification?: NotificationApi }).Notification): SwitchboardBridge {
  const listeners = new Set<(conversationId: number) => void>();
  // Bursts collapse into one summary as src-core/notification-bursts decides (product §9).
  const bursts = new NotificationBursts();
  /** Separate notifications on screen by id (a summary closes the ones it absorbs). */
  const separate = new Map<string, Notification>();
  let summary: Notification | null = null;
  let permission: NotificationPermission = 'default';
  let permissionReadAt = 0;
  const baseTitle = win.document.title || 'Switchboard';

  const open = (conversationId: number | null) => {
    win.focus();
    if (conversationId !== null) for (const l of listeners) l(conversationId);
  };

  return {
    async getInfo() {
      return { platform: 'web', version: (import.meta as { env?: Record<string, string> }).env?.VITE_APP_VERSION ?? '0.1.0', mode: 'browser' };
    },
    secrets: {
      async saveSession(session) {
        win.localStorage.setItem(SESSION_KEY, JSON.stringify(session));
        return { ok: true };
      },
      async loadSession() {
        try {
          const parsed: unknown = JSON.parse(win.localStorage.getItem(SESSION_KEY) ?? 'null');
          return isStoredSession(parsed) ? parsed : null;
        } catch {
          return null;
        }
      },
      async clearSession() {
        win.localStorage.removeItem(SESSION_KEY);
      },
    },
    async notify(request: NotificationRequest) {
      const N = notifications;
      if (!N) return;
      const now = Date.now();
      // Reading the permission asks the browser each time: during a burst, once per refresh.
      if (now - permissionReadAt >= SUMMARY_REFRESH_MS) {
        if (N.permission === 'default') await N.requestPermission();
        permission = N.permission;
        permissionReadAt = now;
      }
      if (permission !== 'granted') return;
      const showSummary = (burst: BurstSummary) => {
        summary?.close();
        const shown = new N('Switchboard', { body: `${burst.count} new messages`, tag: 'switchboard-summary', silent: burst.silent, requireInteraction: burst.requireInteraction });
        // A burst about one conversation still opens it; a mixed one just brings the inbox forward.
        shown.onclick = () => {
          shown.close();
          open(burst.conversationId);
        };
        summary = shown;
      };
      const step = bursts.arrive(request, now);
      if (step.kind !== 'separate') {
        for (const id of step.absorbed) {
          separate.get(id)?.close();
          separate.delete(id);
        }
        if (step.kind === 'summary') showSummary(step.summary);
        else if (step.schedule) {
          setTimeout(() => {
            const due = bursts.due(Date.now());
            if (due) showSummary(due);
          }, step.inMs);
        }
        return;
      }
      summary = null;
      separate.get(request.id)?.close();
      const n = new N(request.title, {
        body: request.body, tag: request.id, silent: request.silent, requireInteraction: request.requireInteraction,
      });
      separate.set(request.id, n);
      n.onclick = () => {
        n.close();
        separate.delete(request.id);
        open(request.conversationId);
      };
      n.onclose = () => {
        if (separate.get(request.id) === n) separate.delete(request.id);
      };
    },
    onOpenConversation(listener): Unsubscribe {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async setBadge(count) {
      win.document.title = count > 0 ? `(${count}) ${baseTitle}` : baseTitle;
      const nav = win.navigator as Navigator & { setAppBadge?: (n: number) => Promise<void>; clearAppBadge?: () => Promise<void> };
      try {
        if (count > 0) await nav.setAppBadge?.(count);
        else await nav.clearAppBadge?.();
      } catch {
        /* badges are best effort in browsers */
      }
    },
    async openSettings() {
      const url = new URL(win.location.href);
      url.searchParams.set('window', 'settings');
      url.hash = '';
      const opened = win.open(url.toString(), 'switchboard-settings', 'width=1000,height=760');
      opened?.focus();
    },
    async openExternal(url) {
      if (!isSafeExternalUrl(url)) return false;
      win.open(url, '_blank', 'noopener,noreferrer');
      return true;
    },
  };
}
