/**
 * Plain data shapes of a conversation document (ARCHITECTURE "Yjs documents").
 * Times are Unix milliseconds inside documents; the REST API and webhooks convert to seconds.
 */
export type ConversationStatus = 'unassigned' | 'inbox' | 'closed';

export const APPLICATIONS = [
  'telegrambot', 'whatsapp', 'facebook', 'instagram', 'viber', 'twitter', 'wechat', 'vk', 'ok',
  'skype', 'line', 'email', 'livechat', 'custom',
] as const;
export type Application = (typeof APPLICATIONS)[number];

/** `meta` keys written only by the server. */
export interface ServerMeta {
  id: number;
  companyId: number;
  clientId: number;
  accountChannelId: number;
  application: Application;
  /** A display name safe for every reader (product §4.1). */
  clientName: string;
  status: ConversationStatus;
  assigneeId: number | null;
  groupId: number | null;
  distributing: boolean;
  locked: boolean;
  queryId: number;
  createdAt: number;
  unassignedAt: number | null;
  closedAt: number | null;
  closeGroupId: number | null;
  /** In Unassigned after a return or transfer: the previous holder, shown greyed (product §4.1). */
  previousAssigneeId: number | null;
  /** Origin of the current or last query; `is_outgoing` (product §11.6.1). */
  queryOrigin: QueryOrigin;
}

/** `meta` keys an operator permitted on the conversation may write. */
export interface OperatorMeta {
  customName: string | null;
  /** Id of the newest message the responsible operator has read (product §2.6). */
  readWatermark: string | null;
}

export type ConversationMeta = ServerMeta & OperatorMeta;

export const SERVER_META_KEYS: readonly (keyof ServerMeta)[] = [
  'id', 'companyId', 'clientId', 'accountChannelId', 'application', 'clientName', 'status', 'assigneeId',
  'groupId', 'distributing', 'locked', 'queryId', 'createdAt', 'unassignedAt', 'closedAt', 'closeGroupId',
  'previousAssigneeId', 'queryOrigin',
];
export const OPERATOR_META_KEYS: readonly (keyof OperatorMeta)[] = ['customName', 'readWatermark'];

export type MessageKind = 'in' | 'out' | 'note' | 'system';
export type SenderType = 'client' | 'operator' | 'system' | 'agent' | 'app';
export type AttachmentType = 'image' | 'file' | 'video' | 'audio' | 'voice' | 'sticker' | 'location' | 'contact';

export interface Attachment {
  type: AttachmentType;
  url: string | null;
  name: string | null;
  mime: string | null;
  size: number | null;
}

/** One entry of the `messages` array: plain JSON, immutable once written. */
export interface MessageEntry {
  id: string; // ULID
  kind: MessageKind;
  senderType: SenderType;
  /** The user who wrote a reply or note; null for clients, autoresponses, agents and app echoes. */
  authorId: number | null;
  text: string | null;
  attachment: Attachment | null;
  /** Writer's time (client messages: the platform's time). The server's accepted time is in `delivery`. */
  createdAt: number;
  /** Newest message id its writer had seen (product §2.5). */
  seenMessageId: string | null;
  externalId: string | null;
}

export const DELIVERY_STATUSES = ['held', 'queued', 'sent', 'delivered', 'read', 'failed', 'unknown'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
/** `pending` exists only on the author's device until the server has the message. */
export type DisplayDeliveryStatus = DeliveryStatus | 'pending';

export const FAILURE_REASONS = [
  'window_closed', 'recipient_unreachable', 'blocked', 'rate_limited', 'auth', 'invalid_request',
  'file_blocked', 'account_removed', 'unknown',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** `delivery` map value, keyed by message id; written only by the server. */
export interface DeliveryEntry {
  /** When the server accepted the message: the authoritative time (product §2.5). */
  acceptedAt: number;
  /** The server's integer id of the message (REST `id`). */
  serverId: number;
  /** Outgoing messages only. */
  status: DeliveryStatus | null;
  error: { reason: FailureReason; message: string } | null;
  /** Discarded held replies stay in the immutable array but are hidden. */
  discarded?: boolean;
}

export type TransitionAction = 'take' | 'transfer_operator' | 'transfer_group' | 'return' | 'close' | 'reopen';
export const TRANSITION_ACTIONS: readonly TransitionAction[] = [
  'take', 'transfer_operator', 'transfer_group', 'return', 'close', 'reopen',
];

export interface ExpectedState {
  status: ConversationStatus;
  assigneeId: number | null;
  queryId: number;
}

/** One entry of the `requests` array: a transition asked for by a desktop app (product §2.5). */
export interface TransitionRequest {
  id: string; // ULID
  action: TransitionAction;
  actorId: number;
  expected: ExpectedState;
  seenMessageId: string | null;
  targetOperatorId: number | null;
  targetGroupId: number | null;
  createdAt: number;
}

/** Message-repair requests of product §2.7/§4.4 A15 travel through the same array. */
export type RepairAction = 'send_anyway' | 'discard' | 'retry' | 'mark_sent';

export interface RepairRequest {
  id: string;
  action: RepairAction;
  actorId: number;
  messageId: string;
  createdAt: number;
}

export type ConversationRequest = TransitionRequest | RepairRequest;

export function isRepairRequest(r: ConversationRequest): r is RepairRequest {
  return r.action === 'send_anyway' || r.action === 'discard' || r.action === 'retry' || r.action === 'mark_sent';
}

export type QueryOrigin = 'client' | 'reopen' | 'outgoing';

/** `queries` map value keyed by query id: one episode (product §2.3). */
export interface QueryEpisode {
  id: number;
  origin: QueryOrigin;
  startedAt: number;
  startGroupId: number | null;
  /** Analytics clock start; restarted by a return to Unassigned (product §2.4). */
  clockAt: number;
  firstResponseAt: number | null;
  closedAt: number | null;
  closerId: number | null;
  closeGroupId: number | null;
}

export type AuditEventType =
  | 'created' | 'client_request' | 'taken' | 'transferred_operator' | 'transferred_group' | 'returned'
  | 'closed' | 'reopened' | 'released' | 'started_outgoing' | 'request_rejected' | 'request_noop'
  | 'reply_held' | 'reply_sent_anyway' | 'reply_discarded' | 'repair_rejected';

/** One entry of the `events` array: the audit trail, including the outcome of every request. */
export interface AuditEvent {
  id: string;
  type: AuditEventType;
  at: number;
  actorId: number | null;
  queryId: number;
  from: { status: ConversationStatus; assigneeId: number | null; groupId: number | null } | null;
  to: { status: ConversationStatus; assigneeId: number | null; groupId: number | null } | null;
  requestId: string | null;
  reason: string | null;
}
