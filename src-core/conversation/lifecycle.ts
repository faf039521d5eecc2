/**
 * The query lifecycle (product §2.4, §2.5) as pure decisions over plain state, plus one writer that
 * applies a decision to a conversation document. The server is the only caller of the writer for
 * real state; the desktop app runs the same decisions to show pending requests optimistically.
 */
import type { Actor } from '../permissions';
import { canReassignAny, couldTake, canReadConversation } from '../permissions';
import type { ConversationDoc } from './doc';
import { isRepairRequest } from './types';
import type {
  AuditEvent, AuditEventType, ConversationStatus, ExpectedState, MessageEntry, QueryEpisode, QueryOrigin,
  TransitionAction, TransitionRequest,
} from './types';

/** The part of a conversation a transition reads and writes. */
export interface LifecycleState {
  status: ConversationStatus;
  assigneeId: number | null;
  groupId: number | null;
  distributing: boolean;
  locked: boolean;
  queryId: number;
  closeGroupId: number | null;
}

/** Error texts double as the REST API's `error` strings (product §11.2). */
export const REJECT = {
  distributing: 'Conversation is being distributed',
  locked: 'Conversation is locked by an agent',
  assignedToAnother: 'Conversation is assigned to another operator',
  closed: 'Conversation is closed',
  notClosed: 'Conversation is not closed',
  operatorNotActive: 'Operator is not active',
  operatorNotFound: 'Operator not found',
  groupNotFound: 'Group not found',
  accessDenied: 'Access denied',
  changed: 'Conversation was changed',
  newerClientMessage: 'Conversation has a newer client message',
  notUnassigned: 'Conversation is not in Unassigned',
} as const;

export interface TransitionIntent {
  action: TransitionAction;
  targetOperatorId?: number | null;
  targetGroupId?: number | null;
}

export interface TransitionContext {
  /** Status of the target operator, for transfers (undefined = unknown id). */
  operatorStatus?: (userId: number) => 'active' | 'not_registered' | 'deactivated' | undefined;
  groupExists?: (groupId: number) => boolean;
}

export type Decision =
  | { outcome: 'applied'; next: LifecycleState; event: AuditEventType; newQuery: QueryOrigin | null; closesQuery: boolean; restartsClock: boolean }
  | { outcome: 'noop' }
  | { outcome: 'rejected'; reason: string };

const reject = (reason: string): Decision => ({ outcome: 'rejected', reason });
const noop: Decision = { outcome: 'noop' };

function open(state: LifecycleState): string | null {
  if (state.distributing) return REJECT.distributing;
  if (state.locked) return REJECT.locked;
  return null;
}

function holdsOrMayReassign(actor: Actor, state: LifecycleState): boolean {
  return state.assigneeId === actor.userId || canReassignAny(actor);
}

/**
 * Decides a transition against the current state, without any precondition from a device.
 * REST calls and automation use this directly (product §2.5).
 */
export function decideTransition(state: LifecycleState, intent: TransitionIntent, actor: Actor, ctx: TransitionContext = {}): Decision {
  const access = { status: state.status, assigneeId: state.assigneeId, groupId: state.groupId, distributing: state.distributing };
  // Start on a conversation held by someone else has its own answer, whoever asks (product §2.4).
  if (intent.action === 'take' && state.status === 'inbox' && state.assigneeId !== actor.userId) return reject(REJECT.assignedToAnother);
  if (!canReadConversation(actor, access)) return reject(REJECT.accessDenied);
  switch (intent.action) {
    case 'take': {
      if (state.status === 'inbox') return state.assigneeId === actor.userId ? noop : reject(REJECT.assignedToAnother);
      if (state.status === 'closed') return reject(REJECT.closed);
      const blocked = open(state);
      if (blocked) return reject(blocked);
      if (!couldTake(actor, access)) return reject(REJECT.accessDenied);
      return applied(state, { status: 'inbox', assigneeId: actor.userId }, 'taken');
    }
    case 'transfer_operator': {
      const target = intent.targetOperatorId;
      if (typeof target !== 'number') return reject(REJECT.operatorNotFound);
      const targetStatus = ctx.operatorStatus ? ctx.operatorStatus(target) : 'active';
      if (targetStatus === undefined) return reject(REJECT.operatorNotFound);
      if (state.status === 'closed') return reject(REJECT.closed);
      if (state.status === 'inbox' && state.assigneeId === target) return noop;
      if (targetStatus !== 'active') return reject(REJECT.operatorNotActive);
      const blocked = open(state);
      if (blocked) return reject(blocked);
      if (!mayMove(actor, state, access)) return reject(REJECT.accessDenied);
      return applied(state, { status: 'inbox', assigneeId: target }, 'transferred_operator');
    }
    case 'transfer_group': {
      const group = intent.targetGroupId;
      if (typeof group !== 'number' || (ctx.groupExists && !ctx.groupExists(group))) return reject(REJECT.groupNotFound);
      if (state.status === 'closed') return reject(REJECT.closed);
      if (state.status === 'unassigned' && state.groupId === group && !state.distributing) return noop;
      const blocked = open(state);
      if (blocked) return reject(blocked);
      if (!mayMove(actor, state, access)) return reject(REJECT.accessDenied);
      return applied(state, { status: 'unassigned', assigneeId: null, groupId: group }, 'transferred_group');
    }
    case 'return': {
      if (state.status === 'unassigned') return noop;
      if (state.status === 'closed') return reject(REJECT.closed);
      if (!holdsOrMayReassign(actor, state)) return reject(REJECT.accessDenied);
      return applied(state, { status: 'unassigned', assigneeId: null }, 'returned', { restartsClock: true });
    }
    case 'close': {
      if (state.status === 'closed') return noop;
      const blocked = open(state);
      if (blocked) return reject(blocked);
      if (!mayMove(actor, state, access)) return reject(REJECT.accessDenied);
      return applied(state, { status: 'closed', assigneeId: actor.userId, closeGroupId: state.groupId }, 'closed', { closesQuery: true });
    }
    case 'reopen': {
      const target = typeof intent.targetOperatorId === 'number' ? intent.targetOperatorId : actor.userId;
      if (state.status === 'inbox' && state.assigneeId === target) return noop;
      if (state.status !== 'closed') return reject(REJECT.notClosed);
      if (target !== actor.userId) {
        const targetStatus = ctx.operatorStatus ? ctx.operatorStatus(target) : 'active';
        if (targetStatus === undefined) return reject(REJECT.operatorNotFound);
        if (targetStatus !== 'active') return reject(REJECT.operatorNotActive);
      }
      const group = state.closeGroupId ?? state.groupId;
      return applied(state, { status: 'inbox', assigneeId: target, groupId: group }, 'reopened', { newQuery: 'reopen' });
    }
  }
}

/** Transfer and close: the holder, reassign_any, the owner; in Unassigned, anyone who could take it. */
function mayMove(actor: Actor, state: LifecycleState, access: Parameters<typeof couldTake>[1]): boolean {
  if (state.status === 'unassigned') return couldTake(actor, access) || canReassignAny(actor);
  return holdsOrMayReassign(actor, state);
}

function applied(
  state: LifecycleState,
  patch: Partial<LifecycleState>,
  event: AuditEventType,
  opts: { newQuery?: QueryOrigin; closesQuery?: boolean; restartsClock?: boolean } = {},
): Decision {
  return {
    outcome: 'applied',
    next: { ...state, ...patch },
    event,
    newQuery: opts.newQuery ?? null,
    closesQuery: opts.closesQuery ?? false,
    restartsClock: opts.restartsClock ?? false,
  };
}

/** Whether the state a request's result describes already holds (the no-op success of §2.4). */
function alreadyHolds(state: LifecycleState, request: TransitionRequest): boolean {
  switch (request.action) {
    case 'take':
      return state.status === 'inbox' && state.assigneeId === request.actorId;
    case 'transfer_operator':
      return state.status === 'inbox' && state.assigneeId === request.targetOperatorId;
    case 'transfer_group':
      return state.status === 'unassigned' && state.groupId === request.targetGroupId && !state.distributing;
    case 'return':
      return state.status === 'unassigned';
    case 'close':
      return state.status === 'closed';
    case 'reopen':
      return state.status === 'inbox' && state.assigneeId === (request.targetOperatorId ?? request.actorId);
  }
}

function expectedHolds(state: LifecycleState, expected: ExpectedState): boolean {
  return state.status === expected.status && state.assigneeId === expected.assigneeId && state.queryId === expected.queryId;
}

/**
 * Decides a desktop app's request: its requested state already holding is a no-op success;
 * otherwise the state it was made from must still hold, and a Close must have seen the newest
 * client message (product §2.5).
 */
export function decideRequest(
  state: LifecycleState,
  request: TransitionRequest,
  actor: Actor,
  conv: ConversationDoc,
  ctx: TransitionContext = {},
): Decision {
  if (request.actorId !== actor.userId) return reject(REJECT.accessDenied);
  if (alreadyHolds(state, request)) return noop;
  if (!expectedHolds(state, request.expected)) return reject(REJECT.changed);
  if (request.action === 'close' && messagesAfter(conv, request.seenMessageId).some((m) => m.kind === 'in')) {
    return reject(REJECT.newerClientMessage);
  }
  return decideTransition(state, request, actor, ctx);
}

/**
 * Messages the server accepted after `seenId`, compared on the server's clock (product §2.5).
 * A device names the newest server-accepted message it held; an id the server does not know
 * counts as having seen nothing.
 */
export function messagesAfter(conv: ConversationDoc, seenId: string | null): MessageEntry[] {
  const accepted = conv.listMessages().filter((m) => conv.delivery.has(m.id));
  const seen = seenId === null ? undefined : conv.delivery.get(seenId);
  if (!seen) return accepted;
  return accepted.filter((m) => {
    const d = conv.delivery.get(m.id)!;
    return d.acceptedAt > seen.acceptedAt || (d.acceptedAt === seen.acceptedAt && m.id > seenId!);
  });
}

/**
 * The state a device shows: the server's state with the viewer's own undecided requests applied
 * in the order they were made (product §2.5). `pendingAction` is the newest such request that
 * would change something.
 */
export function optimisticState(conv: ConversationDoc, viewer: Actor): { state: LifecycleState; pendingAction: TransitionAction | null } {
  let state = lifecycleStateOf(conv);
  let pendingAction: TransitionAction | null = null;
  const decided = conv.decidedRequestIds();
  for (const request of conv.listRequests()) {
    if (decided.has(request.id) || isRepairRequest(request) || request.actorId !== viewer.userId) continue;
    const decision = decideRequest(state, request, viewer, conv);
    if (decision.outcome === 'applied') {
      state = decision.next;
      pendingAction = request.action;
    }
  }
  return { state, pendingAction };
}

export function lifecycleStateOf(conv: ConversationDoc): LifecycleState {
  const m = conv.getMeta();
  return {
    status: m.status, assigneeId: m.assigneeId, groupId: m.groupId, distributing: m.distributing,
    locked: m.locked, queryId: m.queryId, closeGroupId: m.closeGroupId,
  };
}

export interface ApplyOptions {
  now: number;
  actorId: number | null;
  eventId: string;
  requestId?: string | null;
  /** Allocates a new query id when the decision starts a query. */
  allocateQueryId?: () => number;
}

/**
 * Writes an applied decision into the document: meta, the query log and one audit event.
 * Must run inside the caller's transaction.
 */
export function writeDecision(conv: ConversationDoc, decision: Extract<Decision, { outcome: 'applied' }>, opts: ApplyOptions): AuditEvent {
  const before = lifecycleStateOf(conv);
  const next = { ...decision.next };
  const now = opts.now;
  if (decision.newQuery) {
    if (!opts.allocateQueryId) throw new Error('a new query needs a query id allocator');
    next.queryId = opts.allocateQueryId();
    const episode: QueryEpisode = {
      id: next.queryId, origin: decision.newQuery, startedAt: now, startGroupId: next.groupId, clockAt: now,
      firstResponseAt: null, closedAt: null, closerId: null, closeGroupId: null,
    };
    conv.queries.set(String(next.queryId), episode);
    conv.setMeta({ queryOrigin: decision.newQuery, closedAt: null });
    // A new query starts with no topics (topics belong to the query, product §8.4).
    for (const key of [...conv.topics.keys()]) conv.topics.delete(key);
  }
  const query = conv.queries.get(String(next.queryId));
  if (query && decision.closesQuery) {
    conv.queries.set(String(next.queryId), { ...query, closedAt: now, closerId: opts.actorId, closeGroupId: next.groupId });
  } else if (query && decision.restartsClock) {
    conv.queries.set(String(next.queryId), { ...query, clockAt: now });
  }
  const enteringUnassigned = next.status === 'unassigned' && before.status !== 'unassigned';
  conv.setMeta({
    status: next.status,
    assigneeId: next.assigneeId,
    groupId: next.groupId,
    distributing: next.distributing,
    locked: next.locked,
    queryId: next.queryId,
    closeGroupId: decision.closesQuery ? next.groupId : next.closeGroupId,
  });
  if (enteringUnassigned || decision.event === 'transferred_group') {
    // Only a returned or transferred request shows its previous holder greyed (product §4.1).
    const handedBack = decision.event === 'returned' || decision.event === 'released' || decision.event === 'transferred_group';
    conv.setMeta({ unassignedAt: now });
    conv.meta.set('previousAssigneeId', handedBack ? (before.assigneeId ?? conv.getMeta().previousAssigneeId) : null);
  }
  if (next.status === 'inbox') conv.meta.set('previousAssigneeId', null);
  if (decision.closesQuery) conv.setMeta({ closedAt: now });
  const event: AuditEvent = {
    id: opts.eventId,
    type: decision.event,
    at: now,
    actorId: opts.actorId,
    queryId: next.queryId,
    from: { status: before.status, assigneeId: before.assigneeId, groupId: before.groupId },
    to: { status: next.status, assigneeId: next.assigneeId, groupId: next.groupId },
    requestId: opts.requestId ?? null,
    reason: null,
  };
  conv.events.push([event]);
  return event;
}

/** Records the outcome of a request that changed nothing (no-op success or rejection). */
export function writeRequestOutcome(
  conv: ConversationDoc,
  request: { id: string; actorId: number },
  outcome: 'noop' | 'rejected',
  reason: string | null,
  opts: { now: number; eventId: string },
): AuditEvent {
  const event: AuditEvent = {
    id: opts.eventId,
    type: outcome === 'noop' ? 'request_noop' : 'request_rejected',
    at: opts.now,
    actorId: request.actorId,
    queryId: conv.getMeta().queryId,
    from: null,
    to: null,
    requestId: request.id,
    reason,
  };
  conv.events.push([event]);
  return event;
}

/**
 * A client message arrives (T2/T3): on a closed conversation it opens a new query in Unassigned
 * in `groupId` (chosen by routing); otherwise nothing changes.
 */
export function decideClientMessage(state: LifecycleState, groupId: number | null): Decision {
  if (state.status !== 'closed') return noop;
  return {
    outcome: 'applied',
    next: { ...state, status: 'unassigned', assigneeId: null, groupId, distributing: groupId === null },
    event: 'client_request',
    newQuery: 'client',
    closesQuery: false,
    restartsClock: false,
  };
}

/** T10: the responsible operator was deactivated or deleted. */
export function decideRelease(state: LifecycleState, userId: number): Decision {
  if (state.status !== 'inbox' || state.assigneeId !== userId) return noop;
  return {
    outcome: 'applied',
    next: { ...state, status: 'unassigned', assigneeId: null },
    event: 'released',
    newQuery: null,
    closesQuery: false,
    restartsClock: true,
  };
}

/**
 * A reply reaching the server is held when its author no longer holds the conversation, or when
 * the conversation has a client message or someone else's reply newer than what the author's
 * device held (product §2.5). Notes are never held.
 */
export function replyDisposition(conv: ConversationDoc, reply: MessageEntry): 'queued' | 'held' {
  if (reply.kind !== 'out') return 'queued';
  const meta = conv.getMeta();
  if (meta.status !== 'inbox' || meta.assigneeId !== reply.authorId) return 'held';
  const newer = messagesAfter(conv, reply.seenMessageId).filter((m) => m.id !== reply.id);
  const conflict = newer.some(
    (m) => !conv.delivery.get(m.id)?.discarded && (m.kind === 'in' || (m.kind === 'out' && m.senderType !== 'system' && m.authorId !== reply.authorId)),
  );
  return conflict ? 'held' : 'queued';
}
