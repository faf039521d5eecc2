/**
 * The Custom app connector (channels.md §14, product §3.5 "Messages out"): posts each outgoing
 * message as JSON to the app's Webhook URL with its Bearer token and Standard Webhooks headers.
 * `webhook-id` is the message id on every attempt, so retries are safe (native idempotency).
 */
import {
  classifyTransportFailure, describeFetchError, parseRetryAfter, type ChannelAccount, type ChannelAccountInfo,
  type ChannelCapabilities, type ChannelConnector, type OutboundDelivery, type OutboundMessage, type SendResult,
} from '../connector';
import { webhookHeaders } from '../signing';

export const CUSTOM_APP_SEND_TIMEOUT_MS = 15_000;

/** The secrets of a Custom app, sealed together in `account_channels.secrets_enc`. */
export interface CustomAppSecrets {
  token: string;
  signingSecret: string;
}

export interface CustomAppConfig {
  webhookUrl: string;
}

const RETRIED_STATUSES = new Set([408, 425, 429]);

/**
 * The outcome of one HTTP answer of the app's Webhook URL (product §3.5): 2xx → sent;
 * 408, 425, 429 and 5xx → retried, honouring `Retry-After`; any other answer fails with
 * `invalid_request` (redirects are not followed: the app must give its final URL).
 */
export function classifyCustomAppResponse(
  answer: { status: number; retryAfter?: string | null; detail?: string },
  messageId: string,
  now: number,
): SendResult {
  const { status } = answer;
  if (status >= 200 && status < 300) return { ok: true, externalMessageId: messageId, status: 'sent' };
  const detail = answer.detail ? `: ${answer.detail}` : '';
  if (RETRIED_STATUSES.has(status) || (status >= 500 && status < 600)) {
    const retryAfterMs = parseRetryAfter(answer.retryAfter, now);
    return {
      ok: false,
      error: {
        code: String(status),
        message: `Webhook URL answered HTTP ${status}${detail}`,
        retry: retryAfterMs === undefined ? 'now' : 'after',
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        reason: status === 429 ? 'rate_limited' : 'transient',
      },
    };
  }
  const message = status >= 300 && status < 400
    ? `Webhook URL answered with a redirect (HTTP ${status}); redirects are not followed`
    : `Webhook URL answered HTTP ${status}${detail}`;
  return { ok: false, error: { code: String(status), message, retry: 'never', reason: 'invalid_request' } };
}

/** The JSON body of product §3.5 "Messages out", without `token` (added at send time). */
export function customAppPayload(account: ChannelAccountInfo, message: OutboundMessage): Record<string, unknown> {
  const a = message.attachment;
  return {
    custom_channel_id: account.serviceUserId,
    client_id: message.ref.externalUserId,
    type: a ? (a.kind === 'image' ? 'image' : 'file') : 'text',
    data: a ? a.url : (message.text ?? ''),
    message_id: message.key,
    conversation_id: message.conversationId,
    file_name: a ? a.fileName : null,
    mime_type: a ? a.mimeType : null,
    operator: message.operator ? { id: message.operator.id, name: message.operator.name } : null,
    timestamp: Math.floor(message.createdAt / 1000),
  };
}

/** Reads at most `limit` characters of an error answer (for the reason shown to the author). */
async function snippet(res: Response, limit = 200): Promise<string> {
  try {
    const text = (await res.text()).trim().replace(/\s+/g, ' ');
    return text.length > limit ? `${text.slice(0, limit)}…` : text;
  } catch {
    return '';
  }
}

export function createCustomAppConnector(opts: { clock?: () => number } = {}): ChannelConnector {
  const clock = opts.clock ?? Date.now;
  const capabilities: ChannelCapabilities = {
    maxTextLength: Number.POSITIVE_INFINITY,
    receipts: ['delivered', 'read'],
    idempotency: 'native',
    limits: { perAccountPerSec: 20 },
    sendTimeoutMs: CUSTOM_APP_SEND_TIMEOUT_MS,
  };
  return {
    application: 'custom',
    capabilities: () => capabilities,
    preparePayload: customAppPayload,
    async send(account: ChannelAccount, delivery: OutboundDelivery, signal: AbortSignal): Promise<SendResult> {
      const webhookUrl = account.config.webhookUrl;
      const { token, signingSecret } = account.secrets as Partial<CustomAppSecrets>;
      if (typeof webhookUrl !== 'string' || webhookUrl === '') {
        return { ok: false, error: { code: 'no_webhook_url', message: 'The app has no Webhook URL', retry: 'never', reason: 'invalid_request' } };
      }
      if (!token || !signingSecret?.startsWith('whsec_')) {
        return { ok: false, error: { code: 'no_credentials', message: 'The app has no token or signing secret', retry: 'never', reason: 'auth' } };
      }
      const body = JSON.stringify({ token, ...delivery.payload });
      const timestamp = Math.floor(clock() / 1000);
      let res: Response;
      try {
        res = await fetch(webhookUrl, {
          method: 'POST',
          redirect: 'manual',
          signal,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Switchboard-CustomApp/1.0',
            authorization: `Bearer ${token}`,
            ...webhookHeaders(signingSecret, delivery.key, timestamp, body),
          },
          body,
        });
      } catch (err) {
        return classifyTransportFailure({ aborted: signal.aborted, ...describeFetchError(err) }, capabilities.sendTimeoutMs);
      }
      const ok = res.status >= 200 && res.status < 300;
      const detail = ok ? '' : await snippet(res);
      if (ok) await res.body?.cancel().catch(() => undefined);
      return classifyCustomAppResponse({ status: res.status, retryAfter: res.headers.get('retry-after'), detail }, delivery.key, clock());
    },
  };
}
