/**
 * The tray icon (menu: Open Switchboard, Quit) and the unread count of product §9 on the dock or
 * taskbar badge and in the tray's tooltip (and, on macOS, its title next to the icon).
 */
import { Menu, Tray, app } from 'electron';
import type { BrowserWindow, NativeImage } from 'electron';
import { createBadgeOverlay, createTrayIcon } from './icons';

export function unreadTooltip(count: number): string {
  return count > 0 ? `Switchboard — ${count} unread` : 'Switchboard';
}

export interface TrayActions {
  showInbox(): void;
  quit(): void;
  /** The window whose taskbar button carries the Windows badge overlay. */
  inboxWindow(): BrowserWindow | null;
}

export class TrayController {
  private tray: Tray | null = null;
  private unreadCount = 0;
  private badgeOverlay: NativeImage | null = null;

  constructor(
    private readonly actions: TrayActions,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {}

  create(): void {
    if (this.tray) return;
    const tray = new Tray(createTrayIcon(this.platform));
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Open Switchboard', click: () => this.actions.showInbox() },
        { type: 'separator' },
        { label: 'Quit', click: () => this.actions.quit() },
      ]),
    );
    // Windows and most Linux trays open the app on a plain click; macOS shows the menu.
    if (this.platform !== 'darwin') tray.on('click', () => this.actions.showInbox());
    this.tray = tray;
    this.render();
  }

  /** Sets the unread count everywhere it shows; 0 clears the badge. */
  setUnreadCount(count: number): void {
    if (!Number.isSafeInteger(count) || count < 0) throw new Error(`Invalid unread count: ${count}`);
    this.unreadCount = count;
    this.render();
  }

  getUnreadCount(): number {
    return this.unreadCount;
  }

  destroy(): void {
    this.tray?.destroy();
    this.tray = null;
  }

  private render(): void {
    const count = this.unreadCount;
    if (this.tray) {
      this.tray.setToolTip(unreadTooltip(count));
      if (this.platform === 'darwin') this.tray.setTitle(count > 0 ? String(count) : '');
    }
    if (this.platform === 'win32') {
      // Windows has no numeric app badge; the taskbar button gets a red dot instead.
      const inbox = this.actions.inboxWindow();
      if (count > 0) {
        this.badgeOverlay ??= createBadgeOverlay();
        inbox?.setOverlayIcon(this.badgeOverlay, unreadTooltip(count));
      } else {
        inbox?.setOverlayIcon(null, '');
      }
    } else {
      app.setBadgeCount(count);
    }
  }
}
