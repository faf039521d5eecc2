import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./testing/fake-electron'));

import { InvokeChannel, invokeArgumentSchemas } from '../src-preload/ipc-contract';
import { isRendererUrl } from './config';
import { IpcRouter, senderRefusal } from './ipc';
import type { SenderPolicy } from './ipc';
import { FakeWebContents, ipcMain, resetFakeElectron } from './testing/fake-electron';

const ourWindow = new FakeWebContents();
const strangerWindow = new FakeWebContents();

const policy: SenderPolicy = {
  isTrustedPageUrl: (url) => isRendererUrl({ devRendererUrl: null }, url),
  isOwnWebContents: (contents) => contents.id === ourWindow.id,
};

interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

function invokeEvent(options: { url?: string; sender?: FakeWebContents; frame?: FakeFrame | null } = {}) {
  const frame =
    options.frame !== undefined ? options.frame : { url: options.url ?? 'app://switchboard/index.html?server=x', parent: null };
  return { sender: options.sender ?? ourWindow, senderFrame: frame };
}

let router: IpcRouter;
let warnings: string[];

beforeEach(() => {
  resetFakeElectron();
  warnings = [];
  router = new IpcRouter(policy, (message) => warnings.push(message));
});

describe('senderRefusal', () => {
  const check = (event: ReturnType<typeof invokeEvent>) => senderRefusal(event as never, policy);

  it('lets our top-level page in our window call', () => {
    expect(check(invokeEvent())).toBeNull();
  });

  it('refuses a page from another origin', () => {
    expect(check(invokeEvent({ url: 'https://evil.example.com/' }))).toMatch(/untrusted page/);
    expect(check(invokeEvent({ url: 'file:///tmp/index.html' }))).toMatch(/untrusted page/);
    expect(check(invokeEvent({ url: 'app://other-host/index.html' }))).toMatch(/untrusted page/);
  });

  it('refuses a window that is not ours, even showing our page', () => {
    expect(check(invokeEvent({ sender: strangerWindow }))).toMatch(/not a Switchboard window/);
  });

  it('refuses subframes and vanished frames', () => {
    const top = { url: 'app://switchboard/index.html', parent: null };
    expect(check(invokeEvent({ frame: { url: 'app://switchboard/panel.html', parent: top } }))).toMatch(/top-level/);
    expect(check(invokeEvent({ frame: null }))).toMatch(/gone/);
  });
});

describe('IpcRouter', () => {
  it('passes a valid call from our page to the handler and returns its result', async () => {
    const handler = vi.fn(([count]: [number]) => {
      void count;
    });
    router.handle(InvokeChannel.setBadge, invokeArgumentSchemas[InvokeChannel.setBadge], handler);
    await expect(ipcMain.invoke(InvokeChannel.setBadge, invokeEvent(), 5)).resolves.toBeUndefined();
    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler.mock.calls[0][0]).toEqual([5]);

    router.handle(InvokeChannel.openExternal, invokeArgumentSchemas[InvokeChannel.openExternal], async ([url]) =>
      url.startsWith('https:'),
    );
    await expect(ipcMain.invoke(InvokeChannel.openExternal, invokeEvent(), 'https://example.com')).resolves.toBe(true);
  });

  it('refuses a foreign sender without calling the handler', async () => {
    const handler = vi.fn();
    router.handle(InvokeChannel.openSettings, invokeArgumentSchemas[InvokeChannel.openSettings], handler);
    await expect(ipcMain.invoke(InvokeChannel.openSettings, invokeEvent({ url: 'https://evil.example.com/' }))).rejects.toThrow(
      /switchboard:open-settings refused: untrusted page/,
    );
    await expect(ipcMain.invoke(InvokeChannel.openSettings, invokeEvent({ sender: strangerWindow }))).rejects.toThrow(/refused/);
    expect(handler).not.toHaveBeenCalled();
    expect(warnings).toHaveLength(2);
  });

  it('refuses invalid arguments with a clear error, without calling the handler', async () => {
    const handler = vi.fn();
    router.handle(InvokeChannel.notify, invokeArgumentSchemas[InvokeChannel.notify], handler);
    const valid = { id: 'n1', title: 'Anna', body: 'Hello', conversationId: 12 };
    const invalid: Array<[unknown[], RegExp]> = [
      [[], /invalid arguments/],
      [[{ ...valid, conversationId: -1 }], /conversationId/],
      [[{ ...valid, conversationId: 1.5 }], /conversationId/],
      [[{ ...valid, title: 42 }], /title/],
      [[{ ...valid, extra: true }], /extra/],
      [[valid, 'second argument'], /invalid arguments/],
      [['just a string'], /invalid arguments/],
    ];
    for (const [args, message] of invalid) {
      await expect(ipcMain.invoke(InvokeChannel.notify, invokeEvent(), ...args)).rejects.toThrow(message);
    }
    expect(handler).not.toHaveBeenCalled();
    await ipcMain.invoke(InvokeChannel.notify, invokeEvent(), valid);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('checks the sender before it looks at the arguments', async () => {
    router.handle(InvokeChannel.setBadge, invokeArgumentSchemas[InvokeChannel.setBadge], vi.fn());
    await expect(
      ipcMain.invoke(InvokeChannel.setBadge, invokeEvent({ url: 'https://evil.example.com/' }), 'garbage'),
    ).rejects.toThrow(/refused/);
  });

  it('refuses a second handler for one channel and unregisters on dispose', () => {
    router.handle(InvokeChannel.getInfo, invokeArgumentSchemas[InvokeChannel.getInfo], () => ({
      platform: 'linux',
      version: '1',
      mode: 'electron',
    }));
    expect(() =>
      router.handle(InvokeChannel.getInfo, invokeArgumentSchemas[InvokeChannel.getInfo], () => ({
        platform: 'linux',
        version: '1',
        mode: 'electron',
      })),
    ).toThrow(/already has a handler/);
    expect(router.registeredChannels()).toEqual([InvokeChannel.getInfo]);
    router.dispose();
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('refuses channels without the switchboard: prefix', () => {
    expect(() => router.handle('get-info' as never, invokeArgumentSchemas[InvokeChannel.getInfo] as never, vi.fn())).toThrow(
      /prefix/,
    );
  });
});
