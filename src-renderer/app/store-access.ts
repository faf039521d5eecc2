/**
 * The UI's view of the local store: the tables it reads with indexed live queries, and the one it
 * writes (drafts, on every keystroke). The store and the search index belong to src-renderer/store;
 * this file adapts them to what the screens need.
 */
import { startTransition, useEffect, useRef, useState } from 'react';
import Dexie from 'dexie';
import { openStore, type SwitchboardDb } from '../store/db';
import type { CompanyRecord, ConversationRecord } from '../store/schema';
import { searchLocal } from '../store/search';
import type { InboxTab } from './ui-state';

export type InboxDb = SwitchboardDb;

// ---- live store queries --------------------------------------------------------------------------

type Table = 'conversations' | 'company' | 'drafts' | 'rejectedDrafts' | 'search';

/** Calls `onChange` when the worker (or this thread) commits a change to one of `tables`. */
function onTablesChanged(db: InboxDb, tables: readonly Table[], onChange: () => void): () => void {
  const prefixes = tables.map((t) => `idb://${db.name}/${t}/`);
  const listener = (parts: Record<string, unknown>) => {
    for (const part of Object.keys(parts)) {
      if (prefixes.some((p) => part.startsWith(p))) {
        onChange();
        return;
      }
    }
  };
  Dexie.on('storagemutated', listener);
  return () => Dexie.on('storagemutated').unsubscribe(listener);
}

/**
 * While the worker catches up it commits a batch every few hundred milliseconds, and every
 * re-read of a list or a count queues in the same IndexedDB backend as its writes: watched
 * reads then run at most this often, and once more as soon as the catch-up ends.
 */
export const CATCH_UP_READ_INTERVAL_MS = 1_000;
let catchingUp = false;
const wakers = new Set<() => void>();

/** Tells the watched reads whether the worker is catching up (the runtime follows its status). */
export function setCatchingUp(value: boolean): void {
  if (catchingUp === value) return;
  catchingUp = value;
  if (!value) for (const wake of [...wakers]) wake();
}

/**
 * Re-runs `run` when `tables` change: the first change at once, later ones coalesced to at most
 * one run per interval. The interval grows with what a run costs (ten times its duration): during
 * a sync the worker commits several times a second, and each re-read of an index range is work
 * for the same IndexedDB backend the worker is waiting on.
 */
export function watchTables(db: InboxDb, tables: readonly Table[], intervalMs: number, run: () => Promise<void>): () => void {
  let disposed = false;
  let running = false;
  let again = false;
  let lastRun = 0;
  let lastCost = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const go = async () => {
    if (disposed) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    const t0 = performance.now();
    lastRun = Date.now();
    try {
      await run();
    } catch (err) {
      if (!disposed) console.warn('[store]', err);
    } finally {
      lastCost = performance.now() - t0;
      running = false;
      if (again && !disposed) {
        again = false;
        schedule();
      }
    }
  };
  const schedule = () => {
    if (timer || disposed) return;
    const interval = Math.max(intervalMs, lastCost * 10, catchingUp ? CATCH_UP_READ_INTERVAL_MS : 0);
    timer = setTimeout(() => {
      timer = null;
      void go();
    }, Math.max(0, lastRun + interval - Date.now()));
  };
  // The catch-up ended: a change waiting for its turn is read now.
  const wake = () => {
    if (!timer || disposed) return;
    clearTimeout(timer);
    timer = null;
    void go();
  };
  const off = onTablesChanged(db, tables, schedule);
  wakers.add(wake);
  void go();
  return () => {
    disposed = true;
    if (timer) clearTimeout(timer);
    wakers.delete(wake);
    off();
  };
}

/**
 * A store query kept current (see `watchTables`); undefined until its first result for the
 * current `deps`.
 */
export function useStoreQuery<T>(db: InboxDb | null, tables: readonly Table[], querier: (db: InboxDb) => Promise<T>, deps: readonly unknown[], intervalMs: number): T | undefined {
  const [value, setValue] = useState<{ key: string; value: T } | undefined>(undefined);
  const querierRef = useRef(querier);
  querierRef.current = querier;
  const key = JSON.stringify(deps);
  useEffect(() => {
    if (!db) return;
    let live = true;
    let first = true;
    const stop = watchTables(db, tables, intervalMs, async () => {
      const result = await querierRef.current(db);
      if (!live) return;
      // The first result at once; later ones (the worker writing) as interruptible renders.
      if (first) setValue({ key, value: result });
      else startTransition(() => setValue({ key, value: result }));
      first = false;
    });
    return () => {
      live = false;
      stop();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [db, key, intervalMs]);
  return value && value.key === key ? value.value : undefined;
}

// ---- the tab lists -------------------------------------------------------------------------------

type TabIndex = { index: string; dbTab: ConversationRecord['tab'] | null; reverse: boolean };

const TAB_INDEX: Record<InboxTab, TabIndex> = {
  // Product §4.2: Unassigned longest waiting first, My inbox latest first, Closed latest close first.
  unassigned: { index: '[tab+unassignedAt]', dbTab: 'unassigned', reverse: false },
  mine: { index: '[tab+lastActivityAt]', dbTab: 'mine', reverse: true },
  closed: { index: '[tab+closedAt]', dbTab: 'closed', reverse: true },
  all: { index: 'lastActivityAt', dbTab: null, reverse: true },
};

/** A tab's order and its first rows. */
export interface TabPage {
  /** Every conversation id of the tab, in the tab's order. */
  ids: number[];
  /** The rows of the first `ids` (enough for the first screen), in the same order. */
  rows: ConversationRecord[];
}

/** Rows read with a tab's order: the first screen and its overscan. */
export const FIRST_ROWS = 40;

/**
 * A tab's ordered ids (its compound index, keys only) and its first rows, in one read transaction:
 * the list paints its first screen without a second round trip. A row whose sort key is missing
 * is not in the compound index; such rows are appended so that nothing the tab holds goes missing.
 */
export function readTab(db: InboxDb, tab: InboxTab, firstRows = FIRST_ROWS): Promise<TabPage> {
  const c = db.conversations;
  const { index, dbTab, reverse } = TAB_INDEX[tab];
  return db.transaction('r', c, async () => {
    if (dbTab === null) {
      const ordered = () => (reverse ? c.orderBy(index).reverse() : c.orderBy(index));
      const [ids, rows] = await Promise.all([ordered().primaryKeys() as Promise<number[]>, ordered().limit(firstRows).toArray()]);
      return { ids, rows };
    }
    const range = () => {
      const r = c.where(index).between([dbTab, Dexie.minKey], [dbTab, Dexie.maxKey]);
      return reverse ? r.reverse() : r;
    };
    const [sorted, total, rows] = await Promise.all([
      range().primaryKeys() as Promise<number[]>,
      c.where('tab').equals(dbTab).count(),
      range().limit(firstRows).toArray(),
    ]);
    if (sorted.length === total) return { ids: sorted, rows };
    const all = (await c.where('tab').equals(dbTab).primaryKeys()) as number[];
    const seen = new Set(sorted);
    return { ids: [...sorted, ...all.filter((id) => !seen.has(id))], rows };
  });
}

function sameIds(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The last page read of each tab (per open database), shown at once when the tab is opened again. */
const lastPages = new WeakMap<InboxDb, Map<InboxTab, TabPage>>();

function pagesOf(db: InboxDb): Map<InboxTab, TabPage> {
  let pages = lastPages.get(db);
  if (!pages) {
    pages = new Map();
    lastPages.set(db, pages);
  }
  return pages;
}

/**
 * Reads the pages of `tabs` not read yet, once the window is idle, so that the first switch to
 * each tab paints at once too (then refreshes like any other).
 */
export function prefetchTabs(db: InboxDb, tabs: readonly InboxTab[]): () => void {
  const pages = pagesOf(db);
  let cancelled = false;
  const idle = (fn: () => void) => {
    const w = globalThis as { requestIdleCallback?: (cb: () => void, opts?: { timeout: number }) => number };
    if (w.requestIdleCallback) w.requestIdleCallback(fn, { timeout: 2000 });
    else setTimeout(fn, 200);
  };
  const next = (i: number) => {
    if (cancelled || i >= tabs.length) return;
    const tab = tabs[i];
    if (pages.has(tab)) return next(i + 1);
    idle(() => {
      if (cancelled || pages.has(tab)) return next(i + 1);
      readTab(db, tab).then((page) => {
        if (!pages.has(tab)) pages.set(tab, page);
      }, () => undefined).finally(() => next(i + 1));
    });
  };
  next(0);
  return () => {
    cancelled = true;
  };
}

/** The company record as read when the database opened (`primeCompany`). */
const companies = new WeakMap<InboxDb, CompanyRecord | undefined>();

/**
 * Reads the company record as the database opens: the list's first render then has the time
 * zone and the operators' names, instead of rendering every row again when they arrive.
 */
export async function primeCompany(db: InboxDb): Promise<CompanyRecord | undefined> {
  const company = await db.company.get('current');
  companies.set(db, company);
  return company;
}

/** The company record read by `primeCompany` (undefined before, or when there is none). */
export function primedCompany(db: InboxDb): CompanyRecord | undefined {
  return companies.get(db);
}

/** First reads started before the list mounts (`primeTab`), by database and tab. */
const primed = new WeakMap<InboxDb, Map<InboxTab, { page: Promise<TabPage>; stale: boolean; off(): void }>>();

/**
 * Starts reading a tab's page as soon as the database is open, before the screens mount: the
 * list's first read takes it over instead of starting its own. A change to the conversations
 * while it is in flight or waiting makes the list read again.
 */
export function primeTab(db: InboxDb, tab: InboxTab): Promise<TabPage> {
  let byTab = primed.get(db);
  if (!byTab) {
    byTab = new Map();
    primed.set(db, byTab);
  }
  byTab.get(tab)?.off();
  const entry = { page: readTab(db, tab), stale: false, off: () => undefined as void };
  entry.off = onTablesChanged(db, ['conversations'], () => {
    entry.stale = true;
  });
  // Not taken within a few seconds (another tab or a search was shown): forget it.
  const timer = setTimeout(() => takePrimed(db, tab), 5_000);
  const off = entry.off;
  entry.off = () => {
    clearTimeout(timer);
    off();
  };
  byTab.set(tab, entry);
  return entry.page;
}

/** The primed read of `tab`, once, unless the conversations changed since it started. */
export function takePrimed(db: InboxDb, tab: InboxTab): Promise<TabPage> | null {
  const byTab = primed.get(db);
  const entry = byTab?.get(tab);
  if (!byTab || !entry) return null;
  byTab.delete(tab);
  entry.off();
  return entry.stale ? null : entry.page.catch(() => readTab(db, tab));
}

/**
 * A tab's page kept current while the worker writes. Switching to a tab shows its last known
 * page in the same frame (then the fresh one, a read later); an order that did not change keeps
 * its array, so the list does not re-render for nothing.
 */
export function useTabPage(db: InboxDb | null, tab: InboxTab, intervalMs = 200): TabPage | undefined {
  const [state, setState] = useState<{ db: InboxDb; tab: InboxTab; page: TabPage } | undefined>(undefined);
  useEffect(() => {
    if (!db) return;
    let live = true;
    let first = true;
    const pages = pagesOf(db);
    const stop = watchTables(db, ['conversations'], intervalMs, async () => {
      const page = await (takePrimed(db, tab) ?? readTab(db, tab));
      const previous = pages.get(tab);
      const next = previous && sameIds(previous.ids, page.ids) ? { ids: previous.ids, rows: page.rows } : page;
      pages.set(tab, next);
      if (!live) return;
      // A tab's first page at once; later ones (the worker writing) as interruptible renders.
      if (first) setState({ db, tab, page: next });
      else startTransition(() => setState({ db, tab, page: next }));
      first = false;
    });
    return () => {
      live = false;
      stop();
    };
  }, [db, tab, intervalMs]);
  if (!db) return undefined;
  if (state && state.db === db && state.tab === tab) return state.page;
  return lastPages.get(db)?.get(tab);
}

/** Two reads of one conversation's row hold the same values (rows are flat but for a few arrays). */
export function sameRecord(a: ConversationRecord, b: ConversationRecord): boolean {
  const ka = Object.keys(a) as Array<keyof ConversationRecord>;
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (JSON.stringify(x) !== JSON.stringify(y)) return false;
  }
  return true;
}

export interface TabCounts {
  unassigned: number;
  mine: number;
  mineUnread: number;
  closed: number;
}

/**
 * The sidebar's counts, from indexes alone (no row is read), in one read transaction. Counting
 * with a filter read and deserialised every My inbox row, and held the table against the
 * worker's writes while it did, several times a second during a sync.
 */
export function countTabs(db: InboxDb): Promise<TabCounts> {
  const c = db.conversations;
  return db.transaction('r', c, async () => {
    const [unassigned, mine, mineUnread, closed] = await Promise.all([
      c.where('tab').equals('unassigned').count(),
      c.where('tab').equals('mine').count(),
      c.where('[tab+unreadCount]').between(['mine', 1], ['mine', Dexie.maxKey]).count(),
      c.where('tab').equals('closed').count(),
    ]);
    return { unassigned, mine, mineUnread, closed };
  });
}

/**
 * The badge of product §9: My inbox conversations with unread client messages, plus the
 * Unassigned requests this user could take (not distributing, not locked), counted by index.
 */
export function countBadge(db: InboxDb, includeUnassigned: boolean): Promise<number> {
  const c = db.conversations;
  return db.transaction('r', c, async () => {
    const [unread, takeable] = await Promise.all([
      c.where('[tab+unreadCount]').between(['mine', 1], ['mine', Dexie.maxKey]).count(),
      includeUnassigned ? c.where('[tab+takeable]').equals(['unassigned', 1]).count() : 0,
    ]);
    return unread + takeable;
  });
}

export async function openInboxDb(name: string): Promise<InboxDb> {
  const db = openStore(name);
  await db.open();
  return db;
}

/** One highlighted excerpt: `ranges` are [start, end) offsets into `text`. */
export interface Snippet {
  text: string;
  ranges: Array<[number, number]>;
  kind: 'name' | 'in' | 'out' | 'note' | 'system';
}

export interface SearchResult {
  conversationId: number;
  snippets: Snippet[];
  /** The conversation's row, read by the search: the list paints it without reading it again. */
  row: ConversationRecord | null;
}

/** Offline search, grouped by conversation (product §4.5): name matches first, then messages. */
export async function searchConversations(db: InboxDb, query: string, limit: number): Promise<SearchResult[]> {
  // The list shows one message per conversation: the newest hit is the only one read.
  const groups = await searchLocal(db, query, { limit, hitsPerConversation: 1 });
  return groups.map((g) => ({
    conversationId: g.conversationId,
    row: g.row,
    snippets: [
      ...(g.nameMatches ? [{ text: g.clientName, ranges: g.nameMatches.map((m) => [m.start, m.end] as [number, number]), kind: 'name' as const }] : []),
      ...g.hits.map((h) => ({
        text: h.snippet,
        ranges: h.matches.map((m) => [m.start, m.end] as [number, number]),
        kind: h.kind,
      })),
    ],
  }));
}
