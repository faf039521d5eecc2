/**
 * The middle-left column: the search field on top, then the active tab's list, or search results
 * grouped by conversation with their snippets highlighted (product §4.5; works offline).
 */
import { memo, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { CheckCircle2, CircleDashed, Inbox, Layers, LoaderCircle, Search, SearchX, X } from 'lucide-react';
import { useDb } from '../../app/data';
import { useLive } from '../../app/live-state';
import { openConversationRoute } from '../../app/router';
import { requestOpen } from '../../app/runtime';
import { focusList, useUi, type InboxTab } from '../../app/ui-state';
import { prefetchTabs, searchConversations, useStoreQuery, useTabPage, type Snippet } from '../../app/store-access';
import { ConversationList } from './ConversationList';
import { LIST_PANEL_ID, tabId, useVisibleTabs } from './Sidebar';
import { Kbd } from '../kit/Kbd';

/** Typing pauses this long before a search runs: short next to the ~50 ms a search takes, so results follow the last keystroke closely. */
const SEARCH_DEBOUNCE_MS = 60;
const SEARCH_LIMIT = 200;

/**
 * One function for every render: rows compare their props, and a new one re-rendered them all.
 * The worker starts reading the conversation before the screen renders the selection.
 */
function selectConversation(id: number): void {
  requestOpen(id);
  openConversationRoute(id, { replace: true });
}

function useSelect() {
  return selectConversation;
}

function SearchField() {
  const { t } = useTranslation();
  const search = useUi((s) => s.search);
  const focusSeq = useUi((s) => s.searchFocusSeq);
  const ref = useRef<HTMLInputElement>(null);
  const handledFocus = useRef(focusSeq);
  useEffect(() => {
    if (focusSeq === handledFocus.current) return;
    handledFocus.current = focusSeq;
    ref.current?.focus();
    ref.current?.select();
  }, [focusSeq]);
  return (
    <div className="search">
      <Search aria-hidden="true" size={16} className="search__icon" />
      <input
        ref={ref}
        type="search"
        className="search__input"
        aria-label={t('search.label')}
        aria-keyshortcuts="/"
        placeholder={t('search.placeholder')}
        value={search}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => useUi.setState({ search: e.target.value })}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            useUi.setState({ search: '' });
            // Leave the field even when no list can take focus (an empty tab): single-key
            // shortcuts (1 2 3, j k) must work again instead of typing into the search.
            e.currentTarget.blur();
            focusList();
          } else if (e.key === 'ArrowDown' || (e.key === 'Enter' && !e.nativeEvent.isComposing)) {
            e.preventDefault();
            focusList();
          }
        }}
      />
      {search ? (
        <button type="button" className="icon-button icon-button--small search__clear" aria-label={t('search.clear')} onClick={() => {
          useUi.setState({ search: '' });
          ref.current?.focus();
        }}>
          <X aria-hidden="true" size={14} />
        </button>
      ) : <span className="search__hint" aria-hidden="true"><Kbd>/</Kbd></span>}
    </div>
  );
}

const EMPTY_ICONS: Record<InboxTab, typeof Inbox> = { unassigned: CircleDashed, mine: Inbox, closed: CheckCircle2, all: Layers };

function EmptyTab({ tab }: { tab: InboxTab }) {
  const { t } = useTranslation();
  const connection = useLive((s) => s.connection);
  const Icon = EMPTY_ICONS[tab];
  const syncing = connection === 'syncing' || connection === 'connecting';
  return (
    <div className="empty empty--list">
      <Icon aria-hidden="true" size={28} className="empty__icon" />
      <p className="empty__title">{t(`empty.${tab}.title`)}</p>
      <p className="empty__text">{syncing ? t('empty.syncing') : t(`empty.${tab}.text`)}</p>
    </div>
  );
}

function TabList({ tab, selectedId }: { tab: InboxTab; selectedId: number | null }) {
  const { t } = useTranslation();
  // The tab's order with its first rows, read together: the list paints with its first read.
  const db = useDb();
  const page = useTabPage(db, tab);
  const ids = page?.ids;
  const select = useSelect();
  // The other tabs are read once the first list is up: the first switch to one paints at once.
  const tabs = useVisibleTabs().join(',');
  const loaded = page !== undefined;
  useEffect(() => (db && loaded ? prefetchTabs(db, tabs.split(',') as InboxTab[]) : undefined), [db, loaded, tabs]);
  useEffect(() => {
    if (ids) useUi.setState({ listIds: ids });
  }, [ids]);
  if (!ids) {
    return (
      <div className="list__loading" aria-live="polite">
        <LoaderCircle aria-hidden="true" size={16} className="spin" /> {t('list.loading')}
      </div>
    );
  }
  if (ids.length === 0) {
    return (
      <>
        {/* An empty listbox keeps the landmark stable for keyboard and assistive technology. */}
        <div role="listbox" aria-label={t('list.label')} tabIndex={-1} className="visually-hidden" />
        <EmptyTab tab={tab} />
      </>
    );
  }
  return <ConversationList key={tab} ids={ids} initialRows={page.rows} tab={tab} selectedId={selectedId} onSelect={select} label={t('list.label')} />;
}

/** Text with the matched ranges marked; plain text only, never parsed as markup. */
export function Highlighted({ text, ranges }: { text: string; ranges: Array<[number, number]> }) {
  const parts: ReactNode[] = [];
  let at = 0;
  const sorted = [...ranges].filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  sorted.forEach(([start, end], i) => {
    const s = Math.max(start, at);
    const e = Math.min(end, text.length);
    if (e <= s) return;
    if (s > at) parts.push(text.slice(at, s));
    parts.push(<mark key={i}>{text.slice(s, e)}</mark>);
    at = e;
  });
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}

function SnippetLine({ snippet }: { snippet: Snippet }) {
  const { t } = useTranslation();
  return (
    <span className="row__line row__snippet">
      {snippet.kind === 'note' ? <span className="row__snippet-kind">{t('message.note')}</span> : null}
      <span className="row__preview"><Highlighted text={snippet.text} ranges={snippet.ranges} /></span>
    </span>
  );
}

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

function SearchResults({ query, selectedId }: { query: string; selectedId: number | null }) {
  const { t } = useTranslation();
  const db = useDb();
  const select = useSelect();
  const debounced = useDebounced(query, SEARCH_DEBOUNCE_MS);
  // Live: results follow new messages and renames while the search stays open.
  const results = useStoreQuery(db, ['search', 'conversations'], (d) => searchConversations(d, debounced, SEARCH_LIMIT), [debounced], 500);
  const state = useMemo(() => (results ? { query: debounced, results } : null), [results, debounced]);
  const ids = useMemo(() => state?.results.map((r) => r.conversationId) ?? [], [state]);
  // The search read every result's row: the list paints them without a read of its own.
  const rows = useMemo(() => state?.results.flatMap((r) => (r.row ? [r.row] : [])) ?? [], [state]);
  const snippets = useMemo(() => {
    const map = new Map<number, ReactNode>();
    for (const r of state?.results ?? []) {
      const best = r.snippets.find((s) => s.kind !== 'name') ?? null;
      if (best) map.set(r.conversationId, <SnippetLine snippet={best} />);
    }
    return map;
  }, [state]);

  useEffect(() => {
    useUi.setState({ listIds: ids });
  }, [ids]);

  if (!state) {
    return (
      <div className="list__loading" aria-live="polite">
        <LoaderCircle aria-hidden="true" size={16} className="spin" /> {t('search.searching')}
      </div>
    );
  }
  return (
    <>
      <p className="list__summary" aria-live="polite">
        {state.results.length === 0 ? '' : t('search.count', { count: state.results.length })}
      </p>
      {state.results.length === 0 ? (
        <>
          <div role="listbox" aria-label={t('list.label')} tabIndex={-1} className="visually-hidden" />
          <div className="empty empty--list">
            <SearchX aria-hidden="true" size={28} className="empty__icon" />
            <p className="empty__title">{t('search.noResults', { query: state.query })}</p>
            <p className="empty__text">{t('search.noResultsHint')}</p>
          </div>
        </>
      ) : (
        <ConversationList ids={ids} initialRows={rows} tab="search" selectedId={selectedId} onSelect={select} snippets={snippets} label={t('list.label')} />
      )}
    </>
  );
}

/** Memoised: the inbox re-rendering (a dialog's code arriving, the worker's state) leaves the list alone. */
export const ListPane = memo(function ListPane({ selectedId }: { selectedId: number | null }) {
  const { t } = useTranslation();
  const tab = useUi((s) => s.tab);
  const search = useUi((s) => s.search);
  const query = search.trim();
  return (
    <section role="tabpanel" id={LIST_PANEL_ID} aria-labelledby={tabId(tab)} className="list-pane">
      <header className="list-pane__header">
        <h2 className="list-pane__title">{query ? t('search.title') : t(`tabs.${tab}`)}</h2>
        <SearchField />
      </header>
      {query ? <SearchResults query={query} selectedId={selectedId} /> : <TabList tab={tab} selectedId={selectedId} />}
    </section>
  );
});
