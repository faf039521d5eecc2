/**
 * The REST API's objects (product §11.6): pure serializers from the server's state to the wire
 * shapes of the REST API. Outgoing webhooks (product §10.4) embed the same objects, so nothing
 * here reads storage, the clock or the request: every input is a parameter.
 *
 * Documents keep Unix milliseconds; every timestamp here is whole Unix seconds (product §0).
 */
import crypto from 'node:crypto';
import type { AccountChannelPublic, Role } from '../../src-core/company';
import type { InboxRow } from '../../src-core/conversation/projection';
import type {
  Application, Attachment, AttachmentType, ConversationStatus, DeliveryEntry, DeliveryStatus, FailureReason, MessageEntry,
  SenderType,
} from '../../src-core/conversation/types';
import type { DirectoryUser } from '../company/directory';

export type Flag = 0 | 1;
export type OperatorPresence = 'online' | 'away' | 'offline';

export function flag(value: boolean): Flag {
  return value ? 1 : 0;
}

/** Unix milliseconds → whole Unix seconds. */
export function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

function secondsOrNull(ms: number | null): number | null {
  return ms === null ? null : seconds(ms);
}

// ---- §11.6.2 account channel ----------------------------------------------------------------------

export interface AccountChannelObject {
  id: number;
  service_blinger_id: string;
  blinger_user_id: number;
  is_active: Flag;
  date_created: number;
  date_updated: number;
  tags: string[];
  name: string;
  custom_name: string | null;
  role: 'account';
  avatar: string | null;
  application: Application;
  service_user_id: string;
  status: 'enabled' | 'disabled' | 'error';
  group_id: number | null;
  group_ids: number[];
  is_comments: Flag;
  page_url: string | null;
  page_title: string | null;
  extra_fields: Record<string, unknown> | null;
  extra_field_secret_key: null;
}

export interface AccountChannelExtras {
  /** Pinned groups in order (product §3.3); none until pinning exists. */
  pinnedGroupIds?: readonly number[];
  customName?: string | null;
  avatar?: string | null;
  /** Last change of the account's settings (ms); the creation time when never changed. */
  updatedAt?: number | null;
  isComments?: boolean;
  page?: { url: string | null; title: string | null } | null;
  extraFields?: Record<string, unknown> | null;
}

export function accountChannelObject(channel: AccountChannelPublic, ownerId: number, extras: AccountChannelExtras = {}): AccountChannelObject {
  const pins = [...(extras.pinnedGroupIds ?? [])];
  return {
    id: channel.id,
    service_blinger_id: `${channel.application}:${channel.serviceUserId}`,
    blinger_user_id: ownerId,
    is_active: flag(channel.status === 'enabled'),
    date_created: seconds(channel.createdAt),
    date_updated: seconds(extras.updatedAt ?? channel.createdAt),
    tags: [...channel.tags],
    name: channel.name,
    custom_name: extras.customName ?? null,
    role: 'account',
    avatar: extras.avatar ?? null,
    application: channel.application,
    service_user_id: channel.serviceUserId,
    status: channel.status,
    group_id: pins.length > 0 ? pins[0] : null,
    group_ids: pins,
    is_comments: flag(extras.isComments ?? false),
    page_url: extras.page?.url ?? null,
    page_title: extras.page?.title ?? null,
    extra_fields: extras.extraFields ?? null,
    // Never revealed through the API or webhooks (product §3.4).
    extra_field_secret_key: null,
  };
}

// ---- §11.6.1 conversation -------------------------------------------------------------------------

export interface ConversationObject {
  id: number;
  uuid: string;
  user_id: number;
  operator_user_id: number | null;
  from_blinger_user_id: number;
  to_blinger_user_id: number;
  from_user_name: string;
  from_user_custom_name: string | null;
  from_user_avatar: string;
  to_user_name: string;
  application: Application;
  type: 'message' | 'comment';
  status: ConversationStatus;
  group_id: number | null;
  is_group_closed: Flag;
  close_group: number | null;
  last_message: string | null;
  last_message_date: number | null;
  unread_count: number;
  waiting_operator_response: Flag;
  is_operator_last_message: Flag;
  is_inner_message: Flag;
  is_new_conversation: Flag;
  is_outgoing: Flag;
  date_created: number;
  date_updated: number;
  unassigned_date: number | null;
  close_date: number | null;
  token: string;
  query_id: number;
  topics: Array<{ id: number; title: string }>;
  distributing: Flag;
  locked: Flag;
  comment_post_id: string | null;
  comment_post_url: string | null;
  comment_post_title: string | null;
  comment_post_img: string | null;
  toBlingerUser: AccountChannelObject;
}

/** One conversation as the relational mirror holds it (the `conversations` row and its client). */
export interface ConversationSource {
  /** The projection of the document. */
  row: InboxRow;
  /** `conversations.token`: the permanent 32-character reference (product §11.6.1). */
  token: string;
  /** `conversations.updated_at` (ms): the last change of anything. */
  updatedAt: number;
  /** The client's name as the channel sent it (`clients.name`). */
  clientChannelName: string;
}

export interface ConversationObjectContext {
  /** The company owner's user id: `user_id` of every object. */
  ownerId: number;
  /** The conversation's account channel; undefined once the account is gone from the directory. */
  accountChannel: AccountChannelPublic | undefined;
  accountChannelExtras?: AccountChannelExtras;
  /** Shown when the client has no avatar (product §11.6.1). */
  avatarPlaceholderUrl: string;
  /** The company's topic titles by id; topics not in it are left out. */
  topicTitles?: ReadonlyMap<number, string>;
}

export function conversationObject(source: ConversationSource, ctx: ConversationObjectContext): ConversationObject {
  const row = source.row;
  const closed = row.status === 'closed';
  const closeGroup = row.closeGroupId;
  const channel: AccountChannelPublic = ctx.accountChannel ?? {
    // An account channel removed from the directory: its conversations stay readable (product §2.1).
    id: row.accountChannelId, application: row.application, name: '', serviceUserId: '', status: 'disabled', tags: [], createdAt: row.createdAt,
  };
  const topics: Array<{ id: number; title: string }> = [];
  for (const id of row.topicIds) {
    const title = ctx.topicTitles?.get(id);
    if (title !== undefined) topics.push({ id, title });
  }
  return {
    id: row.id,
    uuid: conversationUuid(source.token),
    user_id: ctx.ownerId,
    operator_user_id: row.assigneeId,
    from_blinger_user_id: row.clientId,
    to_blinger_user_id: row.accountChannelId,
    from_user_name: source.clientChannelName,
    from_user_custom_name: row.customName,
    from_user_avatar: ctx.avatarPlaceholderUrl,
    to_user_name: ctx.accountChannelExtras?.customName ?? channel.name,
    application: row.application,
    type: 'message',
    status: row.status,
    group_id: row.groupId,
    is_group_closed: flag(closed),
    close_group: closeGroup,
    last_message: row.lastMessagePreview,
    last_message_date: secondsOrNull(row.lastMessageAt),
    unread_count: row.unreadCount,
    waiting_operator_response: flag(row.waitingOperatorResponse),
    is_operator_last_message: flag(row.isOperatorLastMessage),
    is_inner_message: flag(row.isInnerMessage),
    is_new_conversation: flag(row.isNewConversation),
    is_outgoing: flag(row.queryOrigin === 'outgoing'),
    date_created: seconds(row.createdAt),
    date_updated: seconds(source.updatedAt),
    unassigned_date: secondsOrNull(row.unassignedAt),
    close_date: secondsOrNull(row.closedAt),
    token: source.token,
    query_id: row.queryId,
    topics,
    distributing: flag(row.distributing),
    locked: flag(row.locked),
    comment_post_id: null,
    comment_post_url: null,
    comment_post_title: null,
    comment_post_img: null,
    toBlingerUser: accountChannelObject(channel, ctx.ownerId, ctx.accountChannelExtras),
  };
}

/**
 * The conversation's `uuid` (product §11.6.1, used by the Widget API): derived from its permanent
 * random token, so it is stable, unique and not guessable from the integer id, and needs no column.
 * Formatted as an RFC 9562 version-8 (custom) UUID.
 */
export function conversationUuid(token: string): string {
  const bytes = crypto.createHash('sha256').update(`switchboard:conversation-uuid:${token}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x80;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// ---- §11.6.4 message ------------------------------------------------------------------------------

export type MessageDirection = 'incoming' | 'outgoing' | 'internal';
export type MessageType = 'text' | AttachmentType;

export interface MessageObject {
  id: number;
  from_blinger_user_id: number | null;
  to_blinger_user_id: number | null;
  from_user_id: number | null;
  to_user_id: number | null;
  conversation_id: number;
  query_id: number;
  uuid: string;
  direction: MessageDirection;
  sender_type: SenderType;
  is_inner_message: Flag;
  is_comment: Flag;
  type: MessageType;
  text: string | null;
  file_url: string | null;
  file_name: string | null;
  file_mime: string | null;
  file_size: number | null;
  delivery_status: DeliveryStatus | null;
  error: { code: FailureReason; reason: FailureReason; message: string } | null;
  external_id: string | null;
  reply_to_message_id: number | null;
  date_created: number;
}

export interface MessageSource {
  message: MessageEntry;
  /** The server's record of the message: only messages the server accepted are serialized. */
  delivery: DeliveryEntry;
  conversationId: number;
  /** The query the message belongs to (product §2.3). */
  queryId: number;
  clientId: number;
  accountChannelId: number;
  /** Comment conversations (product §3.6). */
  isComment?: boolean;
  /** Incoming messages: the responsible operator when it arrived, when known. */
  responsibleAtArrival?: number | null;
}

export interface MessageObjectOptions {
  /** Turns an attachment into its signed Switchboard URL; without it no URL is given. */
  fileUrl?: (attachment: Attachment, message: MessageEntry) => string | null;
}

export function messageDirection(message: MessageEntry): MessageDirection {
  if (message.kind === 'in') return 'incoming';
  if (message.kind === 'out') return 'outgoing';
  return 'internal';
}

export function messageObject(source: MessageSource, opts: MessageObjectOptions = {}): MessageObject {
  const { message, delivery } = source;
  const direction = messageDirection(message);
  const attachment = message.attachment;
  // Client messages and app echoes carry the platform's time; everything written through
  // Switchboard counts from when the server accepted it (product §2.5, §11.6.4).
  const writtenAt = message.kind === 'in' || message.senderType === 'app' ? message.createdAt : delivery.acceptedAt;
  return {
    id: delivery.serverId,
    from_blinger_user_id: direction === 'incoming' ? source.clientId : direction === 'outgoing' ? source.accountChannelId : null,
    to_blinger_user_id: direction === 'incoming' ? source.accountChannelId : direction === 'outgoing' ? source.clientId : null,
    from_user_id: direction === 'incoming' ? null : message.authorId,
    to_user_id: direction === 'incoming' ? (source.responsibleAtArrival ?? null) : null,
    conversation_id: source.conversationId,
    query_id: source.queryId,
    uuid: message.id,
    direction,
    sender_type: message.senderType,
    is_inner_message: flag(message.kind === 'note'),
    is_comment: flag(source.isComment ?? false),
    type: attachment ? attachment.type : 'text',
    text: message.text,
    file_url: attachment && opts.fileUrl ? opts.fileUrl(attachment, message) : null,
    file_name: attachment?.name ?? null,
    file_mime: attachment?.mime ?? null,
    file_size: attachment?.size ?? null,
    delivery_status: direction === 'outgoing' ? delivery.status : null,
    error: direction === 'outgoing' && delivery.status === 'failed' && delivery.error
      ? { code: delivery.error.reason, reason: delivery.error.reason, message: delivery.error.message }
      : null,
    external_id: message.externalId,
    reply_to_message_id: null,
    date_created: seconds(writtenAt),
  };
}

// ---- §11.6.5 operator -----------------------------------------------------------------------------

export interface OperatorObject {
  id: number;
  user_id: number;
  owner_user_id: number;
  invite_email: string;
  conversations_token: string | null;
  name: string | null;
  status: DirectoryUser['status'];
  presence: OperatorPresence;
  group_ids: number[];
  role: string | null;
}

export interface OperatorObjectContext {
  ownerId: number;
  roles: ReadonlyMap<number, Role>;
  presence: OperatorPresence;
  /** The operator-scoped API token, only when the reader may see it. */
  conversationsToken: string | null;
}

export function operatorObject(user: DirectoryUser, ctx: OperatorObjectContext): OperatorObject {
  const role = user.roleId !== null ? ctx.roles.get(user.roleId) : undefined;
  return {
    id: user.id,
    user_id: user.id,
    owner_user_id: ctx.ownerId,
    invite_email: user.email,
    conversations_token: ctx.conversationsToken,
    name: user.name.length > 0 ? user.name : null,
    status: user.status,
    presence: user.status === 'active' ? ctx.presence : 'offline',
    group_ids: [...user.groupIds],
    role: role?.name ?? null,
  };
}
