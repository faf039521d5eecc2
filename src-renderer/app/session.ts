/**
 * The session of the inbox window: signed out, signing in, or signed in as a user of a company.
 * Signing in (or restoring a stored session at launch) starts the sync worker; signing out wipes
 * the device's copy, ends the session on the server and forgets the stored refresh token.
 */
import { create } from 'zustand';
import { getBridge, serverUrlFromLocation } from '../bridge';
import type { BridgeMode } from '../../src-preload/api';
import { authApi, type Me, type SignupInput, type TokenPair } from './auth-api';
import { ApiError, NetworkError } from './http';
import {
  accessToken, adoptStored, adoptTokens, clearTokens, credentials, onTokens, refreshNow, setSessionEndedHandler,
} from './tokens';
import { startRuntime, stopRuntime } from './runtime';
import { serveTokens } from './broker';

export type SessionPhase = 'loading' | 'signed-out' | 'signing-in' | 'signed-in';

export interface SessionState {
  phase: SessionPhase;
  mode: BridgeMode;
  /** The server the forms talk to: the page origin in a browser, `?server=` or the last one in the app. */
  defaultServerUrl: string;
  userId: number | null;
  companyId: number | null;
  serverUrl: string | null;
  /** The user as the server described them at sign-in (the company record refines it live). */
  me: Me | null;
  /** The OS has no key store: the session is not kept, the user signs in again next launch. */
  memoryOnly: boolean;
  /** Why the user is signed out, when it was not their choice. */
  endedReason: 'expired' | null;
}

export const useSession = create<SessionState>(() => ({
  phase: 'loading',
  mode: 'browser',
  defaultServerUrl: '',
  userId: null,
  companyId: null,
  serverUrl: null,
  me: null,
  memoryOnly: false,
  endedReason: null,
}));

const broker = serveTokens(() => {
  const c = credentials();
  return c ? { serverUrl: c.serverUrl, userId: c.userId, companyId: c.companyId, accessToken: c.accessToken, accessExpiresAt: c.accessExpiresAt } : null;
});
onTokens((c) => broker.announce({ serverUrl: c.serverUrl, userId: c.userId, companyId: c.companyId, accessToken: c.accessToken, accessExpiresAt: c.accessExpiresAt }));

setSessionEndedHandler(() => {
  void endSession('expired');
});

/** At launch: restore the stored session, online or not (the device keeps working offline). */
export async function boot(): Promise<void> {
  const bridge = getBridge();
  const info = await bridge.getInfo().catch(() => ({ mode: 'browser' as BridgeMode }));
  const stored = await bridge.secrets.loadSession().catch(() => null);
  const fromLocation = serverUrlFromLocation() ?? '';
  const defaultServerUrl = info.mode === 'browser' ? fromLocation : fromLocation || stored?.serverUrl || '';
  useSession.setState({ mode: info.mode, defaultServerUrl });

  // In a browser the server is the page's origin; a session stored for another server is not ours.
  if (!stored || (info.mode === 'browser' && fromLocation && stored.serverUrl !== fromLocation)) {
    useSession.setState({ phase: 'signed-out' });
    return;
  }

  adoptStored(stored.serverUrl, stored.userId, stored.companyId, stored.refreshToken);
  // Local-first: the inbox opens on the device's copy at once, while the session is renewed
  // beside it (online or not). The sync worker asks for the access token when it needs it and
  // shares this renewal; a refused session ends through `endSession`, like any later refusal.
  const renewal = refreshNow();
  useSession.setState({ phase: 'signed-in', me: null, serverUrl: stored.serverUrl, userId: stored.userId, companyId: stored.companyId });
  const started = startRuntime(credentials()!).catch((err) => console.error('[session] could not start the sync worker', err));
  try {
    const token = await renewal;
    // The user as the server describes them (the stored company record already does, mostly).
    const me = await authApi.me(stored.serverUrl, token).catch(() => null);
    if (me && useSession.getState().userId === stored.userId) useSession.setState({ me });
  } catch {
    // SessionEnded: endSession has run. Offline or the server is down: the local copy still
    // works; renewal is retried.
  }
  await started;
}

/** Signs in with email and password. Throws ApiError (with field errors) or NetworkError. */
export async function signIn(serverUrl: string, email: string, password: string): Promise<void> {
  const pair = await authApi.login(serverUrl, email.trim(), password);
  await adopt(serverUrl, pair);
}

export async function signUp(serverUrl: string, input: Omit<SignupInput, 'timeZone'>): Promise<void> {
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const pair = await authApi.signup(serverUrl, { ...input, timeZone });
  await adopt(serverUrl, pair);
}

export async function acceptInvitation(serverUrl: string, token: string, name: string, password: string): Promise<void> {
  const pair = await authApi.acceptInvite(serverUrl, token, name.trim(), password);
  await adopt(serverUrl, pair);
}

async function adopt(serverUrl: string, pair: TokenPair): Promise<void> {
  const previous = useSession.getState();
  // A different user on this device: stop the previous runtime (its data stays in its own database).
  if (previous.phase === 'signed-in') await stopRuntime({ wipe: false });
  const { persisted } = await adoptTokens(serverUrl, pair);
  useSession.setState({
    phase: 'signing-in', serverUrl, userId: pair.userId, companyId: pair.companyId, memoryOnly: !persisted, endedReason: null,
  });
  let me: Me | null = null;
  try {
    me = await authApi.me(serverUrl, pair.accessToken);
  } catch {
    /* the company record describes the user as well */
  }
  await enterInbox(me);
}

async function enterInbox(me: Me | null): Promise<void> {
  const creds = credentials();
  if (!creds) return;
  if (!me && creds.accessToken) {
    me = await authApi.me(creds.serverUrl, creds.accessToken).catch(() => null);
  }
  useSession.setState({ me, phase: 'signed-in' });
  try {
    await startRuntime(creds);
  } catch (err) {
    console.error('[session] could not start the sync worker', err);
  }
}

/** Sign-out: wipe the local copy, end the session on the server, forget the stored token. */
export async function signOut(): Promise<void> {
  const creds = credentials();
  broker.signedOut();
  await stopRuntime({ wipe: true });
  if (creds) {
    try {
      await authApi.logout(creds.serverUrl, creds.refreshToken);
    } catch (err) {
      if (!(err instanceof ApiError || err instanceof NetworkError)) console.warn(err);
    }
  }
  await getBridge().secrets.clearSession().catch(() => undefined);
  clearTokens();
  useSession.setState({ phase: 'signed-out', me: null, userId: null, companyId: null, serverUrl: null, memoryOnly: false, endedReason: null });
  location.hash = '#/login';
}

/**
 * The server refused the refresh token (signed out elsewhere, password changed, deactivated).
 * The local copy is kept so that nothing queued is lost if the same user signs in again.
 */
async function endSession(reason: 'expired'): Promise<void> {
  broker.signedOut();
  await stopRuntime({ wipe: false });
  await getBridge().secrets.clearSession().catch(() => undefined);
  useSession.setState({ phase: 'signed-out', me: null, userId: null, companyId: null, serverUrl: null, endedReason: reason });
  location.hash = '#/login';
}

export { accessToken };
