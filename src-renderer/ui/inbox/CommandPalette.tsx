/**
 * The command palette (Ctrl/Cmd+K): every action and every conversation by name. Conversations
 * are looked up in the name index as the user types, so the palette stays fast at 10,000.
 */
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Command } from 'cmdk';
import { ArrowRightLeft, CheckCircle2, CircleDashed, Hand, Inbox, Keyboard, Languages, Layers, LogOut, MessageSquare, Palette, RotateCcw, Search, Settings, StickyNote, Undo2 } from 'lucide-react';
import type { ConversationRecord } from '../../store/schema';
import { getBridge } from '../../bridge';
import { availability, type ConversationAction } from '../../app/actions';
import { useDb, useRow, useViewer } from '../../app/data';
import { cycleTheme, changeLanguage, usePreferences } from '../../app/preferences';
import { openConversationRoute, useRoute } from '../../app/router';
import { focusComposer, focusSearch, useUi, type InboxTab } from '../../app/ui-state';
import { Dialog } from '../kit/Dialog';
import { Kbd } from '../kit/Kbd';
import { ChannelMark } from '../kit/marks';
import { runAction } from './run-action';
import { requestSignOut } from './sign-out';
import { useVisibleTabs } from './Sidebar';

interface PaletteCommand {
  id: string;
  label: string;
  group: 'conversation' | 'navigation' | 'app';
  icon: typeof Inbox;
  keys?: string[];
  run(): void;
}

const MAX_CONVERSATIONS = 30;

function useConversationMatches(query: string): ConversationRecord[] {
  const db = useDb();
  const [matches, setMatches] = useState<ConversationRecord[]>([]);
  useEffect(() => {
    if (!db) return;
    let cancelled = false;
    const q = query.trim().toLowerCase();
    const run = async () => {
      if (!q) {
        const recent = await db.conversations.orderBy('lastActivityAt').reverse().limit(8).toArray();
        return recent;
      }
      // Name prefix from the index first, then names that contain the words anywhere.
      const byPrefix = await db.conversations.where('clientNameLower').startsWith(q).limit(MAX_CONVERSATIONS).toArray();
      if (byPrefix.length >= MAX_CONVERSATIONS) return byPrefix;
      const seen = new Set(byPrefix.map((r) => r.id));
      const words = q.split(/\s+/).filter(Boolean);
      const more = await db.conversations
        .filter((r) => !seen.has(r.id) && words.every((w) => r.clientNameLower.includes(w)))
        .limit(MAX_CONVERSATIONS - byPrefix.length)
        .toArray();
      return [...byPrefix, ...more];
    };
    const timer = setTimeout(() => {
      run().then((rows) => !cancelled && setMatches(rows), () => !cancelled && setMatches([]));
    }, 80);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [db, query]);
  return matches;
}

export function CommandPalette() {
  const { t } = useTranslation();
  const open = useUi((s) => s.paletteOpen);
  const [query, setQuery] = useState('');
  const close = () => {
    useUi.setState({ paletteOpen: false });
    setQuery('');
  };
  return (
    <Dialog open={open} onClose={close} title={t('palette.title')} hideTitle className="dialog--palette" initialFocus="[cmdk-input]">
      {open ? <PaletteBody query={query} setQuery={setQuery} close={close} /> : null}
    </Dialog>
  );
}

function PaletteBody({ query, setQuery, close }: { query: string; setQuery(q: string): void; close(): void }) {
  const { t } = useTranslation();
  const route = useRoute();
  const openId = route.name === 'inbox' ? route.conversationId : null;
  const row = useRow(openId);
  const viewer = useViewer();
  const tabs = useVisibleTabs();
  const language = usePreferences((s) => s.language);
  const conversations = useConversationMatches(query);

  const commands = useMemo(() => {
    const list: PaletteCommand[] = [];
    const actionIcons: Record<ConversationAction, typeof Inbox> = { take: Hand, transfer: ArrowRightLeft, return: Undo2, close: CheckCircle2, reopen: RotateCcw };
    const actionKeys: Partial<Record<ConversationAction, string[]>> = { take: ['t'], transfer: ['a'], close: ['e'] };
    if (row && viewer) {
      for (const action of ['take', 'transfer', 'return', 'close', 'reopen'] as ConversationAction[]) {
        const a = availability(row, viewer.actor, action);
        if (!a.shown || !a.enabled) continue;
        list.push({ id: `action-${action}`, label: t(`palette.action.${action}`, { name: row.clientName }), group: 'conversation', icon: actionIcons[action], keys: actionKeys[action], run: () => runAction(row, action) });
      }
      list.push({ id: 'reply', label: t('palette.reply'), group: 'conversation', icon: MessageSquare, keys: ['r'], run: () => focusComposer('reply') });
      list.push({ id: 'note', label: t('palette.note'), group: 'conversation', icon: StickyNote, keys: ['n'], run: () => focusComposer('note') });
    }
    const tabIcons: Record<InboxTab, typeof Inbox> = { unassigned: CircleDashed, mine: Inbox, closed: CheckCircle2, all: Layers };
    tabs.forEach((tab, i) => {
      list.push({ id: `tab-${tab}`, label: t('palette.goTo', { tab: t(`tabs.${tab}`) }), group: 'navigation', icon: tabIcons[tab], keys: i < 3 ? [String(i + 1)] : undefined, run: () => useUi.setState({ tab, search: '' }) });
    });
    list.push({ id: 'search', label: t('palette.search'), group: 'navigation', icon: Search, keys: ['/'], run: () => focusSearch() });
    if (viewer?.isOwner) list.push({ id: 'settings', label: t('sidebar.settings'), group: 'app', icon: Settings, run: () => void getBridge().openSettings() });
    list.push({ id: 'theme', label: t('palette.theme'), group: 'app', icon: Palette, run: () => cycleTheme() });
    list.push({ id: 'language', label: t('palette.otherLanguage'), group: 'app', icon: Languages, run: () => changeLanguage(language === 'ru' ? 'en' : 'ru') });
    list.push({ id: 'shortcuts', label: t('shortcuts.title'), group: 'app', icon: Keyboard, keys: ['?'], run: () => useUi.setState({ shortcutsOpen: true }) });
    list.push({ id: 'sign-out', label: t('sidebar.signOut'), group: 'app', icon: LogOut, run: () => requestSignOut() });
    return list;
  }, [row, viewer, tabs, t, language]);

  const q = query.trim().toLowerCase();
  const visible = q ? commands.filter((c) => q.split(/\s+/).every((w) => c.label.toLowerCase().includes(w))) : commands;

  // The first result is always the one Enter runs, also when results arrive late.
  const order = [
    ...visible.filter((c) => c.group === 'conversation').map((c) => c.id),
    ...conversations.map((c) => `conversation-${c.id}`),
    ...visible.filter((c) => c.group !== 'conversation').map((c) => c.id),
  ];
  const first = order[0] ?? '';
  const [selected, setSelected] = useState(first);
  useEffect(() => {
    setSelected(first);
  }, [first, query]);

  const perform = (fn: () => void) => {
    close();
    // After the dialog closed, so that focus and follow-up dialogs land where they should.
    requestAnimationFrame(fn);
  };

  const group = (name: PaletteCommand['group'], heading: string): ReactNode => {
    const items = visible.filter((c) => c.group === name);
    if (items.length === 0) return null;
    return (
      <Command.Group heading={heading}>
        {items.map((c) => (
          <Command.Item key={c.id} value={c.id} onSelect={() => perform(c.run)} className="palette__item">
            <c.icon aria-hidden="true" size={16} />
            <span className="palette__label">{c.label}</span>
            {c.keys ? <span className="palette__keys">{c.keys.map((k) => <Kbd key={k}>{k}</Kbd>)}</span> : null}
          </Command.Item>
        ))}
      </Command.Group>
    );
  };

  return (
    <Command shouldFilter={false} label={t('palette.input')} className="palette" loop value={selected} onValueChange={setSelected}>
      <div className="palette__input-row">
        <Search aria-hidden="true" size={16} />
        <Command.Input value={query} onValueChange={setQuery} placeholder={t('palette.placeholder')} className="palette__input" />
        <Kbd>Esc</Kbd>
      </div>
      <Command.List label={t('palette.results')} className="palette__list">
        <Command.Empty className="palette__empty">{t('palette.empty')}</Command.Empty>
        {group('conversation', row ? t('palette.groupConversation', { name: row.clientName }) : '')}
        {conversations.length > 0 ? (
          <Command.Group heading={q ? t('palette.groupConversations') : t('palette.groupRecent')}>
            {conversations.map((c) => (
              <Command.Item key={`c-${c.id}`} value={`conversation-${c.id}`} onSelect={() => perform(() => openConversationRoute(c.id))} className="palette__item">
                <ChannelMark application={c.application} />
                <span className="palette__label">{c.clientName}</span>
                <span className="palette__meta">{t(`status.${c.status === 'inbox' && c.assigneeId !== viewer?.id ? 'inboxOther' : c.status}`)}</span>
              </Command.Item>
            ))}
          </Command.Group>
        ) : null}
        {group('navigation', t('palette.groupNavigation'))}
        {group('app', t('palette.groupApp'))}
      </Command.List>
    </Command>
  );
}
