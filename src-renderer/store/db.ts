/**
 * The per-user IndexedDB database (ARCHITECTURE "The local store"), typed over the agreed schema.
 * The sync worker writes it; the UI thread opens the same database to read it with `liveQuery`.
 */
import Dexie, { type Table } from 'dexie';
import {
  DB_VERSION, STORES, STORES_V1, STORES_V2, takeableFlag, type CompanyRecord, type ConversationRecord, type DocUpdateRecord, type DraftRecord, type OutboxRecord,
  type PostingRecord, type RejectedDraftRecord, type SearchRecord, type SyncStateRecord,
} from './schema';
import { BACKFILL_KEY } from './search';

export interface SwitchboardTables {
  docUpdates: Table<DocUpdateRecord, number>;
  outbox: Table<OutboxRecord, number>;
  syncState: Table<SyncStateRecord, 'sync'>;
  conversations: Table<ConversationRecord, number>;
  search: Table<SearchRecord, string>;
  postings: Table<PostingRecord, [string, string]>;
  drafts: Table<DraftRecord, number>;
  rejectedDrafts: Table<RejectedDraftRecord, string>;
  company: Table<CompanyRecord, 'current'>;
}

export type SwitchboardDb = Dexie & SwitchboardTables;

/** Where IndexedDB comes from: the global one by default (fake-indexeddb in Node tests). */
export interface IndexedDbDeps {
  indexedDB: IDBFactory;
  IDBKeyRange: typeof IDBKeyRange;
}

/**
 * The database of one signed-in user (name from `databaseName(serverUrl, userId)`). Opens lazily on
 * first use; call `db.open()` to surface errors early.
 */
export function openStore(name: string, deps?: IndexedDbDeps): SwitchboardDb {
  const db = new Dexie(name, deps ? { indexedDB: deps.indexedDB, IDBKeyRange: deps.IDBKeyRange } : undefined) as SwitchboardDb;
  db.version(1).stores(STORES_V1);
  db.version(2).stores(STORES_V2).upgrade((tx) => tx.table('conversations').toCollection().modify((row: ConversationRecord) => {
    row.takeable = takeableFlag(row);
  }));
  // Version 3: the posting lists of the messages already stored are filled by the sync worker in
  // the background (DexieLocalStore.backfillPostings): reading 200,000 records here kept the
  // inbox blank for tens of seconds. Until then search checks every record.
  db.version(DB_VERSION).stores(STORES).upgrade(async (tx) => {
    const marker: PostingRecord = { word: BACKFILL_KEY[0], seq: BACKFILL_KEY[1], ids: [], conversations: [] };
    await tx.table('postings').put(marker);
  });
  return db;
}

/**
 * Deletes a user's database (sign-out wipe). Dexie closes this connection first; other open
 * connections (another tab, the UI thread) get `versionchange` and close themselves.
 */
export async function deleteStore(name: string, deps?: IndexedDbDeps): Promise<void> {
  await openStore(name, deps).delete();
}
