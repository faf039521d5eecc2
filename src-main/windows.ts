/**
 * The app's windows: one inbox window and at most one settings window, both loading the same
 * renderer (the settings one with `?window=settings`). Opening a window that exists focuses it.
 *
 * Closing the inbox window hides it instead: its renderer owns the sync worker, so while the app
 * runs (tray, dock) conversations keep syncing and notifications keep coming. Quit really quits.
 */
import { BrowserWindow } from 'electron';
import type { BrowserWindowConstructorOptions, WebContents } from 'electron';
import type { EventChannelName, EventPayloads } from '../src-preload/ipc-contract';
import { rendererUrl } from './config';
import type { ShellConfig, WindowKind } from './config';
import { buildWebPreferences } from './security';

const WINDOW_OPTIONS: Record<WindowKind, BrowserWindowConstructorOptions> = {
  inbox: { title: 'Switchboard', width: 1280, height: 820, minWidth: 880, minHeight: 560 },
  settings: { title: 'Switchboard settings', width: 980, height: 720, minWidth: 720, minHeight: 520 },
};

export class WindowManager {
  private readonly windows = new Map<WindowKind, BrowserWindow>();
  private quitting = false;

  constructor(
    private readonly config: Pick<ShellConfig, 'serverUrl' | 'devRendererUrl' | 'preloadPath'>,
    private readonly log: (message: string) => void = (message) => console.error(message),
  ) {}

  /** Shows the inbox window, creating it if needed, and brings it to the front. */
  showInbox(): BrowserWindow {
    return this.open('inbox');
  }

  /** Shows the settings window, creating it if needed, and brings it to the front. */
  openSettings(): BrowserWindow {
    return this.open('settings');
  }

  get(kind: WindowKind): BrowserWindow | null {
    const window = this.windows.get(kind);
    return window && !window.isDestroyed() ? window : null;
  }

  /** True for the page of a window this manager created; IPC from anything else is refused. */
  isOwnWebContents(contents: WebContents): boolean {
    for (const window of this.windows.values()) {
      if (!window.isDestroyed() && window.webContents.id === contents.id) return true;
    }
    return false;
  }

  /** Sends an event to the inbox page once it has loaded (its preload listens from the start). */
  sendToInbox<C extends EventChannelName>(channel: C, payload: EventPayloads[C]): boolean {
    const inbox = this.get('inbox');
    if (!inbox) return false;
    const contents = inbox.webContents;
    if (contents.isLoading()) contents.once('did-finish-load', () => contents.send(channel, payload));
    else contents.send(channel, payload);
    return true;
  }

  /** From now on closing the inbox window closes it (the app is quitting). */
  prepareToQuit(): void {
    this.quitting = true;
  }

  private open(kind: WindowKind): BrowserWindow {
    const existing = this.get(kind);
    if (!existing) return this.create(kind);
    if (existing.isMinimized()) existing.restore();
    existing.show();
    existing.focus();
    return existing;
  }

  private create(kind: WindowKind): BrowserWindow {
    const window = new BrowserWindow({
      ...WINDOW_OPTIONS[kind],
      show: false,
      autoHideMenuBar: true,
      webPreferences: buildWebPreferences(this.config.preloadPath),
    });
    this.windows.set(kind, window);
    // Shown after the first paint, so it never flashes an empty frame.
    window.once('ready-to-show', () => {
      window.show();
      window.focus();
    });
    if (kind === 'inbox') {
      window.on('close', (event) => {
        if (this.quitting) return;
        event.preventDefault();
        window.hide();
      });
      // Windows logs off or shuts down without emitting `before-quit`; hiding would block it.
      window.on('session-end', () => this.prepareToQuit());
    }
    window.on('closed', () => {
      if (this.windows.get(kind) === window) this.windows.delete(kind);
    });
    window.loadURL(rendererUrl(this.config, kind)).catch((error: unknown) => {
      this.log(`Could not load the ${kind} window: ${error instanceof Error ? error.message : String(error)}`);
    });
    return window;
  }
}
