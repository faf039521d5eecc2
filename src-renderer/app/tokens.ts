/**
 * The signed-in session's tokens. Access tokens live 15 minutes and are renewed a minute before
 * they expire (and whenever the sync worker asks); refresh tokens rotate on every renewal, so the
 * new one is persisted at once. Renewals are serialised across windows with a Web Lock, and a
 * window that finds the stored refresh token already rotated by another window uses that one.
 */
import { getBridge } from '../bridge';
import { authApi, type TokenPair } from './auth-api';
import { ApiError, NetworkError } from './http';
import { useLive } from './live-state';

export interface Credentials {
  serverUrl: string;
  userId: number;
  companyId: number;
  accessToken: string;
  /** Unix ms; 0 when no access token was obtained yet (offline start). */
  accessExpiresAt: number;
  refreshToken: string;
}

/** The server refused the refresh token: the session is over (signed out elsewhere, deactivated, expired). */
export class SessionEnded extends Error {
  constructor() {
    super('session ended');
    this.name = 'SessionEnded';
  }
}

type TokenListener = (creds: Credentials) => void;

const RENEW_BEFORE_MS = 60_000;
const RETRY_MIN_MS = 5_000;
const RETRY_MAX_MS = 60_000;
const LOCK_NAME = 'switchboard-token-refresh';

let current: Credentials | null = null;
/** False when the OS offers no key store: the session then lives in memory only. */
let persisted = true;
let inFlight: Promise<string> | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;
let retryDelay = RETRY_MIN_MS;
const listeners = new Set<TokenListener>();
let onEnded: (() => void) | null = null;

export function credentials(): Credentials | null {
  return current;
}

export function isPersisted(): boolean {
  return persisted;
}

/** Called with every new access token (the worker and other windows get it). */
export function onTokens(listener: TokenListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** What happens when the server refuses the refresh token. */
export function setSessionEndedHandler(handler: (() => void) | null): void {
  onEnded = handler;
}

/** Adopts a fresh pair (sign-in, sign-up, invitation) and stores the refresh token. */
export async function adoptTokens(serverUrl: string, pair: TokenPair): Promise<{ persisted: boolean }> {
  current = {
    serverUrl,
    userId: pair.userId,
    companyId: pair.companyId,
    accessToken: pair.accessToken,
    accessExpiresAt: pair.accessExpiresAt,
    refreshToken: pair.refreshToken,
  };
  persisted = await persist(current);
  retryDelay = RETRY_MIN_MS;
  schedule();
  emit();
  return { persisted };
}

/** Restores a stored session without an access token yet (the first renewal fetches one). */
export function adoptStored(serverUrl: string, userId: number, companyId: number, refreshToken: string): void {
  current = { serverUrl, userId, companyId, accessToken: '', accessExpiresAt: 0, refreshToken };
  persisted = true;
}

export function clearTokens(): void {
  current = null;
  inFlight = null;
  if (timer) clearTimeout(timer);
  timer = null;
}

/** A valid access token, renewing it first when it is (nearly) expired. */
export async function accessToken(): Promise<string> {
  if (!current) throw new SessionEnded();
  if (current.accessToken && current.accessExpiresAt - Date.now() > 10_000) return current.accessToken;
  return refreshNow();
}

/** Renews the access token now; concurrent callers share one renewal. */
export function refreshNow(): Promise<string> {
  if (!current) return Promise.reject(new SessionEnded());
  if (!inFlight) {
    inFlight = withLock(renew).finally(() => {
      inFlight = null;
    });
  }
  return inFlight;
}

async function persist(creds: Credentials): Promise<boolean> {
  try {
    const result = await getBridge().secrets.saveSession({
      serverUrl: creds.serverUrl,
      refreshToken: creds.refreshToken,
      userId: creds.userId,
      companyId: creds.companyId,
    });
    return result.ok;
  } catch {
    return false;
  }
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return fn();
  return locks.request(LOCK_NAME, fn) as Promise<T>;
}

async function storedRefreshToken(creds: Credentials): Promise<string | null> {
  if (!persisted) return null;
  try {
    const stored = await getBridge().secrets.loadSession();
    if (stored && stored.userId === creds.userId && stored.serverUrl === creds.serverUrl) return stored.refreshToken;
  } catch {
    /* no stored session */
  }
  return null;
}

async function renew(): Promise<string> {
  const creds = current;
  if (!creds) throw new SessionEnded();
  // Another window may have rotated the refresh token since we read it.
  let token = (await storedRefreshToken(creds)) ?? creds.refreshToken;
  let pair: TokenPair;
  try {
    pair = await authApi.refresh(creds.serverUrl, token);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      const again = await storedRefreshToken(creds);
      if (again && again !== token) {
        token = again;
        try {
          pair = await authApi.refresh(creds.serverUrl, token);
        } catch (retryErr) {
          return failed(retryErr);
        }
      } else {
        return failed(err);
      }
    } else {
      return failed(err);
    }
  }
  if (current !== creds) throw new SessionEnded();
  current = { ...creds, accessToken: pair.accessToken, accessExpiresAt: pair.accessExpiresAt, refreshToken: pair.refreshToken };
  // Rotation: the old refresh token stopped working, so the new one is stored at once.
  if (persisted) persisted = await persist(current);
  retryDelay = RETRY_MIN_MS;
  useLive.setState({ unreachable: false });
  schedule();
  emit();
  return current.accessToken;
}

function failed(err: unknown): never {
  if (err instanceof ApiError && err.status === 401) {
    clearTokens();
    onEnded?.();
    throw new SessionEnded();
  }
  // Offline or the server is down: try again later, a little less often each time.
  if (!(err instanceof ApiError)) useLive.setState({ unreachable: true });
  scheduleIn(retryDelay);
  retryDelay = Math.min(RETRY_MAX_MS, retryDelay * 2);
  throw err instanceof ApiError || err instanceof NetworkError ? err : new NetworkError();
}

function schedule(): void {
  if (!current) return;
  scheduleIn(Math.max(5_000, current.accessExpiresAt - Date.now() - RENEW_BEFORE_MS));
}

function scheduleIn(ms: number): void {
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = null;
    refreshNow().catch(() => undefined);
  }, ms);
}

function emit(): void {
  if (!current) return;
  for (const l of listeners) l(current);
}

// Coming back online is the best moment to renew a token that could not be renewed offline.
if (typeof window !== 'undefined') {
  window.addEventListener('online', () => {
    if (current && (!current.accessToken || current.accessExpiresAt - Date.now() < RENEW_BEFORE_MS)) {
      refreshNow().catch(() => undefined);
    }
  });
}
