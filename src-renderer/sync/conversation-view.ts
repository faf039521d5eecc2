/**
 * The open conversation as the UI shows it (product §4.3), decoded from its document by the
 * worker: the timeline in the server's order, delivery states with `pending` for what the server
 * does not have yet, this device's undecided requests, and the newest refusal of one of them.
 */
import type * as Y from 'yjs';
import { ConversationDoc, messageTime } from '../../src-core/conversation/doc';
import { REJECT } from '../../src-core/conversation/lifecycle';
import { projectInboxRow } from '../../src-core/conversation/projection';
import { isRepairRequest, type AuditEvent, type TransitionAction } from '../../src-core/conversation/types';
import type { Actor } from '../../src-core/permissions';
import type { ConversationView, TimelineItem } from './protocol';

/** Events that open a query: their separator goes above the message that opened it. */
const QUERY_STARTS = new Set(['created', 'client_request', 'reopened', 'started_outgoing']);

/**
 * Sorts timeline items by accepted time; at equal times query starts first, then by the id of
 * what caused them (a request's id is its device's ULID, so one device's take sorts before the
 * reply it wrote next).
 */
function orderKey(item: TimelineItem, requestIdOf: Map<string, string | null>): string {
  if (item.type === 'message') return `1${item.id}`;
  if (QUERY_STARTS.has(item.eventType)) return `0${item.id}`;
  return `1${requestIdOf.get(item.id) ?? item.id}`;
}

/**
 * Timelines built from documents, until the document's messages, delivery or events change: the
 * worker builds a view on every change of an open conversation (a read watermark, a topic) and
 * on every open, and sorting thousands of items each time is the costly part.
 */
const timelines = new WeakMap<Y.Doc, { items: TimelineItem[] | null }>();

/** The document's timeline in the server's order (shared: callers must not change it). */
export function timelineOf(conv: ConversationDoc): TimelineItem[] {
  let cached = timelines.get(conv.doc);
  if (!cached) {
    const entry: { items: TimelineItem[] | null } = { items: null };
    const sources = new Set<unknown>([conv.messages, conv.delivery, conv.events]);
    conv.doc.on('afterTransaction', (tr: Y.Transaction) => {
      if (entry.items === null) return;
      for (const type of tr.changed.keys()) {
        if (sources.has(type)) {
          entry.items = null;
          return;
        }
      }
    });
    timelines.set(conv.doc, entry);
    cached = entry;
  }
  cached.items ??= buildTimeline(conv);
  return cached.items;
}

function buildTimeline(conv: ConversationDoc): TimelineItem[] {
  const items: TimelineItem[] = [];
  for (const message of conv.listMessages()) {
    const delivery = conv.delivery.get(message.id);
    // A discarded held reply stays in the immutable array but is hidden (product §2.7).
    if (delivery?.discarded) continue;
    const pending = !delivery && (message.kind === 'out' || message.kind === 'note');
    items.push({
      type: 'message',
      id: message.id,
      kind: message.kind,
      senderType: message.senderType,
      authorId: message.authorId,
      text: message.text,
      attachment: message.attachment,
      at: messageTime(message, delivery),
      status: message.kind === 'out' ? (delivery ? delivery.status : 'pending') : null,
      error: delivery?.error ?? null,
      pending,
    });
  }
  const requestIdOf = new Map<string, string | null>();
  for (const e of conv.listEvents()) {
    requestIdOf.set(e.id, e.requestId);
    items.push({ type: 'event', id: e.id, eventType: e.type, actorId: e.actorId, at: e.at, from: e.from, to: e.to, reason: e.reason });
  }
  const keys = new Map<TimelineItem, string>();
  for (const item of items) keys.set(item, orderKey(item, requestIdOf));
  items.sort((a, b) => a.at - b.at || cmp(keys.get(a)!, keys.get(b)!) || cmp(a.id, b.id));
  return items;
}

export function buildConversationView(conv: ConversationDoc, userId: number, viewer: Actor | null): ConversationView | null {
  if (!conv.initialized) return null;
  const meta = conv.getMeta();
  const events = conv.listEvents();

  const decided = conv.decidedRequestIds();
  const pendingActions: TransitionAction[] = [];
  for (const r of conv.listRequests()) {
    if (isRepairRequest(r) || r.actorId !== userId || decided.has(r.id)) continue;
    pendingActions.push(r.action);
  }

  return {
    id: meta.id,
    meta,
    row: projectInboxRow(conv, { viewer: viewer ?? undefined }),
    timeline: timelineOf(conv),
    olderCount: 0,
    topicIds: conv.topicIds(),
    tags: conv.tagList(),
    queries: conv.listQueries(),
    pendingActions,
    lastRejection: lastRejection(events, userId),
  };
}

/** Timeline items the UI gets first when it opens a conversation: more than a tall window shows. */
export const TIMELINE_PAGE = 40;

/**
 * The view with only the newest `size` timeline items (the others counted in `olderCount`): a
 * conversation of thousands of messages reaches the UI with what fits on screen, and older
 * pages follow as the reader scrolls up.
 */
export function timelineWindow(view: ConversationView, size: number): ConversationView {
  const all = view.olderCount + view.timeline.length;
  const keep = Math.min(view.timeline.length, Math.max(0, Math.floor(size)));
  if (keep === view.timeline.length) return view;
  return { ...view, timeline: view.timeline.slice(view.timeline.length - keep), olderCount: all - keep };
}

/**
 * The newest refusal of one of `userId`'s requests, with who made the change that beat it: the
 * last state change before the refusal by someone else (null for a client message or automation).
 */
export function lastRejection(events: AuditEvent[], userId: number): ConversationView['lastRejection'] {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type !== 'request_rejected' || e.actorId !== userId || e.requestId === null) continue;
    let changedBy: number | null = null;
    if (e.reason !== REJECT.newerClientMessage) {
      for (let j = i - 1; j >= 0; j--) {
        const prior = events[j];
        if (prior.to === null || prior.actorId === userId) continue;
        changedBy = prior.actorId;
        break;
      }
    }
    return { requestId: e.requestId, reason: e.reason ?? '', at: e.at, changedBy };
  }
  return null;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
