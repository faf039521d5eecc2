/**
 * Which parts of a conversation document an operator may write (ARCHITECTURE, table of documents):
 * their own replies and notes, transition requests, topics, tags, the custom name and the read
 * watermark. Everything else is server-owned. Pure: takes the analysed update, returns a verdict.
 */
import { isUlid } from '../ids';
import type { TouchedItem } from '../sync/update-analysis';
import { OPERATOR_META_KEYS, TRANSITION_ACTIONS, type ConversationRequest, type MessageEntry } from './types';

export const MAX_TEXT_LENGTH = 10_000;
export const MAX_CUSTOM_NAME = 100;
export const MAX_TAG_LENGTH = 50;

export type GuardVerdict =
  | { ok: true; messages: MessageEntry[]; requests: ConversationRequest[] }
  | { ok: false; reason: string };

export interface GuardContext {
  actorId: number;
  /** Whether a message or request id is already in the document. */
  hasId?: (id: string) => boolean;
  /**
   * Whether a topic may be newly attached: it is in the company's list and not archived
   * (product §8.4). Removing a topic is always allowed. Without it, any topic id is accepted.
   */
  attachableTopic?: (id: number) => boolean;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isIntOrNull = (v: unknown): boolean => v === null || isInt(v);
const isTime = (v: unknown): v is number => isInt(v) && (v as number) >= 0;

export function validateOperatorMessage(v: unknown, actorId: number): string | null {
  if (!isObj(v)) return 'a message must be an object';
  if (!isUlid(v.id)) return 'message id must be a ULID';
  if (v.kind !== 'out' && v.kind !== 'note') return 'operators may only write replies and notes';
  if (v.senderType !== 'operator') return 'senderType must be operator';
  if (v.authorId !== actorId) return 'a message must be written by its author';
  if (v.attachment !== null) return 'attachments are uploaded through the server';
  if (typeof v.text !== 'string' || v.text.length === 0) return 'message text is required';
  if (v.text.length > MAX_TEXT_LENGTH) return 'Text is too long';
  if (!isTime(v.createdAt)) return 'createdAt must be a time';
  if (v.seenMessageId !== null && !isUlid(v.seenMessageId)) return 'seenMessageId must be a ULID or null';
  if (v.externalId !== null) return 'externalId is set by the server';
  const allowed = new Set(['id', 'kind', 'senderType', 'authorId', 'text', 'attachment', 'createdAt', 'seenMessageId', 'externalId']);
  for (const k of Object.keys(v)) if (!allowed.has(k)) return `unknown message field ${k}`;
  return null;
}

export function validateRequest(v: unknown, actorId: number): string | null {
  if (!isObj(v)) return 'a request must be an object';
  if (!isUlid(v.id)) return 'request id must be a ULID';
  if (v.actorId !== actorId) return 'a request must be made by its actor';
  if (!isTime(v.createdAt)) return 'createdAt must be a time';
  if (v.action === 'send_anyway' || v.action === 'discard' || v.action === 'retry' || v.action === 'mark_sent') {
    if (!isUlid(v.messageId)) return 'messageId must be a ULID';
    const allowed = new Set(['id', 'action', 'actorId', 'messageId', 'createdAt']);
    for (const k of Object.keys(v)) if (!allowed.has(k)) return `unknown request field ${k}`;
    return null;
  }
  if (!(TRANSITION_ACTIONS as readonly unknown[]).includes(v.action)) return 'unknown action';
  const e = v.expected;
  if (!isObj(e) || !['unassigned', 'inbox', 'closed'].includes(e.status as string) || !isIntOrNull(e.assigneeId) || !isInt(e.queryId)) {
    return 'expected state is malformed';
  }
  if (v.seenMessageId !== null && !isUlid(v.seenMessageId)) return 'seenMessageId must be a ULID or null';
  if (!isIntOrNull(v.targetOperatorId) || !isIntOrNull(v.targetGroupId)) return 'targets must be ids or null';
  if (v.action === 'transfer_operator' && v.targetOperatorId === null) return 'transfer needs a target operator';
  if (v.action === 'transfer_group' && v.targetGroupId === null) return 'transfer needs a target group';
  const allowed = new Set(['id', 'action', 'actorId', 'expected', 'seenMessageId', 'targetOperatorId', 'targetGroupId', 'createdAt']);
  for (const k of Object.keys(v)) if (!allowed.has(k)) return `unknown request field ${k}`;
  return null;
}

function checkMetaValue(key: string, value: unknown): string | null {
  if (key === 'customName') {
    if (value === null) return null;
    if (typeof value !== 'string' || value.length > MAX_CUSTOM_NAME) return 'custom name must be a string of at most 100 characters';
    return null;
  }
  if (key === 'readWatermark') return value === null || isUlid(value) ? null : 'read watermark must be a message id';
  return `meta.${key} is server-owned`;
}

export function guardConversationWrite(touched: readonly TouchedItem[], ctx: GuardContext): GuardVerdict {
  const messages: MessageEntry[] = [];
  const requests: ConversationRequest[] = [];
  const newIds = new Set<string>();
  const fail = (reason: string): GuardVerdict => ({ ok: false, reason });
  for (const t of touched) {
    if (t.content === 'other') return fail(`${t.root}: only plain JSON values are accepted`);
    switch (t.root) {
      case 'meta': {
        if (t.key === null || !(OPERATOR_META_KEYS as readonly string[]).includes(t.key)) return fail(`meta.${t.key ?? '?'} is server-owned`);
        if (t.op === 'insert' && t.content === 'json') {
          for (const v of t.values!) {
            const err = checkMetaValue(t.key, v);
            if (err) return fail(err);
          }
        }
        break;
      }
      case 'topics': {
        if (t.key === null || !/^[1-9][0-9]{0,15}$/.test(t.key)) return fail('topic keys are topic ids');
        if (t.op === 'insert' && t.content === 'json' && t.values!.some((v) => v !== true)) return fail('topic values must be true');
        if (t.op === 'insert' && ctx.attachableTopic && !ctx.attachableTopic(Number(t.key))) return fail(`topic ${t.key} is not in the company's list or is archived`);
        break;
      }
      case 'tags': {
        if (t.key === null || t.key.trim() === '' || t.key.length > MAX_TAG_LENGTH) return fail('tags must be 1 to 50 characters');
        if (t.op === 'insert' && t.content === 'json' && t.values!.some((v) => v !== true)) return fail('tag values must be true');
        break;
      }
      case 'messages':
      case 'requests': {
        if (t.key !== null) return fail(`${t.root} is a list`);
        if (t.op === 'delete' || t.content === 'deleted') return fail(`${t.root} entries cannot be removed`);
        for (const v of t.values!) {
          const err = t.root === 'messages' ? validateOperatorMessage(v, ctx.actorId) : validateRequest(v, ctx.actorId);
          if (err) return fail(err);
          const id = (v as { id: string }).id;
          if (newIds.has(id) || ctx.hasId?.(id)) return fail(`duplicate id ${id}`);
          newIds.add(id);
          if (t.root === 'messages') messages.push(v as MessageEntry);
          else requests.push(v as ConversationRequest);
        }
        break;
      }
      default:
        return fail(`${t.root} is server-owned`);
    }
  }
  return { ok: true, messages, requests };
}
