import { describe, expect, it } from 'vitest';
import { generateSigningSecret, signWebhook, verifyWebhook, webhookHeaders } from './signing';

const SECRET = 'whsec_TWZLUTlyOEdLWXFyVHdqVVBEOElMUFpJbzJMYUxhU3c=';
const ID = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';

describe('Standard Webhooks signing', () => {
  it('matches the test vector of product §10.2', () => {
    expect(signWebhook(SECRET, ID, 1700000000, '{"ok":true}')).toBe('v1,6OfIu2Qzpvg7G6LoqYyIscqKxMcV7ltc1O/JQxKglV4=');
  });

  it('verifies its own headers and refuses a changed body, id, timestamp or secret', () => {
    const headers = webhookHeaders(SECRET, ID, 1700000000, '{"ok":true}');
    expect(verifyWebhook(SECRET, headers, '{"ok":true}', { nowSec: 1700000010 })).toEqual({ ok: true });
    expect(verifyWebhook(SECRET, headers, '{"ok":false}', { nowSec: 1700000010 }).ok).toBe(false);
    expect(verifyWebhook(SECRET, { ...headers, 'webhook-id': 'msg_other' }, '{"ok":true}', { nowSec: 1700000010 }).ok).toBe(false);
    expect(verifyWebhook(generateSigningSecret(), headers, '{"ok":true}', { nowSec: 1700000010 }).ok).toBe(false);
    expect(verifyWebhook(SECRET, headers, '{"ok":true}', { nowSec: 1700000000 + 301 })).toEqual({ ok: false, reason: 'webhook-timestamp is too far from now' });
    expect(verifyWebhook(SECRET, { ...headers, 'webhook-signature': undefined }, '{"ok":true}').ok).toBe(false);
  });

  it('sends two signatures during a rotation, either of which verifies', () => {
    const next = generateSigningSecret();
    const headers = webhookHeaders([SECRET, next], ID, 1700000000, '{}');
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifyWebhook(SECRET, headers, '{}', { nowSec: 1700000000 }).ok).toBe(true);
    expect(verifyWebhook(next, headers, '{}', { nowSec: 1700000000 }).ok).toBe(true);
  });

  it('generates whsec_ secrets of 32 random bytes', () => {
    const a = generateSigningSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(generateSigningSecret()).not.toBe(a);
    expect(() => signWebhook('not-a-secret', ID, 1, '')).toThrow(/whsec_/);
  });
});
