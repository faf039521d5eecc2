/**
 * Fixtures for the conversation tests: a document as the server writes it (meta and the open
 * query) and messages the server has accepted. Imported by tests only.
 */
import * as Y from 'yjs';
import { monotonicUlid } from '../ids';
import { ConversationDoc } from './doc';
import type { ConversationMeta, MessageEntry } from './types';

export const T0 = 1_700_000_000_000;
export const SUPPORT = 1;
export const SALES = 2;
/** The open query's id. */
export const Q = 100;

export const newId = monotonicUlid();

/** A conversation document as the server writes it: meta, the open query, nothing else. */
export function serverConversation(meta: Partial<ConversationMeta> = {}): ConversationDoc {
  const conv = new ConversationDoc(new Y.Doc());
  conv.doc.transact(() => {
    conv.setMeta({
      id: 7, companyId: 9, clientId: 3, accountChannelId: 2, application: 'telegrambot', clientName: 'Ann Lee',
      status: 'unassigned', assigneeId: null, groupId: SUPPORT, distributing: false, locked: false, queryId: Q, createdAt: T0,
      unassignedAt: T0, closedAt: null, closeGroupId: null, previousAssigneeId: null, queryOrigin: 'client', customName: null,
      readWatermark: null, ...meta,
    });
    conv.queries.set(String(Q), {
      id: Q, origin: 'client', startedAt: T0, startGroupId: SUPPORT, clockAt: T0, firstResponseAt: null, closedAt: null,
      closerId: null, closeGroupId: null,
    });
  });
  return conv;
}

let serverIds = 0;

/** A message entry with the defaults of its kind (a client's for `in`, an operator's otherwise). */
export function messageEntry(partial: Partial<MessageEntry> & Pick<MessageEntry, 'kind'>, createdAt: number): MessageEntry {
  return {
    id: newId(createdAt), senderType: partial.kind === 'in' ? 'client' : 'operator', authorId: null, text: 'hello', attachment: null,
    createdAt, seenMessageId: null, externalId: null, ...partial,
  };
}

/** Appends a message the server accepted at `acceptedAt` (replies queued for delivery). */
export function accepted(conv: ConversationDoc, partial: Partial<MessageEntry> & Pick<MessageEntry, 'kind'>, acceptedAt: number): MessageEntry {
  const message = messageEntry(partial, acceptedAt);
  conv.messages.push([message]);
  conv.delivery.set(message.id, { acceptedAt, serverId: ++serverIds, status: partial.kind === 'out' ? 'queued' : null, error: null });
  return message;
}

/** The server's next message sequence number (for delivery entries a test writes itself). */
export function nextServerId(): number {
  return ++serverIds;
}
