import { describe, expect, it } from 'vitest';
import { classifyTransportFailure, failureReasonOf, parseRetryAfter } from '../connector';
import { classifyCustomAppResponse, customAppPayload } from './connector';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const ID = '01HZX4M2R8T5VQ9B3N6K7C2D1E';
const classify = (status: number, retryAfter?: string, detail?: string) => classifyCustomAppResponse({ status, retryAfter, detail }, ID, NOW);

describe('Custom app webhook answers (product §3.5)', () => {
  it.each([200, 201, 202, 204, 299])('HTTP %i marks the message sent', (status) => {
    expect(classify(status)).toEqual({ ok: true, externalMessageId: ID, status: 'sent' });
  });

  it.each([408, 425, 500, 502, 503, 504, 599])('HTTP %i is retried with backoff', (status) => {
    expect(classify(status)).toEqual({
      ok: false,
      error: { code: String(status), message: `Webhook URL answered HTTP ${status}`, retry: 'now', reason: 'transient' },
    });
  });

  it('HTTP 429 is retried as rate limited', () => {
    expect(classify(429)).toMatchObject({ ok: false, error: { code: '429', retry: 'now', reason: 'rate_limited' } });
  });

  it('Retry-After in seconds is honoured', () => {
    expect(classify(429, '120')).toMatchObject({ ok: false, error: { retry: 'after', retryAfterMs: 120_000, reason: 'rate_limited' } });
    expect(classify(503, '0')).toMatchObject({ ok: false, error: { retry: 'after', retryAfterMs: 0 } });
  });

  it('Retry-After as an HTTP-date is honoured', () => {
    expect(classify(503, 'Sun, 01 Jun 2025 12:00:30 GMT')).toMatchObject({ ok: false, error: { retry: 'after', retryAfterMs: 30_000 } });
    expect(classify(503, 'Sun, 01 Jun 2025 11:00:00 GMT')).toMatchObject({ ok: false, error: { retry: 'after', retryAfterMs: 0 } });
  });

  it('an unreadable Retry-After falls back to the backoff', () => {
    expect(classify(429, 'soon')).toMatchObject({ ok: false, error: { retry: 'now' } });
    expect(classify(429, '-5')).toMatchObject({ ok: false, error: { retry: 'now' } });
    expect(classify(429, '1.5')).toMatchObject({ ok: false, error: { retry: 'now' } });
  });

  it.each([400, 401, 403, 404, 405, 409, 410, 413, 422, 451])('HTTP %i fails the message with invalid_request', (status) => {
    const result = classify(status, undefined, 'bad client_id');
    expect(result).toEqual({
      ok: false,
      error: { code: String(status), message: `Webhook URL answered HTTP ${status}: bad client_id`, retry: 'never', reason: 'invalid_request' },
    });
  });

  it('a redirect is not followed and fails the message', () => {
    expect(classify(301)).toMatchObject({ ok: false, error: { retry: 'never', reason: 'invalid_request', message: expect.stringMatching(/redirect/) } });
  });

  it('a timeout is retried and may have arrived (ambiguous)', () => {
    expect(classifyTransportFailure({ aborted: true }, 15_000)).toEqual({
      ok: false,
      ambiguous: true,
      error: { code: 'timeout', message: 'No answer within 15 s', retry: 'now', reason: 'transient' },
    });
  });

  it('a refused connection is retried and certainly did not arrive', () => {
    const result = classifyTransportFailure({ aborted: false, code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9' }, 15_000);
    expect(result).toEqual({
      ok: false,
      error: { code: 'ECONNREFUSED', message: 'Connection failed: connect ECONNREFUSED 127.0.0.1:9', retry: 'now', reason: 'transient' },
    });
  });

  it('a connection lost mid-request is retried as ambiguous', () => {
    expect(classifyTransportFailure({ aborted: false, code: 'UND_ERR_SOCKET', message: 'other side closed' }, 15_000)).toMatchObject({
      ok: false, ambiguous: true, error: { code: 'UND_ERR_SOCKET', retry: 'now', message: 'Connection failed: other side closed (UND_ERR_SOCKET)' },
    });
  });

  it('a transient error that runs out of attempts is shown as unknown', () => {
    expect(failureReasonOf({ code: '503', message: '', retry: 'now', reason: 'transient' })).toBe('unknown');
    expect(failureReasonOf({ code: '429', message: '', retry: 'now', reason: 'rate_limited' })).toBe('rate_limited');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and dates and ignores everything else', () => {
    expect(parseRetryAfter('7', NOW)).toBe(7000);
    expect(parseRetryAfter(' 7 ', NOW)).toBe(7000);
    expect(parseRetryAfter('Sun, 01 Jun 2025 12:01:00 GMT', NOW)).toBe(60_000);
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter('', NOW)).toBeUndefined();
    expect(parseRetryAfter('1e3', NOW)).toBeUndefined();
    expect(parseRetryAfter('tomorrow-ish', NOW)).toBeUndefined();
  });
});

describe('the outgoing body', () => {
  const account = { id: 3, companyId: 1, application: 'custom' as const, serviceUserId: 'shop-chat', status: 'enabled' as const, config: { webhookUrl: 'https://x' } };
  it('carries every field of product §3.5 except the token', () => {
    const payload = customAppPayload(account, {
      key: ID, messageUuid: ID, conversationId: 314, ref: { accountId: 3, externalUserId: 'u-1001', externalThreadId: 'u-1001' },
      text: 'It ships today.', attachment: null, operator: { id: 7, name: 'Mia' }, createdAt: 1700000300_999,
    });
    expect(payload).toEqual({
      custom_channel_id: 'shop-chat', client_id: 'u-1001', type: 'text', data: 'It ships today.', message_id: ID, conversation_id: 314,
      file_name: null, mime_type: null, operator: { id: 7, name: 'Mia' }, timestamp: 1700000300,
    });
    expect(payload).not.toHaveProperty('token');
  });

  it('names a file by its URL, name and type', () => {
    const payload = customAppPayload(account, {
      key: ID, messageUuid: ID, conversationId: 1, ref: { accountId: 3, externalUserId: 'u', externalThreadId: 'u' }, text: null,
      attachment: { kind: 'file', url: 'https://sb/media/1', fileName: 'a.pdf', mimeType: 'application/pdf' }, operator: null, createdAt: 0,
    });
    expect(payload).toMatchObject({ type: 'file', data: 'https://sb/media/1', file_name: 'a.pdf', mime_type: 'application/pdf', operator: null });
  });
});
