/**
 * The connector contract of channels.md §16, reduced to what this release sends and receives.
 * Connectors are pure adapters: they verify, translate and call the platform. Queuing, retries,
 * rate limiting, deduplication storage and conversation logic live in the shared pipeline
 * (`outbound-queue.ts`, ConversationService).
 */
import type { Application, AttachmentType, FailureReason } from '../../src-core/conversation/types';

export type { Application };

/** What a connector may know about an account channel without its secrets (safe to log). */
export interface ChannelAccountInfo {
  id: number;
  companyId: number;
  application: Application;
  /** The account's own id on the platform (a Custom app's Custom app ID). */
  serviceUserId: string;
  status: 'enabled' | 'disabled' | 'error';
  /** Non-secret configuration: webhook URL, base URLs, flags. */
  config: Record<string, unknown>;
}

/** An account channel with its secrets opened: only what `send` needs ever sees them. */
export interface ChannelAccount extends ChannelAccountInfo {
  secrets: Record<string, string>;
}

/** Where a conversation lives on the platform. */
export interface ExternalRef {
  accountId: number;
  /** Client identity on the platform: from.id, wa_id, PSID, a Custom app's client_id… */
  externalUserId: string;
  /** Send target: chat.id, peer_id, "chat:<id>"…; the client id where the platform has no threads. */
  externalThreadId: string;
}

export interface ClientProfile {
  displayName?: string;
  phone?: string;
  /** Unverified extra information (Custom app `info`), stored as custom fields. */
  extraFields?: Record<string, unknown>;
}

// ---- inbound ----------------------------------------------------------------------------------

export interface InboundAttachment {
  kind: AttachmentType;
  mimeType?: string;
  fileName?: string;
  size?: number;
  /** Where the pipeline fetches the bytes from. */
  fetch?: { url?: string; platformId?: string; headers?: Record<string, string> };
}

export type InboundEvent =
  | {
      type: 'message';
      dedupeKey: string;
      ref: ExternalRef;
      externalMessageId: string | null;
      sentAt: Date | null;
      sender: ClientProfile;
      text?: string;
      attachments: InboundAttachment[];
      /** Sent to the client by the platform side itself (Custom app `echo`): stored outgoing, never delivered. */
      outgoing?: boolean;
    }
  | {
      /** Our own send reported back (Custom app `echo_outgoing`, Messenger `is_echo`): a receipt at most. */
      type: 'echo';
      dedupeKey: string;
      ref: ExternalRef;
      correlationId: string | null;
    }
  | {
      type: 'status';
      ref: ExternalRef;
      /** Our idempotency key (the message ULID) when the platform echoes it back. */
      correlationId: string;
      status: 'delivered' | 'read' | 'failed';
      error?: string;
    };

// ---- outbound ---------------------------------------------------------------------------------

/** One outgoing message as the pipeline hands it to a connector to build its request. */
export interface OutboundMessage {
  /** Idempotency key: the message ULID (or `<ulid>.<n>` for a part of a split text). */
  key: string;
  messageUuid: string;
  conversationId: number;
  ref: ExternalRef;
  text: string | null;
  attachment: { kind: AttachmentType; url: string; fileName: string | null; mimeType: string | null } | null;
  /** The sending user; null for autoresponses. */
  operator: { id: number; name: string } | null;
  /** When the message was written (ms). */
  createdAt: number;
}

/** A stored outbound row as `send` receives it: the payload built when the message was accepted. */
export interface OutboundDelivery {
  key: string;
  payload: Record<string, unknown>;
}

export type ChannelFailureReason = FailureReason | 'transient';

export interface ChannelError {
  /** Platform code as a string ("503", "timeout", "ECONNREFUSED"). */
  code: string;
  message: string;
  /** `now`: retry with backoff; `after`: retry once `retryAfterMs` passed; `never`: fail. */
  retry: 'now' | 'after' | 'never' | 'reauth';
  retryAfterMs?: number;
  reason: ChannelFailureReason;
}

export type SendResult =
  | { ok: true; externalMessageId: string; status: 'sent' | 'delivered' }
  | { ok: false; error: ChannelError; ambiguous?: boolean };

export interface ChannelCapabilities {
  maxTextLength: number;
  receipts: Array<'delivered' | 'read'>;
  /** How an ambiguous send (written, then timed out) is resolved (channels.md §17.4). */
  idempotency: 'native' | 'correlation' | 'none';
  limits: { perAccountPerSec?: number; perThreadPerSec?: number };
  /** `send` is aborted after this long (channels.md §17.2: 30 s, 15 s for Custom app webhooks). */
  sendTimeoutMs: number;
}

export interface ChannelConnector {
  readonly application: Application;
  capabilities(account: ChannelAccountInfo): ChannelCapabilities;
  /**
   * The request body stored in the outbound row when the message is accepted: pure, no network,
   * no secrets (those are added at send time, so a rotated token applies to queued messages too).
   */
  preparePayload(account: ChannelAccountInfo, message: OutboundMessage): Record<string, unknown>;
  /** One attempt. Never retries and never sleeps: it classifies the outcome (channels.md §16). */
  send(account: ChannelAccount, delivery: OutboundDelivery, signal: AbortSignal): Promise<SendResult>;
}

/** The product's failure reason for a channel error (`transient` is the pipeline's own). */
export function failureReasonOf(error: ChannelError): FailureReason {
  return error.reason === 'transient' ? 'unknown' : error.reason;
}

/**
 * `Retry-After` as milliseconds from `now`: delta seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Returns undefined for a missing or unreadable value; a date in the past is 0.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+$/.test(v)) {
    const seconds = Number(v);
    return Number.isSafeInteger(seconds) ? seconds * 1000 : undefined;
  }
  // An HTTP-date always names its weekday and zone; plain numbers with signs or fractions are invalid.
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Transport failures where the request certainly never reached the receiver. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Classifies an HTTP transport failure (no answer). `aborted`: the attempt's signal fired, which
 * is the timeout (or shutdown). A request that may have been written is ambiguous (§16).
 */
export function classifyTransportFailure(failure: { aborted: boolean; code?: string; message?: string }, timeoutMs: number): SendResult {
  if (failure.aborted) {
    return {
      ok: false,
      ambiguous: true,
      error: { code: 'timeout', message: `No answer within ${Math.round(timeoutMs / 1000)} s`, retry: 'now', reason: 'transient' },
    };
  }
  const code = failure.code ?? 'network_error';
  const message = `Connection failed: ${failure.message ?? code}${failure.code && !(failure.message ?? '').includes(failure.code) ? ` (${failure.code})` : ''}`;
  if (NOT_SENT_CODES.has(code)) return { ok: false, error: { code, message, retry: 'now', reason: 'transient' } };
  return { ok: false, ambiguous: true, error: { code, message, retry: 'now', reason: 'transient' } };
}

/** The error code and message of a failed `fetch` (undici puts the system error in `cause`). */
export function describeFetchError(err: unknown): { code?: string; message: string } {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } };
  const cause = e?.cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code ?? e?.code;
  return { code, message: cause?.message ?? e?.message ?? String(err) };
}
