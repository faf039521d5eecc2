/**
 * The sidebar: the tabs with their counts, the team's presence, the connection status, and the
 * user's own controls (settings for the super-admin, preferences, sign-out).
 */
import { memo, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { CheckCircle2, CircleDashed, Inbox, Keyboard, Layers, LogOut, RefreshCw, Settings, SlidersHorizontal, WifiOff, Wifi } from 'lucide-react';
import { getBridge } from '../../bridge';
import { useCan, useDirectory, useTabCounts, useViewer } from '../../app/data';
import { useLive } from '../../app/live-state';
import { useUi, type InboxTab } from '../../app/ui-state';
import type { Presence } from '../../../src-core/presence';
import { Avatar, PresenceDot } from '../kit/marks';
import { Logo } from '../kit/Logo';
import { requestSignOut } from './sign-out';

export const LIST_PANEL_ID = 'conversation-list-panel';
export const tabId = (tab: InboxTab) => `tab-${tab}`;

export function useVisibleTabs(): InboxTab[] {
  const canViewAll = useCan('conversations.view_all_inboxes');
  return canViewAll ? ['unassigned', 'mine', 'closed', 'all'] : ['unassigned', 'mine', 'closed'];
}

const TAB_ICONS: Record<InboxTab, typeof Inbox> = {
  unassigned: CircleDashed,
  mine: Inbox,
  closed: CheckCircle2,
  all: Layers,
};

function Tabs() {
  const { t } = useTranslation();
  const tab = useUi((s) => s.tab);
  const tabs = useVisibleTabs();
  const counts = useTabCounts();
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});

  const select = (next: InboxTab, focus = false) => {
    useUi.setState({ tab: next });
    if (focus) refs.current[next]?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const index = tabs.indexOf(tab);
    let next: number | null = null;
    if (e.key === 'ArrowDown' || e.key === 'ArrowRight') next = (index + 1) % tabs.length;
    if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') next = (index - 1 + tabs.length) % tabs.length;
    if (e.key === 'Home') next = 0;
    if (e.key === 'End') next = tabs.length - 1;
    if (next === null) return;
    e.preventDefault();
    select(tabs[next], true);
  };

  return (
    <div role="tablist" aria-label={t('tabs.label')} aria-orientation="vertical" className="tabs" onKeyDown={onKeyDown}>
      {tabs.map((name, i) => {
        const Icon = TAB_ICONS[name];
        const selected = name === tab;
        const count = name === 'mine' ? counts.mine : name === 'unassigned' ? counts.unassigned : null;
        const unread = name === 'mine' && counts.mineUnread > 0;
        const descriptionId = `${tabId(name)}-description`;
        return (
          <button
            key={name}
            ref={(el) => {
              refs.current[name] = el;
            }}
            id={tabId(name)}
            type="button"
            role="tab"
            aria-selected={selected}
            aria-controls={LIST_PANEL_ID}
            aria-describedby={descriptionId}
            tabIndex={selected ? 0 : -1}
            className={`tab${selected ? ' tab--selected' : ''}`}
            onClick={() => select(name)}
          >
            <Icon aria-hidden="true" size={16} className="tab__icon" />
            <span className="tab__label">{t(`tabs.${name}`)}</span>{' '}
            {name === 'mine' ? (
              // My inbox says its count in its name (product §4.1 #9); the others in the description.
              <span className="tab__count">{count}</span>
            ) : count !== null && count > 0 ? (
              <span className="tab__count" aria-hidden="true">{count}</span>
            ) : null}
            {unread ? <span className="tab__unread" aria-hidden="true" /> : null}
            <span id={descriptionId} hidden>
              {[
                count !== null ? t('tabs.countDescription', { count }) : '',
                unread ? t('tabs.unreadDescription') : '',
                t('tabs.shortcut', { key: String(i + 1) }),
              ].filter(Boolean).join('. ')}
            </span>
          </button>
        );
      })}
    </div>
  );
}

const PRESENCE_ORDER: Record<Presence, number> = { online: 0, away: 1, offline: 2 };

function Team() {
  const { t } = useTranslation();
  const { operators } = useDirectory();
  const presence = useLive((s) => s.presence.operators);
  const viewer = useViewer();
  const team = useMemo(() => [...operators.values()]
    .filter((o) => !o.deleted && o.status === 'active')
    .map((o) => ({ ...o, presence: (presence[o.id] ?? 'offline') as Presence }))
    .sort((a, b) => (a.id === viewer?.id ? -1 : b.id === viewer?.id ? 1 : 0)
      || PRESENCE_ORDER[a.presence] - PRESENCE_ORDER[b.presence] || a.name.localeCompare(b.name)),
  [operators, presence, viewer?.id]);
  if (team.length === 0) return null;
  const online = team.filter((o) => o.presence === 'online').length;
  return (
    <section className="team" aria-labelledby="team-heading">
      <h2 id="team-heading" className="sidebar__heading">
        {t('team.heading')} <span className="sidebar__heading-count">{t('team.online', { count: online })}</span>
      </h2>
      <ul className="team__list">
        {team.map((o) => (
          <li key={o.id} className={`team__member team__member--${o.presence}`}>
            <span className="team__avatar">
              <Avatar name={o.name} size={20} dimmed={o.presence !== 'online'} />
              <PresenceDot presence={o.presence} />
            </span>
            <span className="team__name">{o.id === viewer?.id ? t('team.you', { name: o.name }) : o.name}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function useBrowserOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);
  return online;
}

export function ConnectionStatus() {
  const { t } = useTranslation();
  const connection = useLive((s) => s.connection);
  const pending = useLive((s) => s.pending);
  const unreachable = useLive((s) => s.unreachable);
  const browserOnline = useBrowserOnline();
  // The browser knowing it has no network, or the server not answering, wins over a socket
  // that has not noticed yet.
  const offline = !browserOnline || (unreachable && connection !== 'online') || connection === 'offline' || connection === 'unauthorized';
  const state = offline ? 'offline' : connection === 'online' ? 'online' : 'syncing';
  const Icon = state === 'online' ? Wifi : state === 'offline' ? WifiOff : RefreshCw;
  return (
    <div role="status" aria-label={t('connection.label')} className={`connection connection--${state}`}>
      <Icon aria-hidden="true" size={14} className={state === 'syncing' ? 'spin-slow' : undefined} />
      <span className="connection__state">{t(`connection.${state}`)}</span>
      {pending > 0 ? (
        <>
          <span aria-hidden="true" className="connection__sep">·</span>
          <span className="connection__pending">{t('connection.waiting', { count: pending })}</span>
        </>
      ) : null}
    </div>
  );
}

/** The sidebar does not depend on the open conversation: moving through the list leaves it be. */
export const Sidebar = memo(function Sidebar() {
  const { t } = useTranslation();
  const viewer = useViewer();
  const presence = useLive((s) => (viewer ? s.presence.operators[viewer.id] : undefined));
  const connected = useLive((s) => s.connection === 'online');
  const { company } = useDirectory();
  return (
    <nav aria-label={t('sidebar.label')} className="sidebar">
      <div className="sidebar__top">
        <Logo />
        {company?.name ? <span className="sidebar__company" title={company.name}>{company.name}</span> : null}
      </div>
      <Tabs />
      <Team />
      <div className="sidebar__bottom">
        <ConnectionStatus />
        <div className="sidebar__me">
          <span className="team__avatar">
            <Avatar name={viewer?.name || '?'} size={24} />
            <PresenceDot presence={connected ? presence ?? 'online' : 'offline'} />
          </span>
          <span className="sidebar__me-name">{viewer?.name}</span>
          <button type="button" className="icon-button" aria-label={t('preferences.open')} title={t('preferences.open')} onClick={() => useUi.setState({ preferencesOpen: true })}>
            <SlidersHorizontal aria-hidden="true" size={16} />
          </button>
          <button type="button" className="icon-button" aria-label={t('shortcuts.open')} title={t('shortcuts.open')} aria-keyshortcuts="?" onClick={() => useUi.setState({ shortcutsOpen: true })}>
            <Keyboard aria-hidden="true" size={16} />
          </button>
        </div>
        <div className="sidebar__actions">
          {viewer?.isOwner ? (
            <button type="button" className="button button--ghost button--small" onClick={() => void getBridge().openSettings()}>
              <Settings aria-hidden="true" size={16} />
              {t('sidebar.settings')}
            </button>
          ) : null}
          <button type="button" className="button button--ghost button--small" onClick={requestSignOut}>
            <LogOut aria-hidden="true" size={16} />
            {t('sidebar.signOut')}
          </button>
        </div>
      </div>
    </nav>
  );
});
