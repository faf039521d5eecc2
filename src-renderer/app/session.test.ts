import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TokenPair } from './auth-api';

const SERVER = 'http://sync.test';
const stored = { serverUrl: SERVER, userId: 7, companyId: 3, refreshToken: 'refresh-1' };

// What the session talks to: the bridge (stored session), the server's auth API and the runtime.
const refresh = vi.fn<(server: string, token: string) => Promise<TokenPair>>();
const me = vi.fn();
const startRuntime = vi.fn(async (_creds: { accessToken: string }) => undefined);
const stopRuntime = vi.fn(async (_opts: { wipe: boolean }) => undefined);

vi.mock('../bridge', () => ({
  getBridge: () => ({
    getInfo: async () => ({ mode: 'browser' }),
    secrets: { loadSession: async () => stored, saveSession: async () => ({ ok: true }), clearSession: async () => undefined },
  }),
  serverUrlFromLocation: () => SERVER,
}));
vi.mock('./auth-api', () => ({ authApi: { refresh: (s: string, t: string) => refresh(s, t), me: (...args: unknown[]) => me(...args) } }));
vi.mock('./runtime', () => ({
  startRuntime: (creds: { accessToken: string }) => startRuntime(creds),
  stopRuntime: (opts: { wipe: boolean }) => stopRuntime(opts),
}));

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const pair = (): TokenPair => ({ accessToken: 'access-1', accessExpiresAt: Date.now() + 3_600_000, refreshToken: 'refresh-2', userId: 7, companyId: 3 }) as TokenPair;

describe('restoring the stored session at launch', () => {
  beforeEach(() => {
    vi.resetModules();
    refresh.mockReset();
    me.mockReset();
    startRuntime.mockClear();
    stopRuntime.mockClear();
    vi.stubGlobal('location', { hash: '#/', href: `${SERVER}/`, origin: SERVER });
    // No Web Locks here: renewals run unlocked, as in a browser without them.
    vi.stubGlobal('navigator', {});
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('opens the inbox on the local store before the renewal answers, then takes the user from the server', async () => {
    const renewal = deferred<TokenPair>();
    refresh.mockReturnValue(renewal.promise);
    me.mockResolvedValue({ userId: 7, name: 'Maria', isOwner: true, groupIds: [], roleId: null });
    const { boot, useSession } = await import('./session');
    const booted = boot();
    await vi.waitFor(() => expect(startRuntime).toHaveBeenCalledTimes(1));
    // Signed in and the runtime started, without an access token yet: the worker asks for one.
    expect(useSession.getState()).toMatchObject({ phase: 'signed-in', userId: 7, companyId: 3, me: null });
    expect(startRuntime.mock.calls[0][0].accessToken).toBe('');
    await vi.waitFor(() => expect(refresh).toHaveBeenCalledTimes(1));

    renewal.resolve(pair());
    await booted;
    expect(me).toHaveBeenCalledWith(SERVER, 'access-1');
    expect(useSession.getState().me).toMatchObject({ name: 'Maria' });
  });

  it('stays in the inbox when the server cannot be reached (local-first)', async () => {
    refresh.mockRejectedValue(new TypeError('fetch failed'));
    const { boot, useSession } = await import('./session');
    await boot();
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(startRuntime).toHaveBeenCalledTimes(1);
    expect(stopRuntime).not.toHaveBeenCalled();
    expect(useSession.getState().phase).toBe('signed-in');
  });

  it('signs out, keeping the local copy, when the server refuses the stored session', async () => {
    // The same module instance as the session's (the modules are loaded afresh per test).
    const { ApiError } = await import('./http');
    refresh.mockRejectedValue(new ApiError(401, null, 'Session ended'));
    const { boot, useSession } = await import('./session');
    await boot();
    await vi.waitFor(() => expect(useSession.getState().phase).toBe('signed-out'));
    expect(stopRuntime).toHaveBeenCalledWith({ wipe: false });
    expect(useSession.getState().endedReason).toBe('expired');
  });
});
