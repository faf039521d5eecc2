/** The REST objects of product §11.6 from plain inputs: no server, no storage. */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { AccountChannelPublic, Role } from '../../src-core/company';
import { ConversationDoc } from '../../src-core/conversation/doc';
import { decideTransition, lifecycleStateOf, writeDecision } from '../../src-core/conversation/lifecycle';
import { projectInboxRow } from '../../src-core/conversation/projection';
import type { DeliveryEntry, MessageEntry } from '../../src-core/conversation/types';
import { makeActor } from '../../src-core/permissions';
import type { DirectoryUser } from '../company/directory';
import { initConversation } from '../conversations/service';
import { accountChannelObject, conversationObject, conversationUuid, messageObject, operatorObject } from './objects';

const T0 = 1_700_000_000_123; // ms
const CHANNEL: AccountChannelPublic = {
  id: 12, application: 'telegrambot', name: 'Support bot', serviceUserId: '777', status: 'enabled', tags: ['vip'], createdAt: T0 - 86_400_000,
};

/** §11.6.1, every field in the order of the table. */
const CONVERSATION_FIELDS = [
  'id', 'uuid', 'user_id', 'operator_user_id', 'from_blinger_user_id', 'to_blinger_user_id', 'from_user_name', 'from_user_custom_name',
  'from_user_avatar', 'to_user_name', 'application', 'type', 'status', 'group_id', 'is_group_closed', 'close_group', 'last_message',
  'last_message_date', 'unread_count', 'waiting_operator_response', 'is_operator_last_message', 'is_inner_message', 'is_new_conversation',
  'is_outgoing', 'date_created', 'date_updated', 'unassigned_date', 'close_date', 'token', 'query_id', 'topics', 'distributing', 'locked',
  'comment_post_id', 'comment_post_url', 'comment_post_title', 'comment_post_img', 'toBlingerUser',
];
/** §11.6.2 */
const ACCOUNT_FIELDS = [
  'id', 'service_blinger_id', 'blinger_user_id', 'is_active', 'date_created', 'date_updated', 'tags', 'name', 'custom_name', 'role',
  'avatar', 'application', 'service_user_id', 'status', 'group_id', 'group_ids', 'is_comments', 'page_url', 'page_title', 'extra_fields',
  'extra_field_secret_key',
];
/** §11.6.4 */
const MESSAGE_FIELDS = [
  'id', 'from_blinger_user_id', 'to_blinger_user_id', 'from_user_id', 'to_user_id', 'conversation_id', 'query_id', 'uuid', 'direction',
  'sender_type', 'is_inner_message', 'is_comment', 'type', 'text', 'file_url', 'file_name', 'file_mime', 'file_size', 'delivery_status',
  'error', 'external_id', 'reply_to_message_id', 'date_created',
];
/** §11.6.5 */
const OPERATOR_FIELDS = ['id', 'user_id', 'owner_user_id', 'invite_email', 'conversations_token', 'name', 'status', 'presence', 'group_ids', 'role'];

function conversation(): ConversationDoc {
  const conv = new ConversationDoc(new Y.Doc());
  initConversation(conv, {
    id: 314, companyId: 1, clientId: 5501, accountChannelId: 12, application: 'telegrambot', clientName: 'Ann Lee', groupId: 3, queryId: 902, now: T0,
  });
  const message: MessageEntry = {
    id: '01HZX4K9QF3M8B2T6V0N5R7C1D', kind: 'in', senderType: 'client', authorId: null, text: 'Hello', attachment: null, createdAt: T0,
    seenMessageId: null, externalId: 'tg-1',
  };
  conv.messages.push([message]);
  conv.delivery.set(message.id, { acceptedAt: T0 + 40, serverId: 88120, status: null, error: null });
  return conv;
}

const context = { ownerId: 1, accountChannel: CHANNEL, avatarPlaceholderUrl: 'https://sb.example.com/static/avatar-placeholder.png' };
const TOKEN = 'c1a9c1a9c1a9c1a9c1a9c1a9c1a9c1a9';

describe('conversation object (§11.6.1)', () => {
  it('has every field, in seconds and 0/1 flags, from the projection of an unassigned conversation', () => {
    const row = projectInboxRow(conversation());
    const obj = conversationObject({ row, token: TOKEN, updatedAt: T0 + 5_000, clientChannelName: 'Ann Lee' }, context);
    expect(Object.keys(obj)).toEqual(CONVERSATION_FIELDS);
    expect(obj).toMatchObject({
      id: 314, user_id: 1, operator_user_id: null, from_blinger_user_id: 5501, to_blinger_user_id: 12, from_user_name: 'Ann Lee',
      from_user_custom_name: null, from_user_avatar: 'https://sb.example.com/static/avatar-placeholder.png', to_user_name: 'Support bot',
      application: 'telegrambot', type: 'message', status: 'unassigned', group_id: 3, is_group_closed: 0, close_group: null,
      last_message: 'Hello', last_message_date: 1_700_000_000, unread_count: 1, waiting_operator_response: 1, is_operator_last_message: 0,
      is_inner_message: 0, is_new_conversation: 1, is_outgoing: 0, date_created: 1_700_000_000, date_updated: 1_700_000_005,
      unassigned_date: 1_700_000_000, close_date: null, token: TOKEN, query_id: 902, topics: [], distributing: 0, locked: 0,
      comment_post_id: null, comment_post_url: null, comment_post_title: null, comment_post_img: null,
    });
    expect(Object.keys(obj.toBlingerUser)).toEqual(ACCOUNT_FIELDS);
  });

  it('shows the closer, the close group and the close time of a closed conversation', () => {
    const conv = conversation();
    const actor = makeActor({ userId: 7, companyId: 1, isOwner: false, groupIds: [3] });
    const decision = decideTransition(lifecycleStateOf(conv), { action: 'close' }, actor);
    if (decision.outcome !== 'applied') throw new Error('close not applied');
    writeDecision(conv, decision, { now: T0 + 60_000, actorId: 7, eventId: '01HZX4K9QF3M8B2T6V0N5R7C1E' });
    const row = projectInboxRow(conv);
    const obj = conversationObject({ row, token: TOKEN, updatedAt: T0 + 60_000, clientChannelName: 'Ann Lee' }, context);
    expect(obj).toMatchObject({
      status: 'closed', operator_user_id: 7, is_group_closed: 1, close_group: 3, close_date: 1_700_000_060, waiting_operator_response: 0,
    });
  });

  it('uses the projection\'s close group when it carries one, the custom name, and topics known to the company only', () => {
    const row = { ...projectInboxRow(conversation()), closeGroupId: 9, customName: 'Annie', topicIds: [4, 5] };
    const obj = conversationObject(
      { row, token: TOKEN, updatedAt: T0, clientChannelName: 'Ann Lee' },
      { ...context, topicTitles: new Map([[4, 'Billing']]) },
    );
    expect(obj).toMatchObject({ close_group: 9, from_user_name: 'Ann Lee', from_user_custom_name: 'Annie', topics: [{ id: 4, title: 'Billing' }] });
  });

  it('still serializes when the account channel is no longer in the directory', () => {
    const row = projectInboxRow(conversation());
    const obj = conversationObject({ row, token: TOKEN, updatedAt: T0, clientChannelName: 'Ann Lee' }, { ...context, accountChannel: undefined });
    expect(obj.to_user_name).toBe('');
    expect(obj.toBlingerUser).toMatchObject({ id: 12, application: 'telegrambot', is_active: 0, status: 'disabled' });
  });

  it('derives a stable version-8 uuid from the token, different per token', () => {
    expect(conversationUuid(TOKEN)).toBe(conversationUuid(TOKEN));
    expect(conversationUuid(TOKEN)).not.toBe(conversationUuid(`${TOKEN.slice(1)}x`));
    expect(conversationUuid(TOKEN)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('account channel object (§11.6.2)', () => {
  it('names the service id, the owner, the active flag and the pins', () => {
    const obj = accountChannelObject(CHANNEL, 1, { pinnedGroupIds: [4, 2], customName: 'Bot EU', updatedAt: T0 });
    expect(obj).toEqual({
      id: 12, service_blinger_id: 'telegrambot:777', blinger_user_id: 1, is_active: 1, date_created: 1_699_913_600, date_updated: 1_700_000_000,
      tags: ['vip'], name: 'Support bot', custom_name: 'Bot EU', role: 'account', avatar: null, application: 'telegrambot', service_user_id: '777',
      status: 'enabled', group_id: 4, group_ids: [4, 2], is_comments: 0, page_url: null, page_title: null, extra_fields: null,
      extra_field_secret_key: null,
    });
    expect(accountChannelObject({ ...CHANNEL, status: 'error' }, 1)).toMatchObject({ is_active: 0, group_id: null, group_ids: [], custom_name: null });
  });
});

describe('message object (§11.6.4)', () => {
  const base = { conversationId: 314, queryId: 902, clientId: 5501, accountChannelId: 12 };
  const entry = (patch: Partial<MessageEntry>): MessageEntry => ({
    id: '01HZX4K9QF3M8B2T6V0N5R7C1D', kind: 'in', senderType: 'client', authorId: null, text: 'Hello', attachment: null, createdAt: T0,
    seenMessageId: null, externalId: null, ...patch,
  });
  const delivery = (patch: Partial<DeliveryEntry> = {}): DeliveryEntry => ({ acceptedAt: T0 + 2_500, serverId: 88120, status: null, error: null, ...patch });

  it('an incoming client message: from the client to the account, at the platform\'s time', () => {
    const obj = messageObject({ ...base, message: entry({ externalId: 'tg-1' }), delivery: delivery(), responsibleAtArrival: 7 });
    expect(Object.keys(obj)).toEqual(MESSAGE_FIELDS);
    expect(obj).toEqual({
      id: 88120, from_blinger_user_id: 5501, to_blinger_user_id: 12, from_user_id: null, to_user_id: 7, conversation_id: 314, query_id: 902,
      uuid: '01HZX4K9QF3M8B2T6V0N5R7C1D', direction: 'incoming', sender_type: 'client', is_inner_message: 0, is_comment: 0, type: 'text',
      text: 'Hello', file_url: null, file_name: null, file_mime: null, file_size: null, delivery_status: null, error: null, external_id: 'tg-1',
      reply_to_message_id: null, date_created: 1_700_000_000,
    });
  });

  it('an operator reply: from the account to the client, by its author, with its delivery status, at the accepted time', () => {
    const obj = messageObject({ ...base, message: entry({ kind: 'out', senderType: 'operator', authorId: 7 }), delivery: delivery({ status: 'queued' }) });
    expect(obj).toMatchObject({
      from_blinger_user_id: 12, to_blinger_user_id: 5501, from_user_id: 7, to_user_id: null, direction: 'outgoing', sender_type: 'operator',
      delivery_status: 'queued', error: null, date_created: 1_700_000_002,
    });
  });

  it('a failed reply carries its error; a note has no sender or recipient record', () => {
    const failed = messageObject({
      ...base, message: entry({ kind: 'out', senderType: 'operator', authorId: 7 }),
      delivery: delivery({ status: 'failed', error: { reason: 'window_closed', message: 'Reply window closed' } }),
    });
    expect(failed.error).toEqual({ code: 'window_closed', reason: 'window_closed', message: 'Reply window closed' });
    const note = messageObject({ ...base, message: entry({ kind: 'note', senderType: 'operator', authorId: 7 }), delivery: delivery() });
    expect(note).toMatchObject({
      from_blinger_user_id: null, to_blinger_user_id: null, from_user_id: 7, direction: 'internal', is_inner_message: 1, delivery_status: null,
    });
  });

  it('an attachment gives the type, name, MIME type and size, and a URL only through the resolver', () => {
    const message = entry({ text: null, attachment: { type: 'file', url: 'https://api.telegram.org/file/botSECRET/x', name: 'a.pdf', mime: 'application/pdf', size: 1234 } });
    const plain = messageObject({ ...base, message, delivery: delivery() });
    expect(plain).toMatchObject({ type: 'file', text: null, file_url: null, file_name: 'a.pdf', file_mime: 'application/pdf', file_size: 1234 });
    const signed = messageObject({ ...base, message, delivery: delivery() }, { fileUrl: (_a, m) => `https://sb.example.com/files/${m.id}?sig=1` });
    expect(signed.file_url).toBe('https://sb.example.com/files/01HZX4K9QF3M8B2T6V0N5R7C1D?sig=1');
  });
});

describe('operator object (§11.6.5)', () => {
  const roles = new Map<number, Role>([[3, { id: 3, name: 'Supervisor', permissions: ['operators.view'] }]]);
  const user = (patch: Partial<DirectoryUser>): DirectoryUser => ({
    id: 7, companyId: 1, email: 'mia@example.com', name: 'Mia', isOwner: false, status: 'active', deleted: false, away: false, roleId: 3,
    groupIds: [2, 3], tokenVersion: 0, accessEpoch: 1, ...patch,
  });

  it('carries id = user_id, the owner, the email, the role name, the groups and the presence', () => {
    const obj = operatorObject(user({}), { ownerId: 1, roles, presence: 'away', conversationsToken: 'tok' });
    expect(Object.keys(obj)).toEqual(OPERATOR_FIELDS);
    expect(obj).toEqual({
      id: 7, user_id: 7, owner_user_id: 1, invite_email: 'mia@example.com', conversations_token: 'tok', name: 'Mia', status: 'active',
      presence: 'away', group_ids: [2, 3], role: 'Supervisor',
    });
  });

  it('a deactivated or unregistered operator is offline whatever the source says', () => {
    expect(operatorObject(user({ status: 'deactivated', roleId: null }), { ownerId: 1, roles, presence: 'online', conversationsToken: null }))
      .toMatchObject({ status: 'deactivated', presence: 'offline', role: null });
    expect(operatorObject(user({ status: 'not_registered' }), { ownerId: 1, roles, presence: 'online', conversationsToken: null }).presence).toBe('offline');
  });
});
