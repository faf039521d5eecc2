import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebContents } from 'electron';

vi.mock('electron', () => import('./testing/fake-electron'));

import { EventChannel } from '../src-preload/ipc-contract';
import { FakeBrowserWindow, FakeWebContents, resetFakeElectron } from './testing/fake-electron';
import { WindowManager } from './windows';

const config = { serverUrl: 'http://127.0.0.1:8787', devRendererUrl: null, preloadPath: '/app/out/preload/index.cjs' };

let windows: WindowManager;

beforeEach(() => {
  resetFakeElectron();
  windows = new WindowManager(config, () => {});
});

const fake = (window: unknown): FakeBrowserWindow => window as FakeBrowserWindow;

describe('WindowManager', () => {
  it('creates the inbox window sandboxed, loading the renderer with the server URL', () => {
    const inbox = fake(windows.showInbox());
    expect(FakeBrowserWindow.instances).toHaveLength(1);
    expect(inbox.options.webPreferences).toMatchObject({
      preload: config.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
    expect(inbox.options.show).toBe(false);
    const url = new URL(inbox.loadedUrls[0]);
    expect(url.href.startsWith('app://switchboard/index.html?')).toBe(true);
    expect(url.searchParams.get('server')).toBe(config.serverUrl);
    expect(url.searchParams.has('window')).toBe(false);
  });

  it('shows a new window after its first paint', () => {
    const inbox = fake(windows.showInbox());
    expect(inbox.visible).toBe(false);
    inbox.emit('ready-to-show');
    expect(inbox.visible).toBe(true);
  });

  it('keeps one inbox window and brings it back when asked again', () => {
    const inbox = fake(windows.showInbox());
    inbox.emit('ready-to-show');
    inbox.minimized = true;
    inbox.hide();
    const again = fake(windows.showInbox());
    expect(again).toBe(inbox);
    expect(FakeBrowserWindow.instances).toHaveLength(1);
    expect(inbox.minimized).toBe(false);
    expect(inbox.visible).toBe(true);
    expect(inbox.focusCount).toBeGreaterThanOrEqual(2);
  });

  it('opens one separate settings window with ?window=settings and focuses it on the next request', () => {
    windows.showInbox();
    const settings = fake(windows.openSettings());
    expect(FakeBrowserWindow.instances).toHaveLength(2);
    expect(settings.options.parent).toBeUndefined();
    expect(new URL(settings.loadedUrls[0]).searchParams.get('window')).toBe('settings');
    expect(new URL(settings.loadedUrls[0]).searchParams.get('server')).toBe(config.serverUrl);
    expect(settings.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true });

    const focusesBefore = settings.focusCount;
    expect(fake(windows.openSettings())).toBe(settings);
    expect(FakeBrowserWindow.instances).toHaveLength(2);
    expect(settings.focusCount).toBe(focusesBefore + 1);
  });

  it('creates a new settings window after the old one was closed', () => {
    const first = fake(windows.openSettings());
    first.close();
    expect(first.isDestroyed()).toBe(true);
    expect(windows.get('settings')).toBeNull();
    const second = fake(windows.openSettings());
    expect(second).not.toBe(first);
  });

  it('hides the inbox on close so sync keeps running, and closes it when quitting', () => {
    const inbox = fake(windows.showInbox());
    inbox.emit('ready-to-show');
    inbox.close();
    expect(inbox.isDestroyed()).toBe(false);
    expect(inbox.visible).toBe(false);
    expect(windows.get('inbox')).toBe(inbox);

    windows.prepareToQuit();
    inbox.close();
    expect(inbox.isDestroyed()).toBe(true);
    expect(windows.get('inbox')).toBeNull();
  });

  it('lets Windows log off: a session end makes closing the inbox real', () => {
    const inbox = fake(windows.showInbox());
    inbox.emit('session-end');
    inbox.close();
    expect(inbox.isDestroyed()).toBe(true);
  });

  it('knows its own webContents', () => {
    const inbox = fake(windows.showInbox());
    const settings = fake(windows.openSettings());
    expect(windows.isOwnWebContents(inbox.webContents as unknown as WebContents)).toBe(true);
    expect(windows.isOwnWebContents(settings.webContents as unknown as WebContents)).toBe(true);
    expect(windows.isOwnWebContents(new FakeWebContents() as unknown as WebContents)).toBe(false);
    settings.close();
    expect(windows.isOwnWebContents(settings.webContents as unknown as WebContents)).toBe(false);
  });

  it('sends to the inbox after it has loaded', () => {
    expect(windows.sendToInbox(EventChannel.openConversation, 5)).toBe(false);
    const inbox = fake(windows.showInbox());
    expect(windows.sendToInbox(EventChannel.openConversation, 42)).toBe(true);
    expect(inbox.webContents.sent).toEqual([]);
    inbox.webContents.finishLoad();
    expect(inbox.webContents.sent).toEqual([{ channel: 'switchboard:open-conversation', args: [42] }]);
    windows.sendToInbox(EventChannel.openConversation, 43);
    expect(inbox.webContents.sent).toHaveLength(2);
  });

  it('logs a page that fails to load', async () => {
    const log = vi.fn();
    const manager = new WindowManager({ ...config, devRendererUrl: 'http://localhost:5173/' }, log);
    vi.spyOn(FakeBrowserWindow.prototype, 'loadURL').mockRejectedValueOnce(new Error('ERR_CONNECTION_REFUSED'));
    manager.showInbox();
    await vi.waitFor(() => expect(log).toHaveBeenCalledWith(expect.stringContaining('ERR_CONNECTION_REFUSED')));
  });
});
