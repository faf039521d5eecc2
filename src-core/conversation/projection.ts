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
  /** Scan every message again instead of continuing the document's cached scan (tests compare the two). */
  fresh?: boolean;
}

interface Item {
  message: MessageEntry;
  delivery: DeliveryEntry | undefined;
}

/**
 * What the row needs from the messages, in accepted order (discarded replies left out except for
 * finding the read watermark). Kept per document and extended as messages are appended, so a long
 * conversation is not scanned again on every change.
 */
interface MessageScan {
  /** Messages covered, as positions in the `messages` array. */
  covered: number;
  /** Every message covered, in array order (= accepted order while `sorted`). */
  entries: MessageEntry[];
  /** Whether the covered messages are in accepted order (almost always: they are appended as accepted). */
  sorted: boolean;
  last: Item | null;
  lastNonNote: Item | null;
  lastForMark: MessageEntry | null;
  /** The last client message or company reply: the current query's, if accepted after it started. */
  lastConversational: Item | null;
  repliedEver: boolean;
  pendingMessages: number;
  attentionMessages: number;
  /** Messages not discarded, and among them client messages. */
  shown: number;
  shownIn: number;
}

interface ScanCache {
  scan: MessageScan;
  /** A change the scan cannot be continued over was seen: start again. */
  stale: boolean;
  /** Ids of messages appended since the scan last ran; a delivery change for any other id makes it stale. */
  appended: Set<string>;
  deliveryChanged: Set<string>;
}

const scanCaches = new WeakMap<ConversationDoc['doc'], ScanCache>();

function emptyScan(): MessageScan {
  return {
    covered: 0, entries: [], sorted: true, last: null, lastNonNote: null, lastForMark: null, lastConversational: null,
    repliedEver: false, pendingMessages: 0, attentionMessages: 0, shown: 0, shownIn: 0,
  };
}

function order(a: Item, b: Item): number {
  return messageTime(a.message, a.delivery) - messageTime(b.message, b.delivery) || cmp(a.message.id, b.message.id);
}

/** Adds one message (the next in accepted order) to a scan. */
function include(scan: MessageScan, item: Item): void {
  if (item.delivery?.discarded) return;
  const m = item.message;
  scan.shown++;
  if (m.kind === 'in') scan.shownIn++;
  if (m.kind !== 'system') scan.last = item;
  if (m.kind === 'in' || m.kind === 'out') scan.lastNonNote = item;
  if ((m.kind === 'in' || m.kind === 'out') && m.senderType !== 'system') scan.lastForMark = m;
  if (m.kind === 'in' || isCompanyReply(m)) scan.lastConversational = item;
  if (m.kind === 'out' && (m.senderType === 'operator' || m.senderType === 'agent')) scan.repliedEver = true;
  if (!item.delivery && (m.kind === 'out' || m.kind === 'note')) scan.pendingMessages++;
  if (item.delivery && (item.delivery.status === 'failed' || item.delivery.status === 'held' || item.delivery.status === 'unknown')) scan.attentionMessages++;
}

/** Scans every message, sorting them first when they are out of accepted order. */
function fullScan(conv: ConversationDoc): MessageScan {
  const all: Item[] = conv.listMessages().map((message) => ({ message, delivery: conv.delivery.get(message.id) }));
  let sorted = true;
  for (let i = 1; i < all.length && sorted; i++) sorted = order(all[i - 1], all[i]) <= 0;
  if (!sorted) all.sort(order);
  const scan = emptyScan();
  scan.covered = all.length;
  scan.sorted = sorted;
  scan.entries = all.map((i) => i.message);
  for (const item of all) include(scan, item);
  return scan;
}

/**
 * The document's scan, continued over messages appended since it last ran. Anything else (a
 * message inserted before the end, a delivery change to a message already scanned, messages out of
 * accepted order) makes the next call scan everything again.
 */
function cachedScan(conv: ConversationDoc): MessageScan {
  let cache = scanCaches.get(conv.doc);
  if (!cache) {
    const created: ScanCache = { scan: emptyScan(), stale: true, appended: new Set(), deliveryChanged: new Set() };
    conv.messages.observe((event) => {
      if (created.stale) return;
      let position = 0;
      for (const op of event.changes.delta) {
        if (op.retain !== undefined) position += op.retain;
        else if (op.insert !== undefined && position >= created.scan.covered + created.appended.size) {
          for (const m of op.insert as MessageEntry[]) created.appended.add(m.id);
          position += (op.insert as unknown[]).length;
        } else {
          created.stale = true;
          return;
        }
      }
    });
    conv.delivery.observe((event) => {
      if (!created.stale) for (const key of event.keysChanged) created.deliveryChanged.add(key);
    });
    scanCaches.set(conv.doc, created);
    cache = created;
  }
  for (const key of cache.deliveryChanged) {
    if (!cache.appended.has(key)) cache.stale = true;
  }
  cache.deliveryChanged.clear();
  if (cache.stale || !cache.scan.sorted) {
    cache.scan = fullScan(conv);
    cache.stale = false;
    cache.appended.clear();
    return cache.scan;
  }
  const scan = cache.scan;
  const length = conv.messages.length;
  if (length > scan.covered) {
    const added = conv.messages.slice(scan.covered);
    let previous: Item | null = scan.covered > 0 ? itemOf(conv, scan.entries[scan.covered - 1]) : null;
    for (const message of added) {
      const item = itemOf(conv, message);
      if (previous && order(previous, item) > 0) {
        // Out of accepted order: the sorted full scan takes over.
        cache.scan = fullScan(conv);
        cache.appended.clear();
        return cache.scan;
      }
      include(scan, item);
      scan.entries.push(message);
      previous = item;
    }
    scan.covered = length;
  }
  cache.appended.clear();
  return scan;
}

function itemOf(conv: ConversationDoc, message: MessageEntry): Item {
  return { message, delivery: conv.delivery.get(message.id) };
}

export function projectInboxRow(conv: ConversationDoc, opts: ProjectionOptions = {}): InboxRow {
  const meta = conv.getMeta();
  // Inside a transaction the observers have not run yet: the cached scan may be behind.
  const inTransaction = (conv.doc as unknown as { _transaction: unknown })._transaction !== null;
  const scan = opts.fresh || inTransaction ? fullScan(conv) : cachedScan(conv);

  const { state, pendingAction }: { state: LifecycleState; pendingAction: InboxRow['pendingAction'] } = opts.viewer
    ? optimisticState(conv, opts.viewer)
    : { state: lifecycleStateOf(conv), pendingAction: null };

  const { last, lastNonNote, lastForMark } = scan;
  const currentQuery = conv.queries.get(String(meta.queryId));
  const queryStart = currentQuery ? currentQuery.startedAt : 0;
  const lastConversational = scan.lastConversational && messageTime(scan.lastConversational.message, scan.lastConversational.delivery) >= queryStart
    ? scan.lastConversational.message
    : null;

  // Unread: client messages after the watermark (product §2.6). The watermark may name a message
  // hidden from the list (a discarded reply); one that names no message at all counts everything.
  let unreadCount = scan.shownIn;
  const watermark = meta.readWatermark;
  if (watermark !== null) {
    let after = 0;
    for (let i = scan.entries.length - 1; i >= 0; i--) {
      const m = scan.entries[i];
      if (m.id === watermark) {
        unreadCount = after;
        break;
      }
      if (m.kind === 'in' && !conv.delivery.get(m.id)?.discarded) after++;
    }
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
    isNewConversation: firstQuery && !scan.repliedEver,
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
    pendingMessages: scan.pendingMessages,
    attentionMessages: scan.attentionMessages,
    messageCount: scan.shown,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Rows are equal when every field is equal; used by convergence tests and change detection. */
export function sameRow(a: InboxRow, b: InboxRow): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
