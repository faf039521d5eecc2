/**
 * The one bridge between the renderer and its host. The Electron preload implements it over IPC
 * (src-preload/index.ts); the browser build implements it with web APIs (Web Notifications,
 * window.open for the settings window). The renderer codes against this interface only and never
 * learns which host it runs in, except through `getInfo().mode`.
 *
 * This file holds types and one constant only, so renderer code may import it freely.
 */

/** The global under which the Electron preload exposes the bridge: `window.switchboard`. */
export const BRIDGE_GLOBAL = 'switchboard';

export type BridgeMode = 'electron' | 'browser';

export interface HostInfo {
  /** `process.platform` in Electron (`darwin`, `win32`, `linux`); `web` in a browser. */
  platform: string;
  /** The app version. */
  version: string;
  mode: BridgeMode;
}

/** What the desktop app keeps between launches to stay signed in (product §6.1). */
export interface StoredSession {
  serverUrl: string;
  refreshToken: string;
  userId: number;
  companyId: number;
}

/**
 * `encryption_unavailable`: the OS offers no key store (or only Electron's plaintext fallback), so
 * nothing was stored; the user signs in again on the next launch.
 */
export type SaveSessionResult = { ok: true } | { ok: false; reason: 'encryption_unavailable' };

export interface SessionSecrets {
  saveSession(session: StoredSession): Promise<SaveSessionResult>;
  /** The stored session, or null when none is stored or it cannot be decrypted any more. */
  loadSession(): Promise<StoredSession | null>;
  clearSession(): Promise<void>;
}

/** One new-message notification (product §9). */
export interface NotificationRequest {
  /** Caller's id; a notification with the id of one still on screen replaces it. */
  id: string;
  title: string;
  body: string;
  /** The conversation that a click opens; null for notifications that only focus the inbox. */
  conversationId: number | null;
  /** No sound. */
  silent?: boolean;
  /** Stay on screen until clicked or dismissed, where the OS allows it (product §9 option). */
  requireInteraction?: boolean;
}

export type Unsubscribe = () => void;

export interface SwitchboardBridge {
  getInfo(): Promise<HostInfo>;
  secrets: SessionSecrets;
  /**
   * Shows an OS notification. Clicking it focuses the inbox window and fires `onOpenConversation`
   * with its conversation. More than three within 10 s collapse into one summary.
   */
  notify(notification: NotificationRequest): Promise<void>;
  /** Fired by notification clicks and `switchboard://conversation/<id>` links. */
  onOpenConversation(listener: (conversationId: number) => void): Unsubscribe;
  /** The unread count of product §9 on the dock/taskbar badge and the tray; 0 clears it. */
  setBadge(count: number): Promise<void>;
  /** Opens the settings window, or focuses it when it is already open. */
  openSettings(): Promise<void>;
  /** Opens an http(s) or mailto URL in the user's default app; false for anything else. */
  openExternal(url: string): Promise<boolean>;
}
