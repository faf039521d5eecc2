/**
 * The LocalStore contract as a test suite, run against every implementation (the in-memory store
 * of the Node sync clients, the Dexie store of the desktop client). Imported by tests only.
 */
import { expect, it } from 'vitest';
import * as Y from 'yjs';
import { ConversationDoc } from '../conversation/doc';
import { projectInboxRow, type InboxRow } from '../conversation/projection';
import type { LocalStore } from './local-store';

export interface LocalStoreUnderTest {
  /** A new, empty store. */
  make(): LocalStore;
  /** The ids of the inbox rows the store holds, ascending. */
  rowIds(store: LocalStore): Promise<number[]>;
  /** The client name of one stored inbox row. */
  rowName(store: LocalStore, id: number): Promise<string | undefined>;
}

export function rowFor(id: number): InboxRow {
  const conv = new ConversationDoc(new Y.Doc());
  conv.setMeta({ id, companyId: 9, clientName: `Client ${id}`, status: 'unassigned', groupId: 1, queryId: 1, createdAt: 1 });
  return projectInboxRow(conv);
}

export const u = (...b: number[]) => new Uint8Array(b);

/** Call inside a `describe`: one `it` per promise of the contract. */
export function localStoreContract(sut: LocalStoreUnderTest): void {
  it('keeps a local edit with its projection row and an outbox entry, in the order edits were made', async () => {
    const store = sut.make();
    const first = await store.saveLocal('conv/1', u(1), rowFor(1));
    const second = await store.saveLocal('conv/2', u(2), null);
    const third = await store.saveLocal('conv/1', u(3), null);
    expect(second).toBeGreaterThan(first);
    expect(third).toBeGreaterThan(second);
    expect(await store.readOutbox()).toEqual([
      { id: first, doc: 'conv/1', update: u(1) }, { id: second, doc: 'conv/2', update: u(2) }, { id: third, doc: 'conv/1', update: u(3) },
    ]);
    expect(await store.readDoc('conv/1')).toEqual([u(1), u(3)]);
    expect(await sut.rowName(store, 1)).toBe('Client 1');
    expect(await store.outboxSize()).toBe(3);
  });

  it('an acknowledged edit leaves the outbox but stays in the document', async () => {
    const store = sut.make();
    const id = await store.saveLocal('conv/1', u(1), null);
    const other = await store.saveLocal('conv/1', u(2), null);
    await store.removeOutbox(id);
    expect((await store.readOutbox()).map((e) => e.id)).toEqual([other]);
    expect(await store.readDoc('conv/1')).toEqual([u(1), u(2)]);
  });

  it('forgetting a conversation drops its updates, its unsent edits and its inbox row, and nothing else', async () => {
    const store = sut.make();
    await store.saveLocal('conv/1', u(1), rowFor(1));
    const kept = await store.saveLocal('conv/2', u(2), rowFor(2));
    await store.saveRemote([{ doc: 'conv/1', update: u(9) }], [], undefined);
    await store.deleteDoc('conv/1');
    expect(await store.docNames()).toEqual(['conv/2']);
    expect(await store.readDoc('conv/1')).toEqual([]);
    expect((await store.readOutbox()).map((e) => e.id)).toEqual([kept]);
    expect(await sut.rowIds(store)).toEqual([2]);
  });

  it('forgetting a company or client document never drops a conversation row with the same id', async () => {
    const store = sut.make();
    await store.saveLocal('conv/9', u(1), rowFor(9));
    await store.saveRemote([{ doc: 'client/9', update: u(2) }, { doc: 'company/9', update: u(3) }], []);
    await store.deleteDoc('client/9');
    await store.deleteDoc('company/9');
    expect(await sut.rowIds(store)).toEqual([9]);
    expect(await store.docNames()).toEqual(['conv/9']);
  });

  it('server updates are stored with their rows, and the cursor only moves forward', async () => {
    const store = sut.make();
    await store.saveRemote([{ doc: 'conv/1', update: u(1) }], [rowFor(1)], 10);
    expect((await store.readSyncState()).cursor).toBe(10);
    await store.saveRemote([{ doc: 'conv/1', update: u(2) }], [], 4);
    expect((await store.readSyncState()).cursor).toBe(10);
    await store.saveRemote([], [], undefined);
    expect((await store.readSyncState()).cursor).toBe(10);
    await store.saveRemote([], [], 11);
    expect((await store.readSyncState()).cursor).toBe(11);
    expect(await store.readDoc('conv/1')).toEqual([u(1), u(2)]);
    expect(await store.outboxSize()).toBe(0);
  });

  it('compaction replaces a document’s updates by one', async () => {
    const store = sut.make();
    await store.saveRemote([{ doc: 'conv/1', update: u(1) }, { doc: 'conv/1', update: u(2) }], []);
    await store.replaceDoc('conv/1', u(7));
    expect(await store.readDoc('conv/1')).toEqual([u(7)]);
  });

  it('the sync state is patched, and a read is a copy', async () => {
    const store = sut.make();
    await store.writeSyncState({ userId: 10, companyId: 9, epoch: 2 });
    const state = await store.readSyncState();
    expect(state).toEqual({ cursor: 0, epoch: 2, userId: 10, companyId: 9 });
    state.cursor = 500;
    expect((await store.readSyncState()).cursor).toBe(0);
  });
}
