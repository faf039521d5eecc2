/**
 * Which server changes deserve a notification (product §9), decided by comparing a conversation's
 * row before and after the change. Only changes that came from the server are compared, and the
 * rows already carry this device's own pending requests, so a user's own take or transfer never
 * looks like news. Per-user switches, Away, focus and collapsing are the UI's business.
 */
import type { ConversationDoc } from '../../src-core/conversation/doc';
import type { InboxRow } from '../../src-core/conversation/projection';
import { couldTake, type Actor } from '../../src-core/permissions';
import type { InboxNotice } from './protocol';

export interface NoticeContext {
  userId: number;
  actor: Actor | null;
  /** The conversation after the change (for who transferred it and which message failed). */
  conv: ConversationDoc | null;
  /** Failed messages already announced this session. */
  announcedFailures: Set<string>;
  /** The conversation open in this user's focused window, if any: no N2 for it (product §9). */
  focusedConversationId?: number | null;
}

/** Cheap first pass on rows alone: could this change produce a notice? */
export function mayNotify(before: InboxRow | undefined, after: InboxRow, userId: number): boolean {
  if (isNewRequest(before, after)) return true;
  if (isMine(after) && (!before || !isMine(before) || after.unreadCount > before.unreadCount)) return true;
  return before !== undefined && after.attentionMessages > before.attentionMessages;

  function isMine(r: InboxRow): boolean {
    return r.status === 'inbox' && r.assigneeId === userId;
  }
}

function isNewRequest(before: InboxRow | undefined, after: InboxRow): boolean {
  if (after.status !== 'unassigned' || after.distributing) return false;
  // New to this device, a new query, or routing just finished (product §9 N1: after routing).
  // A return or a transfer to a group keeps the query: not a new request.
  return before === undefined || before.queryId !== after.queryId || before.distributing;
}

export function noticesFor(before: InboxRow | undefined, after: InboxRow, ctx: NoticeContext): InboxNotice[] {
  const out: InboxNotice[] = [];
  const base = { conversationId: after.id, clientName: after.clientName };
  const mine = (r: InboxRow) => r.status === 'inbox' && r.assigneeId === ctx.userId;

  // N1: a new request in Unassigned that this user could take.
  if (isNewRequest(before, after)) {
    const takeable = ctx.actor
      ? couldTake(ctx.actor, { status: after.status, assigneeId: after.assigneeId, groupId: after.groupId, distributing: after.distributing })
      : false;
    if (takeable) out.push({ kind: 'new_request', ...base, preview: after.lastMessagePreview });
  }

  // N3: transferred to me by someone else (not my own take from another device).
  let transferred = false;
  if (mine(after) && (!before || !mine(before))) {
    const event = ctx.conv ? lastAssignmentTo(ctx.conv, ctx.userId) : null;
    if (event && event.type === 'transferred_operator' && event.actorId !== ctx.userId) {
      transferred = true;
      out.push({ kind: 'transferred_to_me', ...base, preview: after.lastMessagePreview });
    }
  }

  // N2: a new client message in my My inbox.
  const focused = ctx.focusedConversationId === after.id;
  if (!transferred && !focused && mine(after) && before && mine(before) && after.unreadCount > before.unreadCount) {
    out.push({ kind: 'client_message', ...base, preview: ctx.conv ? newestClientText(ctx.conv) ?? after.lastMessagePreview : after.lastMessagePreview });
  }

  // N6: one of my outgoing messages failed.
  if (ctx.conv && (!before || after.attentionMessages > before.attentionMessages)) {
    for (const m of ctx.conv.listMessages()) {
      if (m.kind !== 'out' || m.authorId !== ctx.userId || ctx.announcedFailures.has(m.id)) continue;
      if (ctx.conv.delivery.get(m.id)?.status !== 'failed') continue;
      ctx.announcedFailures.add(m.id);
      if (before) out.push({ kind: 'message_failed', ...base, preview: m.text });
    }
  }
  return out;
}

function lastAssignmentTo(conv: ConversationDoc, userId: number): { type: string; actorId: number | null } | null {
  const events = conv.listEvents();
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.to && e.to.status === 'inbox' && e.to.assigneeId === userId) return e;
  }
  return null;
}

function newestClientText(conv: ConversationDoc): string | null {
  let best: { at: number; text: string | null } | null = null;
  for (const m of conv.listMessages()) {
    if (m.kind !== 'in') continue;
    const at = conv.delivery.get(m.id)?.acceptedAt ?? m.createdAt;
    if (!best || at >= best.at) best = { at, text: m.text ?? (m.attachment ? `[${m.attachment.type}]` : null) };
  }
  return best?.text ?? null;
}
