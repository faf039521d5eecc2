import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ConversationDoc } from '../../src-core/conversation/doc';
import { projectInboxRow, type InboxRow } from '../../src-core/conversation/projection';
import { writeMessage } from '../../src-core/conversation/actions';
import type { MessageEntry } from '../../src-core/conversation/types';
import { ulid } from '../../src-core/ids';
import { deleteStore, openStore, type SwitchboardDb } from './db';
import { DexieLocalStore, tabOf, type RowChange } from './dexie-local-store';
import { localStoreContract } from '../../src-core/sync/local-store.contract';

const ME = 10;
let counter = 0;
const opened: SwitchboardDb[] = [];

function freshStore(opts: { onRemoteRows?: (c: RowChange[]) => void } = {}): DexieLocalStore {
  const db = openStore(`store-test-${++counter}-${Date.now()}`);
  opened.push(db);
  return new DexieLocalStore(db, { userId: ME, ...opts });
}

afterEach(async () => {
  for (const db of opened.splice(0)) await db.delete();
});

function rowFor(id: number, patch: Partial<InboxRow> = {}): InboxRow {
  const conv = new ConversationDoc(new Y.Doc());
  conv.setMeta({ id, companyId: 9, clientName: `Client ${id}`, status: 'unassigned', groupId: 1, queryId: 1, createdAt: 1 });
  return { ...projectInboxRow(conv), ...patch };
}
const u = (...b: number[]) => new Uint8Array(b);

/** A real conversation update carrying client messages, as the server would send it. */
function conversationUpdate(id: number, texts: string[], base?: Y.Doc): { doc: Y.Doc; update: Uint8Array; messages: MessageEntry[] } {
  const doc = base ?? new Y.Doc();
  const before = Y.encodeStateVector(doc);
  const conv = new ConversationDoc(doc);
  const messages: MessageEntry[] = [];
  doc.transact(() => {
    if (!conv.initialized) conv.setMeta({ id, companyId: 9, clientName: `Client ${id}`, status: 'unassigned', groupId: 1, queryId: 1, createdAt: 1 });
    for (const text of texts) {
      const m: MessageEntry = { id: ulid(), kind: 'in', senderType: 'client', authorId: null, text, attachment: null, createdAt: Date.now(), seenMessageId: null, externalId: null };
      conv.messages.push([m]);
      conv.delivery.set(m.id, { acceptedAt: Date.now(), serverId: 1, status: null, error: null });
      messages.push(m);
    }
  });
  return { doc, update: Y.encodeStateAsUpdate(doc, before), messages };
}

describe('the Dexie local store: the LocalStore contract', () => {
  localStoreContract({
    make: () => freshStore(),
    rowIds: async (store) => ((await (store as DexieLocalStore).db.conversations.toCollection().primaryKeys()) as number[]).sort((a, b) => a - b),
    rowName: async (store, id) => (await (store as DexieLocalStore).db.conversations.get(id))?.clientName,
  });

  it('stores only the bytes of an update that is a view into a larger buffer (a batch frame)', async () => {
    const store = freshStore();
    const frame = new Uint8Array(100_000);
    frame.set([1, 2, 3], 500);
    frame.set([4, 5], 900);
    await store.saveRemote([{ doc: 'conv/1', update: frame.subarray(500, 503) }], []);
    await store.saveLocal('conv/1', frame.subarray(900, 902), null);
    const stored = await store.readDoc('conv/1');
    expect(stored).toEqual([u(1, 2, 3), u(4, 5)]);
    expect(stored.map((s) => s.buffer.byteLength)).toEqual([3, 2]);
    expect((await store.readOutbox())[0].update.buffer.byteLength).toBe(2);
  });

  it('reads several documents at once, each in the order its updates were stored', async () => {
    const store = freshStore();
    await store.saveRemote([{ doc: 'conv/1', update: u(1) }, { doc: 'conv/2', update: u(2) }, { doc: 'conv/1', update: u(3) }], []);
    expect(await store.readDocs(['conv/2', 'conv/3', 'conv/1'])).toEqual([[u(2)], [], [u(1), u(3)]]);
  });

  it('forgetting a conversation drops its updates, unsent edits, row and search entries, and nothing else', async () => {
    const store = freshStore();
    const one = conversationUpdate(1, ['hello from one']);
    const two = conversationUpdate(2, ['hello from two']);
    await store.saveRemote([{ doc: 'conv/1', update: one.update }, { doc: 'conv/2', update: two.update }], [rowFor(1), rowFor(2)]);
    await store.saveLocal('conv/1', u(1), rowFor(1));
    const kept = await store.saveLocal('conv/2', u(2), rowFor(2));
    await store.deleteDoc('conv/1');
    expect(await store.docNames()).toEqual(['conv/2']);
    expect(await store.readDoc('conv/1')).toEqual([]);
    expect((await store.readOutbox()).map((e) => e.id)).toEqual([kept]);
    expect(await store.db.conversations.toCollection().primaryKeys()).toEqual([2]);
    expect((await store.db.search.toArray()).map((s) => s.conversationId)).toEqual([2]);
  });

  it('compaction replaces a document’s updates by one, and an edit stored after it survives', async () => {
    const store = freshStore();
    await store.saveRemote([{ doc: 'conv/1', update: u(1) }, { doc: 'conv/1', update: u(2) }], []);
    const compacting = store.replaceDoc('conv/1', u(7));
    const edit = store.saveLocal('conv/1', u(8), null);
    await Promise.all([compacting, edit]);
    expect(await store.readDoc('conv/1')).toEqual([u(7), u(8)]);
  });

  it('persists across connections: a new store over the same database sees everything', async () => {
    const store = freshStore();
    await store.saveLocal('conv/3', u(5), rowFor(3));
    await store.writeSyncState({ cursor: 42, userId: ME, companyId: 9 });
    const again = new DexieLocalStore(openStore(store.db.name), { userId: ME });
    opened.push(again.db);
    expect(await again.readDoc('conv/3')).toEqual([u(5)]);
    expect((await again.readOutbox()).map((e) => e.doc)).toEqual(['conv/3']);
    expect((await again.readSyncState()).cursor).toBe(42);
    again.db.close();
  });
});

describe('the Dexie local store: atomic writes', () => {
  it('a server batch whose row cannot be written leaves no update, search entry or cursor behind', async () => {
    const store = freshStore();
    const { update } = conversationUpdate(1, ['never stored']);
    const broken = { ...rowFor(1), id: undefined } as unknown as InboxRow;
    await expect(store.saveRemote([{ doc: 'conv/1', update }], [broken], 99)).rejects.toThrow();
    expect(await store.readDoc('conv/1')).toEqual([]);
    expect(await store.db.search.count()).toBe(0);
    expect((await store.readSyncState()).cursor).toBe(0);
    // The store keeps working after the failed write.
    await store.saveRemote([{ doc: 'conv/1', update }], [rowFor(1)], 5);
    expect(await store.readDoc('conv/1')).toEqual([update]);
  });

  it('a local edit whose row cannot be written leaves neither an update nor an outbox entry', async () => {
    const store = freshStore();
    const broken = { ...rowFor(1), id: Number.NaN } as InboxRow;
    await expect(store.saveLocal('conv/1', u(1), broken)).rejects.toThrow();
    expect(await store.readDoc('conv/1')).toEqual([]);
    expect(await store.outboxSize()).toBe(0);
  });
});

describe('the Dexie local store: rows and the search index', () => {
  it('lists each row under this user’s tab and keys it by its lower-case name', async () => {
    expect(tabOf({ status: 'unassigned', assigneeId: null }, ME)).toBe('unassigned');
    expect(tabOf({ status: 'inbox', assigneeId: ME }, ME)).toBe('mine');
    expect(tabOf({ status: 'inbox', assigneeId: 11 }, ME)).toBe('other');
    expect(tabOf({ status: 'closed', assigneeId: ME }, ME)).toBe('closed');
    expect(tabOf({ status: 'closed', assigneeId: 11 }, ME)).toBe('other');
    const store = freshStore();
    await store.saveRemote([], [rowFor(1, { status: 'inbox', assigneeId: ME, clientName: 'Ｍａｒｉａ Ｓｏｕｚａ' }), rowFor(2, { status: 'closed', assigneeId: 11 })]);
    expect(await store.db.conversations.where('tab').equals('mine').primaryKeys()).toEqual([1]);
    expect(await store.db.conversations.where('tab').equals('other').primaryKeys()).toEqual([2]);
    expect((await store.db.conversations.get(1))?.clientNameLower).toBe('maria souza');
  });

  it('indexes the messages an update brings, once, whether it came from the server or was written here', async () => {
    const store = freshStore();
    const first = conversationUpdate(1, ['Hello there', 'Where is my order?']);
    await store.saveRemote([{ doc: 'conv/1', update: first.update }], [rowFor(1)]);
    const doc = first.doc;
    const before = Y.encodeStateVector(doc);
    const reply = writeMessage(new ConversationDoc(doc), ME, 'out', 'Your order ships tomorrow');
    await store.saveLocal('conv/1', Y.encodeStateAsUpdate(doc, before), null);
    // The same messages again (a resync) add nothing.
    await store.saveRemote([{ doc: 'conv/1', update: Y.encodeStateAsUpdate(doc) }], []);
    const records = await store.db.search.orderBy('id').toArray();
    expect(records.map((r) => r.text).sort()).toEqual(['Hello there', 'Where is my order?', 'Your order ships tomorrow']);
    expect(records.find((r) => r.id === reply.id)).toMatchObject({ conversationId: 1, kind: 'out' });
    expect(records.find((r) => r.text === 'Where is my order?')?.terms).toEqual(['where', 'is', 'my', 'order']);
  });

  it('reports each changed row with the row it replaced, after the change committed', async () => {
    const seen: RowChange[][] = [];
    const store = freshStore({ onRemoteRows: (c) => seen.push(c) });
    await store.saveRemote([], [rowFor(1)]);
    await store.saveRemote([], [rowFor(1, { status: 'inbox', assigneeId: ME }), rowFor(2)]);
    expect(seen).toHaveLength(2);
    expect(seen[0][0].before).toBeUndefined();
    expect(seen[1].map((c) => [c.before?.status, c.after.status, c.after.tab])).toEqual([['unassigned', 'inbox', 'mine'], [undefined, 'unassigned', 'unassigned']]);
  });

  it('a sign-out wipe deletes the database', async () => {
    const store = freshStore();
    await store.saveLocal('conv/1', u(1), rowFor(1));
    const name = store.db.name;
    store.db.close();
    await deleteStore(name);
    const again = openStore(name);
    opened.push(again);
    expect(await again.conversations.count()).toBe(0);
    expect(await again.outbox.count()).toBe(0);
  });
});
