/**
 * The inbox window (UI.md layout): sidebar, conversation list, the open conversation and the
 * client panel; plus the window-wide behaviour: keyboard map, badge, presence, opening
 * conversations from notifications and deep links.
 */
import { lazy, Suspense, useDeferredValue, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ShieldAlert, X } from 'lucide-react';
import { getBridge } from '../../bridge';
import { useBadgeCount, useDb, useRow, useViewer } from '../../app/data';
import { useInboxShortcuts } from '../../app/keyboard';
import { useLive } from '../../app/live-state';
import { resendPresence, startPresenceTracking } from '../../app/presence';
import { openConversationRoute } from '../../app/router';
import { requestOpen } from '../../app/runtime';
import { useSession } from '../../app/session';
import { useUi, type InboxTab } from '../../app/ui-state';
import { ListPane } from './ListPane';
import { runAction } from './run-action';
import { Sidebar, useVisibleTabs } from './Sidebar';

// Loaded beside the first list rather than before it: the first paint needs none of them.
const ConversationPane = lazy(() => import('./ConversationPane').then((m) => ({ default: m.ConversationPane })));
const CommandPalette = lazy(() => import('./CommandPalette').then((m) => ({ default: m.CommandPalette })));
const ShortcutsDialog = lazy(() => import('./Overlays').then((m) => ({ default: m.ShortcutsDialog })));
const PreferencesDialog = lazy(() => import('./Overlays').then((m) => ({ default: m.PreferencesDialog })));
const SignOutDialog = lazy(() => import('./SignOutDialog').then((m) => ({ default: m.SignOutDialog })));

/** The conversation column while its code loads: the same landmark, empty. */
function PanePlaceholder() {
  const { t } = useTranslation();
  return <section aria-label={t('conversation.label')} className="conversation conversation--empty" aria-busy="true" />;
}

function MemoryOnlyNotice() {
  const { t } = useTranslation();
  const memoryOnly = useSession((s) => s.memoryOnly);
  const [dismissed, setDismissed] = useState(false);
  if (!memoryOnly || dismissed) return null;
  return (
    <div className="app-notice" role="note">
      <ShieldAlert aria-hidden="true" size={16} />
      <span>{t('session.memoryOnly')}</span>
      <button type="button" className="icon-button icon-button--small" aria-label={t('common.dismiss')} onClick={() => setDismissed(true)}>
        <X aria-hidden="true" size={14} />
      </button>
    </div>
  );
}

/**
 * The dock/taskbar badge of product §9 ("Include Unassigned in badge" is on by default). A
 * component of its own: a new count re-renders nothing else.
 */
function Badge() {
  const badge = useBadgeCount(true);
  useEffect(() => {
    void getBridge().setBadge(badge).catch(() => undefined);
  }, [badge]);
  useEffect(() => () => void getBridge().setBadge(0).catch(() => undefined), []);
  return null;
}

export function InboxScreen({ conversationId }: { conversationId: number | null }) {
  const viewer = useViewer();
  const row = useRow(conversationId);
  const tabs = useVisibleTabs();
  const db = useDb();
  const workerReady = useLive((s) => s.workerReady);
  // Deferred: what waits for the first page renders in the background, not in one long task.
  const firstPageRead = useDeferredValue(useLive((s) => s.firstPageRead));
  const panelOpen = useUi((s) => s.clientPanelOpen);
  const tab = useUi((s) => s.tab);

  // The All tab disappears when the permission does.
  useEffect(() => {
    if (!tabs.includes(tab)) useUi.setState({ tab: 'mine' });
  }, [tabs, tab]);

  useInboxShortcuts({ openId: conversationId, row, viewer, tabs, runAction });

  // Hand the open conversation to the worker (debounced while moving quickly with j/k).
  useEffect(() => {
    requestOpen(conversationId);
  }, [conversationId, workerReady]);

  useEffect(() => startPresenceTracking(), []);
  useEffect(() => {
    if (workerReady) resendPresence();
  }, [workerReady]);

  // Notification clicks and switchboard:// links: open the conversation in its own tab.
  useEffect(() => getBridge().onOpenConversation((id) => {
    openConversationRoute(id);
    void db?.conversations.get(id).then((r) => {
      if (!r) return;
      const target: InboxTab | null = r.tab === 'other' ? (tabs.includes('all') ? 'all' : null) : r.tab;
      if (target) useUi.setState({ tab: target, search: '' });
    });
  }), [db, tabs]);

  return (
    <div className={`inbox${panelOpen && conversationId !== null ? ' inbox--with-panel' : ''}`}>
      <Sidebar />
      <main className="inbox__main">
        <MemoryOnlyNotice />
        <div className="inbox__columns">
          <ListPane selectedId={conversationId} />
          {/* A conversation to show (a deep link) loads its code at once; else after the list. */}
          {conversationId !== null || firstPageRead ? (
            <Suspense fallback={<PanePlaceholder />}>
              <ConversationPane conversationId={conversationId} />
            </Suspense>
          ) : <PanePlaceholder />}
        </div>
      </main>
      <Badge />
      {firstPageRead ? (
        <Suspense fallback={null}>
          <CommandPalette />
          <ShortcutsDialog />
          <PreferencesDialog />
          <SignOutDialog />
        </Suspense>
      ) : null}
    </div>
  );
}
