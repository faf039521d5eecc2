/**
 * Projection of a conversation document to an inbox row (product §2.6, §4.1): the desktop app's
 * list, counts, filters and search read these rows and never decode a document; the server's
 * relational mirror and the REST API use the same function.
 */
import type { Actor } from '../permissions';
import { ConversationDoc, messageTime } from './doc';
import { lifecycleStateOf, optimisticState, type LifecycleState } from './lifecycle';
import type { Application, ConversationStatus, DeliveryEntry, MessageEntry, QueryOrigin, TransitionRequest } from './types';

export interface InboxRow {
  id: number;
  companyId: number;
  status: ConversationStatus;
  assigneeId: number | null;
  previousAssigneeId: number | null;
  groupId: number | null;
  distributing: boolean;
  locked: boolean;
  application: Application;
  accountChannelId: number;
  clientId: number;
  /** Custom name when set, else the channel's name (product §4.1). */
  clientName: string;
  customName: string | null;
  lastMessagePreview: string | null;
  lastMessageAt: number | null;
  /** Any message, notes included: the My inbox sort key and `date_updated` floor. */
  lastActivityAt: number;
  isOperatorLastMessage: boolean;
  isInnerMessage: boolean;
  isNewConversation: boolean;
  waitingOperatorResponse: boolean;
  unreadCount: number;
  unassignedAt: number | null;
  closedAt: number | null;
  /** Group the last query was closed in (REST `close_group`). */
  closeGroupId: number | null;
  createdAt: number;
  queryId: number;
  queryOrigin: QueryOrigin;
  topicIds: number[];
  tags: string[];
  /** A transition requested on this device that has no outcome yet (product §2.5). */
  pendingAction: TransitionRequest['action'] | null;
  /** Replies or notes on this device that the server has not accepted yet. */
  pendingMessages: number;
  /** Outgoing messages that failed or were held: they need the author's attention. */
  attentionMessages: number;
  messageCount: number;
}

const PREVIEW_LENGTH = 200;

export function messagePreview(m: MessageEntry): string {
  const text = m.text ?? '';
  if (m.attachment) {
    const label = m.attachment.type === 'file' ? `[file] ${m.attachment.name ?? ''}`.trim() : `[${m.attachment.type}]`;
    return (text ? `${label} ${text}` : label).slice(0, PREVIEW_LENGTH);
  }
  return text.slice(0, PREVIEW_LENGTH);
}

function isCompanyReply(m: MessageEntry): boolean {
  // Replies by users, agents and app echoes count; autoresponses (system) do not (product §2.7).
  return m.kind === 'out' && m.senderType !== 'system';
}

export interface ProjectionOptions {
  /**
   * The viewing device's user, so its own unanswered requests are applied optimistically.
   * Omit on the server: the server's projection shows only decided state.
   */
  viewer?: Actor;
}

export function projectInboxRow(conv: ConversationDoc, opts: ProjectionOptions = {}): InboxRow {
  const meta = conv.getMeta();
  const all = conv.listMessages().map((message) => ({ message, delivery: conv.delivery.get(message.id) }));
  const order = (a: (typeof all)[number], b: (typeof all)[number]) =>
    messageTime(a.message, a.delivery) - messageTime(b.message, b.delivery) || cmp(a.message.id, b.message.id);
  // Messages are almost always appended in accepted order: sort only when they are not.
  let sorted = true;
  for (let i = 1; i < all.length && sorted; i++) sorted = order(all[i - 1], all[i]) <= 0;
  if (!sorted) all.sort(order);
  const items = all.filter((i) => !i.delivery?.discarded);

  const { state, pendingAction }: { state: LifecycleState; pendingAction: InboxRow['pendingAction'] } = opts.viewer
    ? optimisticState(conv, opts.viewer)
    : { state: lifecycleStateOf(conv), pendingAction: null };

  let lastNonNote: { message: MessageEntry; delivery: DeliveryEntry | undefined } | null = null;
  let last: { message: MessageEntry; delivery: DeliveryEntry | undefined } | null = null;
  let lastConversational: MessageEntry | null = null;
  let pendingMessages = 0;
  let attentionMessages = 0;
  let repliedEver = false;
  const currentQuery = conv.queries.get(String(meta.queryId));
  const queryStart = currentQuery ? currentQuery.startedAt : 0;
  let lastForMark: MessageEntry | null = null;
  for (const item of items) {
    const m = item.message;
    if (m.kind !== 'system') last = item;
    if (m.kind === 'in' || m.kind === 'out') lastNonNote = item;
    if ((m.kind === 'in' || m.kind === 'out') && m.senderType !== 'system') lastForMark = m;
    if ((m.kind === 'in' || isCompanyReply(m)) && messageTime(m, item.delivery) >= queryStart) lastConversational = m;
    if (m.kind === 'out' && (m.senderType === 'operator' || m.senderType === 'agent')) repliedEver = true;
    if (!item.delivery && (m.kind === 'out' || m.kind === 'note')) pendingMessages++;
    if (item.delivery && (item.delivery.status === 'failed' || item.delivery.status === 'held' || item.delivery.status === 'unknown')) attentionMessages++;
  }

  // Unread: client messages after the watermark (product §2.6).
  let unreadCount = 0;
  const watermark = meta.readWatermark;
  let passedWatermark = watermark === null;
  // The watermark may name a message hidden from the list (a discarded reply): look in all of them.
  const watermarkKnown = watermark !== null && all.some((i) => i.message.id === watermark);
  if (!watermarkKnown) passedWatermark = true;
  for (const item of all) {
    if (!passedWatermark) {
      if (item.message.id === watermark) passedWatermark = true;
      continue;
    }
    if (item.message.kind === 'in' && !item.delivery?.discarded) unreadCount++;
  }

  const firstQuery = conv.queries.size <= 1;
  const lastAt = last ? messageTime(last.message, last.delivery) : meta.createdAt;
  return {
    id: meta.id,
    companyId: meta.companyId,
    status: state.status,
    assigneeId: state.assigneeId,
    previousAssigneeId: state.status === 'unassigned' ? meta.previousAssigneeId : null,
    groupId: state.groupId,
    distributing: state.distributing,
    locked: state.locked,
    application: meta.application,
    accountChannelId: meta.accountChannelId,
    clientId: meta.clientId,
    clientName: meta.customName ?? meta.clientName,
    customName: meta.customName,
    lastMessagePreview: lastNonNote ? messagePreview(lastNonNote.message) : null,
    lastMessageAt: lastNonNote ? messageTime(lastNonNote.message, lastNonNote.delivery) : null,
    lastActivityAt: Math.max(lastAt, meta.createdAt),
    isOperatorLastMessage: lastForMark !== null && lastForMark.kind === 'out' && (lastForMark.senderType === 'operator' || lastForMark.senderType === 'agent'),
    isInnerMessage: last !== null && last.message.kind === 'note',
    isNewConversation: firstQuery && !repliedEver,
    waitingOperatorResponse: state.status !== 'closed' && lastConversational !== null && lastConversational.kind === 'in',
    unreadCount,
    unassignedAt: meta.unassignedAt,
    closedAt: meta.closedAt,
    closeGroupId: meta.closeGroupId,
    createdAt: meta.createdAt,
    queryId: state.queryId,
    queryOrigin: meta.queryOrigin,
    topicIds: conv.topicIds(),
    tags: conv.tagList(),
    pendingAction,
    pendingMessages,
    attentionMessages,
    messageCount: items.length,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Rows are equal when every field is equal; used by convergence tests and change detection. */
export function sameRow(a: InboxRow, b: InboxRow): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
