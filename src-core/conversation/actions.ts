/**
 * What a user does to a conversation on a device, written into the document the way the server
 * expects (ARCHITECTURE: operators write requests, their replies and notes, topics, tags, the
 * custom name and the read watermark). Run inside the device's transaction.
 */
import { ulid as defaultUlid, type UlidFactory } from '../ids';
import type { Actor } from '../permissions';
import { ConversationDoc } from './doc';
import { lifecycleStateOf, optimisticState } from './lifecycle';
import type { MessageEntry, RepairAction, TransitionAction, TransitionRequest } from './types';

/** The newest message the server has accepted that this device holds (product §2.5). */
export function newestAcceptedMessageId(conv: ConversationDoc): string | null {
  let best: { id: string; at: number } | null = null;
  for (const m of conv.messages.toArray()) {
    const d = conv.delivery.get(m.id);
    if (!d || d.discarded) continue;
    if (!best || d.acceptedAt > best.at || (d.acceptedAt === best.at && m.id > best.id)) best = { id: m.id, at: d.acceptedAt };
  }
  return best?.id ?? null;
}

/**
 * Asks for a transition. The state it is made from is what the device shows: with `viewer`, the
 * device's own undecided requests are applied first, so an offline take then close is judged in
 * that order (product §2.5).
 */
export function requestTransition(
  conv: ConversationDoc,
  actorId: number,
  action: TransitionAction,
  targets: { operatorId?: number; groupId?: number } = {},
  opts: { now?: number; ulid?: UlidFactory; viewer?: Actor } = {},
): TransitionRequest {
  const shown = opts.viewer ? optimisticState(conv, opts.viewer).state : lifecycleStateOf(conv);
  const now = opts.now ?? Date.now();
  const request: TransitionRequest = {
    id: (opts.ulid ?? defaultUlid)(now),
    action,
    actorId,
    expected: { status: shown.status, assigneeId: shown.assigneeId, queryId: shown.queryId },
    seenMessageId: newestAcceptedMessageId(conv),
    targetOperatorId: targets.operatorId ?? null,
    targetGroupId: targets.groupId ?? null,
    createdAt: now,
  };
  conv.requests.push([request]);
  return request;
}

export function writeMessage(
  conv: ConversationDoc,
  authorId: number,
  kind: 'out' | 'note',
  text: string,
  opts: { now?: number; ulid?: UlidFactory; id?: string } = {},
): MessageEntry {
  const now = opts.now ?? Date.now();
  const message: MessageEntry = {
    id: opts.id ?? (opts.ulid ?? defaultUlid)(now),
    kind,
    senderType: 'operator',
    authorId,
    text,
    attachment: null,
    createdAt: now,
    seenMessageId: newestAcceptedMessageId(conv),
    externalId: null,
  };
  conv.messages.push([message]);
  return message;
}

export function requestRepair(conv: ConversationDoc, actorId: number, action: RepairAction, messageId: string, opts: { now?: number; ulid?: UlidFactory } = {}): void {
  const now = opts.now ?? Date.now();
  conv.requests.push([{ id: (opts.ulid ?? defaultUlid)(now), action, actorId, messageId, createdAt: now }]);
}

export function setTopic(conv: ConversationDoc, topicId: number, on: boolean): void {
  if (on) conv.topics.set(String(topicId), true);
  else conv.topics.delete(String(topicId));
}

export function setTag(conv: ConversationDoc, tag: string, on: boolean): void {
  const key = tag.trim();
  if (!key) return;
  if (on) conv.tags.set(key, true);
  else conv.tags.delete(key);
}

export function renameClient(conv: ConversationDoc, name: string): void {
  conv.meta.set('customName', name.trim() === '' ? null : name.trim());
}

/** Moves the read watermark to the newest message (the responsible operator viewing it, product §2.6). */
export function markRead(conv: ConversationDoc): boolean {
  const messages = conv.messages.toArray();
  if (messages.length === 0) return false;
  const newest = newestAcceptedMessageId(conv);
  if (newest === null || conv.meta.get('readWatermark') === newest) return false;
  conv.meta.set('readWatermark', newest);
  return true;
}
