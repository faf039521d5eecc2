/**
 * Messages into Switchboard from a Custom app (product §3.5 "Messages into Switchboard"): field
 * validation and normalisation into the pipeline's inbound events. Pure: the route looks the app
 * up by its token and stores what this returns.
 */
import { z } from 'zod';
import { sha256Hex, safeEqual } from '../../security/crypto';
import type { InboundEvent } from '../connector';

export const CUSTOM_APP_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_TEXT_CHARS = 10_000;

export interface CustomAppIdentity {
  id: number;
  customAppId: string;
  token: string;
}

export type CustomInboundParse =
  | { ok: true; event: InboundEvent }
  | { ok: false; status: 401; error: 'Invalid token' }
  | { ok: false; status: 422; error: Record<string, string> };

function isSet(flagValue: unknown): boolean {
  return flagValue === true || flagValue === 1 || flagValue === '1' || flagValue === 'true';
}

const required = (what: string) => ({ error: (issue: { input: unknown }) => (issue.input === undefined ? 'Required' : what) });
const optionalString = (max: number) =>
  z.string({ error: 'Must be a string' }).max(max, `Must be at most ${max} characters`).nullish();
const flag = z
  .union([z.boolean(), z.literal(0), z.literal(1), z.literal('0'), z.literal('1'), z.literal('true'), z.literal('false')], {
    error: 'Must be 0, 1, true or false',
  })
  .nullish()
  .transform(isSet);

const info = z.unknown().transform((v, ctx) => {
  if (v === undefined || v === null || v === '') return null;
  let value: unknown = v;
  if (typeof v === 'string') {
    try {
      value = JSON.parse(v);
    } catch {
      value = undefined;
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: 'Must be an object or a string holding a JSON object' });
    return z.NEVER;
  }
  if (Object.keys(value).length > 100) {
    ctx.addIssue({ code: 'custom', message: 'Must have at most 100 keys' });
    return z.NEVER;
  }
  return value as Record<string, unknown>;
});

const CustomInboundBody = z.object({
  token: z.string(required('Must be a string')),
  custom_channel_id: z.string(required('Must be a string')),
  client_id: z.string(required('Must be a string')).min(1, 'Must be 1–128 characters').max(128, 'Must be 1–128 characters'),
  client_name: optionalString(255),
  client_phone: optionalString(64),
  info: info.optional(),
  type: z.enum(['text', 'image', 'file', 'status'], required('Must be text, image, file or status')),
  data: z.string({ error: 'Must be a string' }).optional(),
  echo: flag,
  echo_outgoing: flag,
  message_id: z.string({ error: 'Must be a string' }).min(1, 'Must be 1–128 characters').max(128, 'Must be 1–128 characters').optional(),
  timestamp: z
    .number({ error: 'Must be an integer (Unix seconds)' })
    .int('Must be an integer (Unix seconds)')
    .min(0, 'Must be Unix seconds')
    .max(32_503_680_000, 'Must be Unix seconds, not milliseconds')
    .optional(),
  file_name: optionalString(255),
  status: z.enum(['delivered', 'read', 'failed'], { error: 'Must be delivered, read or failed' }).optional(),
  error: optionalString(1000),
});
type Body = z.infer<typeof CustomInboundBody>;

/** An absolute http(s) URL with a host, at most 2048 characters. */
export function isHttpUrl(value: string): boolean {
  if (value.length > 2048) return false;
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** Rules that depend on `type`, checked on the raw body so one answer names every bad field. */
function crossFieldErrors(raw: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const type = raw.type;
  const data = raw.data;
  const echoOutgoing = isSet(raw.echo_outgoing);
  if (type === 'status') {
    if (raw.message_id === undefined) out.message_id = 'Required with type "status"';
    if (raw.status === undefined) out.status = 'Required with type "status"';
    return out;
  }
  if (typeof data !== 'string') {
    if (data === undefined && !echoOutgoing) out.data = 'Required';
    return out;
  }
  if (type === 'text') {
    const chars = [...data].length;
    if (chars < 1 || chars > MAX_TEXT_CHARS) out.data = `Must be 1–${MAX_TEXT_CHARS.toLocaleString('en')} characters`;
  } else if ((type === 'image' || type === 'file') && !isHttpUrl(data)) {
    out.data = 'Must be an http(s) URL of the file';
  }
  return out;
}

/** Keys sorted at every level, so the same content always hashes the same. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as Record<string, unknown>)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** `message_id` when given, else the SHA-256 of the body without `token` (channels.md §14). */
export function customDedupeKey(raw: Record<string, unknown>): string {
  if (typeof raw.message_id === 'string' && raw.message_id !== '') return `id:${raw.message_id}`;
  const { token: _token, ...rest } = raw;
  return `sha256:${sha256Hex(stableStringify(rest))}`;
}

/** The last path segment of a file URL, the default file name. */
export function fileNameOfUrl(url: string): string | null {
  try {
    const segment = new URL(url).pathname.split('/').filter(Boolean).pop();
    return segment ? decodeURIComponent(segment).slice(0, 255) : null;
  } catch {
    return null;
  }
}

/**
 * Checks one inbound request of an app already found by its Bearer token: the body token, the
 * Custom app ID in the address and the body, every field; then normalises it.
 */
export function parseCustomInbound(app: CustomAppIdentity, addressId: string, raw: unknown): CustomInboundParse {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, status: 422, error: { body: 'Must be a JSON object' } };
  const body = raw as Record<string, unknown>;
  if (typeof body.token !== 'string' || !safeEqual(body.token, app.token)) return { ok: false, status: 401, error: 'Invalid token' };
  const parsed = CustomInboundBody.safeParse(body);
  const errors: Record<string, string> = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path.length > 0 ? issue.path.join('.') : 'body';
      errors[key] ??= issue.message;
    }
  }
  for (const [k, v] of Object.entries(crossFieldErrors(body))) errors[k] ??= v;
  if (addressId !== app.customAppId) errors.custom_channel_id ??= 'The address names another Custom app ID than this token';
  else if (typeof body.custom_channel_id === 'string' && body.custom_channel_id !== addressId) {
    errors.custom_channel_id ??= 'Must equal the Custom app ID in the address';
  }
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, status: 422, error: errors };
  return { ok: true, event: toEvent(app, parsed.data, body) };
}

function toEvent(app: CustomAppIdentity, b: Body, raw: Record<string, unknown>): InboundEvent {
  const ref = { accountId: app.id, externalUserId: b.client_id, externalThreadId: b.client_id };
  if (b.type === 'status') {
    return { type: 'status', ref, correlationId: b.message_id!, status: b.status!, ...(b.error ? { error: b.error } : {}) };
  }
  if (b.echo_outgoing) return { type: 'echo', dedupeKey: customDedupeKey(raw), ref, correlationId: b.message_id ?? null };
  const isFile = b.type === 'image' || b.type === 'file';
  return {
    type: 'message',
    dedupeKey: customDedupeKey(raw),
    ref,
    externalMessageId: b.message_id ?? null,
    sentAt: b.timestamp !== undefined ? new Date(b.timestamp * 1000) : null,
    sender: {
      ...(b.client_name?.trim() ? { displayName: b.client_name.trim() } : {}),
      ...(b.client_phone?.trim() ? { phone: b.client_phone.trim() } : {}),
      ...(b.info ? { extraFields: b.info } : {}),
    },
    ...(isFile ? {} : { text: b.data! }),
    attachments: isFile
      ? [{ kind: b.type as 'image' | 'file', fileName: b.file_name?.trim() || fileNameOfUrl(b.data!) || undefined, fetch: { url: b.data! } }]
      : [],
    ...(b.echo ? { outgoing: true } : {}),
  };
}
