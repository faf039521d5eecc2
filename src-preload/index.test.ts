import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SwitchboardBridge } from './api';

type InvokeMock = ReturnType<typeof vi.fn<(channel: string, ...args: unknown[]) => Promise<unknown>>>;

const fake = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoke: null as unknown as InvokeMock,
  renderer: null as unknown as import('node:events').EventEmitter,
}));

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events');
  const renderer = new Emitter();
  fake.renderer = renderer;
  fake.invoke = vi.fn(async (channel: string, ...args: unknown[]): Promise<unknown> => ({ channel, args }));
  return {
    contextBridge: {
      exposeInMainWorld: (key: string, api: unknown) => fake.exposed.set(key, api),
    },
    ipcRenderer: {
      invoke: (channel: string, ...args: unknown[]) => fake.invoke(channel, ...args),
      on: (channel: string, listener: (...args: unknown[]) => void) => renderer.on(channel, listener),
      removeListener: (channel: string, listener: (...args: unknown[]) => void) => renderer.removeListener(channel, listener),
    },
  };
});

/** A fresh preload, as each page load gets. */
async function loadPreload(): Promise<SwitchboardBridge> {
  vi.resetModules();
  fake.exposed.clear();
  fake.renderer?.removeAllListeners();
  await import('./index');
  const bridge = fake.exposed.get('switchboard') as SwitchboardBridge;
  expect(bridge).toBeDefined();
  return bridge;
}

/** What the main process does with webContents.send. */
function sendFromMain(channel: string, ...args: unknown[]): void {
  fake.renderer.emit(channel, { sender: 'the ipcRenderer the page must never get' }, ...args);
}

const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  vi.clearAllMocks();
});

describe('preload bridge', () => {
  it('exposes exactly the named methods under window.switchboard, and no ipcRenderer', async () => {
    const bridge = await loadPreload();
    expect([...fake.exposed.keys()]).toEqual(['switchboard']);
    expect(Object.keys(bridge).sort()).toEqual(
      ['getInfo', 'notify', 'onOpenConversation', 'openExternal', 'openSettings', 'secrets', 'setBadge'].sort(),
    );
    expect(Object.keys(bridge.secrets).sort()).toEqual(['clearSession', 'loadSession', 'saveSession']);
    const { secrets, ...methods } = bridge;
    for (const value of [...Object.values(methods), ...Object.values(secrets)]) expect(typeof value).toBe('function');
    expect(JSON.stringify(Object.keys(bridge))).not.toMatch(/invoke|ipc|send/i);
  });

  it('calls each method on its prefixed channel with its arguments', async () => {
    const bridge = await loadPreload();
    const session = { serverUrl: 'https://s', refreshToken: 't', userId: 1, companyId: 2 };
    const notification = { id: 'a', title: 't', body: 'b', conversationId: 3 };
    await bridge.getInfo();
    await bridge.secrets.saveSession(session);
    await bridge.secrets.loadSession();
    await bridge.secrets.clearSession();
    await bridge.notify(notification);
    await bridge.setBadge(7);
    await bridge.openSettings();
    await bridge.openExternal('https://example.com');
    expect(fake.invoke.mock.calls).toEqual([
      ['switchboard:get-info'],
      ['switchboard:secrets:save-session', session],
      ['switchboard:secrets:load-session'],
      ['switchboard:secrets:clear-session'],
      ['switchboard:notify', notification],
      ['switchboard:set-badge', 7],
      ['switchboard:open-settings'],
      ['switchboard:open-external', 'https://example.com'],
    ]);
    for (const [channel] of fake.invoke.mock.calls) expect(channel).toMatch(/^switchboard:/);
  });

  it('returns what the main process answered', async () => {
    const bridge = await loadPreload();
    fake.invoke.mockResolvedValueOnce(true);
    await expect(bridge.openExternal('https://example.com')).resolves.toBe(true);
    fake.invoke.mockRejectedValueOnce(new Error('switchboard:set-badge invalid arguments'));
    await expect(bridge.setBadge(-1)).rejects.toThrow(/invalid arguments/);
  });

  it('passes open-conversation events on with the id only, and unsubscribes', async () => {
    const bridge = await loadPreload();
    const received: unknown[][] = [];
    const unsubscribe = bridge.onOpenConversation((...args: unknown[]) => received.push(args));
    sendFromMain('switchboard:open-conversation', 42);
    expect(received).toEqual([[42]]);

    sendFromMain('switchboard:open-conversation', 'not an id');
    sendFromMain('switchboard:open-conversation', -1);
    expect(received).toEqual([[42]]);

    unsubscribe();
    unsubscribe();
    sendFromMain('switchboard:open-conversation', 43);
    expect(received).toEqual([[42]]);
    expect(fake.renderer.listenerCount('switchboard:open-conversation')).toBe(1);
  });

  it('keeps a conversation that arrives before anyone subscribed for the first subscriber', async () => {
    const bridge = await loadPreload();
    sendFromMain('switchboard:open-conversation', 8);
    sendFromMain('switchboard:open-conversation', 9);
    const first: number[] = [];
    const second: number[] = [];
    bridge.onOpenConversation((id) => first.push(id));
    bridge.onOpenConversation((id) => second.push(id));
    await flush();
    expect(first).toEqual([9]);
    expect(second).toEqual([]);
  });

  it('does not hand a waiting conversation to a listener that unsubscribed at once', async () => {
    const bridge = await loadPreload();
    sendFromMain('switchboard:open-conversation', 8);
    const received: number[] = [];
    bridge.onOpenConversation((id) => received.push(id))();
    await flush();
    expect(received).toEqual([]);
  });
});
