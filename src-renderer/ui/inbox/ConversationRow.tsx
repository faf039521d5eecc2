/** One list item with the elements of product §4.1. */
import { memo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { AlertTriangle, CloudUpload, CornerUpLeft, Eye, Lock } from 'lucide-react';
import type { ConversationRecord } from '../../store/schema';
import type { Directory } from '../../app/data';
import type { InboxTab } from '../../app/ui-state';
import { formatListTime, formatWaited } from '../../app/format';
import { Avatar, ChannelMark, GroupChip } from '../kit/marks';
import { Tooltip } from '../kit/Tooltip';
import { prefetchConversation } from '../../app/runtime';

export const ROW_HEIGHT = 72;

export interface RowViewer {
  userId: number;
  name: string;
}

export interface ConversationRowProps {
  row: ConversationRecord | undefined;
  id: number;
  index: number;
  total: number;
  tab: InboxTab | 'search';
  selected: boolean;
  isNew: boolean;
  viewerId: number | null;
  viewers: RowViewer[];
  directory: Directory;
  lang: string;
  /** Search hits under the row. */
  snippet?: ReactNode;
  top: number;
  height: number;
  onSelect(id: number): void;
}

/** Time of product §4.1 #8: when it became unassigned, when it was closed, else the last message. */
export function rowTime(row: ConversationRecord, tab: InboxTab | 'search'): number | null {
  if (tab === 'unassigned') return row.unassignedAt ?? row.lastMessageAt ?? row.lastActivityAt;
  if (tab === 'closed') return row.closedAt ?? row.lastActivityAt;
  return row.lastMessageAt ?? row.lastActivityAt;
}

export const optionId = (id: number) => `conversation-option-${id}`;

function ConversationRowImpl(props: ConversationRowProps) {
  const { row, id, index, total, tab, selected, isNew, viewerId, viewers, directory, lang, snippet, top, height, onSelect } = props;
  const { t } = useTranslation();
  const style = { transform: `translateY(${top}px)`, height };
  if (!row) {
    return (
      <div role="option" id={optionId(id)} aria-selected={selected} aria-busy="true" aria-label={t('list.loadingRow')}
        aria-setsize={total} aria-posinset={index + 1} className="row row--placeholder" style={style} onMouseDown={(e) => e.preventDefault()} onClick={() => onSelect(id)}>
        <span className="row__skeleton" />
      </div>
    );
  }
  const unread = row.unreadCount > 0;
  const account = directory.accounts.get(row.accountChannelId);
  const group = row.groupId !== null ? directory.groups.get(row.groupId) : undefined;
  const operatorName = (uid: number | null) => (uid === null ? null : uid === viewerId ? t('common.you') : directory.operators.get(uid)?.name ?? t('common.unknownOperator'));
  // In My inbox every row is the viewer's own: naming them on each row says nothing.
  const assignee = tab === 'mine' && row.assigneeId === viewerId ? null : operatorName(row.assigneeId);
  const previous = row.status === 'unassigned' ? operatorName(row.previousAssigneeId) : null;
  const time = rowTime(row, tab);
  const timeText = formatListTime(time, lang, directory.timeZone);
  const pending = row.pendingAction !== null || row.pendingMessages > 0;
  const showStatus = tab === 'all' || tab === 'search';
  const statusText = t(`status.${row.status === 'inbox' && row.assigneeId !== viewerId ? 'inboxOther' : row.status}`);
  const othersViewing = viewers.filter((v) => v.userId !== viewerId);
  const descriptionId = `${optionId(id)}-description`;

  const description = [
    unread ? t('row.unread', { count: row.unreadCount }) : null,
    account ? `${t(`channel.${row.application}`)} · ${account.name}` : t(`channel.${row.application}`),
    row.isOperatorLastMessage ? t('row.oursLast') : null,
    row.lastMessagePreview,
    row.distributing ? t('row.distributing') : group ? t('row.group', { name: group.name }) : null,
    assignee ? t('row.operator', { name: assignee }) : previous ? t('row.previous', { name: previous }) : null,
    statusText,
    timeText,
    pending ? t('row.pending') : null,
    row.attentionMessages > 0 ? t('row.attention') : null,
    othersViewing.length > 0 ? t('row.viewing', { count: othersViewing.length }) : null,
  ].filter(Boolean).join('. ');

  return (
    <div
      role="option"
      id={optionId(id)}
      aria-selected={selected}
      aria-label={row.clientName}
      aria-describedby={descriptionId}
      aria-setsize={total}
      aria-posinset={index + 1}
      data-conversation-id={id}
      className={`row${selected ? ' row--selected' : ''}${unread ? ' row--unread' : ''}${isNew ? ' row--new' : ''}${snippet ? ' row--search' : ''}`}
      style={style}
      // The listbox keeps focus; a click selects without moving focus to the row.
      onMouseDown={(e) => e.preventDefault()}
      // The click follows: the worker starts decoding the conversation now.
      onPointerDown={(e) => {
        if (e.button === 0 && !selected) prefetchConversation(id);
      }}
      onClick={() => onSelect(id)}
    >
      <span id={descriptionId} hidden>{description}</span>
      <span className="row__avatar">
        <Avatar name={row.clientName} size={32} />
        <span className="row__channel"><ChannelMark application={row.application} accountName={account?.name} /></span>
      </span>
      <span className="row__body">
        <span className="row__line row__line--top">
          <span className="row__name">{row.clientName}</span>
          {othersViewing.length > 0 ? (
            <Tooltip content={t('row.viewingNames', { names: othersViewing.map((v) => v.name).join(', ') })} describe={false}>
              <span className="row__viewers">
                <Eye aria-hidden="true" size={12} />
                {othersViewing.length}
              </span>
            </Tooltip>
          ) : null}
          {row.locked ? <Lock aria-hidden="true" size={12} className="row__icon" /> : null}
          <Tooltip content={time !== null && tab === 'unassigned' ? t('row.waiting', { time: formatWaited(time, lang) }) : null} describe={false}>
            <span className="row__time">{timeText}</span>
          </Tooltip>
        </span>
        {snippet ?? (
          <span className="row__line">
            {row.isOperatorLastMessage ? (
              <Tooltip content={t('row.oursLast')} describe={false}>
                <span className="row__ours"><CornerUpLeft aria-hidden="true" size={12} /></span>
              </Tooltip>
            ) : null}
            <span className="row__preview">{row.lastMessagePreview ?? t('row.noMessages')}</span>
            {unread ? <span className="row__unread">{row.unreadCount > 99 ? '99+' : row.unreadCount}</span> : null}
          </span>
        )}
        <span className="row__line row__line--meta">
          {row.distributing ? (
            <span className="row__distributing">{t('row.distributing')}</span>
          ) : group ? (
            <GroupChip name={group.name} color={group.color} />
          ) : null}
          {assignee ? (
            <span className="row__operator">{assignee}</span>
          ) : previous ? (
            <Tooltip content={t('row.previous', { name: previous })} describe={false}>
              <span className="row__operator row__operator--previous">{previous}</span>
            </Tooltip>
          ) : null}
          {showStatus ? <span className={`row__status row__status--${row.status}`}>{statusText}</span> : null}
          <span className="row__flags">
            {pending ? (
              <Tooltip content={t('row.pending')} describe={false}>
                <span className="row__pending"><CloudUpload aria-hidden="true" size={12} /></span>
              </Tooltip>
            ) : null}
            {row.attentionMessages > 0 ? (
              <Tooltip content={t('row.attention')} describe={false}>
                <span className="row__attention"><AlertTriangle aria-hidden="true" size={12} /></span>
              </Tooltip>
            ) : null}
          </span>
        </span>
      </span>
    </div>
  );
}

export const ConversationRow = memo(ConversationRowImpl);
