import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./testing/fake-electron'));

import { InvokeChannel } from '../src-preload/ipc-contract';
import { runDesktopApp } from './lifecycle';
import type { DesktopAppOptions } from './lifecycle';
import {
  FakeBrowserWindow,
  FakeEvent,
  FakeNotification,
  FakeTray,
  FakeWebContents,
  app,
  ipcMain,
  protocol,
  resetFakeElectron,
  session,
} from './testing/fake-electron';

const mainDir = path.join('/opt', 'switchboard', 'out', 'main');
let userData: string;

function start(overrides: Partial<DesktopAppOptions> = {}) {
  return runDesktopApp({
    env: { SWITCHBOARD_SERVER_URL: 'https://sync.example.com' },
    mainDir,
    platform: 'linux',
    processInfo: { execPath: '/opt/switchboard/switchboard', argv: ['/opt/switchboard/switchboard'] },
    log: () => {},
    ...overrides,
  });
}

async function startReady(overrides: Partial<DesktopAppOptions> = {}) {
  const running = start(overrides);
  if (!running) throw new Error('expected the single-instance lock');
  app.becomeReady();
  await running.ready;
  const inbox = FakeBrowserWindow.instances[0];
  return { running, inbox };
}

function fromPage(window: FakeBrowserWindow) {
  return { sender: window.webContents, senderFrame: { url: window.loadedUrls[0], parent: null } };
}

const openConversationMessages = (window: FakeBrowserWindow) =>
  window.webContents.sent.filter((message) => message.channel === 'switchboard:open-conversation');

beforeEach(async () => {
  resetFakeElectron();
  userData = await mkdtemp(path.join(tmpdir(), 'switchboard-lifecycle-'));
  app.userDataPath = userData;
});

afterEach(async () => {
  await rm(userData, { recursive: true, force: true });
});

describe('single instance', () => {
  it('quits at once when another instance holds the lock, touching nothing else', () => {
    app.singleInstanceLock = false;
    expect(start()).toBeNull();
    expect(app.quit).toHaveBeenCalledTimes(1);
    expect(app.listenerCount('second-instance')).toBe(0);
    expect(app.setAsDefaultProtocolClient).not.toHaveBeenCalled();
    expect(FakeBrowserWindow.instances).toHaveLength(0);
  });

  it('focuses the inbox and opens the conversation when a second instance brings a link', async () => {
    const { inbox } = await startReady();
    inbox.webContents.finishLoad();
    inbox.minimized = true;
    inbox.hide();

    app.emit('second-instance', new FakeEvent(), ['/opt/switchboard/switchboard', '--flag', 'switchboard://conversation/77'], '/home/op');

    expect(FakeBrowserWindow.instances).toHaveLength(1);
    expect(inbox.minimized).toBe(false);
    expect(inbox.visible).toBe(true);
    expect(openConversationMessages(inbox)).toEqual([{ channel: 'switchboard:open-conversation', args: [77] }]);
  });

  it('only focuses the inbox for a second instance without a link, or with an invalid one', async () => {
    const { inbox } = await startReady();
    inbox.webContents.finishLoad();
    inbox.hide();
    app.emit('second-instance', new FakeEvent(), ['/opt/switchboard/switchboard', 'switchboard://conversation/0'], '/');
    expect(inbox.visible).toBe(true);
    expect(openConversationMessages(inbox)).toEqual([]);
  });
});

describe('start-up', () => {
  it('registers the app:// scheme and the link handler before ready', () => {
    start();
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledTimes(1);
    expect(app.setAsDefaultProtocolClient).toHaveBeenCalledWith('switchboard');
    expect(app.listenerCount('open-url')).toBe(1);
    expect(FakeBrowserWindow.instances).toHaveLength(0);
  });

  it('on ready: serves app://, secures the session, answers IPC, opens the inbox and the tray', async () => {
    const { inbox } = await startReady();
    expect(protocol.handlers.has('app')).toBe(true);
    expect(session.defaultSession.headersListener).not.toBeNull();
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.values(InvokeChannel).sort());
    expect(FakeBrowserWindow.instances).toHaveLength(1);
    expect(FakeTray.instances).toHaveLength(1);
    const url = new URL(inbox.loadedUrls[0]);
    expect(url.href.startsWith('app://switchboard/index.html?')).toBe(true);
    expect(url.searchParams.get('server')).toBe('https://sync.example.com');
    expect(inbox.options.webPreferences).toMatchObject({
      preload: path.join('/opt', 'switchboard', 'out', 'preload', 'index.cjs'),
      sandbox: true,
      contextIsolation: true,
    });
  });

  it('defaults to the local sync server and uses the dev server when unpackaged', async () => {
    const { inbox } = await startReady({ env: { ELECTRON_RENDERER_URL: 'http://localhost:5173' } });
    const url = new URL(inbox.loadedUrls[0]);
    expect(url.origin).toBe('http://localhost:5173');
    expect(url.searchParams.get('server')).toBe('http://127.0.0.1:8787');
  });

  it('fails loudly on a malformed server URL', () => {
    expect(() => start({ env: { SWITCHBOARD_SERVER_URL: 'ftp://x' } })).toThrow(/SWITCHBOARD_SERVER_URL/);
  });

  it('opens the conversation of a link the app was started with (Windows/Linux)', async () => {
    const { inbox } = await startReady({
      processInfo: { execPath: '/opt/s', argv: ['/opt/s', 'switchboard://conversation/12'] },
    });
    expect(openConversationMessages(inbox)).toEqual([]);
    inbox.webContents.finishLoad();
    expect(openConversationMessages(inbox)).toEqual([{ channel: 'switchboard:open-conversation', args: [12] }]);
  });

  it('opens the conversation of a macOS link that arrived before ready', async () => {
    const running = start({ platform: 'darwin' });
    const event = new FakeEvent();
    app.emit('open-url', event, 'switchboard://conversation/31');
    expect(event.defaultPrevented).toBe(true);
    app.becomeReady();
    await running?.ready;
    const [inbox] = FakeBrowserWindow.instances;
    inbox.webContents.finishLoad();
    expect(openConversationMessages(inbox)).toEqual([{ channel: 'switchboard:open-conversation', args: [31] }]);
  });

  it('sets the Windows app id so notifications are attributed to Switchboard', () => {
    start({ platform: 'win32' });
    expect(app.setAppUserModelId).toHaveBeenCalledWith('io.switchboard.desktop');
  });
});

describe('bridge wiring', () => {
  it('a notification click focuses the inbox and opens its conversation', async () => {
    const { inbox } = await startReady();
    inbox.webContents.finishLoad();
    await ipcMain.invoke(InvokeChannel.notify, fromPage(inbox), {
      id: 'm1',
      title: 'Anna (Telegram)',
      body: 'Is my order shipped?',
      conversationId: 5,
    });
    inbox.hide();
    const [notification] = FakeNotification.instances;
    notification.emit('click');
    expect(inbox.visible).toBe(true);
    expect(openConversationMessages(inbox)).toEqual([{ channel: 'switchboard:open-conversation', args: [5] }]);
  });

  it('sets the badge count from the inbox page', async () => {
    const { inbox } = await startReady();
    await ipcMain.invoke(InvokeChannel.setBadge, fromPage(inbox), 4);
    expect(app.setBadgeCount).toHaveBeenLastCalledWith(4);
    expect(FakeTray.instances[0].tooltip).toBe('Switchboard — 4 unread');
  });

  it('opens the settings window from the inbox, and accepts IPC from it too', async () => {
    const { inbox } = await startReady();
    await ipcMain.invoke(InvokeChannel.openSettings, fromPage(inbox));
    const settings = FakeBrowserWindow.instances[1];
    expect(new URL(settings.loadedUrls[0]).searchParams.get('window')).toBe('settings');
    await expect(ipcMain.invoke(InvokeChannel.getInfo, fromPage(settings))).resolves.toEqual({
      platform: 'linux',
      version: '0.1.0-test',
      mode: 'electron',
    });
  });

  it('refuses IPC from a webContents that is not one of our windows', async () => {
    await startReady();
    const stranger = new FakeWebContents();
    await expect(
      ipcMain.invoke(InvokeChannel.getInfo, { sender: stranger, senderFrame: { url: 'app://switchboard/index.html', parent: null } }),
    ).rejects.toThrow(/not a Switchboard window/);
  });

  it('stores the session under userData', async () => {
    const { inbox } = await startReady();
    const stored = { serverUrl: 'https://sync.example.com', refreshToken: 'token', userId: 1, companyId: 1 };
    await expect(ipcMain.invoke(InvokeChannel.saveSession, fromPage(inbox), stored)).resolves.toEqual({ ok: true });
    await expect(ipcMain.invoke(InvokeChannel.loadSession, fromPage(inbox))).resolves.toEqual(stored);
  });
});

describe('quitting', () => {
  it('hides the inbox on close while running, and really closes it once quitting', async () => {
    const { inbox } = await startReady();
    inbox.close();
    expect(inbox.isDestroyed()).toBe(false);
    app.emit('before-quit', new FakeEvent());
    inbox.close();
    expect(inbox.isDestroyed()).toBe(true);
  });

  it('brings the inbox back when the macOS dock icon is clicked', async () => {
    const { inbox } = await startReady({ platform: 'darwin' });
    inbox.close();
    expect(inbox.visible).toBe(false);
    app.emit('activate');
    expect(inbox.visible).toBe(true);
  });

  it('quits from the tray menu', async () => {
    await startReady();
    const quitItem = FakeTray.instances[0].menu?.items.find((item) => item.label === 'Quit');
    quitItem?.click?.();
    expect(app.quit).toHaveBeenCalledTimes(1);
  });

  it('exits when start-up fails after ready', async () => {
    const log = vi.fn();
    const running = start({ log });
    vi.spyOn(protocol, 'handle').mockImplementationOnce(() => {
      throw new Error('scheme already handled');
    });
    app.becomeReady();
    await expect(running?.ready).rejects.toThrow('scheme already handled');
    await vi.waitFor(() => expect(app.exit).toHaveBeenCalledWith(1));
    expect(log).toHaveBeenCalledWith(expect.stringContaining('scheme already handled'));
  });
});
