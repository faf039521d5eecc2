/**
 * The settings window's access to the server: it borrows the inbox window's access token (so the
 * two never rotate the same refresh token against each other); with no inbox window open it
 * renews the stored session itself.
 */
import { create } from 'zustand';
import { getBridge } from '../bridge';
import { authApi, type Me } from './auth-api';
import { followTokens, type SharedToken } from './broker';
import { ApiError } from './http';
import { accessToken as renewedAccessToken, adoptStored, credentials } from './tokens';

export type SettingsPhase = 'loading' | 'signed-out' | 'ready';

interface SettingsSessionState {
  phase: SettingsPhase;
  serverUrl: string | null;
  userId: number | null;
  me: Me | null;
}

export const useSettingsSession = create<SettingsSessionState>(() => ({ phase: 'loading', serverUrl: null, userId: null, me: null }));

let shared: SharedToken | null = null;
let usingStored = false;
const ASK_TIMEOUT_MS = 1_200;

const follower = followTokens({
  token(token) {
    shared = token;
    if (useSettingsSession.getState().phase !== 'ready') void finish(token.serverUrl, token.userId);
  },
  signedOut() {
    shared = null;
    useSettingsSession.setState({ phase: 'signed-out', me: null });
  },
});

/** A valid access token for the settings window's requests. */
export async function settingsToken(): Promise<string> {
  if (shared && shared.accessExpiresAt - Date.now() > 15_000) return shared.accessToken;
  if (!usingStored) {
    follower.request();
    const got = await waitForShared();
    if (got) return got.accessToken;
  }
  if (!credentials()) {
    const stored = await getBridge().secrets.loadSession();
    if (!stored) throw new ApiError(401, null, 'signed out');
    adoptStored(stored.serverUrl, stored.userId, stored.companyId, stored.refreshToken);
  }
  usingStored = true;
  return renewedAccessToken();
}

function waitForShared(): Promise<SharedToken | null> {
  const start = shared;
  return new Promise((resolve) => {
    const begin = Date.now();
    const tick = () => {
      if (shared && shared !== start && shared.accessExpiresAt - Date.now() > 15_000) resolve(shared);
      else if (Date.now() - begin > ASK_TIMEOUT_MS) resolve(null);
      else setTimeout(tick, 50);
    };
    tick();
  });
}

let finishing: Promise<void> | null = null;

function finish(serverUrl: string, userId: number): Promise<void> {
  finishing ??= load(serverUrl, userId).finally(() => {
    finishing = null;
  });
  return finishing;
}

async function load(serverUrl: string, userId: number): Promise<void> {
  try {
    const token = await settingsToken();
    const me = await authApi.me(serverUrl, token);
    useSettingsSession.setState({ phase: 'ready', serverUrl, userId, me });
  } catch {
    useSettingsSession.setState({ phase: 'signed-out' });
  }
}

export async function bootSettings(): Promise<void> {
  follower.request();
  const got = await waitForShared();
  if (got) return finish(got.serverUrl, got.userId);
  const stored = await getBridge().secrets.loadSession().catch(() => null);
  if (!stored) {
    useSettingsSession.setState({ phase: 'signed-out' });
    return;
  }
  return finish(stored.serverUrl, stored.userId);
}
