/**
 * The virtualised conversation list: a listbox whose order comes from the tab's compound index
 * (keys only) and whose rows are read for the visible window only, so 10,000 conversations
 * scroll smoothly. The list never jumps under the cursor: when rows arrive above the one the
 * pointer or the top edge rests on, the scroll position follows that row. New rows get a short
 * highlight; the selected conversation stays selected by id.
 */
import { startTransition, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useVirtualizer } from '@tanstack/react-virtual';
import { liveQuery } from 'dexie';
import type { ConversationRecord } from '../../store/schema';
import { useDb, useDirectory, useViewer } from '../../app/data';
import { sameRecord, type InboxDb } from '../../app/store-access';
import { useLive } from '../../app/live-state';
import { focusConversation, takeListFocusRequest, useUi, type InboxTab } from '../../app/ui-state';
import { ConversationRow, ROW_HEIGHT, optionId, type RowViewer } from './ConversationRow';

const NEW_HIGHLIGHT_MS = 4_000;
const OVERSCAN = 10;
/** Rows read around the visible window, so that scrolling rarely shows a placeholder. */
const FETCH_MARGIN = 30;

export interface ConversationListProps {
  ids: number[];
  /** Rows already read with the order (the first screen): painted before the list's own read. */
  initialRows?: ConversationRecord[];
  tab: InboxTab | 'search';
  selectedId: number | null;
  onSelect(id: number, opts?: { viaKeyboard?: boolean }): void;
  /** Extra content per row (search snippets). */
  snippets?: Map<number, ReactNode>;
  label: string;
  rowHeight?: number;
}

/** Other users' viewing state per conversation (product §4.6). */
function useViewersByConversation(): Map<number, RowViewer[]> {
  const viewers = useLive((s) => s.presence.viewers);
  const { operators } = useDirectory();
  return useMemo(() => {
    const map = new Map<number, RowViewer[]>();
    const seen = new Set<string>();
    for (const v of viewers) {
      if (v.viewing === null) continue;
      const key = `${v.viewing}:${v.userId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const list = map.get(v.viewing) ?? [];
      list.push({ userId: v.userId, name: operators.get(v.userId)?.name ?? '?' });
      map.set(v.viewing, list);
    }
    return map;
  }, [viewers, operators]);
}

/**
 * The rows of the list's window, kept current while the worker writes. A new window's rows come
 * at once; a change to rows already shown re-renders as a transition, which yields to input and
 * paint instead of holding the thread while a catch-up rewrites the rows on screen.
 */
function useWindowRows(db: InboxDb | null, windowIds: number[], windowKey: string): ConversationRecord[] | undefined {
  const [state, setState] = useState<{ key: string; rows: ConversationRecord[] } | undefined>(undefined);
  const idsRef = useRef(windowIds);
  idsRef.current = windowIds;
  useEffect(() => {
    if (!db) return;
    const ids = idsRef.current;
    let first = true;
    const subscription = liveQuery(async () => {
      if (ids.length === 0) return [] as ConversationRecord[];
      const rows = await db.conversations.bulkGet(ids);
      return rows.filter((r): r is ConversationRecord => r !== undefined);
    }).subscribe({
      next: (rows) => {
        if (first) setState({ key: windowKey, rows });
        else startTransition(() => setState({ key: windowKey, rows }));
        first = false;
      },
      error: (err) => console.warn('[store]', err),
    });
    return () => subscription.unsubscribe();
  }, [db, windowKey]);
  return state?.key === windowKey ? state.rows : undefined;
}

/** The list's size when it was last measured: a new list starts with its rows instead of measuring first. */
let lastRect = { width: 0, height: 0 };

export function ConversationList({ ids, initialRows, tab, selectedId, onSelect, snippets, label, rowHeight = ROW_HEIGHT }: ConversationListProps) {
  const { i18n } = useTranslation();
  const db = useDb();
  const viewer = useViewer();
  const directory = useDirectory();
  const viewersByConversation = useViewersByConversation();
  const scrollRef = useRef<HTMLDivElement>(null);
  const listboxRef = useRef<HTMLDivElement>(null);
  const pointerY = useRef<number | null>(null);

  // The first frame renders the visible rows only; the rows around them follow right after it.
  const [overscan, setOverscan] = useState(1);
  useEffect(() => {
    const frame = requestAnimationFrame(() => setTimeout(() => startTransition(() => setOverscan(OVERSCAN)), 0));
    return () => cancelAnimationFrame(frame);
  }, []);
  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan,
    getItemKey: (index) => ids[index],
    initialRect: lastRect.height > 0 ? lastRect : { width: 0, height: typeof window === 'undefined' ? 0 : window.innerHeight },
    onChange: (instance) => {
      if (instance.scrollRect && instance.scrollRect.height > 0) lastRect = instance.scrollRect;
    },
  });
  const items = virtualizer.getVirtualItems();
  const first = items.length > 0 ? items[0].index : 0;
  const last = items.length > 0 ? items[items.length - 1].index : -1;

  // Read the rows of the visible window (plus a margin), and keep what was read while scrolling.
  const windowStart = Math.max(0, Math.floor((first - FETCH_MARGIN) / FETCH_MARGIN) * FETCH_MARGIN);
  const windowEnd = Math.min(ids.length, Math.ceil((last + 1 + FETCH_MARGIN) / FETCH_MARGIN) * FETCH_MARGIN);
  const windowIds = useMemo(() => ids.slice(windowStart, windowEnd), [ids, windowStart, windowEnd]);
  const windowKey = windowIds.join(',');
  const fetched = useWindowRows(db, windowIds, windowKey);
  const cache = useRef<Map<number, ConversationRecord> | null>(null);
  if (cache.current === null) cache.current = new Map(initialRows?.map((r) => [r.id, r]));
  const rows = useMemo(() => {
    const cached = cache.current!;
    // Rows read with the order fill what the window read has not brought yet; never newer ones.
    if (initialRows) for (const r of initialRows) if (!cached.has(r.id)) cached.set(r.id, r);
    // A row read again unchanged keeps its object: the memoised row then skips its render
    // (a catch-up rewrites a tenth of the rows on screen, not all of them).
    if (fetched) for (const r of fetched) {
      const known = cached.get(r.id);
      if (!known || !sameRecord(known, r)) cached.set(r.id, r);
    }
    if (cached.size > 2_000) {
      const keep = new Set(windowIds);
      for (const key of cached.keys()) if (!keep.has(key)) cached.delete(key);
    }
    return cached;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fetched, windowIds]);

  // New rows: ids that were not in this list before (after its first load), highlighted a moment.
  const known = useRef<{ tab: string; ids: Set<number> } | null>(null);
  const [fresh, setFresh] = useState<Map<number, number>>(new Map());
  useEffect(() => {
    if (!known.current || known.current.tab !== tab) {
      known.current = { tab, ids: new Set(ids) };
      setFresh(new Map());
      return;
    }
    const added: number[] = [];
    for (const id of ids) if (!known.current.ids.has(id)) added.push(id);
    known.current.ids = new Set(ids);
    if (added.length === 0 || added.length > 50) return;
    const now = Date.now();
    setFresh((f) => {
      const next = new Map(f);
      for (const id of added) next.set(id, now);
      return next;
    });
    const timer = setTimeout(() => setFresh((f) => {
      const next = new Map(f);
      for (const [id, at] of next) if (Date.now() - at >= NEW_HIGHLIGHT_MS) next.delete(id);
      return next;
    }), NEW_HIGHLIGHT_MS + 50);
    return () => clearTimeout(timer);
  }, [ids, tab]);

  // Keep the row under the pointer (or at the top edge, once scrolled) where it is.
  const previousIds = useRef<number[] | null>(null);
  useLayoutEffect(() => {
    const prev = previousIds.current;
    previousIds.current = ids;
    const el = scrollRef.current;
    if (!prev || prev === ids || !el || prev.length === 0) return;
    const pointerInside = pointerY.current !== null;
    if (el.scrollTop === 0 && !pointerInside) return;
    const y = el.scrollTop + (pointerInside ? pointerY.current! : 0);
    const anchorIndex = Math.min(prev.length - 1, Math.floor(y / rowHeight));
    const anchorId = prev[anchorIndex];
    const now = ids.indexOf(anchorId);
    if (now < 0 || now === anchorIndex) return;
    el.scrollTop += (now - anchorIndex) * rowHeight;
  }, [ids, rowHeight]);

  // The selected conversation scrolls into view when it changes (keyboard, palette, deep link).
  const selectedIndex = selectedId === null ? -1 : ids.indexOf(selectedId);
  const lastScrolled = useRef<number | null>(null);
  useEffect(() => {
    if (selectedIndex < 0 || lastScrolled.current === selectedId) return;
    lastScrolled.current = selectedId;
    virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, selectedId, virtualizer]);

  // Esc from anywhere brings focus back here.
  // Esc (or a tab switch from the keyboard) asks for the list; a list that mounts takes only a
  // fresh request, never an old one, so it cannot steal focus from the search field.
  const listFocusSeq = useUi((s) => s.listFocusSeq);
  useEffect(() => {
    if (takeListFocusRequest()) listboxRef.current?.focus({ preventScroll: true });
  }, [listFocusSeq]);

  const select = useCallback((id: number) => {
    listboxRef.current?.focus({ preventScroll: true });
    onSelect(id);
  }, [onSelect]);

  const move = (delta: number | 'first' | 'last') => {
    if (ids.length === 0) return;
    let index: number;
    if (delta === 'first') index = 0;
    else if (delta === 'last') index = ids.length - 1;
    else if (selectedIndex < 0) index = delta > 0 ? 0 : ids.length - 1;
    else index = Math.min(ids.length - 1, Math.max(0, selectedIndex + delta));
    lastScrolled.current = null;
    onSelect(ids[index], { viaKeyboard: true });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / rowHeight) - 1);
    switch (e.key) {
      case 'ArrowDown':
        move(1);
        break;
      case 'ArrowUp':
        move(-1);
        break;
      case 'PageDown':
        move(page);
        break;
      case 'PageUp':
        move(-page);
        break;
      case 'Home':
        move('first');
        break;
      case 'End':
        move('last');
        break;
      case 'Enter':
      case ' ':
        if (selectedId !== null) focusConversation();
        else if (ids.length > 0) move('first');
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
  };

  return (
    <div
      ref={scrollRef}
      className="list__scroll"
      onPointerMove={(e) => {
        pointerY.current = e.clientY - e.currentTarget.getBoundingClientRect().top;
      }}
      onPointerLeave={() => {
        pointerY.current = null;
      }}
    >
      <div
        ref={listboxRef}
        role="listbox"
        aria-label={label}
        tabIndex={0}
        aria-activedescendant={selectedIndex >= 0 && items.some((i) => i.index === selectedIndex) ? optionId(selectedId!) : undefined}
        className="list__listbox"
        style={{ height: virtualizer.getTotalSize() }}
        onKeyDown={onKeyDown}
        onFocus={() => {
          // Focus without a selection shows where the keyboard starts.
          if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
        }}
      >
        {items.map((item) => {
          const id = ids[item.index];
          return (
            <ConversationRow
              key={id}
              id={id}
              row={rows.get(id)}
              index={item.index}
              total={ids.length}
              tab={tab}
              selected={id === selectedId}
              isNew={fresh.has(id)}
              viewerId={viewer?.id ?? null}
              viewers={viewersByConversation.get(id) ?? EMPTY}
              directory={directory}
              lang={i18n.language}
              snippet={snippets?.get(id)}
              top={item.start}
              height={item.size}
              onSelect={select}
            />
          );
        })}
      </div>
    </div>
  );
}

const EMPTY: RowViewer[] = [];
