import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { makeActor } from '../permissions';
import { Random } from '../random';
import { markRead, requestTransition, writeMessage } from './actions';
import { ConversationDoc } from './doc';
import { messagePreview, projectInboxRow } from './projection';
import { Q, SUPPORT, T0, messageEntry, newId, nextServerId, serverConversation } from './testing';
import type { Attachment, DeliveryStatus, MessageEntry } from './types';

// ---- fixtures ---------------------------------------------------------------------------------

const mia = makeActor({ userId: 10, companyId: 9, isOwner: false, groupIds: [SUPPORT] });
const leo = makeActor({ userId: 11, companyId: 9, isOwner: false, groupIds: [SUPPORT] });

function message(partial: Partial<MessageEntry> & Pick<MessageEntry, 'kind'>, createdAt: number): MessageEntry {
  return messageEntry({ authorId: partial.kind === 'in' ? null : mia.userId, ...partial }, createdAt);
}
/** Appends a message and, unless `acceptedAt` is null, the server's delivery entry for it. */
function add(
  conv: ConversationDoc, partial: Partial<MessageEntry> & Pick<MessageEntry, 'kind'>, acceptedAt: number | null,
  delivery: { status?: DeliveryStatus | null; discarded?: boolean } = {},
): MessageEntry {
  const m = message(partial, acceptedAt ?? T0 + 999_999);
  conv.messages.push([m]);
  if (acceptedAt !== null) {
    conv.delivery.set(m.id, {
      acceptedAt, serverId: nextServerId(), status: delivery.status ?? (m.kind === 'out' ? 'queued' : null), error: null,
      ...(delivery.discarded ? { discarded: true } : {}),
    });
  }
  return m;
}
const clientSays = (conv: ConversationDoc, at: number, text = 'hello') => add(conv, { kind: 'in', text }, at);
const replies = (conv: ConversationDoc, at: number, authorId = mia.userId, text = 'on it') => add(conv, { kind: 'out', authorId, text }, at);
const autoresponse = (conv: ConversationDoc, at: number) => add(conv, { kind: 'out', senderType: 'system', authorId: null, text: 'We are away' }, at);
const appEcho = (conv: ConversationDoc, at: number) => add(conv, { kind: 'out', senderType: 'app', authorId: null, text: 'sent by app' }, at, { status: 'sent' });
const note = (conv: ConversationDoc, at: number) => add(conv, { kind: 'note', text: 'internal' }, at);
const attachment = (type: Attachment['type'], name: string | null): Attachment => ({ type, url: 'https://x/y', name, mime: null, size: 10 });

// ---- tests ------------------------------------------------------------------------------------------

describe('inbox row: client name (product §4.1)', () => {
  it('shows the channel’s name until someone renames the client', () => {
    const conv = serverConversation();
    expect(projectInboxRow(conv)).toMatchObject({ clientName: 'Ann Lee', customName: null });
  });

  it('shows the custom name once set, and the channel’s name again when it is cleared', () => {
    const conv = serverConversation();
    conv.meta.set('customName', 'Ann (VIP)');
    expect(projectInboxRow(conv)).toMatchObject({ clientName: 'Ann (VIP)', customName: 'Ann (VIP)' });
    conv.meta.set('customName', '');
    expect(projectInboxRow(conv)).toMatchObject({ clientName: 'Ann Lee', customName: null });
  });
});

describe('inbox row: last message preview (product §2.6)', () => {
  it('shows the first 200 characters of the latest non-note message and its time', () => {
    const conv = serverConversation();
    clientSays(conv, T0 + 1_000, 'x'.repeat(250));
    note(conv, T0 + 2_000);
    const row = projectInboxRow(conv);
    expect(row.lastMessagePreview).toBe('x'.repeat(200));
    expect(row.lastMessageAt).toBe(T0 + 1_000);
    expect(row.lastActivityAt).toBe(T0 + 2_000);
  });

  it('labels attachments as [image] and [file] name.ext', () => {
    expect(messagePreview(message({ kind: 'in', text: null, attachment: attachment('image', 'cat.png') }, T0))).toBe('[image]');
    expect(messagePreview(message({ kind: 'in', text: null, attachment: attachment('file', 'invoice.pdf') }, T0))).toBe('[file] invoice.pdf');
    expect(messagePreview(message({ kind: 'in', text: 'see this', attachment: attachment('image', null) }, T0))).toBe('[image] see this');
    expect(messagePreview(message({ kind: 'in', text: null, attachment: attachment('voice', null) }, T0))).toBe('[voice]');
  });

  it('a conversation with only notes has no preview', () => {
    const conv = serverConversation();
    note(conv, T0 + 1_000);
    expect(projectInboxRow(conv)).toMatchObject({ lastMessagePreview: null, lastMessageAt: null });
  });
});

describe('inbox row: markers (product §2.6)', () => {
  it('“last message by operator” is set by an operator reply and cleared by the next client message', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    clientSays(conv, T0 + 1_000);
    expect(projectInboxRow(conv).isOperatorLastMessage).toBe(false);
    replies(conv, T0 + 2_000);
    expect(projectInboxRow(conv).isOperatorLastMessage).toBe(true);
    clientSays(conv, T0 + 3_000);
    expect(projectInboxRow(conv).isOperatorLastMessage).toBe(false);
  });

  it('“last message by operator” is not set by an autoresponse or an app echo', () => {
    const auto = serverConversation();
    clientSays(auto, T0 + 1_000);
    autoresponse(auto, T0 + 2_000);
    expect(projectInboxRow(auto).isOperatorLastMessage).toBe(false);
    const echo = serverConversation();
    clientSays(echo, T0 + 1_000);
    appEcho(echo, T0 + 2_000);
    expect(projectInboxRow(echo).isOperatorLastMessage).toBe(false);
  });

  it('“inner message” is set when the latest message is a note', () => {
    const conv = serverConversation();
    clientSays(conv, T0 + 1_000);
    expect(projectInboxRow(conv).isInnerMessage).toBe(false);
    note(conv, T0 + 2_000);
    expect(projectInboxRow(conv).isInnerMessage).toBe(true);
    clientSays(conv, T0 + 3_000);
    expect(projectInboxRow(conv).isInnerMessage).toBe(false);
  });

  it('“new conversation” holds in the first query until a user replies; an autoresponse does not end it', () => {
    const conv = serverConversation();
    clientSays(conv, T0 + 1_000);
    autoresponse(conv, T0 + 2_000);
    note(conv, T0 + 2_500);
    expect(projectInboxRow(conv).isNewConversation).toBe(true);
    replies(conv, T0 + 3_000);
    expect(projectInboxRow(conv).isNewConversation).toBe(false);
  });

  it('“new conversation” is off from the second query on, even without any reply', () => {
    const conv = serverConversation({ queryId: Q + 1 });
    conv.queries.set(String(Q + 1), { ...conv.queries.get(String(Q))!, id: Q + 1, startedAt: T0 + 5_000 });
    clientSays(conv, T0 + 6_000);
    expect(projectInboxRow(conv).isNewConversation).toBe(false);
  });
});

describe('inbox row: waiting for an operator response (product §2.6)', () => {
  it('is 1 when the client wrote last and 0 once a user replied', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    clientSays(conv, T0 + 1_000);
    expect(projectInboxRow(conv).waitingOperatorResponse).toBe(true);
    replies(conv, T0 + 2_000);
    expect(projectInboxRow(conv).waitingOperatorResponse).toBe(false);
  });

  it('ignores autoresponses and notes', () => {
    const conv = serverConversation();
    clientSays(conv, T0 + 1_000);
    autoresponse(conv, T0 + 2_000);
    note(conv, T0 + 3_000);
    expect(projectInboxRow(conv).waitingOperatorResponse).toBe(true);
  });

  it('counts a Custom app echo as the company’s reply', () => {
    const conv = serverConversation();
    clientSays(conv, T0 + 1_000);
    appEcho(conv, T0 + 2_000);
    expect(projectInboxRow(conv).waitingOperatorResponse).toBe(false);
  });

  it('is 0 for a closed conversation, even if the client wrote last', () => {
    const conv = serverConversation({ status: 'closed', assigneeId: mia.userId, closedAt: T0 + 2_000 });
    clientSays(conv, T0 + 1_000);
    expect(projectInboxRow(conv).waitingOperatorResponse).toBe(false);
  });

  it('looks only at the current query: a reopened conversation is not waiting for an old client message', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId, queryId: Q + 1, queryOrigin: 'reopen' });
    clientSays(conv, T0 + 1_000);
    conv.queries.set(String(Q + 1), { ...conv.queries.get(String(Q))!, id: Q + 1, origin: 'reopen', startedAt: T0 + 5_000 });
    expect(projectInboxRow(conv).waitingOperatorResponse).toBe(false);
  });
});

describe('inbox row: unread count (product §2.6)', () => {
  it('counts every client message while nothing was read, and never notes or replies', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    clientSays(conv, T0 + 1_000);
    note(conv, T0 + 1_500);
    clientSays(conv, T0 + 2_000);
    replies(conv, T0 + 2_500);
    expect(projectInboxRow(conv).unreadCount).toBe(2);
  });

  it('counts only client messages newer than the read watermark', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    clientSays(conv, T0 + 1_000);
    const read = clientSays(conv, T0 + 2_000);
    clientSays(conv, T0 + 3_000);
    note(conv, T0 + 3_500);
    clientSays(conv, T0 + 4_000);
    conv.meta.set('readWatermark', read.id);
    expect(projectInboxRow(conv).unreadCount).toBe(2);
  });

  it('drops to 0 when the responsible operator reads the conversation', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    clientSays(conv, T0 + 1_000);
    clientSays(conv, T0 + 2_000);
    expect(markRead(conv)).toBe(true);
    expect(projectInboxRow(conv).unreadCount).toBe(0);
  });

  // Product §2.6 / checklist 22: reading the conversation resets unread_count. A discarded held
  // reply stays in the array with the newest accepted time; the watermark must still be found and
  // no client message counted as unread again.
  it('drops to 0 when read, even if the newest accepted message is a discarded held reply', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    clientSays(conv, T0 + 1_000);
    clientSays(conv, T0 + 2_000);
    add(conv, { kind: 'out', authorId: mia.userId }, T0 + 3_000, { status: 'held', discarded: true });
    markRead(conv);
    expect(projectInboxRow(conv).unreadCount).toBe(0);
  });
});

describe('inbox row: timeline order follows the server’s accepted time', () => {
  it('the latest message is the one accepted last, not the one last in the array', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    // Mia's reply was accepted after the client's message, but reached this replica's array first.
    replies(conv, T0 + 3_000, mia.userId, 'answer');
    clientSays(conv, T0 + 2_000, 'question');
    const row = projectInboxRow(conv);
    expect(row.lastMessagePreview).toBe('answer');
    expect(row.lastMessageAt).toBe(T0 + 3_000);
    expect(row.isOperatorLastMessage).toBe(true);
    expect(row.waitingOperatorResponse).toBe(false);
  });

  it('unread counts client messages accepted after the watermark, whatever their array position', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    const later = clientSays(conv, T0 + 5_000);
    const earlier = clientSays(conv, T0 + 1_000);
    conv.meta.set('readWatermark', later.id);
    expect(projectInboxRow(conv).unreadCount).toBe(0);
    conv.meta.set('readWatermark', earlier.id);
    expect(projectInboxRow(conv).unreadCount).toBe(1);
  });
});

describe('inbox row: messages needing attention', () => {
  it('counts my replies and notes the server has not accepted yet as pending', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    clientSays(conv, T0 + 1_000);
    const pending = writeMessage(conv, mia.userId, 'out', 'draft sent offline', { now: T0 + 2_000, ulid: newId });
    writeMessage(conv, mia.userId, 'note', 'offline note', { now: T0 + 2_100, ulid: newId });
    const row = projectInboxRow(conv);
    expect(row.pendingMessages).toBe(2);
    expect(row.lastMessagePreview).toBe('draft sent offline');
    conv.delivery.set(pending.id, { acceptedAt: T0 + 9_000, serverId: 99, status: 'queued', error: null });
    expect(projectInboxRow(conv).pendingMessages).toBe(1);
  });

  it('counts held, failed and unknown replies as needing the author’s attention', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    add(conv, { kind: 'out' }, T0 + 1_000, { status: 'held' });
    add(conv, { kind: 'out' }, T0 + 2_000, { status: 'failed' });
    add(conv, { kind: 'out' }, T0 + 3_000, { status: 'unknown' });
    add(conv, { kind: 'out' }, T0 + 4_000, { status: 'delivered' });
    expect(projectInboxRow(conv).attentionMessages).toBe(3);
  });

  it('hides a discarded held reply from the preview, the markers and the message count', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    clientSays(conv, T0 + 1_000, 'question');
    add(conv, { kind: 'out', text: 'stale answer' }, T0 + 2_000, { status: 'held', discarded: true });
    const row = projectInboxRow(conv);
    expect(row.messageCount).toBe(1);
    expect(row.lastMessagePreview).toBe('question');
    expect(row.isOperatorLastMessage).toBe(false);
    expect(row.waitingOperatorResponse).toBe(true);
    expect(row.attentionMessages).toBe(0);
  });
});

describe('inbox row: my own undecided requests are shown optimistically (product §2.5)', () => {
  it('a take I made offline already shows the conversation in my inbox, marked pending', () => {
    const conv = serverConversation();
    clientSays(conv, T0 + 1_000);
    requestTransition(conv, mia.userId, 'take', {}, { now: T0 + 2_000, ulid: newId });
    expect(projectInboxRow(conv, { viewer: mia })).toMatchObject({ status: 'inbox', assigneeId: mia.userId, pendingAction: 'take' });
  });

  it('the server’s own projection shows only decided state', () => {
    const conv = serverConversation();
    requestTransition(conv, mia.userId, 'take', {}, { now: T0 + 2_000, ulid: newId });
    expect(projectInboxRow(conv)).toMatchObject({ status: 'unassigned', assigneeId: null, pendingAction: null });
  });

  it('someone else’s undecided request is not applied on my device', () => {
    const conv = serverConversation();
    requestTransition(conv, leo.userId, 'take', {}, { now: T0 + 2_000, ulid: newId });
    expect(projectInboxRow(conv, { viewer: mia })).toMatchObject({ status: 'unassigned', assigneeId: null, pendingAction: null });
  });

  it('once the server recorded an outcome for the request, the server’s state is shown and the marker goes', () => {
    const conv = serverConversation();
    const req = requestTransition(conv, mia.userId, 'take', {}, { now: T0 + 2_000, ulid: newId });
    // Leo's take reached the server first; Mia's request was rejected.
    conv.doc.transact(() => {
      conv.setMeta({ status: 'inbox', assigneeId: leo.userId });
      conv.events.push([{
        id: newId(T0 + 3_000), type: 'request_rejected', at: T0 + 3_000, actorId: mia.userId, queryId: Q, from: null, to: null,
        requestId: req.id, reason: 'Conversation was changed',
      }]);
    });
    expect(projectInboxRow(conv, { viewer: mia })).toMatchObject({ status: 'inbox', assigneeId: leo.userId, pendingAction: null });
  });

  it('a close made offline moves the item to Closed at once', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    clientSays(conv, T0 + 1_000);
    requestTransition(conv, mia.userId, 'close', {}, { now: T0 + 2_000, ulid: newId });
    expect(projectInboxRow(conv, { viewer: mia })).toMatchObject({ status: 'closed', pendingAction: 'close', waitingOperatorResponse: false });
  });
});

describe('inbox row: the per-document scan', () => {
  /**
   * Random edits, from this replica and from a concurrent one merged in, one or several per
   * transaction: after each step the row continued from the cached scan equals a full rescan.
   */
  it('equals a full rescan after any sequence of edits (seeded)', () => {
    for (let run = 0; run < 30; run++) {
      const seed = 0x5eed + run;
      const rnd = new Random(seed);
      const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
      const other = new ConversationDoc(new Y.Doc());
      Y.applyUpdate(other.doc, Y.encodeStateAsUpdate(conv.doc));
      let clock = T0 + 1_000;
      const tick = () => (clock += 1 + rnd.int(1_000));
      const ids = () => conv.listMessages().map((m) => m.id);
      const edits: Array<() => void> = [
        () => clientSays(conv, tick(), `client ${clock}`),
        () => replies(conv, tick()),
        () => note(conv, tick()),
        () => autoresponse(conv, tick()),
        () => appEcho(conv, tick()),
        // Accepted out of order: a message whose accepted time is before the last one's.
        () => clientSays(conv, clock - rnd.int(5_000), 'late'),
        // Written on this device, not accepted yet; accepted later by another edit.
        () => writeMessage(conv, mia.userId, rnd.pick(['out', 'note'] as const), 'offline', { now: tick(), ulid: newId }),
        () => {
          const waiting = conv.listMessages().filter((m) => !conv.delivery.has(m.id));
          if (waiting.length > 0) {
            const m = rnd.pick(waiting);
            conv.delivery.set(m.id, { acceptedAt: tick(), serverId: nextServerId(), status: m.kind === 'out' ? 'queued' : null, error: null });
          }
        },
        () => {
          const all = ids();
          if (all.length === 0) return;
          const id = rnd.pick(all);
          const d = conv.delivery.get(id);
          if (d) conv.delivery.set(id, { ...d, status: rnd.pick(['sent', 'delivered', 'failed', 'held', 'unknown'] as const) });
        },
        () => {
          const held = ids().filter((id) => conv.delivery.get(id)?.status === 'held');
          if (held.length > 0) {
            const id = rnd.pick(held);
            conv.delivery.set(id, { ...conv.delivery.get(id)!, discarded: true });
          }
        },
        () => {
          const all = ids();
          conv.meta.set('readWatermark', rnd.chance(0.1) ? null : rnd.chance(0.1) ? 'no-such-message' : all.length > 0 ? rnd.pick(all) : null);
        },
        () => {
          // A new query starting now (a reopen): only later messages count as its conversation.
          const id = Q + 1 + rnd.int(1_000);
          conv.queries.set(String(id), { ...conv.queries.get(String(Q))!, id, startedAt: tick() });
          conv.meta.set('queryId', id);
        },
        () => {
          if (conv.messages.length > 0) conv.messages.delete(rnd.int(conv.messages.length), 1);
        },
      ];
      for (let step = 0; step < 120; step++) {
        const n = rnd.chance(0.3) ? 1 + rnd.int(4) : 1;
        if (rnd.chance(0.1)) {
          // A concurrent replica inserts somewhere in the middle, and its edit is merged in.
          other.messages.insert(rnd.int(other.messages.length + 1), [messageEntry({ kind: 'in', text: 'from the other replica' }, tick())]);
          Y.applyUpdate(conv.doc, Y.encodeStateAsUpdate(other.doc, Y.encodeStateVector(conv.doc)));
        } else {
          conv.doc.transact(() => {
            for (let i = 0; i < n; i++) rnd.pick(edits)();
          });
        }
        if (rnd.chance(0.3)) Y.applyUpdate(other.doc, Y.encodeStateAsUpdate(conv.doc, Y.encodeStateVector(other.doc)));
        if (rnd.chance(0.7)) {
          const viewer = rnd.chance(0.5) ? mia : undefined;
          expect(projectInboxRow(conv, { viewer }), `seed ${seed}, step ${step}`).toEqual(projectInboxRow(conv, { viewer, fresh: true }));
        }
      }
      expect(projectInboxRow(conv), `seed ${seed}, end`).toEqual(projectInboxRow(conv, { fresh: true }));
    }
  });
});
