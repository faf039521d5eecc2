/**
 * Server-side secrets: random tokens, token hashes for lookups, encryption at rest for channel
 * secrets and API tokens (AES-256-GCM with a key kept in the data folder), and HMAC signatures.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** URL-safe random string of `length` characters. */
export function randomToken(length = 48): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const bytes = crypto.randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i] & 63];
  return out;
}

export function sha256Hex(value: string | Buffer): string {
  return crypto.createHash('sha256').update(value).digest('hex');
}

export function hmacSha256(key: Buffer | string, data: string | Buffer): Buffer {
  return crypto.createHmac('sha256', key).update(data).digest();
}

/** Constant-time comparison of two strings (false on length mismatch, never throws). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ab.length !== bb.length) return false;
  return crypto.timingSafeEqual(ab, bb);
}

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('secret box key must be 32 bytes');
  }

  /** Loads the key from `<dir>/secret.key`, creating it (mode 0600) on first start. */
  static fromDataDir(dir: string): SecretBox {
    const file = path.join(dir, 'secret.key');
    let key: Buffer;
    if (fs.existsSync(file)) {
      key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    } else {
      key = crypto.randomBytes(32);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(file, key.toString('base64'), { mode: 0o600 });
    }
    return new SecretBox(key);
  }

  /** A sub-key for a named purpose (token signing, webhook media URLs…). */
  derive(purpose: string): Buffer {
    return Buffer.from(crypto.hkdfSync('sha256', this.key, Buffer.alloc(0), Buffer.from(purpose), 32));
  }

  seal(plaintext: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('not a sealed secret');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }
}
