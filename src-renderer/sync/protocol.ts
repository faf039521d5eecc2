/**
 * The UI thread and the sync worker talk through this contract (ARCHITECTURE "Sync": the sync loop
 * runs in a dedicated Web Worker that owns the socket and the Dexie writes; the UI thread reads
 * Dexie and hands its edits to the worker). Calls are request/response; events flow from the
 * worker. Every message is structured-clone safe.
 */
import type { OperatorProfile } from '../../src-core/company';
import type { ConversationMeta, DisplayDeliveryStatus, FailureReason, QueryEpisode, Attachment, AuditEventType, ConversationStatus, RepairAction, TransitionAction } from '../../src-core/conversation/types';
import type { InboxRow } from '../../src-core/conversation/projection';
import type { Presence } from '../../src-core/presence';
import type { PeerStatus } from '../../src-core/sync/peer';

export interface WorkerSession {
  /** Sync server base URL (http/https), without a trailing slash. */
  serverUrl: string;
  accessToken: string;
  userId: number;
  companyId: number;
}

export interface TimelineMessage {
  type: 'message';
  id: string;
  kind: 'in' | 'out' | 'note' | 'system';
  senderType: 'client' | 'operator' | 'system' | 'agent' | 'app';
  authorId: number | null;
  text: string | null;
  attachment: Attachment | null;
  /** Server's accepted time once it has it; the device's time until then. */
  at: number;
  /** Outgoing messages: `pending` until the server has it. Null for client messages and notes. */
  status: DisplayDeliveryStatus | null;
  error: { reason: FailureReason; message: string } | null;
  /** A note or reply the server has not accepted yet. */
  pending: boolean;
}

export interface TimelineEvent {
  type: 'event';
  id: string;
  eventType: AuditEventType;
  actorId: number | null;
  at: number;
  from: { status: ConversationStatus; assigneeId: number | null; groupId: number | null } | null;
  to: { status: ConversationStatus; assigneeId: number | null; groupId: number | null } | null;
  reason: string | null;
}

export type TimelineItem = TimelineMessage | TimelineEvent;

/**
 * The open conversation, decoded by the worker and sent on every change: everything but the
 * timeline whole, the timeline as its newest items (the window the UI asked for).
 */
export interface ConversationView {
  id: number;
  meta: ConversationMeta;
  /** The projection row with this device's pending requests applied. */
  row: InboxRow;
  /** The newest timeline items, oldest first. */
  timeline: TimelineItem[];
  /** Timeline items older than `timeline[0]` that were left out (0: the timeline is whole). */
  olderCount: number;
  topicIds: number[];
  tags: string[];
  queries: QueryEpisode[];
  /** This device's requests without an outcome yet. */
  pendingActions: TransitionAction[];
  /** The newest refusal of one of this user's requests, for "This conversation was changed by <name>". */
  lastRejection: { requestId: string; reason: string; at: number; changedBy: number | null } | null;
}

export interface PresenceView {
  /** Every operator's presence (product §6.2.4), by user id. */
  operators: Record<number, Presence>;
  /** Other connections' viewing/typing state (never this device's own). */
  viewers: Array<{ userId: number; viewing: number | null; typing: number | null; idle: boolean }>;
}

/** A notification-worthy change the worker saw arrive from the server (product §9). */
export interface InboxNotice {
  kind: 'new_request' | 'client_message' | 'transferred_to_me' | 'message_failed';
  conversationId: number;
  clientName: string;
  preview: string | null;
}

/** What the UI may ask of the worker. */
export interface WorkerApi {
  start(session: WorkerSession): Promise<void>;
  /** A fresh access token after the worker asked for one (`token-needed`). */
  setAccessToken(token: string): Promise<void>;
  stop(): Promise<void>;
  /** Signs out: stops syncing and deletes the local database. */
  wipe(): Promise<void>;

  transition(conversationId: number, action: TransitionAction, targets?: { operatorId?: number; groupId?: number }): Promise<void>;
  /** Writes a reply or note; resolves once it is durable on the device. Clears the draft. */
  send(conversationId: number, kind: 'out' | 'note', text: string): Promise<{ messageId: string }>;
  repair(conversationId: number, messageId: string, action: RepairAction): Promise<void>;
  setTopic(conversationId: number, topicId: number, on: boolean): Promise<void>;
  setTag(conversationId: number, tag: string, on: boolean): Promise<void>;
  rename(conversationId: number, name: string): Promise<void>;
  markRead(conversationId: number): Promise<void>;

  /**
   * Starts sending `conversation` events for this conversation (and syncs it first on catch-up).
   * The view holds the newest page of the timeline; `showOlder` widens it.
   */
  open(conversationId: number): Promise<ConversationView | null>;
  /**
   * Widens the open conversation's timeline window to at least its `size` newest items (the UI
   * scrolled up) and returns the view; later `conversation` events keep that window.
   */
  showOlder(conversationId: number, size: number): Promise<ConversationView | null>;
  /**
   * Decodes a conversation the user is about to open (a press on its row, the neighbour of the
   * open one) so that opening it does not wait for the store; sends nothing.
   */
  prefetch(conversationId: number): Promise<void>;
  close(conversationId: number): Promise<void>;

  setPresence(state: { viewing: number | null; typing: number | null; idle: boolean }): Promise<void>;
}

export interface WorkerEvents {
  status: { status: PeerStatus; pending: number };
  'token-needed': Record<string, never>;
  conversation: ConversationView;
  /** The open conversation was removed from this device (transfer, lost access). */
  revoked: { conversationId: number };
  rejected: { conversationId: number; reason: string; unsent: number };
  presence: PresenceView;
  notice: InboxNotice;
  error: { message: string };
}

export type WorkerRequest = { type: 'call'; id: number; method: keyof WorkerApi; args: unknown[] };
export type WorkerResponse =
  | { type: 'result'; id: number; value: unknown }
  | { type: 'failure'; id: number; message: string }
  | { [K in keyof WorkerEvents]: { type: 'event'; event: K; payload: WorkerEvents[K] } }[keyof WorkerEvents];

export type { OperatorProfile };
