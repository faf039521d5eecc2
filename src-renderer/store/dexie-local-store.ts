/**
 * The device's LocalStore over Dexie (ARCHITECTURE "The local store"). Every write is one
 * read-write transaction and resolves only after it committed: the sync peer counts an edit as
 * saved at that moment. Writes run one after another in call order, so a compaction can never
 * overwrite an edit stored after the state it encodes.
 *
 * Besides Yjs persistence it keeps the tables the UI reads: each conversation's projection row
 * (with the tab it is listed under for this user) and the message search index, both written in
 * the transaction that stores the update they come from.
 */
import { parseDocName } from '../../src-core/conversation/doc';
import type { InboxRow } from '../../src-core/conversation/projection';
import type { LocalStore, OutboxEntry, RemoteUpdate, SyncState } from '../../src-core/sync/local-store';
import type { SwitchboardDb } from './db';
import { takeableFlag, type ConversationRecord, type PostingRecord, type SearchRecord, type SyncStateRecord } from './schema';
import { BACKFILL_KEY, clientNameKey, idsByWord, POSTING_FULL_ROW, postingRows, searchRecordsFromUpdates, smallRowRange, type PostingList } from './search';

const SYNC_KEY = 'sync' as const;
const EMPTY_STATE: SyncStateRecord = { key: SYNC_KEY, cursor: 0, epoch: 0, userId: null, companyId: null };
/** Small posting rows a word gathers in this session before they are merged. */
const MERGE_AFTER_ROWS = 8;
/** Words whose small rows are counted at most (a bound on memory: most words are rare). */
const COUNTED_WORDS_MAX = 50_000;
/** Search records posted per background step after an upgrade (one short transaction each). */
const BACKFILL_CHUNK = 2000;

/** A conversation row as the store held it before a server change, and after. */
export interface RowChange {
  before: ConversationRecord | undefined;
  after: ConversationRecord;
}

export interface DexieLocalStoreOptions {
  /** The signed-in user: decides the tab each row is listed under. */
  userId: number;
  /** Called after a server change committed, with every row it touched (for notifications). */
  onRemoteRows?(changes: RowChange[]): void;
  /** Tuning (tests): search records posted per background step after an upgrade (default 2,000). */
  backfillChunk?: number;
}

/** The tab a conversation is listed under for `userId` (product §4.2). */
export function tabOf(row: Pick<InboxRow, 'status' | 'assigneeId'>, userId: number): ConversationRecord['tab'] {
  if (row.status === 'unassigned') return 'unassigned';
  if (row.status === 'inbox' && row.assigneeId === userId) return 'mine';
  if (row.status === 'closed' && row.assigneeId === userId) return 'closed';
  return 'other';
}

export function conversationRecord(row: InboxRow, userId: number): ConversationRecord {
  return { ...row, tab: tabOf(row, userId), clientNameLower: clientNameKey(row), takeable: takeableFlag(row) };
}

export class DexieLocalStore implements LocalStore {
  private queue: Promise<unknown> = Promise.resolve();
  /** Small posting rows written per word since this store started or since the word's last merge. */
  private smallRows = new Map<string, number>();
  /** Words with enough small rows to merge after the current write. */
  private toMerge = new Set<string>();

  constructor(readonly db: SwitchboardDb, private readonly opts: DexieLocalStoreOptions) {}

  get userId(): number {
    return this.opts.userId;
  }

  /** Runs writes one at a time, in call order; a failed write does not stop the next. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  // ---- sync state -------------------------------------------------------------------------------

  async readSyncState(): Promise<SyncState> {
    const s = (await this.db.syncState.get(SYNC_KEY)) ?? EMPTY_STATE;
    return { cursor: s.cursor, epoch: s.epoch, userId: s.userId, companyId: s.companyId };
  }

  writeSyncState(patch: Partial<SyncState>): Promise<void> {
    return this.serial(() => this.db.transaction('rw', this.db.syncState, async () => {
      const current = (await this.db.syncState.get(SYNC_KEY)) ?? EMPTY_STATE;
      await this.db.syncState.put({ ...current, ...definedOnly(patch), key: SYNC_KEY });
    }));
  }

  // ---- documents --------------------------------------------------------------------------------

  async docNames(): Promise<string[]> {
    return (await this.db.docUpdates.orderBy('doc').uniqueKeys()) as string[];
  }

  async readDoc(name: string): Promise<Uint8Array[]> {
    // Primary-key order within the index entry is insertion order.
    const records = await this.db.docUpdates.where('doc').equals(name).toArray();
    records.sort((a, b) => a.id! - b.id!);
    return records.map((r) => r.data);
  }

  /** Several documents' updates in one read-only transaction (its requests run concurrently). */
  async readDocs(names: string[]): Promise<Uint8Array[][]> {
    const { db } = this;
    const lists = await db.transaction('r', db.docUpdates, () => Promise.all(names.map((name) => db.docUpdates.where('doc').equals(name).toArray())));
    return lists.map((records) => {
      records.sort((a, b) => a.id! - b.id!);
      return records.map((r) => r.data);
    });
  }

  saveRemote(updates: RemoteUpdate[], rows: InboxRow[], cursor?: number): Promise<void> {
    const records = rows.map((r) => conversationRecord(r, this.opts.userId));
    const search = searchRecordsFromUpdates(updates);
    const { db } = this;
    return this.serial(async () => {
      const before = await db.transaction('rw', [db.docUpdates, db.conversations, db.search, db.postings, db.syncState], async () => {
        const [previous] = await Promise.all([
          this.opts.onRemoteRows && records.length > 0 ? db.conversations.bulkGet(records.map((r) => r.id)) : Promise.resolve([]),
          updates.length > 0 ? db.docUpdates.bulkAdd(updates.map((u) => ({ doc: u.doc, data: ownBytes(u.update) }))) : undefined,
          this.addSearch(search),
          cursor !== undefined ? this.advanceCursor(cursor) : undefined,
        ]);
        if (records.length > 0) await db.conversations.bulkPut(records);
        return previous;
      });
      if (this.opts.onRemoteRows && records.length > 0) {
        this.opts.onRemoteRows(records.map((after, i) => ({ before: before[i], after })));
      }
      this.scheduleMerge();
    });
  }

  saveLocal(name: string, update: Uint8Array, row: InboxRow | null): Promise<number> {
    const record = row ? conversationRecord(row, this.opts.userId) : null;
    const search = searchRecordsFromUpdates([{ doc: name, update }]);
    const { db } = this;
    return this.serial(async () => {
      const id = await db.transaction('rw', [db.docUpdates, db.outbox, db.conversations, db.search, db.postings], async () => {
        const bytes = ownBytes(update);
        const [outboxId] = await Promise.all([
          db.outbox.add({ doc: name, update: bytes, createdAt: Date.now() }),
          db.docUpdates.add({ doc: name, data: bytes }),
          record ? db.conversations.put(record) : undefined,
          this.addSearch(search),
        ]);
        return outboxId;
      });
      this.scheduleMerge();
      return id;
    });
  }

  replaceDoc(name: string, update: Uint8Array): Promise<void> {
    const { db } = this;
    return this.serial(() => db.transaction('rw', db.docUpdates, async () => {
      await db.docUpdates.where('doc').equals(name).delete();
      await db.docUpdates.add({ doc: name, data: ownBytes(update) });
    }));
  }

  deleteDoc(name: string): Promise<void> {
    const parsed = parseDocName(name);
    const conversationId = parsed?.kind === 'conv' ? parsed.id : null;
    const { db } = this;
    return this.serial(() => db.transaction('rw', [db.docUpdates, db.outbox, db.conversations, db.search], async () => {
      await Promise.all([
        db.docUpdates.where('doc').equals(name).delete(),
        db.outbox.where('doc').equals(name).delete(),
        conversationId !== null ? db.conversations.delete(conversationId) : undefined,
        conversationId !== null ? db.search.where('conversationId').equals(conversationId).delete() : undefined,
      ]);
    }));
  }

  // ---- outbox -----------------------------------------------------------------------------------

  async readOutbox(): Promise<OutboxEntry[]> {
    const records = await this.db.outbox.toArray();
    return records.map((r) => ({ id: r.id!, doc: r.doc, update: r.update }));
  }

  removeOutbox(id: number): Promise<void> {
    return this.serial(() => this.db.transaction('rw', this.db.outbox, () => this.db.outbox.delete(id)));
  }

  outboxSize(): Promise<number> {
    return this.db.outbox.count();
  }

  // ---- beyond the LocalStore contract -----------------------------------------------------------

  /**
   * Rewrites projection rows that were computed without knowing the viewer (an edit made offline
   * before the company document named the user), so pending requests show.
   */
  putRows(rows: InboxRow[]): Promise<void> {
    const records = rows.map((r) => conversationRecord(r, this.opts.userId));
    return this.serial(() => this.db.transaction('rw', this.db.conversations, async () => {
      // Only conversations still held: a row must never resurrect a forgotten conversation.
      const present = await this.db.conversations.bulkGet(records.map((r) => r.id));
      await this.db.conversations.bulkPut(records.filter((_, i) => present[i] !== undefined));
    }));
  }

  /** Runs after every write queued so far has committed (tests, shutdown). */
  async flushed(): Promise<void> {
    await this.queue;
  }

  /**
   * Fills the posting lists of the messages a store upgraded from version 2 already held, a chunk
   * of records per write, in key order, so that sync writes queued meanwhile run in between. Does
   * nothing once they are complete; an interrupted fill resumes where it stopped.
   */
  async backfillPostings(): Promise<void> {
    const { db } = this;
    const chunk = Math.max(1, this.opts.backfillChunk ?? BACKFILL_CHUNK);
    for (;;) {
      const done = await this.serial(async () => {
        const finished = await db.transaction('rw', [db.search, db.postings], async () => {
          const marker = await db.postings.get(BACKFILL_KEY);
          if (!marker) return true;
          const after = marker.ids[0];
          const records = await (after === undefined ? db.search.toCollection() : db.search.where(':id').above(after)).limit(chunk).toArray();
          const rows = this.countSmallRows(postingRows(idsByWord(records), false));
          await db.postings.bulkPut(rows);
          if (records.length < chunk) await db.postings.delete(BACKFILL_KEY);
          else await db.postings.put({ ...marker, ids: [records[records.length - 1].id] });
          return records.length < chunk;
        });
        this.scheduleMerge();
        return finished;
      });
      if (done) return;
    }
  }

  /**
   * Indexes the messages an update brings: their search records, and one small posting row per
   * word. A message arrives in exactly one update in the usual case; a re-delivered one (a resync,
   * a duplicate frame) is written again with the same content, which is cheaper than looking every
   * message up first (a key-by-key walk of the table); its id may then appear twice in a word's
   * rows, which readers and merges deduplicate.
   */
  private async addSearch(records: SearchRecord[]): Promise<void> {
    if (records.length === 0) return;
    const rows = this.countSmallRows(postingRows(idsByWord(records), false));
    await Promise.all([this.db.search.bulkPut(records), this.db.postings.bulkPut(rows)]);
  }

  /** Counts freshly written small rows per word, noting the words due for a merge. */
  private countSmallRows(rows: PostingRecord[]): PostingRecord[] {
    if (this.smallRows.size >= COUNTED_WORDS_MAX) {
      // Mostly words seen once (order numbers, names): forgetting them only delays their merge.
      for (const [word, n] of this.smallRows) if (n === 1) this.smallRows.delete(word);
    }
    for (const { word } of rows) {
      const n = (this.smallRows.get(word) ?? 0) + 1;
      this.smallRows.set(word, n);
      if (n >= MERGE_AFTER_ROWS) this.toMerge.add(word);
    }
    return rows;
  }

  /** Queues a merge of the words that gathered enough small posting rows (after the writes queued so far). */
  private scheduleMerge(): void {
    if (this.toMerge.size === 0) return;
    const words = [...this.toMerge];
    this.toMerge.clear();
    for (const w of words) this.smallRows.delete(w);
    void this.serial(() => this.mergePostings(words));
  }

  /**
   * Folds each word's small posting rows into full rows of `POSTING_FULL_ROW` ids and at most one
   * small row with the rest, without duplicates. Full rows are never read again by a merge, so a
   * word's writes cost a bounded number of rewrites of its newest ids.
   */
  private mergePostings(words: string[]): Promise<void> {
    const { db } = this;
    return db.transaction('rw', db.postings, async () => {
      await Promise.all(words.map(async (word) => {
        const [lower, upper] = smallRowRange(word);
        const rows = await db.postings.where(':id').between(lower, upper, true, false).toArray();
        if (rows.length < 2) return;
        const list: PostingList = { ids: [], conversations: [] };
        const seen = new Set<string>();
        for (const row of rows) {
          row.ids.forEach((id, i) => {
            if (seen.has(id)) return;
            seen.add(id);
            list.ids.push(id);
            list.conversations.push(row.conversations[i]);
          });
        }
        const merged = postingRows(new Map([[word, list]]), list.ids.length >= POSTING_FULL_ROW);
        await db.postings.bulkDelete(rows.map((r) => [r.word, r.seq] as [string, string]));
        await db.postings.bulkPut(merged);
      }));
    });
  }

  private async advanceCursor(cursor: number): Promise<void> {
    const current = (await this.db.syncState.get(SYNC_KEY)) ?? EMPTY_STATE;
    if (cursor > current.cursor) await this.db.syncState.put({ ...current, cursor });
  }
}

/**
 * The bytes of `u` in a buffer of their own. IndexedDB stores a typed array with its whole
 * ArrayBuffer: an update decoded from a batch frame is a view into that frame, and storing the
 * view stored the entire frame (about 200 KB per conversation instead of 7 KB, 2 GB for 10,000
 * conversations, written as blob files and read back whole on every load).
 */
export function ownBytes(u: Uint8Array): Uint8Array {
  return u.byteOffset === 0 && u.byteLength === u.buffer.byteLength ? u : u.slice();
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
