import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import * as Y from 'yjs';
import { ConversationDoc } from '../../src-core/conversation/doc';
import { projectInboxRow, type InboxRow } from '../../src-core/conversation/projection';
import { openStore, type SwitchboardDb } from '../store/db';
import { conversationRecord } from '../store/dexie-local-store';
import { STORES_V1 } from '../store/schema';
import { CATCH_UP_READ_INTERVAL_MS, setCatchingUp, watchTables, countBadge, countTabs, primeCompany, primedCompany, primeTab, readTab, sameRecord, takePrimed } from './store-access';

const ME = 10;
let counter = 0;
const opened: SwitchboardDb[] = [];

function freshDb(): SwitchboardDb {
  const db = openStore(`store-access-test-${++counter}-${Date.now()}`);
  opened.push(db);
  return db;
}

afterEach(async () => {
  for (const db of opened.splice(0)) await db.delete();
});

function row(id: number, patch: Partial<InboxRow> = {}): InboxRow {
  const conv = new ConversationDoc(new Y.Doc());
  conv.setMeta({ id, companyId: 9, clientName: `Client ${id}`, status: 'unassigned', groupId: 1, queryId: 1, createdAt: 1 });
  return { ...projectInboxRow(conv), ...patch };
}

async function put(db: SwitchboardDb, rows: InboxRow[]): Promise<void> {
  await db.conversations.bulkPut(rows.map((r) => conversationRecord(r, ME)));
}

describe('reading a tab: its order from the compound index, with its first rows', () => {
  it('orders Unassigned longest waiting first, My inbox and All latest first, Closed latest close first', async () => {
    const db = freshDb();
    await put(db, [
      row(1, { status: 'unassigned', unassignedAt: 300, lastActivityAt: 300 }),
      row(2, { status: 'unassigned', unassignedAt: 100, lastActivityAt: 900 }),
      row(3, { status: 'inbox', assigneeId: ME, lastActivityAt: 500 }),
      row(4, { status: 'inbox', assigneeId: ME, lastActivityAt: 700 }),
      row(5, { status: 'inbox', assigneeId: 77, lastActivityAt: 800 }),
      row(6, { status: 'closed', assigneeId: ME, closedAt: 50, lastActivityAt: 50 }),
      row(7, { status: 'closed', assigneeId: ME, closedAt: 60, lastActivityAt: 60 }),
    ]);
    expect((await readTab(db, 'unassigned')).ids).toEqual([2, 1]);
    expect((await readTab(db, 'mine')).ids).toEqual([4, 3]);
    expect((await readTab(db, 'closed')).ids).toEqual([7, 6]);
    expect((await readTab(db, 'all')).ids).toEqual([2, 5, 4, 3, 1, 7, 6]);
  });

  it('returns the first rows in the same order, no more than asked for', async () => {
    const db = freshDb();
    await put(db, Array.from({ length: 12 }, (_, i) => row(i + 1, { status: 'inbox', assigneeId: ME, lastActivityAt: 1000 + i })));
    const page = await readTab(db, 'mine', 5);
    expect(page.ids).toHaveLength(12);
    expect(page.rows.map((r) => r.id)).toEqual(page.ids.slice(0, 5));
    expect(page.rows[0].clientName).toBe('Client 12');
  });

  it('keeps a row whose sort key is missing (it is not in the compound index) at the end of its tab', async () => {
    const db = freshDb();
    await put(db, [row(1, { status: 'unassigned', unassignedAt: 10 })]);
    const orphan = conversationRecord(row(2, { status: 'unassigned' }), ME) as Partial<ReturnType<typeof conversationRecord>>;
    delete orphan.unassignedAt;
    await db.conversations.put(orphan as ReturnType<typeof conversationRecord>);
    expect((await readTab(db, 'unassigned')).ids).toEqual([1, 2]);
  });
});

describe('a tab read started as the database opens (primeTab)', () => {
  it('is taken over once by the list, which then reads for itself', async () => {
    const db = freshDb();
    await put(db, [row(1, { status: 'inbox', assigneeId: ME, lastActivityAt: 10 }), row(2, { status: 'inbox', assigneeId: ME, lastActivityAt: 20 })]);
    const primed = primeTab(db, 'mine');
    const taken = takePrimed(db, 'mine');
    expect(taken).not.toBeNull();
    expect((await taken!).ids).toEqual([2, 1]);
    expect((await primed).rows.map((r) => r.id)).toEqual([2, 1]);
    expect(takePrimed(db, 'mine')).toBeNull();
    expect(takePrimed(db, 'unassigned')).toBeNull();
  });

  it('is dropped when the conversations change before the list takes it', async () => {
    const db = freshDb();
    await put(db, [row(1, { status: 'inbox', assigneeId: ME, lastActivityAt: 10 })]);
    await primeTab(db, 'mine');
    // The worker stores a change after the read: the primed page no longer tells the truth.
    await put(db, [row(2, { status: 'inbox', assigneeId: ME, lastActivityAt: 20 })]);
    expect(takePrimed(db, 'mine')).toBeNull();
    expect((await readTab(db, 'mine')).ids).toEqual([2, 1]);
  });
});

describe('the company record read as the database opens', () => {
  it('is kept for the first render, and is undefined before it was read or when there is none', async () => {
    const db = freshDb();
    expect(primedCompany(db)).toBeUndefined();
    expect(await primeCompany(db)).toBeUndefined();
    const record = { key: 'current' as const, companyId: 9, name: 'Acme', timeZone: 'Europe/Berlin', operators: [], groups: [], roles: [], accountChannels: [], topics: [] };
    await db.company.put(record);
    await primeCompany(db);
    expect(primedCompany(db)).toMatchObject({ name: 'Acme', timeZone: 'Europe/Berlin' });
  });
});

describe('watched reads while the worker catches up', () => {
  const until = async (test: () => boolean) => {
    for (let i = 0; i < 200 && !test(); i++) await new Promise((r) => setTimeout(r, 5));
  };

  it('re-read at most once per catch-up interval, and at once when the catch-up ends', async () => {
    const db = freshDb();
    const runs: number[] = [];
    setCatchingUp(true);
    const stop = watchTables(db, ['conversations'], 10, async () => {
      runs.push(Date.now());
    });
    try {
      await until(() => runs.length === 1);
      // The worker stores a batch: the change is read at the earliest a catch-up interval later.
      await put(db, [row(1)]);
      await new Promise((r) => setTimeout(r, 100));
      expect(runs).toHaveLength(1);
      // The catch-up ends: what waited is read now, not when the interval is over.
      const ended = Date.now();
      setCatchingUp(false);
      await until(() => runs.length === 2);
      expect(runs).toHaveLength(2);
      expect(runs[1] - ended).toBeLessThan(CATCH_UP_READ_INTERVAL_MS / 2);
      // Online again: a change is read after the ordinary interval.
      await put(db, [row(2)]);
      await until(() => runs.length === 3);
      expect(runs).toHaveLength(3);
    } finally {
      stop();
      setCatchingUp(false);
    }
  });
});

describe('comparing two reads of a row', () => {
  it('finds equal values equal, and any changed field (arrays too) different', () => {
    const a = conversationRecord(row(1, { status: 'inbox', assigneeId: ME, lastActivityAt: 10 }), ME);
    const b = structuredClone(a);
    expect(sameRecord(a, b)).toBe(true);
    expect(sameRecord(a, { ...b, unreadCount: b.unreadCount + 1 })).toBe(false);
    expect(sameRecord(a, { ...b, lastMessagePreview: 'new' })).toBe(false);
    expect(sameRecord(a, { ...b, tags: [...b.tags, 'vip'] })).toBe(false);
  });
});

describe('counting by index', () => {
  it('counts each tab and My inbox unread without reading rows', async () => {
    const db = freshDb();
    await put(db, [
      row(1, { status: 'unassigned' }),
      row(2, { status: 'inbox', assigneeId: ME, unreadCount: 3 }),
      row(3, { status: 'inbox', assigneeId: ME, unreadCount: 0 }),
      row(4, { status: 'inbox', assigneeId: 77, unreadCount: 5 }),
      row(5, { status: 'closed', assigneeId: ME, closedAt: 5 }),
    ]);
    expect(await countTabs(db)).toEqual({ unassigned: 1, mine: 2, mineUnread: 1, closed: 1 });
  });

  it('the badge counts unread in My inbox plus Unassigned requests that could be taken', async () => {
    const db = freshDb();
    await put(db, [
      row(1, { status: 'unassigned', groupId: 1 }),
      row(2, { status: 'unassigned', groupId: 1, distributing: true }),
      row(3, { status: 'unassigned', groupId: 1, locked: true }),
      row(4, { status: 'unassigned', groupId: null }),
      row(5, { status: 'inbox', assigneeId: ME, unreadCount: 2 }),
      row(6, { status: 'inbox', assigneeId: ME, unreadCount: 0 }),
    ]);
    expect(await countBadge(db, true)).toBe(2);
    expect(await countBadge(db, false)).toBe(1);
    // A taken request stops counting once its row is rewritten.
    await put(db, [row(1, { status: 'inbox', assigneeId: ME, unreadCount: 0 })]);
    expect(await countBadge(db, true)).toBe(1);
  });
});

describe('the store upgrade from version 1', () => {
  it('keeps the rows and fills the takeable flag the badge counts by', async () => {
    const name = `store-access-upgrade-${++counter}-${Date.now()}`;
    const old = new Dexie(name);
    old.version(1).stores(STORES_V1);
    const { takeable: _a, ...takeableRow } = conversationRecord(row(1, { status: 'unassigned', groupId: 1 }), ME);
    const { takeable: _b, ...lockedRow } = conversationRecord(row(2, { status: 'unassigned', groupId: 1, locked: true }), ME);
    await old.table('conversations').bulkPut([takeableRow, lockedRow]);
    old.close();

    const db = openStore(name);
    opened.push(db);
    await db.open();
    expect((await db.conversations.toArray()).map((r) => [r.id, r.takeable])).toEqual([[1, 1], [2, 0]]);
    expect(await countBadge(db, true)).toBe(1);
  });
});
