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
  /** 1 for an Unassigned request anyone permitted could take (grouped, not distributing, not locked): the badge counts them by index. */
  takeable: 0 | 1;
}

/** One searchable message (client messages, replies, notes). */
export interface SearchRecord {
  /** Message id (ULID). */
  id: string;
  conversationId: number;
  kind: 'in' | 'out' | 'note' | 'system';
  text: string;
  at: number;
  /** Normalised words (NFKC, lower case): checked against every query word. */
  terms: string[];
  /** The same words in records written before version 3 (which have no `terms`); see STORES. */
  words?: string[];
}

/**
 * Part of a word's posting list: ids of messages whose search record holds `word`, with each
 * message's conversation. A word's list is the union of its rows. Rows only ever name messages
 * that had the word; a message deleted since (a forgotten conversation) may still be named, so
 * readers look the record up anyway. `seq` is unique and ends with the row's id count; it starts
 * with 's' for a small row that a merge may still fold into a bigger one, and with 'f' for a full
 * row that stays as it is.
 */
export interface PostingRecord {
  word: string;
  seq: string;
  ids: string[];
  /** `conversations[i]` is the conversation of `ids[i]`. */
  conversations: number[];
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

/** An Unassigned request that could be taken: grouped, not distributing, not locked (the badge of product §9). */
export function takeableFlag(row: Pick<InboxRow, 'status' | 'distributing' | 'locked' | 'groupId'>): 0 | 1 {
  return row.status === 'unassigned' && !row.distributing && !row.locked && row.groupId !== null ? 1 : 0;
}

export const DB_VERSION = 3;

/** Version 1 of the stores (databases made before version 2 are upgraded from it). */
export const STORES_V1 = {
  docUpdates: '++id, doc',
  outbox: '++id, doc',
  syncState: 'key',
  conversations: 'id, tab, [tab+unassignedAt], [tab+lastActivityAt], [tab+closedAt], status, assigneeId, groupId, accountChannelId, application, clientNameLower, lastActivityAt',
  search: 'id, conversationId, *words, at',
  drafts: 'conversationId',
  rejectedDrafts: 'id, conversationId',
  company: 'key',
} as const;

/**
 * Version 2: the tab lists, the counts and the badge (`[tab+unreadCount]`, `[tab+takeable]`:
 * counted without reading a row), name search and the All list; message search walked the
 * multiEntry `*words` index. It dropped the unused single-field indexes of version 1.
 */
export const STORES_V2 = {
  docUpdates: '++id, doc',
  outbox: '++id, doc',
  syncState: 'key',
  conversations: 'id, tab, [tab+unassignedAt], [tab+lastActivityAt], [tab+closedAt], [tab+unreadCount], [tab+takeable], clientNameLower, lastActivityAt',
  search: 'id, conversationId, *words',
  drafts: 'conversationId',
  rejectedDrafts: 'id, conversationId',
  company: 'key',
} as const;

/**
 * Dexie store definitions (primary key first, then indexes). Every index is paid for on every
 * write of a row, so only indexes a query uses exist. Version 3 replaced the `*words` index of
 * `search` by the `postings` table (keyed by word, then row): reading a word's message ids from
 * a few rows costs a fraction of walking one index entry per message, which Chromium checks
 * against the table entry by entry. Records written since hold their words in `terms`, which no
 * index covers, so `*words` gets no new entries; it stays declared because deleting it in the
 * upgrade took about 20 s on a 200,000-message store, with the inbox blank meanwhile.
 */
export const STORES = {
  ...STORES_V2,
  postings: '[word+seq]',
} as const;

export function databaseName(serverUrl: string, userId: number): string {
  return `switchboard:${new URL(serverUrl).host}:${userId}`;
}
