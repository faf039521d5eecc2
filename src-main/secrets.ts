/**
 * The signed-in session, kept between launches only when the OS can encrypt it (Keychain, DPAPI,
 * libsecret/KWallet through `safeStorage`). Never in plaintext: where Electron would fall back to
 * its hard-coded key ("basic_text" on Linux) we store nothing and the user signs in again.
 */
import { app, safeStorage } from 'electron';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SaveSessionResult, StoredSession } from '../src-preload/api';
import { storedSessionSchema } from '../src-preload/ipc-contract';

const SESSION_FILE = 'session.enc';

/** Linux backends that are not a real key store: "basic_text" is a fixed key, "unknown" is no answer. */
const UNSAFE_LINUX_BACKENDS = new Set(['basic_text', 'unknown']);

export function isSecureStorageAvailable(platform: NodeJS.Platform = process.platform): boolean {
  if (!safeStorage.isEncryptionAvailable()) return false;
  if (platform === 'linux' && UNSAFE_LINUX_BACKENDS.has(safeStorage.getSelectedStorageBackend())) return false;
  return true;
}

export class SessionStore {
  constructor(
    private readonly directory: string = app.getPath('userData'),
    private readonly platform: NodeJS.Platform = process.platform,
  ) {}

  private get filePath(): string {
    return path.join(this.directory, SESSION_FILE);
  }

  async save(session: StoredSession): Promise<SaveSessionResult> {
    const valid = storedSessionSchema.parse(session);
    if (!isSecureStorageAvailable(this.platform)) {
      // An older session must not outlive the one the user just signed in with.
      await this.clear();
      return { ok: false, reason: 'encryption_unavailable' };
    }
    const encrypted = safeStorage.encryptString(JSON.stringify(valid));
    await mkdir(this.directory, { recursive: true });
    // Write then rename, so a crash never leaves half a file behind.
    const temporary = `${this.filePath}.${process.pid}.tmp`;
    await writeFile(temporary, encrypted, { mode: 0o600 });
    await rename(temporary, this.filePath);
    return { ok: true };
  }

  /** The stored session; null when there is none, when it cannot be read, or when storage is unsafe. */
  async load(): Promise<StoredSession | null> {
    if (!isSecureStorageAvailable(this.platform)) return null;
    let encrypted: Buffer;
    try {
      encrypted = await readFile(this.filePath);
    } catch {
      return null;
    }
    try {
      const parsed = storedSessionSchema.safeParse(JSON.parse(safeStorage.decryptString(encrypted)));
      if (parsed.success) return parsed.data;
    } catch {
      // Undecryptable (the OS key changed) or corrupt: fall through and forget it.
    }
    await this.clear();
    return null;
  }

  async clear(): Promise<void> {
    await rm(this.filePath, { force: true });
  }
}
