import { describe, expect, it } from 'vitest';
import { makeActor } from '../permissions';
import {
  markRead, newestAcceptedMessageId, renameClient, requestRepair, requestTransition, setTag, setTopic, writeMessage,
} from './actions';
import { ConversationDoc } from './doc';
import { validateOperatorMessage, validateRequest } from './guard';
import { decideRequest, lifecycleStateOf, writeDecision, writeRequestOutcome } from './lifecycle';
import { projectInboxRow } from './projection';
import { Q, SUPPORT, T0, accepted, newId, serverConversation } from './testing';

const mia = makeActor({ userId: 10, companyId: 9, isOwner: false, groupIds: [SUPPORT] });
const clientSays = (conv: ConversationDoc, acceptedAt: number) => accepted(conv, { kind: 'in' }, acceptedAt);

describe('requesting a transition on a device', () => {
  it('records the state it was made from and the newest message the device held', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    const newest = clientSays(conv, T0 + 1_000);
    const req = requestTransition(conv, mia.userId, 'transfer_operator', { operatorId: 11 }, { now: T0 + 2_000, ulid: newId });
    expect(req).toMatchObject({
      action: 'transfer_operator', actorId: mia.userId, expected: { status: 'inbox', assigneeId: mia.userId, queryId: Q },
      seenMessageId: newest.id, targetOperatorId: 11, targetGroupId: null, createdAt: T0 + 2_000,
    });
    expect(conv.listRequests()).toEqual([req]);
    expect(validateRequest(req, mia.userId)).toBeNull();
  });

  it('names the newest message by the server’s accepted time, not by array position', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    const acceptedLast = clientSays(conv, T0 + 9_000);
    clientSays(conv, T0 + 3_000);
    const req = requestTransition(conv, mia.userId, 'close', {}, { now: T0 + 10_000, ulid: newId });
    expect(req.seenMessageId).toBe(acceptedLast.id);
  });

  it('ignores replies the server has not accepted yet when naming what it saw', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    const accepted = clientSays(conv, T0 + 1_000);
    writeMessage(conv, mia.userId, 'out', 'offline reply', { now: T0 + 5_000, ulid: newId });
    expect(requestTransition(conv, mia.userId, 'close', {}, { now: T0 + 6_000, ulid: newId }).seenMessageId).toBe(accepted.id);
  });

  it('names no message when the device holds none the server accepted', () => {
    const conv = serverConversation();
    expect(requestTransition(conv, mia.userId, 'take', {}, { now: T0, ulid: newId }).seenMessageId).toBeNull();
  });

  it('carries the target group of a transfer to a group', () => {
    const conv = serverConversation();
    const req = requestTransition(conv, mia.userId, 'transfer_group', { groupId: 2 }, { now: T0, ulid: newId });
    expect(req).toMatchObject({ targetGroupId: 2, targetOperatorId: null });
    expect(validateRequest(req, mia.userId)).toBeNull();
  });

  // Product §2.5: one device's queued transitions are applied in the order they were made, and the
  // item already sits in the tab it would move to: a close made offline after an offline take is
  // made from "in my inbox".
  it('an offline take followed by a close is applied by the server in order: the conversation ends closed', () => {
    const conv = serverConversation();
    clientSays(conv, T0 + 1_000);
    const take = requestTransition(conv, mia.userId, 'take', {}, { now: T0 + 2_000, ulid: newId, viewer: mia });
    const close = requestTransition(conv, mia.userId, 'close', {}, { now: T0 + 3_000, ulid: newId, viewer: mia });
    expect(close.expected).toMatchObject({ status: 'inbox', assigneeId: mia.userId });
    // The server, in arrival order:
    for (const req of [take, close]) {
      const d = decideRequest(lifecycleStateOf(conv), req, mia, conv);
      if (d.outcome === 'applied') writeDecision(conv, d, { now: T0 + 9_000, actorId: mia.userId, eventId: newId(T0 + 9_000), requestId: req.id });
      else writeRequestOutcome(conv, req, d.outcome, d.outcome === 'rejected' ? d.reason : null, { now: T0 + 9_000, eventId: newId(T0 + 9_000) });
    }
    expect(conv.listEvents().map((e) => e.type)).toEqual(['taken', 'closed']);
    expect(conv.getMeta().status).toBe('closed');
  });
});

describe('writing a reply or note on a device', () => {
  it('is a plain operator message carrying the newest accepted message id, and the server guard accepts it', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    const seen = clientSays(conv, T0 + 1_000);
    const reply = writeMessage(conv, mia.userId, 'out', 'Happy to help', { now: T0 + 2_000, ulid: newId });
    expect(reply).toMatchObject({
      kind: 'out', senderType: 'operator', authorId: mia.userId, text: 'Happy to help', attachment: null, createdAt: T0 + 2_000,
      seenMessageId: seen.id, externalId: null,
    });
    expect(conv.listMessages().at(-1)).toEqual(reply);
    expect(validateOperatorMessage(reply, mia.userId)).toBeNull();
    const note = writeMessage(conv, mia.userId, 'note', 'VIP', { now: T0 + 2_001, ulid: newId });
    expect(note.kind).toBe('note');
    expect(note.id > reply.id).toBe(true);
  });

  it('keeps a given id (a retried draft keeps its idempotency key)', () => {
    const conv = serverConversation();
    const id = newId(T0);
    expect(writeMessage(conv, mia.userId, 'note', 'n', { now: T0, id }).id).toBe(id);
  });

  it('a repair request names the message and passes the server guard', () => {
    const conv = serverConversation();
    const reply = writeMessage(conv, mia.userId, 'out', 'hi', { now: T0, ulid: newId });
    requestRepair(conv, mia.userId, 'send_anyway', reply.id, { now: T0 + 1, ulid: newId });
    const [repair] = conv.listRequests();
    expect(repair).toMatchObject({ action: 'send_anyway', actorId: mia.userId, messageId: reply.id, createdAt: T0 + 1 });
    expect(validateRequest(repair, mia.userId)).toBeNull();
  });
});

describe('marking a conversation read', () => {
  it('does nothing in a conversation without messages', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    expect(markRead(conv)).toBe(false);
    expect(conv.getMeta().readWatermark).toBeNull();
  });

  it('does nothing while the only messages are still pending on this device', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    writeMessage(conv, mia.userId, 'note', 'offline', { now: T0, ulid: newId });
    expect(markRead(conv)).toBe(false);
  });

  it('moves the watermark to the newest accepted message, by accepted time', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    const newest = clientSays(conv, T0 + 5_000);
    clientSays(conv, T0 + 1_000);
    expect(markRead(conv)).toBe(true);
    expect(conv.getMeta().readWatermark).toBe(newest.id);
    expect(projectInboxRow(conv).unreadCount).toBe(0);
  });

  it('writes nothing when there is nothing newer, and moves again when the client writes', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    clientSays(conv, T0 + 1_000);
    markRead(conv);
    const updates: Uint8Array[] = [];
    conv.doc.on('update', (u: Uint8Array) => updates.push(u));
    expect(markRead(conv)).toBe(false);
    expect(updates).toHaveLength(0);
    const next = clientSays(conv, T0 + 2_000);
    expect(projectInboxRow(conv).unreadCount).toBe(1);
    expect(markRead(conv)).toBe(true);
    expect(conv.getMeta().readWatermark).toBe(next.id);
  });
});

describe('renaming the client, topics and tags', () => {
  it('a rename sets the trimmed custom name shown in the list', () => {
    const conv = serverConversation();
    renameClient(conv, '  Ann (VIP)  ');
    expect(conv.getMeta().customName).toBe('Ann (VIP)');
    expect(projectInboxRow(conv).clientName).toBe('Ann (VIP)');
  });

  it('an empty or blank name clears the custom name and restores the channel’s name', () => {
    for (const blank of ['', '   ']) {
      const conv = serverConversation();
      renameClient(conv, 'Ann (VIP)');
      renameClient(conv, blank);
      expect(conv.meta.get('customName')).toBeNull();
      expect(projectInboxRow(conv).clientName).toBe('Ann Lee');
    }
  });

  it('topics are added and removed by id', () => {
    const conv = serverConversation();
    setTopic(conv, 12, true);
    setTopic(conv, 3, true);
    expect(conv.topicIds()).toEqual([3, 12]);
    setTopic(conv, 12, false);
    expect(projectInboxRow(conv).topicIds).toEqual([3]);
  });

  it('tags are trimmed and a blank tag is ignored', () => {
    const conv = serverConversation();
    setTag(conv, '  vip ', true);
    setTag(conv, '   ', true);
    expect(conv.tagList()).toEqual(['vip']);
    setTag(conv, 'vip', false);
    expect(conv.tagList()).toEqual([]);
  });
});

describe('the newest accepted message', () => {
  it('breaks a tie in accepted time by id', () => {
    const conv = serverConversation();
    const a = clientSays(conv, T0 + 1_000);
    const b = clientSays(conv, T0 + 1_000);
    expect(b.id > a.id).toBe(true);
    expect(newestAcceptedMessageId(conv)).toBe(b.id);
  });
});
