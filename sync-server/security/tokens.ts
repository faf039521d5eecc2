/**
 * Short-lived access tokens: `base64url(claims).base64url(HMAC-SHA256)`. Claims carry the user,
 * the company and the user's token version, so deactivation or a password change (which bump the
 * version) invalidates every token at once.
 */
import { hmacSha256, safeEqual } from './crypto';

export interface AccessClaims {
  sub: number;
  cid: number;
  ver: number;
  exp: number; // Unix ms
}

export const ACCESS_TOKEN_TTL_MS = 15 * 60_000;

function b64url(buf: Buffer | string): string {
  return Buffer.from(buf).toString('base64url');
}

export class AccessTokens {
  constructor(private readonly key: Buffer, private readonly ttlMs = ACCESS_TOKEN_TTL_MS) {}

  issue(claims: Omit<AccessClaims, 'exp'>, now = Date.now()): { token: string; expiresAt: number } {
    const exp = now + this.ttlMs;
    const body = b64url(JSON.stringify({ ...claims, exp }));
    return { token: `${body}.${b64url(hmacSha256(this.key, body))}`, expiresAt: exp };
  }

  /** Returns the claims of a valid, unexpired token; null otherwise (never throws). */
  verify(token: string, now = Date.now()): AccessClaims | null {
    if (typeof token !== 'string' || token.length > 1024) return null;
    const dot = token.indexOf('.');
    if (dot <= 0) return null;
    const body = token.slice(0, dot);
    const sig = token.slice(dot + 1);
    if (!safeEqual(sig, b64url(hmacSha256(this.key, body)))) return null;
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    const c = claims as Partial<AccessClaims>;
    if (!Number.isSafeInteger(c.sub) || !Number.isSafeInteger(c.cid) || !Number.isSafeInteger(c.ver) || typeof c.exp !== 'number') return null;
    if (c.exp <= now) return null;
    return c as AccessClaims;
  }
}
