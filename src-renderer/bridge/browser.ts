/**
 * The bridge in a plain browser (the web client and the end-to-end tests): Web Notifications,
 * `window.open` for the settings window, the document title and the app badge for the unread
 * count, and the session in localStorage (a browser has no OS key store; signing out clears it).
 */
import type { NotificationRequest, StoredSession, SwitchboardBridge, Unsubscribe } from '../../src-preload/api';

const SESSION_KEY = 'switchboard.session';
const COLLAPSE_WINDOW_MS = 10_000;
const MAX_SEPARATE = 3;
/**
 * While a burst lasts its summary is shown again with the new count at most this often: a
 * catch-up after a night away brings hundreds of notices within a second, and replacing the
 * summary for each one kept the UI thread (and the browser's notification service) busy.
 */
export const SUMMARY_REFRESH_MS = 1_000;

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
  const recent: number[] = [];
  let summary: Notification | null = null;
  let summaryCount = 0;
  /** When the summary was last shown, and the timer that shows its latest count later. */
  let summaryShownAt = 0;
  let summaryTimer: ReturnType<typeof setTimeout> | null = null;
  let summarySilent = true;
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
      while (recent.length > 0 && now - recent[0] > COLLAPSE_WINDOW_MS) recent.shift();
      recent.push(now);
      if (recent.length > MAX_SEPARATE) {
        // A burst collapses into one summary that keeps counting (product §9); while it lasts,
        // the summary shows its latest count at most once per SUMMARY_REFRESH_MS.
        const starts = summary === null && summaryTimer === null;
        summaryCount = starts ? recent.length : summaryCount + 1;
        const showSummary = () => {
          summaryTimer = null;
          summaryShownAt = Date.now();
          summary?.close();
          const shown = new N('Switchboard', { body: `${summaryCount} new messages`, tag: 'switchboard-summary', silent: summarySilent });
          shown.onclick = () => open(null);
          summary = shown;
          // Only the summary's first appearance may play a sound; its updates are quiet.
          summarySilent = true;
        };
        if (starts) {
          summarySilent = request.silent === true;
          showSummary();
        } else if (summaryTimer === null) {
          summaryTimer = setTimeout(showSummary, Math.max(0, summaryShownAt + SUMMARY_REFRESH_MS - now));
        }
        return;
      }
      if (summaryTimer !== null) clearTimeout(summaryTimer);
      summaryTimer = null;
      summary = null;
      const n = new N(request.title, {
        body: request.body, tag: request.id, silent: request.silent, requireInteraction: request.requireInteraction,
      });
      n.onclick = () => {
        n.close();
        open(request.conversationId);
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
