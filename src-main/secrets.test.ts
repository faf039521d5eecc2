import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./testing/fake-electron'));

import type { StoredSession } from '../src-preload/api';
import { SessionStore, isSecureStorageAvailable } from './secrets';
import { app, resetFakeElectron, safeStorage } from './testing/fake-electron';

const session: StoredSession = {
  serverUrl: 'https://sync.example.com',
  refreshToken: 'refresh-token-that-must-never-touch-disk-in-clear',
  userId: 7,
  companyId: 3,
};

let userData: string;

beforeEach(async () => {
  resetFakeElectron();
  userData = await mkdtemp(path.join(tmpdir(), 'switchboard-secrets-'));
  app.userDataPath = userData;
});

afterEach(async () => {
  await rm(userData, { recursive: true, force: true });
});

describe('isSecureStorageAvailable', () => {
  it('needs encryption, and on Linux a real key store', () => {
    expect(isSecureStorageAvailable('linux')).toBe(true);
    safeStorage.backend = 'basic_text';
    expect(isSecureStorageAvailable('linux')).toBe(false);
    safeStorage.backend = 'unknown';
    expect(isSecureStorageAvailable('linux')).toBe(false);
    safeStorage.backend = 'kwallet6';
    expect(isSecureStorageAvailable('linux')).toBe(true);
    // The backend is a Linux notion; elsewhere only availability counts.
    safeStorage.backend = 'unknown';
    expect(isSecureStorageAvailable('darwin')).toBe(true);
    safeStorage.available = false;
    expect(isSecureStorageAvailable('darwin')).toBe(false);
    expect(isSecureStorageAvailable('win32')).toBe(false);
  });
});

describe('SessionStore', () => {
  it('round-trips a session through encryption under userData (default directory)', async () => {
    const store = new SessionStore(undefined, 'linux');
    expect(await store.load()).toBeNull();
    expect(await store.save(session)).toEqual({ ok: true });
    expect(await store.load()).toEqual(session);

    const files = await readdir(userData);
    expect(files).toEqual(['session.enc']);
    const onDisk = await readFile(path.join(userData, 'session.enc'));
    expect(onDisk.toString('latin1')).not.toContain(session.refreshToken);
    expect(safeStorage.encryptString).toHaveBeenCalledTimes(1);
    if (process.platform !== 'win32') expect((await stat(path.join(userData, 'session.enc'))).mode & 0o777).toBe(0o600);
  });

  it('refuses to store anything when encryption is unavailable', async () => {
    safeStorage.available = false;
    const store = new SessionStore(userData, 'darwin');
    expect(await store.save(session)).toEqual({ ok: false, reason: 'encryption_unavailable' });
    expect(await readdir(userData)).toEqual([]);
    expect(safeStorage.encryptString).not.toHaveBeenCalled();
    expect(await store.load()).toBeNull();
  });

  it('refuses the Linux plaintext fallback (basic_text)', async () => {
    safeStorage.backend = 'basic_text';
    const store = new SessionStore(userData, 'linux');
    expect(await store.save(session)).toEqual({ ok: false, reason: 'encryption_unavailable' });
    expect(await readdir(userData)).toEqual([]);
    expect(safeStorage.encryptString).not.toHaveBeenCalled();
  });

  it('forgets an older session when a new one cannot be stored', async () => {
    const store = new SessionStore(userData, 'linux');
    await store.save(session);
    safeStorage.backend = 'basic_text';
    expect(await store.save({ ...session, userId: 8 })).toEqual({ ok: false, reason: 'encryption_unavailable' });
    safeStorage.backend = 'gnome_libsecret';
    expect(await store.load()).toBeNull();
  });

  it('does not read a stored session while storage is unsafe', async () => {
    const store = new SessionStore(userData, 'linux');
    await store.save(session);
    safeStorage.backend = 'basic_text';
    expect(await store.load()).toBeNull();
    expect(safeStorage.decryptString).not.toHaveBeenCalled();
  });

  it('clears the session', async () => {
    const store = new SessionStore(userData, 'linux');
    await store.save(session);
    await store.clear();
    expect(await store.load()).toBeNull();
    expect(await readdir(userData)).toEqual([]);
    await expect(store.clear()).resolves.toBeUndefined();
  });

  it('drops a file it cannot decrypt or that holds no valid session', async () => {
    const store = new SessionStore(userData, 'linux');
    await writeFile(path.join(userData, 'session.enc'), 'garbage');
    expect(await store.load()).toBeNull();
    expect(await readdir(userData)).toEqual([]);

    await writeFile(path.join(userData, 'session.enc'), safeStorage.encryptString(JSON.stringify({ ...session, userId: 0 })));
    expect(await store.load()).toBeNull();
    expect(await readdir(userData)).toEqual([]);
  });

  it('refuses to save a malformed session', async () => {
    const store = new SessionStore(userData, 'linux');
    await expect(store.save({ ...session, serverUrl: 'javascript:alert(1)' })).rejects.toThrow();
    expect(await readdir(userData)).toEqual([]);
  });

  it('creates userData when it does not exist yet', async () => {
    const store = new SessionStore(path.join(userData, 'nested', 'profile'), 'linux');
    expect(await store.save(session)).toEqual({ ok: true });
    expect(await store.load()).toEqual(session);
  });
});
