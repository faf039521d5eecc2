/**
 * Windows of the app (the inbox and the settings window) share one session. The inbox window owns
 * the refresh token and hands current access tokens to the settings window over a
 * BroadcastChannel, so the two never rotate the same refresh token against each other, and the
 * settings window works even when the session is kept in memory only.
 */
export interface SharedToken {
  serverUrl: string;
  userId: number;
  companyId: number;
  accessToken: string;
  accessExpiresAt: number;
}

type BrokerMessage =
  | { type: 'request-token' }
  | { type: 'token'; token: SharedToken }
  | { type: 'signed-out' };

const CHANNEL = 'switchboard-session';

function channel(): BroadcastChannel | null {
  return typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(CHANNEL);
}

/** The inbox side: answers token requests and announces renewals and sign-out. */
export function serveTokens(current: () => SharedToken | null): { announce(token: SharedToken): void; signedOut(): void; close(): void } {
  const ch = channel();
  if (ch) {
    ch.onmessage = (ev: MessageEvent<BrokerMessage>) => {
      if (ev.data?.type !== 'request-token') return;
      const token = current();
      if (token && token.accessToken) ch.postMessage({ type: 'token', token } satisfies BrokerMessage);
    };
  }
  return {
    announce(token) {
      ch?.postMessage({ type: 'token', token } satisfies BrokerMessage);
    },
    signedOut() {
      ch?.postMessage({ type: 'signed-out' } satisfies BrokerMessage);
    },
    close() {
      ch?.close();
    },
  };
}

/** The settings side: asks the inbox for a token and follows its renewals. */
export function followTokens(handlers: { token(token: SharedToken): void; signedOut(): void }): { request(): void; close(): void } {
  const ch = channel();
  if (ch) {
    ch.onmessage = (ev: MessageEvent<BrokerMessage>) => {
      if (ev.data?.type === 'token') handlers.token(ev.data.token);
      else if (ev.data?.type === 'signed-out') handlers.signedOut();
    };
  }
  return {
    request() {
      ch?.postMessage({ type: 'request-token' } satisfies BrokerMessage);
    },
    close() {
      ch?.close();
    },
  };
}
