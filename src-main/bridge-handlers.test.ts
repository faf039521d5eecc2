import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./testing/fake-electron'));

import type { HostInfo, NotificationRequest, StoredSession } from '../src-preload/api';
import { InvokeChannel } from '../src-preload/ipc-contract';
import { registerBridgeHandlers } from './bridge-handlers';
import type { BridgeServices } from './bridge-handlers';
import { IpcRouter } from './ipc';
import { FakeWebContents, ipcMain, resetFakeElectron } from './testing/fake-electron';

const page = new FakeWebContents();
const fromOurPage = { sender: page, senderFrame: { url: 'app://switchboard/index.html', parent: null } };
const fromElsewhere = { sender: page, senderFrame: { url: 'https://evil.example.com/', parent: null } };

const session: StoredSession = { serverUrl: 'https://sync.example.com', refreshToken: 'r', userId: 1, companyId: 2 };

function makeServices() {
  return {
    hostInfo: (): HostInfo => ({ platform: 'linux', version: '0.1.0', mode: 'electron' }),
    sessions: {
      save: vi.fn<BridgeServices['sessions']['save']>(async () => ({ ok: true })),
      load: vi.fn<BridgeServices['sessions']['load']>(async () => session),
      clear: vi.fn<BridgeServices['sessions']['clear']>(async () => {}),
    },
    notifications: { show: vi.fn<(notification: NotificationRequest) => void>() },
    badge: { setUnreadCount: vi.fn<(count: number) => void>() },
    openSettings: vi.fn<() => void>(),
    openExternal: vi.fn<(url: string) => Promise<boolean>>(async (url) => url.startsWith('https:')),
  } satisfies BridgeServices;
}

let services: ReturnType<typeof makeServices>;
let router: IpcRouter;

beforeEach(() => {
  resetFakeElectron();
  services = makeServices();
  router = new IpcRouter(
    { isTrustedPageUrl: (url) => url.startsWith('app://switchboard/'), isOwnWebContents: (contents) => contents.id === page.id },
    () => {},
  );
  registerBridgeHandlers(router, services);
});

describe('registerBridgeHandlers', () => {
  it('answers every channel of the contract', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.values(InvokeChannel).sort());
  });

  it('connects each bridge method to its service', async () => {
    await expect(ipcMain.invoke(InvokeChannel.getInfo, fromOurPage)).resolves.toEqual({
      platform: 'linux',
      version: '0.1.0',
      mode: 'electron',
    });
    await expect(ipcMain.invoke(InvokeChannel.saveSession, fromOurPage, session)).resolves.toEqual({ ok: true });
    expect(services.sessions.save).toHaveBeenCalledWith(session);
    await expect(ipcMain.invoke(InvokeChannel.loadSession, fromOurPage)).resolves.toEqual(session);
    await ipcMain.invoke(InvokeChannel.clearSession, fromOurPage);
    expect(services.sessions.clear).toHaveBeenCalledTimes(1);

    const notification = { id: 'a', title: 'Anna', body: 'Hi', conversationId: 4 };
    await ipcMain.invoke(InvokeChannel.notify, fromOurPage, notification);
    expect(services.notifications.show).toHaveBeenCalledWith(notification);

    await ipcMain.invoke(InvokeChannel.setBadge, fromOurPage, 9);
    expect(services.badge.setUnreadCount).toHaveBeenCalledWith(9);

    await ipcMain.invoke(InvokeChannel.openSettings, fromOurPage);
    expect(services.openSettings).toHaveBeenCalledTimes(1);

    await expect(ipcMain.invoke(InvokeChannel.openExternal, fromOurPage, 'https://example.com')).resolves.toBe(true);
  });

  it('never reaches a service from a foreign page or with bad arguments', async () => {
    await expect(ipcMain.invoke(InvokeChannel.saveSession, fromElsewhere, session)).rejects.toThrow(/refused/);
    await expect(ipcMain.invoke(InvokeChannel.saveSession, fromOurPage, { ...session, userId: '1' })).rejects.toThrow(/userId/);
    await expect(ipcMain.invoke(InvokeChannel.setBadge, fromOurPage, -3)).rejects.toThrow(/invalid arguments/);
    await expect(ipcMain.invoke(InvokeChannel.setBadge, fromOurPage, '3')).rejects.toThrow(/invalid arguments/);
    await expect(ipcMain.invoke(InvokeChannel.openExternal, fromOurPage, { href: 'https://x' })).rejects.toThrow(/invalid arguments/);
    await expect(ipcMain.invoke(InvokeChannel.openSettings, fromOurPage, 'extra')).rejects.toThrow(/invalid arguments/);
    expect(services.sessions.save).not.toHaveBeenCalled();
    expect(services.badge.setUnreadCount).not.toHaveBeenCalled();
    expect(services.openExternal).not.toHaveBeenCalled();
    expect(services.openSettings).not.toHaveBeenCalled();
  });
});
