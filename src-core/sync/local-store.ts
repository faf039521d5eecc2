/**
 * What a device keeps locally (ARCHITECTURE "The local store"): Yjs updates per document, an
 * outbox of local updates the server has not acknowledged, the sync state, and the projection
 * rows the inbox reads. The renderer implements it over Dexie; tests use the in-memory store.
 * Every write resolves only once it is durable in the medium.
 */
import type { InboxRow } from '../conversation/projection';

export interface SyncState {
  /** Highest server sequence number fully applied. */
  cursor: number;
  /** The access epoch the cursor belongs to. */
  epoch: number;
  userId: number | null;
  companyId: number | null;
}

export interface OutboxEntry {
  id: number;
  doc: string;
  update: Uint8Array;
}

export interface RemoteUpdate {
  doc: string;
  update: Uint8Array;
}

export interface LocalStore {
  readSyncState(): Promise<SyncState>;
  writeSyncState(patch: Partial<SyncState>): Promise<void>;
  docNames(): Promise<string[]>;
  /** Stored updates of a document (empty when unknown). */
  readDoc(name: string): Promise<Uint8Array[]>;
  /**
   * Stored updates of several documents, in the order of `names`, with one read (a catch-up
   * batch). Optional: without it the peer reads each document with `readDoc`, all at once.
   */
  readDocs?(names: string[]): Promise<Uint8Array[][]>;
  /**
   * Stores updates that came from the server together with the projection rows they produced
   * (and, when given, the new cursor) in one transaction.
   */
  saveRemote(updates: RemoteUpdate[], rows: InboxRow[], cursor?: number): Promise<void>;
  /** Stores a local edit and its outbox entry in one transaction; returns the outbox id. */
  saveLocal(name: string, update: Uint8Array, row: InboxRow | null): Promise<number>;
  /** Replaces a document's stored updates by one (compaction). */
  replaceDoc(name: string, update: Uint8Array): Promise<void>;
  /** Forgets a document, its outbox entries and its projection row. */
  deleteDoc(name: string): Promise<void>;
  readOutbox(): Promise<OutboxEntry[]>;
  removeOutbox(id: number): Promise<void>;
  outboxSize(): Promise<number>;
}
