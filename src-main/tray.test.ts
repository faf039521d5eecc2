import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { BrowserWindow } from 'electron';

vi.mock('electron', () => import('./testing/fake-electron'));

import { ICON_PIXELS, createTrayIcon, iconShapes, rasterize } from './icons';
import { FakeBrowserWindow, FakeNativeImage, FakeTray, app, resetFakeElectron } from './testing/fake-electron';
import { TrayController, unreadTooltip } from './tray';

let showInbox: ReturnType<typeof vi.fn<() => void>>;
let quit: ReturnType<typeof vi.fn<() => void>>;
let inbox: FakeBrowserWindow;

function controller(platform: NodeJS.Platform): TrayController {
  return new TrayController(
    { showInbox, quit, inboxWindow: () => inbox as unknown as BrowserWindow },
    platform,
  );
}

beforeEach(() => {
  resetFakeElectron();
  showInbox = vi.fn<() => void>();
  quit = vi.fn<() => void>();
  inbox = new FakeBrowserWindow({});
});

describe('TrayController', () => {
  it('creates a tray with Open Switchboard and Quit', () => {
    controller('linux').create();
    const [tray] = FakeTray.instances;
    expect(tray.tooltip).toBe('Switchboard');
    const labels = tray.menu?.items.map((item) => item.label ?? item.type);
    expect(labels).toEqual(['Open Switchboard', 'separator', 'Quit']);
    tray.menu?.items[0].click?.();
    expect(showInbox).toHaveBeenCalledTimes(1);
    tray.menu?.items[2].click?.();
    expect(quit).toHaveBeenCalledTimes(1);
    tray.emit('click');
    expect(showInbox).toHaveBeenCalledTimes(2);
  });

  it('puts the unread count in the tooltip and on the badge, and clears both at 0', () => {
    const trayController = controller('linux');
    trayController.create();
    trayController.setUnreadCount(5);
    const [tray] = FakeTray.instances;
    expect(tray.tooltip).toBe('Switchboard — 5 unread');
    expect(app.setBadgeCount).toHaveBeenLastCalledWith(5);
    trayController.setUnreadCount(0);
    expect(tray.tooltip).toBe('Switchboard');
    expect(app.setBadgeCount).toHaveBeenLastCalledWith(0);
  });

  it('sets the dock badge and the menu-bar title on macOS', () => {
    const trayController = controller('darwin');
    trayController.create();
    trayController.setUnreadCount(12);
    const [tray] = FakeTray.instances;
    expect(app.setBadgeCount).toHaveBeenLastCalledWith(12);
    expect(tray.title).toBe('12');
    expect((tray.image as FakeNativeImage).template).toBe(true);
    trayController.setUnreadCount(0);
    expect(tray.title).toBe('');
  });

  it('badges the taskbar button with an overlay on Windows, where app badges do not exist', () => {
    const trayController = controller('win32');
    trayController.create();
    trayController.setUnreadCount(3);
    expect(inbox.overlay?.description).toBe('Switchboard — 3 unread');
    expect(app.setBadgeCount).not.toHaveBeenCalled();
    trayController.setUnreadCount(0);
    expect(inbox.overlay).toBeNull();
  });

  it('sets the badge even before (or without) a tray', () => {
    const trayController = controller('linux');
    trayController.setUnreadCount(2);
    expect(app.setBadgeCount).toHaveBeenLastCalledWith(2);
    expect(trayController.getUnreadCount()).toBe(2);
    trayController.create();
    expect(FakeTray.instances[0].tooltip).toBe('Switchboard — 2 unread');
  });

  it('refuses a count that is not a non-negative integer', () => {
    const trayController = controller('linux');
    expect(() => trayController.setUnreadCount(-1)).toThrow();
    expect(() => trayController.setUnreadCount(1.5)).toThrow();
    expect(app.setBadgeCount).not.toHaveBeenCalled();
  });

  it('words the tooltip', () => {
    expect(unreadTooltip(0)).toBe('Switchboard');
    expect(unreadTooltip(1)).toBe('Switchboard — 1 unread');
  });
});

describe('icons', () => {
  it('draws a 32 px chat bubble: opaque inside, transparent around, dots cut out for templates', () => {
    const pixels = rasterize(iconShapes.chatIconAt, { bubble: [0, 0, 0], dot: null });
    expect(pixels.length).toBe(ICON_PIXELS * ICON_PIXELS * 4);
    const alphaAt = (x: number, y: number): number => pixels[(y * ICON_PIXELS + x) * 4 + 3];
    expect(alphaAt(0, 0)).toBe(0);
    expect(alphaAt(6, 8)).toBe(255);
    expect(alphaAt(16, 13)).toBe(0);
    expect(alphaAt(31, 31)).toBe(0);
  });

  it('gives other platforms a coloured icon', () => {
    const image = createTrayIcon('win32') as unknown as FakeNativeImage;
    expect(image.template).toBe(false);
    expect(image.options).toEqual({ width: 32, height: 32, scaleFactor: 2 });
  });
});
