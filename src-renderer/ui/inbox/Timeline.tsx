/**
 * The conversation's timeline (product §4.3): client messages on the left, replies on the right,
 * notes tinted and labelled, system events as thin lines and query starts as separators. Message
 * text is untrusted: it is rendered as text, never as markup, and nothing is turned into links.
 *
 * It opens with the newest page of items the worker sends (a conversation may hold thousands);
 * scrolling near the top, or the "earlier messages" button, asks the worker for the next older
 * page, and the item the reader was looking at stays where it was.
 */
import { memo, useCallback, useEffect, useLayoutEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { FileText, Image as ImageIcon, MapPin, Mic, Paperclip, UserRound, Video } from 'lucide-react';
import type { Attachment } from '../../../src-core/conversation/types';
import type { ConversationView, TimelineEvent, TimelineItem, TimelineMessage } from '../../sync/protocol';
import type { Directory } from '../../app/data';
import { dayLabel, formatDateTime, formatFullDateTime, formatTime, sameDay } from '../../app/format';
import { repair } from '../../app/actions';
import { showOlder } from '../../app/runtime';
import { takeConversationFocusRequest } from '../../app/ui-state';
import { getBridge } from '../../bridge';
import { DeliveryIcon } from '../kit/DeliveryIcon';
import { Tooltip } from '../kit/Tooltip';

interface TimelineProps {
  view: ConversationView;
  clientName: string;
  viewerId: number;
  directory: Directory;
  serverUrl: string | null;
  focusSeq: number;
}

/** Events that say nothing new to the reader (outcomes already visible elsewhere) are left out. */
const HIDDEN_EVENTS = new Set(['request_rejected', 'request_noop', 'reply_held', 'reply_sent_anyway', 'reply_discarded', 'repair_rejected']);
const SEPARATOR_EVENTS = new Set(['created', 'client_request', 'reopened', 'started_outgoing']);

/** Items asked for at a time when the reader scrolls up. */
const OLDER_PAGE = 100;
/** Older items are asked for once the reader is this close to the top (px). */
const OLDER_MARGIN = 800;

function itemTime(item: TimelineItem): number {
  return item.at;
}

/** Drawn again only when its props change (not for presence or list updates of the pane around it). */
export const Timeline = memo(function Timeline({ view, clientName, viewerId, directory, serverUrl, focusSeq }: TimelineProps) {
  const { t, i18n } = useTranslation();
  const scrollRef = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const lang = i18n.language;
  const tz = directory.timeZone;

  // In sentences ("Taken by Mia") everyone is named, the viewer too; "You" only labels authors.
  const name = useCallback((userId: number | null) => {
    if (userId === null) return t('timeline.system');
    return directory.operators.get(userId)?.name ?? t('common.unknownOperator');
  }, [directory, t]);
  const author = useCallback((userId: number | null) => (userId !== null && userId === viewerId ? t('common.you') : name(userId)), [name, viewerId, t]);

  // Older pages: whether one was asked for and no view came since, and the item kept in place
  // while it arrives (its distance from the top of the viewport).
  const asking = useRef(false);
  const anchor = useRef<{ id: string; offset: number } | null>(null);
  const olderCount = view.olderCount;
  const shown = view.timeline.length;
  const loadOlder = useCallback(() => {
    const el = scrollRef.current;
    if (!el || olderCount === 0 || asking.current) return;
    const first = el.querySelector<HTMLElement>('[data-item-id]');
    anchor.current = first ? { id: first.dataset.itemId!, offset: first.getBoundingClientRect().top - el.getBoundingClientRect().top } : null;
    asking.current = true;
    void showOlder(view.id, shown + OLDER_PAGE);
  }, [view.id, olderCount, shown]);
  const nearTop = () => {
    const el = scrollRef.current;
    return !!el && el.scrollTop < OLDER_MARGIN;
  };

  // Open at the newest message; follow new ones while the reader is at the bottom; keep the
  // reader's place when older items arrive above.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const kept = anchor.current;
    asking.current = false;
    if (stickToBottom.current) {
      el.scrollTop = el.scrollHeight;
      anchor.current = null;
    } else if (kept && view.timeline[0]?.id !== kept.id) {
      anchor.current = null;
      const node = el.querySelector<HTMLElement>(`[data-item-id="${CSS.escape(kept.id)}"]`);
      if (node) el.scrollTop += node.getBoundingClientRect().top - el.getBoundingClientRect().top - kept.offset;
    }
  }, [view.timeline]);
  // A short window that does not fill the pane, or a reader still near the top: the next page.
  useEffect(() => {
    if (nearTop()) loadOlder();
  });
  useEffect(() => {
    stickToBottom.current = true;
    const el = scrollRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [view.id]);
  useEffect(() => {
    if (takeConversationFocusRequest()) scrollRef.current?.focus();
  }, [focusSeq]);

  const items = view.timeline.filter((item) => item.type === 'message' || !HIDDEN_EVENTS.has(item.eventType));
  const rendered: ReactNode[] = [];
  let previous: TimelineItem | null = null;
  for (const item of items) {
    const isSeparator = item.type === 'event' && SEPARATOR_EVENTS.has(item.eventType);
    // A query separator carries its own date: no day line right above it.
    if (!isSeparator && (!previous || !sameDay(itemTime(previous), itemTime(item), tz))) {
      const day = dayLabel(itemTime(item), lang, tz);
      rendered.push(
        <li key={`day-${item.id}`} role="none" className="timeline__day">
          <span>{day.relative ? t(`timeline.${day.relative}`) : day.text}</span>
        </li>,
      );
    }
    if (item.type === 'event') {
      rendered.push(<EventLine key={item.id} event={item} name={name} directory={directory} lang={lang} tz={tz} />);
    } else {
      rendered.push(
        <MessageItem
          key={item.id}
          message={item}
          conversationId={view.id}
          clientName={clientName}
          name={author}
          own={item.authorId === viewerId}
          lang={lang}
          tz={tz}
          serverUrl={serverUrl}
        />,
      );
    }
    previous = item;
  }

  return (
    <div
      ref={scrollRef}
      className="timeline"
      tabIndex={-1}
      onScroll={(e) => {
        const el = e.currentTarget;
        stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
        if (el.scrollTop < OLDER_MARGIN) loadOlder();
      }}
    >
      {olderCount > 0 ? (
        <button type="button" className="button button--small timeline__older" onClick={loadOlder}>
          {t('timeline.older')}
        </button>
      ) : null}
      {items.length === 0 && olderCount === 0 ? <p className="timeline__empty">{t('timeline.empty')}</p> : null}
      <ol aria-label={t('timeline.label')} className="timeline__list">
        {rendered}
      </ol>
    </div>
  );
});

function eventText(event: TimelineEvent, name: (id: number | null) => string, directory: Directory, t: ReturnType<typeof useTranslation>['t']): string | null {
  const actor = name(event.actorId);
  switch (event.eventType) {
    case 'created':
    case 'client_request':
      return t('event.newRequest');
    case 'started_outgoing':
      return t('event.started', { name: actor });
    case 'reopened':
      return t('event.reopened', { name: actor });
    case 'taken':
      return t('event.taken', { name: actor });
    case 'transferred_operator':
      return t('event.transferredOperator', { target: name(event.to?.assigneeId ?? null), name: actor });
    case 'transferred_group': {
      const group = event.to?.groupId != null ? directory.groups.get(event.to.groupId)?.name : null;
      return t('event.transferredGroup', { target: group ?? t('common.unknownGroup'), name: actor });
    }
    case 'returned':
      return event.actorId === null ? t('event.returnedAuto') : t('event.returned', { name: actor });
    case 'closed':
      return t('event.closed', { name: actor });
    case 'released':
      return t('event.released', { name: actor });
    default:
      return null;
  }
}

const EventLine = memo(function EventLine({ event, name, directory, lang, tz }: {
  event: TimelineEvent; name: (id: number | null) => string; directory: Directory; lang: string; tz: string | undefined;
}) {
  const { t } = useTranslation();
  const text = eventText(event, name, directory, t);
  if (!text) return null;
  if (SEPARATOR_EVENTS.has(event.eventType)) {
    return (
      <li role="none" className="timeline__separator" data-item-id={event.id}>
        <span>{text} · <time dateTime={new Date(event.at).toISOString()}>{formatDateTime(event.at, lang, tz)}</time></span>
      </li>
    );
  }
  return (
    <li role="none" className="timeline__event" data-item-id={event.id}>
      <span>{text}</span>
      <time dateTime={new Date(event.at).toISOString()}>{formatTime(event.at, lang, tz)}</time>
    </li>
  );
});

function authorLabel(message: TimelineMessage, clientName: string, name: (id: number | null) => string, t: ReturnType<typeof useTranslation>['t']): string {
  if (message.kind === 'in') return clientName;
  switch (message.senderType) {
    case 'operator':
      return name(message.authorId);
    case 'system':
      return t('message.autoresponse');
    case 'agent':
      return t('message.agent');
    case 'app':
      return t('message.appEcho');
    default:
      return clientName;
  }
}

interface MessageItemProps {
  message: TimelineMessage; conversationId: number; clientName: string; name: (id: number | null) => string; own: boolean;
  lang: string; tz: string | undefined; serverUrl: string | null;
}

/**
 * Every view the worker sends holds new objects: a message is drawn again only when what can
 * change about it did. Its text, kind, author and attachment never change once written; its
 * time, delivery state and error follow the server.
 */
function sameMessageItem(a: MessageItemProps, b: MessageItemProps): boolean {
  const x = a.message;
  const y = b.message;
  return a.conversationId === b.conversationId && a.clientName === b.clientName && a.name === b.name && a.own === b.own
    && a.lang === b.lang && a.tz === b.tz && a.serverUrl === b.serverUrl
    && (x === y || (x.id === y.id && x.at === y.at && x.status === y.status && x.pending === y.pending
      && x.error?.reason === y.error?.reason && x.error?.message === y.error?.message));
}

const MessageItem = memo(function MessageItem({ message, conversationId, clientName, name, own, lang, tz, serverUrl }: MessageItemProps) {
  const { t } = useTranslation();
  const time = <time dateTime={new Date(message.at).toISOString()} title={formatFullDateTime(message.at, lang, tz)}>{formatTime(message.at, lang, tz)}</time>;
  if (message.kind === 'system') {
    return (
      <li className="timeline__event timeline__event--message" data-item-id={message.id}>
        <span className="msg__text">{message.text}</span>
        {time}
      </li>
    );
  }
  const side = message.kind === 'in' ? 'in' : 'out';
  const status = message.status;
  const failed = status === 'failed';
  return (
    <li className={`msg msg--${side} msg--${message.kind}${message.senderType === 'system' ? ' msg--auto' : ''}${failed ? ' msg--failed' : ''}`} data-item-id={message.id}>
      <div className="msg__meta">
        {message.kind === 'note' ? <span className="msg__badge">{t('message.note')}</span> : null}
        <span className="msg__author">{authorLabel(message, clientName, name, t)}</span>
        {time}
        {message.kind === 'out' && status ? <DeliveryIcon status={status} detail={message.error?.message} /> : null}
        {message.kind === 'note' && message.pending ? <DeliveryIcon status="pending" /> : null}
      </div>
      <div className="msg__bubble">
        {message.attachment ? <AttachmentCard attachment={message.attachment} serverUrl={serverUrl} /> : null}
        {message.text ? <p className="msg__text">{message.text}</p> : null}
      </div>
      {message.kind === 'out' && own ? <Repair message={message} conversationId={conversationId} /> : null}
    </li>
  );
}, sameMessageItem);

function Repair({ message, conversationId }: { message: TimelineMessage; conversationId: number }) {
  const { t } = useTranslation();
  const status = message.status;
  if (status === 'failed') {
    return (
      <div className="msg__repair">
        <span className="msg__repair-text">{t(`failure.${message.error?.reason ?? 'unknown'}`)}</span>
        <button type="button" className="button button--small" onClick={() => void repair(conversationId, message.id, 'retry')}>{t('message.retry')}</button>
      </div>
    );
  }
  if (status === 'held') {
    return (
      <div className="msg__repair">
        <span className="msg__repair-text">{t('message.heldText')}</span>
        <button type="button" className="button button--small button--primary" onClick={() => void repair(conversationId, message.id, 'send_anyway')}>{t('message.sendAnyway')}</button>
        <button type="button" className="button button--small" onClick={() => void repair(conversationId, message.id, 'discard')}>{t('message.discard')}</button>
      </div>
    );
  }
  if (status === 'unknown') {
    return (
      <div className="msg__repair">
        <span className="msg__repair-text">{t('message.unknownText')}</span>
        <button type="button" className="button button--small" onClick={() => void repair(conversationId, message.id, 'retry')}>{t('message.sendAgain')}</button>
        <button type="button" className="button button--small" onClick={() => void repair(conversationId, message.id, 'mark_sent')}>{t('message.markSent')}</button>
      </div>
    );
  }
  return null;
}

const ATTACHMENT_ICONS: Record<Attachment['type'], typeof FileText> = {
  image: ImageIcon, file: FileText, video: Video, audio: Mic, voice: Mic, sticker: ImageIcon, location: MapPin, contact: UserRound,
};

/** Attachments from our own server only; anything else is named, never fetched or linked. */
function AttachmentCard({ attachment, serverUrl }: { attachment: Attachment; serverUrl: string | null }) {
  const { t } = useTranslation();
  const Icon = ATTACHMENT_ICONS[attachment.type] ?? Paperclip;
  let safeUrl: string | null = null;
  if (attachment.url && serverUrl) {
    try {
      const url = new URL(attachment.url, serverUrl);
      if (url.origin === new URL(serverUrl).origin && (url.protocol === 'https:' || url.protocol === 'http:')) safeUrl = url.href;
    } catch {
      safeUrl = null;
    }
  }
  const label = attachment.name ?? t(`attachment.${attachment.type}`);
  if (attachment.type === 'image' && safeUrl) {
    return <img className="msg__image" src={safeUrl} alt={label} loading="lazy" referrerPolicy="no-referrer" />;
  }
  const size = attachment.size !== null ? ` · ${formatSize(attachment.size)}` : '';
  const card = (
    <span className="attachment">
      <Icon aria-hidden="true" size={16} />
      <span className="attachment__name">{label}</span>
      <span className="attachment__meta">{t(`attachment.${attachment.type}`)}{size}</span>
    </span>
  );
  if (!safeUrl) return card;
  return (
    <Tooltip content={t('attachment.open')} describe={false}>
      <button type="button" className="attachment-button" onClick={() => void getBridge().openExternal(safeUrl!)}>{card}</button>
    </Tooltip>
  );
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

