/**
 * The open conversation (product §4.3, §4.4, §4.6): the header with client, channel, status,
 * operator, group, the other viewers and the actions; the "changed by" banner; the timeline; the
 * composer; and the client panel beside it.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AlertTriangle, ArrowRightLeft, CheckCircle2, CloudUpload, Hand, Inbox, LoaderCircle, PanelRightClose, PanelRightOpen, RotateCcw, Undo2, X } from 'lucide-react';
import type { InboxRow } from '../../../src-core/conversation/projection';
import { canWriteConversation } from '../../../src-core/permissions';
import { availability, markRead, type ConversationAction } from '../../app/actions';
import { runAction } from './run-action';
import { useDirectory, useRow, useViewer, type Directory, type Viewer } from '../../app/data';
import { useLive } from '../../app/live-state';
import { isFocusedOn } from '../../app/notifications';
import { setViewing } from '../../app/presence';
import { openConversationRoute } from '../../app/router';
import { useSession } from '../../app/session';
import { translateServerMessage } from '../../app/server-messages';
import { setClientPanelOpen, useUi } from '../../app/ui-state';
import { Avatar, ChannelMark, GroupChip } from '../kit/marks';
import { Tooltip } from '../kit/Tooltip';
import { Kbd } from '../kit/Kbd';
import { ClientPanel } from './ClientPanel';
import { Composer } from './Composer';
import { Timeline } from './Timeline';
import { TransferDialog } from './TransferDialog';

export function ConversationPane({ conversationId }: { conversationId: number | null }) {
  const { t } = useTranslation();
  const row = useRow(conversationId);
  const viewer = useViewer();
  const revokedId = useLive((s) => s.revokedId);
  const liveView = useLive((s) => s.view);

  if (conversationId === null) {
    return (
      <section aria-label={t('conversation.label')} className="conversation conversation--empty">
        <div className="empty">
          <Inbox aria-hidden="true" size={32} className="empty__icon" />
          <p className="empty__title">{t('conversation.noneTitle')}</p>
          <p className="empty__text">{t('conversation.noneText')}</p>
          <p className="empty__keys"><Kbd>j</Kbd> <Kbd>k</Kbd> {t('conversation.keysMove')} · <Kbd>/</Kbd> {t('conversation.keysSearch')} · <Kbd>?</Kbd> {t('conversation.keysAll')}</p>
        </div>
      </section>
    );
  }
  if (revokedId === conversationId || row === null) {
    return (
      <section aria-label={t('conversation.label')} className="conversation conversation--empty">
        <div className="empty">
          <Inbox aria-hidden="true" size={32} className="empty__icon" />
          <p className="empty__title">{revokedId === conversationId ? t('conversation.revokedTitle') : t('conversation.missingTitle')}</p>
          <p className="empty__text">{revokedId === conversationId ? t('conversation.revokedText') : t('conversation.missingText')}</p>
          <button type="button" className="button" onClick={() => openConversationRoute(null)}>{t('conversation.backToList')}</button>
        </div>
      </section>
    );
  }
  // The worker's view may come before the pane's own read of the stored row (a store busy with
  // the worker's writes): its row, with this device's pending requests, serves until then.
  if (row === undefined && viewer && liveView?.id === conversationId) return <OpenConversation row={liveView.row} viewer={viewer} />;
  if (row === undefined || !viewer) {
    return (
      <section aria-label={t('conversation.label')} className="conversation conversation--empty" aria-busy="true">
        <div className="empty"><LoaderCircle aria-hidden="true" size={20} className="spin" /></div>
      </section>
    );
  }
  return <OpenConversation row={row} viewer={viewer} />;
}

function OpenConversation({ row: storedRow, viewer }: { row: InboxRow; viewer: Viewer }) {
  const { t } = useTranslation();
  const directory = useDirectory();
  const liveView = useLive((s) => s.view);
  const view = liveView && liveView.id === storedRow.id ? liveView : null;
  const presenceViewers = useLive((s) => s.presence.viewers);
  const serverUrl = useSession((s) => s.serverUrl);
  const panelOpen = useUi((s) => s.clientPanelOpen);
  const transferOpen = useUi((s) => s.transferOpen);
  const focusSeq = useUi((s) => s.conversationFocusSeq);
  // The worker's row carries this device's pending requests, like the stored one; either will do.
  const row: InboxRow = view ? { ...storedRow, ...view.row } : storedRow;
  const id = row.id;

  const access = { status: row.status, assigneeId: row.assigneeId, groupId: row.groupId, distributing: row.distributing };
  const canWrite = canWriteConversation(viewer.actor, access);

  // Viewing presence while open; reading moves the watermark for the responsible operator only.
  useEffect(() => {
    setViewing(id);
    return () => setViewing(null);
  }, [id]);
  const mineWithUnread = row.status === 'inbox' && row.assigneeId === viewer.id && row.unreadCount > 0;
  useEffect(() => {
    if (!mineWithUnread) return;
    const tryRead = () => {
      if (isFocusedOn(id)) void markRead(id);
    };
    tryRead();
    window.addEventListener('focus', tryRead);
    document.addEventListener('visibilitychange', tryRead);
    return () => {
      window.removeEventListener('focus', tryRead);
      document.removeEventListener('visibilitychange', tryRead);
    };
  }, [id, mineWithUnread, row.unreadCount]);

  const others = useMemo(() => {
    const byUser = new Map<number, { userId: number; idle: boolean; typing: boolean }>();
    for (const v of presenceViewers) {
      if (v.userId === viewer.id) continue;
      const typing = v.typing === id;
      if (v.viewing !== id && !typing) continue;
      const prev = byUser.get(v.userId);
      // Several devices of one user: the most present one counts.
      byUser.set(v.userId, { userId: v.userId, idle: prev ? prev.idle && v.idle : v.idle, typing: (prev?.typing ?? false) || typing });
    }
    return [...byUser.values()];
  }, [presenceViewers, viewer.id, id]);
  const typingNames = others.filter((o) => o.typing).map((o) => directory.operators.get(o.userId)?.name ?? '?');

  return (
    <>
      <section aria-label={t('conversation.label')} className="conversation">
        <Header row={row} viewer={viewer} directory={directory} others={others} panelOpen={panelOpen} />
        <ChangeBanners row={row} viewer={viewer} directory={directory} view={view} />
        {view ? (
          <Timeline key={view.id} view={view} clientName={row.clientName} viewerId={viewer.id} directory={directory} serverUrl={serverUrl} focusSeq={focusSeq} />
        ) : (
          <div className="timeline timeline--loading" aria-busy="true">
            <LoaderCircle aria-hidden="true" size={16} className="spin" /> <span>{t('conversation.loading')}</span>
            <ol aria-label={t('timeline.label')} className="timeline__list" />
          </div>
        )}
        <Composer key={id} conversationId={id} row={row} viewerId={viewer.id} canWrite={canWrite} typingNames={typingNames} />
      </section>
      {panelOpen ? <ClientPanel row={row} view={view} directory={directory} canWrite={canWrite} /> : null}
      <TransferDialog open={transferOpen} onClose={() => useUi.setState({ transferOpen: false })} row={row} />
    </>
  );
}

const ACTIONS: Array<{ action: ConversationAction; icon: typeof Hand; key: string }> = [
  { action: 'take', icon: Hand, key: 'T' },
  { action: 'transfer', icon: ArrowRightLeft, key: 'A' },
  { action: 'return', icon: Undo2, key: '' },
  { action: 'close', icon: CheckCircle2, key: 'E' },
  { action: 'reopen', icon: RotateCcw, key: '' },
];

function Header({ row, viewer, directory, others, panelOpen }: {
  row: InboxRow; viewer: Viewer; directory: Directory; others: Array<{ userId: number; idle: boolean; typing: boolean }>; panelOpen: boolean;
}) {
  const { t } = useTranslation();
  const account = directory.accounts.get(row.accountChannelId);
  const group = row.groupId !== null ? directory.groups.get(row.groupId) : undefined;
  const operatorName = (uid: number | null) => (uid === null ? null : directory.operators.get(uid)?.name ?? (uid === viewer.id ? viewer.name : t('common.unknownOperator')));
  const assignee = operatorName(row.assigneeId);
  const previous = row.status === 'unassigned' ? operatorName(row.previousAssigneeId) : null;
  const statusKey = row.status === 'inbox' && row.assigneeId !== viewer.id ? 'inboxOther' : row.status;
  return (
    <header className="conversation__header">
      <div className="conversation__title-row">
        <div className="conversation__identity">
          <h2 className="conversation__title">{row.clientName}</h2>
          <ChannelMark application={row.application} accountName={account?.name} size={20} />
          <span className="conversation__account">{account?.name ?? t(`channel.${row.application}`)}</span>
        </div>
        {others.length > 0 ? (
          <ul className="viewers" aria-label={t('conversation.viewers')}>
            {others.map((o) => {
              const name = directory.operators.get(o.userId)?.name ?? '?';
              const state = o.typing ? t('conversation.viewerTyping', { name }) : o.idle ? t('conversation.viewerIdle', { name }) : t('conversation.viewerViewing', { name });
              return (
                <li key={o.userId}>
                  <Tooltip content={state} describe={false}>
                    <span role="img" aria-label={state} className="viewers__item">
                      <Avatar name={name} size={24} dimmed={o.idle && !o.typing} outlined={o.typing} />
                    </span>
                  </Tooltip>
                </li>
              );
            })}
          </ul>
        ) : null}
        <button
          type="button"
          className="icon-button conversation__panel-toggle"
          aria-label={panelOpen ? t('conversation.hidePanel') : t('conversation.showPanel')}
          aria-expanded={panelOpen}
          title={panelOpen ? t('conversation.hidePanel') : t('conversation.showPanel')}
          onClick={() => setClientPanelOpen(!panelOpen)}
        >
          {panelOpen ? <PanelRightClose aria-hidden="true" size={18} /> : <PanelRightOpen aria-hidden="true" size={18} />}
        </button>
      </div>
      <div className="conversation__meta">
        <span className={`status-chip status-chip--${row.status}`}>{t(`status.${statusKey}`)}</span>
        {row.distributing ? <span className="conversation__fact">{t('row.distributing')}</span> : group ? <GroupChip name={group.name} color={group.color} /> : null}
        {assignee ? (
          <span className="conversation__fact">{row.status === 'closed' ? t('conversation.closedBy', { name: assignee }) : t('conversation.operator', { name: assignee })}</span>
        ) : previous ? (
          <span className="conversation__fact conversation__fact--previous">{t('row.previous', { name: previous })}</span>
        ) : (
          <span className="conversation__fact">{t('conversation.noOperator')}</span>
        )}
        {row.pendingAction !== null ? (
          <span className="conversation__pending"><CloudUpload aria-hidden="true" size={14} /> {t('conversation.pendingAction')}</span>
        ) : null}
        <div className="conversation__actions" role="group" aria-label={t('conversation.actions')}>
          {ACTIONS.map(({ action, icon: Icon, key }) => {
            const a = availability(row, viewer.actor, action);
            if (!a.shown) return null;
            const label = t(`action.${action}`);
            const button = (
              <button
                type="button"
                className={`button button--small${action === 'take' || action === 'reopen' ? ' button--primary' : ''}`}
                disabled={!a.enabled}
                aria-keyshortcuts={key || undefined}
                onClick={() => runAction(row, action)}
              >
                <Icon aria-hidden="true" size={14} />
                {label}
              </button>
            );
            return (
              <Tooltip key={action} content={a.reason ? t(a.reason as never) : key ? t('action.shortcut', { key }) : null} describe={!!a.reason}>
                {button}
              </Tooltip>
            );
          })}
        </div>
      </div>
    </header>
  );
}

/**
 * "This conversation was changed by <name>" after one of this user's requests was refused
 * (product §2.5), and "Updated by <name>: <what>" when someone else moved it while it was open (§4.6).
 */
function ChangeBanners({ row, viewer, directory, view }: { row: InboxRow; viewer: Viewer; directory: Directory; view: ReturnType<typeof useLive.getState>['view'] }) {
  const { t } = useTranslation();
  const [dismissed, setDismissed] = useState<string | null>(null);
  const [update, setUpdate] = useState<{ key: string; name: string; what: string } | null>(null);
  const previous = useRef<{ id: number; status: string; assigneeId: number | null; groupId: number | null } | null>(null);

  const rejection = view?.lastRejection ?? null;
  const name = (uid: number | null) => (uid === null ? null : directory.operators.get(uid)?.name ?? null);

  useEffect(() => {
    const now = { id: row.id, status: row.status, assigneeId: row.assigneeId, groupId: row.groupId };
    const before = previous.current;
    previous.current = now;
    if (!before || before.id !== now.id) {
      setUpdate(null);
      return;
    }
    if (before.status === now.status && before.assigneeId === now.assigneeId && before.groupId === now.groupId) return;
    if (row.pendingAction !== null) return; // our own request, shown as pending
    const last = [...(view?.timeline ?? [])].reverse().find((i) => i.type === 'event');
    if (!last || last.type !== 'event' || last.actorId === viewer.id) return;
    const actor = name(last.actorId) ?? t('timeline.system');
    const what = t(`status.${now.status === 'inbox' && now.assigneeId !== viewer.id ? 'inboxOther' : now.status}`);
    setUpdate({ key: `${last.id}`, name: actor, what });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [row.id, row.status, row.assigneeId, row.groupId]);

  const showRejection = rejection && dismissed !== rejection.requestId;
  const changedBy = rejection ? name(rejection.changedBy) : null;
  if (!showRejection && !update) return null;
  return (
    <div className="banners">
      {showRejection ? (
        <div className="banner banner--warning" role="alert">
          <AlertTriangle aria-hidden="true" size={16} />
          <span className="banner__text">
            {changedBy ? t('banner.changedBy', { name: changedBy }) : t('banner.changed')}
            <span className="banner__detail"> {translateServerMessage(rejection.reason, t)}</span>
          </span>
          <button type="button" className="icon-button icon-button--small" aria-label={t('common.dismiss')} onClick={() => setDismissed(rejection.requestId)}>
            <X aria-hidden="true" size={14} />
          </button>
        </div>
      ) : null}
      {update ? (
        <div className="banner banner--info" role="status">
          <span className="banner__text">{t('banner.updatedBy', { name: update.name, what: update.what })}</span>
          <button type="button" className="icon-button icon-button--small" aria-label={t('common.dismiss')} onClick={() => setUpdate(null)}>
            <X aria-hidden="true" size={14} />
          </button>
        </div>
      ) : null}
    </div>
  );
}
