/**
 * Standard Webhooks signatures (product §10.2), shared by the Custom app's outgoing messages and
 * the outgoing product webhooks: `v1,` + base64(HMAC-SHA256(key, `<id>.<timestamp>.<body>`)),
 * where `key` is the base64-decoded part of a `whsec_` secret.
 */
import crypto from 'node:crypto';
import { hmacSha256 } from '../security/crypto';

const PREFIX = 'whsec_';

/** A new signing secret: `whsec_` + base64 of 32 random bytes. */
export function generateSigningSecret(): string {
  return PREFIX + crypto.randomBytes(32).toString('base64');
}

function signingKey(secret: string): Buffer {
  if (!secret.startsWith(PREFIX)) throw new Error('signing secret must start with whsec_');
  const key = Buffer.from(secret.slice(PREFIX.length), 'base64');
  if (key.length === 0) throw new Error('signing secret is empty');
  return key;
}

/** The `webhook-signature` value for one secret. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${hmacSha256(signingKey(secret), `${id}.${timestamp}.${body}`).toString('base64')}`;
}

/** The three Standard Webhooks headers; several secrets (a rotation) give space-separated signatures. */
export function webhookHeaders(secrets: string | string[], id: string, timestamp: number, body: string): Record<string, string> {
  const list = Array.isArray(secrets) ? secrets : [secrets];
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': list.map((s) => signWebhook(s, id, timestamp, body)).join(' '),
  };
}

export type WebhookVerification = { ok: true } | { ok: false; reason: string };

/**
 * Checks Standard Webhooks headers against a secret: any one `v1` signature may match, and the
 * timestamp must be within `toleranceSec` of `nowSec` (5 minutes by default).
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  opts: { nowSec?: number; toleranceSec?: number } = {},
): WebhookVerification {
  const one = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = one('webhook-id');
  const ts = one('webhook-timestamp');
  const sig = one('webhook-signature');
  if (!id || !ts || !sig) return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature' };
  if (!/^\d+$/.test(ts)) return { ok: false, reason: 'webhook-timestamp is not Unix seconds' };
  const nowSec = opts.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(nowSec - Number(ts)) > (opts.toleranceSec ?? 300)) return { ok: false, reason: 'webhook-timestamp is too far from now' };
  const expected = Buffer.from(signWebhook(secret, id, Number(ts), body).slice(3), 'base64');
  for (const part of sig.split(' ')) {
    const [version, value] = part.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && crypto.timingSafeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, reason: 'no signature matches' };
}
