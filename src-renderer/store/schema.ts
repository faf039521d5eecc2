/**
 * The device's local store (ARCHITECTURE "The local store"), one IndexedDB database per signed-in
 * user: Yjs persistence, the outbox, the sync state, and the tables the UI reads with indexed
 * queries (`liveQuery`) without decoding any document. The sync worker is the only writer, except
 * for drafts, which the UI writes on every keystroke.
 */
import type { AccountChannelPublic, OperatorGroup, OperatorProfile, Role, Topic } from '../../src-core/company';
import type { InboxRow } from '../../src-core/conversation/projection';

/** Stored Yjs update of a document (server-made or local). */
export interface DocUpdateRecord {
  id?: number;
  doc: string;
  data: Uint8Array;
}

/** A local update the server has not acknowledged (cleared by its ack). */
export interface OutboxRecord {
  id?: number;
  doc: string;
  update: Uint8Array;
  createdAt: number;
}

export interface SyncStateRecord {
  key: 'sync';
  cursor: number;
  epoch: number;
  userId: number | null;
  companyId: number | null;
}

/**
 * A conversation's projection row (src-core InboxRow) plus derived index keys. `tab` is the tab
 * the row is listed under for this user ('unassigned' | 'mine' | 'closed' | 'other'),
 * `clientNameLower` (NFKC, lower case, single spaces) serves name search.
 */
export interface ConversationRecord extends InboxRow {
  tab: 'unassigned' | 'mine' | 'closed' | 'other';
  clientNameLower: string;
}

/** One searchable message (client messages, replies, notes). */
export interface SearchRecord {
  /** Message id (ULID). */
  id: string;
  conversationId: number;
  kind: 'in' | 'out' | 'note' | 'system';
  text: string;
  at: number;
  /** Normalised words (NFKC, lower case) for prefix search; multiEntry index. */
  words: string[];
}

/** One draft per conversation and user, saved on every keystroke (product §4.3). */
export interface DraftRecord {
  conversationId: number;
  mode: 'reply' | 'note';
  text: string;
  updatedAt: number;
}

/** A reply or note the server refused, kept for the user to resend or discard. */
export interface RejectedDraftRecord {
  id: string;
  conversationId: number;
  kind: 'out' | 'note';
  text: string;
  reason: string;
  at: number;
}

/** The company document, flattened for the UI (key 'current'). */
export interface CompanyRecord {
  key: 'current';
  companyId: number;
  name: string;
  timeZone: string;
  operators: OperatorProfile[];
  groups: OperatorGroup[];
  roles: Role[];
  accountChannels: AccountChannelPublic[];
  topics: Topic[];
}

export const DB_VERSION = 1;

/** Dexie store definitions (primary key first, then indexes). */
export const STORES = {
  docUpdates: '++id, doc',
  outbox: '++id, doc',
  syncState: 'key',
  conversations: 'id, tab, [tab+unassignedAt], [tab+lastActivityAt], [tab+closedAt], status, assigneeId, groupId, accountChannelId, application, clientNameLower, lastActivityAt',
  search: 'id, conversationId, *words, at',
  drafts: 'conversationId',
  rejectedDrafts: 'id, conversationId',
  company: 'key',
} as const;

export function databaseName(serverUrl: string, userId: number): string {
  return `switchboard:${new URL(serverUrl).host}:${userId}`;
}
