import { describe, expect, it } from 'vitest';
import { makeActor } from '../permissions';
import { ConversationDoc } from './doc';
import {
  REJECT, decideClientMessage, decideRelease, decideRequest, decideTransition, lifecycleStateOf, replyDisposition,
  writeDecision, writeRequestOutcome, type Decision, type LifecycleState, type TransitionContext,
} from './lifecycle';
import { projectInboxRow } from './projection';
import { Q, SALES, SUPPORT, T0, accepted, newId, serverConversation } from './testing';
import type { MessageEntry, TransitionRequest } from './types';

// ---- fixtures ---------------------------------------------------------------------------------


const owner = makeActor({ userId: 1, companyId: 9, isOwner: true, groupIds: [] });
const mia = makeActor({ userId: 10, companyId: 9, isOwner: false, groupIds: [SUPPORT] });
const leo = makeActor({ userId: 11, companyId: 9, isOwner: false, groupIds: [SUPPORT] });
const noah = makeActor({ userId: 12, companyId: 9, isOwner: false, groupIds: [SALES] });
const lead = makeActor({
  userId: 13, companyId: 9, isOwner: false, groupIds: [SALES],
  permissions: ['conversations.reassign_any', 'conversations.view_all_groups', 'conversations.view_all_inboxes'],
});
const watcher = makeActor({ userId: 14, companyId: 9, isOwner: false, groupIds: [SALES], permissions: ['conversations.view_all_inboxes'] });
const seesAll = makeActor({ userId: 15, companyId: 9, isOwner: false, groupIds: [SALES], permissions: ['conversations.view_all_groups'] });

const unassigned = (patch: Partial<LifecycleState> = {}): LifecycleState => ({
  status: 'unassigned', assigneeId: null, groupId: SUPPORT, distributing: false, locked: false, queryId: Q, closeGroupId: null, ...patch,
});
const heldBy = (userId: number, patch: Partial<LifecycleState> = {}): LifecycleState => unassigned({ status: 'inbox', assigneeId: userId, ...patch });
const closedBy = (userId: number, patch: Partial<LifecycleState> = {}): LifecycleState =>
  unassigned({ status: 'closed', assigneeId: userId, closeGroupId: SUPPORT, ...patch });

const operators: Record<number, 'active' | 'deactivated' | 'not_registered'> = {
  1: 'active', 10: 'active', 11: 'active', 12: 'active', 13: 'active', 14: 'active', 15: 'active', 20: 'deactivated', 21: 'not_registered',
};
const ctx: TransitionContext = {
  operatorStatus: (id) => operators[id],
  groupExists: (id) => id === SUPPORT || id === SALES,
};

function expectApplied(d: Decision): Extract<Decision, { outcome: 'applied' }> {
  if (d.outcome !== 'applied') throw new Error(`expected applied, got ${JSON.stringify(d)}`);
  return d;
}
const rejected = (reason: string) => ({ outcome: 'rejected', reason });
const noop = { outcome: 'noop' };


function request(partial: Partial<TransitionRequest> & Pick<TransitionRequest, 'action' | 'actorId'>): TransitionRequest {
  return {
    id: newId(T0), expected: { status: 'unassigned', assigneeId: null, queryId: Q }, seenMessageId: null,
    targetOperatorId: null, targetGroupId: null, createdAt: T0, ...partial,
  };
}

// ---- decideTransition: the table of product §2.4 -------------------------------------------------

describe('T4 Start conversation (take)', () => {
  it('moves an Unassigned request of my group into my inbox, keeping its group', () => {
    const d = expectApplied(decideTransition(unassigned(), { action: 'take' }, mia, ctx));
    expect(d.next).toMatchObject({ status: 'inbox', assigneeId: mia.userId, groupId: SUPPORT, queryId: Q });
    expect(d).toMatchObject({ event: 'taken', newQuery: null, closesQuery: false, restartsClock: false });
  });

  it('is open to view_all_groups in any group and to the owner', () => {
    expect(expectApplied(decideTransition(unassigned(), { action: 'take' }, seesAll, ctx)).next.assigneeId).toBe(seesAll.userId);
    expect(expectApplied(decideTransition(unassigned(), { action: 'take' }, owner, ctx)).next.assigneeId).toBe(owner.userId);
  });

  it('is refused to an operator of another group', () => {
    expect(decideTransition(unassigned(), { action: 'take' }, noah, ctx)).toEqual(rejected(REJECT.accessDenied));
  });

  it('on a conversation held by another user fails with "Conversation is assigned to another operator", even for the owner', () => {
    expect(decideTransition(heldBy(leo.userId), { action: 'take' }, mia, ctx)).toEqual(rejected('Conversation is assigned to another operator'));
    expect(decideTransition(heldBy(leo.userId), { action: 'take' }, owner, ctx)).toEqual(rejected('Conversation is assigned to another operator'));
  });

  it('by the user who already holds it succeeds and changes nothing', () => {
    expect(decideTransition(heldBy(mia.userId), { action: 'take' }, mia, ctx)).toEqual(noop);
  });

  it('is refused while the request is distributing or locked', () => {
    expect(decideTransition(unassigned({ distributing: true, groupId: null }), { action: 'take' }, owner, ctx)).toEqual(rejected(REJECT.distributing));
    expect(decideTransition(unassigned({ locked: true }), { action: 'take' }, mia, ctx)).toEqual(rejected(REJECT.locked));
  });

  it('is refused on a closed conversation (that is a Reopen)', () => {
    expect(decideTransition(closedBy(mia.userId), { action: 'take' }, mia, ctx)).toEqual(rejected(REJECT.closed));
  });
});

describe('T5 Transfer to operator', () => {
  it('moves the conversation into the target’s inbox and keeps its group even if the target is not a member', () => {
    const d = expectApplied(decideTransition(heldBy(mia.userId), { action: 'transfer_operator', targetOperatorId: noah.userId }, mia, ctx));
    expect(d.next).toMatchObject({ status: 'inbox', assigneeId: noah.userId, groupId: SUPPORT });
    expect(d).toMatchObject({ event: 'transferred_operator', newQuery: null, restartsClock: false });
  });

  it('from Unassigned is open to anyone who could take it', () => {
    const d = expectApplied(decideTransition(unassigned(), { action: 'transfer_operator', targetOperatorId: leo.userId }, mia, ctx));
    expect(d.next).toMatchObject({ status: 'inbox', assigneeId: leo.userId });
  });

  it('to an operator who is not Active fails with "Operator is not active"', () => {
    expect(decideTransition(heldBy(mia.userId), { action: 'transfer_operator', targetOperatorId: 20 }, mia, ctx)).toEqual(rejected('Operator is not active'));
    expect(decideTransition(heldBy(mia.userId), { action: 'transfer_operator', targetOperatorId: 21 }, mia, ctx)).toEqual(rejected('Operator is not active'));
  });

  it('to an unknown or missing operator fails with "Operator not found"', () => {
    expect(decideTransition(heldBy(mia.userId), { action: 'transfer_operator', targetOperatorId: 999 }, mia, ctx)).toEqual(rejected(REJECT.operatorNotFound));
    expect(decideTransition(heldBy(mia.userId), { action: 'transfer_operator' }, mia, ctx)).toEqual(rejected(REJECT.operatorNotFound));
  });

  it('of someone else’s conversation needs reassign_any; view_all_inboxes alone is refused', () => {
    expect(decideTransition(heldBy(mia.userId), { action: 'transfer_operator', targetOperatorId: noah.userId }, watcher, ctx)).toEqual(rejected(REJECT.accessDenied));
    const d = expectApplied(decideTransition(heldBy(mia.userId), { action: 'transfer_operator', targetOperatorId: noah.userId }, lead, ctx));
    expect(d.next.assigneeId).toBe(noah.userId);
  });

  it('to the operator who already holds it is a no-op success', () => {
    expect(decideTransition(heldBy(leo.userId), { action: 'transfer_operator', targetOperatorId: leo.userId }, lead, ctx)).toEqual(noop);
  });

  it('is refused on a closed, distributing or locked conversation', () => {
    expect(decideTransition(closedBy(mia.userId), { action: 'transfer_operator', targetOperatorId: leo.userId }, mia, ctx)).toEqual(rejected(REJECT.closed));
    expect(decideTransition(unassigned({ distributing: true, groupId: null }), { action: 'transfer_operator', targetOperatorId: leo.userId }, owner, ctx))
      .toEqual(rejected(REJECT.distributing));
    expect(decideTransition(unassigned({ locked: true }), { action: 'transfer_operator', targetOperatorId: leo.userId }, owner, ctx))
      .toEqual(rejected(REJECT.locked));
  });
});

describe('T6 Transfer to group', () => {
  it('puts the conversation in the target group’s Unassigned with no responsible operator, without restarting the clock', () => {
    const d = expectApplied(decideTransition(heldBy(mia.userId), { action: 'transfer_group', targetGroupId: SALES }, mia, ctx));
    expect(d.next).toMatchObject({ status: 'unassigned', assigneeId: null, groupId: SALES, queryId: Q });
    expect(d).toMatchObject({ event: 'transferred_group', newQuery: null, restartsClock: false, closesQuery: false });
  });

  it('from Unassigned is open to a member of the current group', () => {
    expect(expectApplied(decideTransition(unassigned(), { action: 'transfer_group', targetGroupId: SALES }, mia, ctx)).next.groupId).toBe(SALES);
  });

  it('to an unknown group fails with "Group not found"', () => {
    expect(decideTransition(heldBy(mia.userId), { action: 'transfer_group', targetGroupId: 77 }, mia, ctx)).toEqual(rejected(REJECT.groupNotFound));
    expect(decideTransition(heldBy(mia.userId), { action: 'transfer_group' }, mia, ctx)).toEqual(rejected(REJECT.groupNotFound));
  });

  it('to the group it already waits in is a no-op success', () => {
    expect(decideTransition(unassigned(), { action: 'transfer_group', targetGroupId: SUPPORT }, mia, ctx)).toEqual(noop);
  });

  it('is refused while distributing, while locked, and once closed', () => {
    expect(decideTransition(unassigned({ distributing: true, groupId: null }), { action: 'transfer_group', targetGroupId: SALES }, owner, ctx))
      .toEqual(rejected(REJECT.distributing));
    expect(decideTransition(unassigned({ locked: true }), { action: 'transfer_group', targetGroupId: SALES }, owner, ctx)).toEqual(rejected(REJECT.locked));
    expect(decideTransition(closedBy(mia.userId), { action: 'transfer_group', targetGroupId: SALES }, mia, ctx)).toEqual(rejected(REJECT.closed));
  });
});

describe('T7 Return to Unassigned', () => {
  it('keeps the group, clears the responsible operator and restarts the clock', () => {
    const d = expectApplied(decideTransition(heldBy(mia.userId), { action: 'return' }, mia, ctx));
    expect(d.next).toMatchObject({ status: 'unassigned', assigneeId: null, groupId: SUPPORT, queryId: Q });
    expect(d).toMatchObject({ event: 'returned', restartsClock: true, newQuery: null, closesQuery: false });
  });

  it('of someone else’s conversation needs reassign_any or the owner', () => {
    expect(decideTransition(heldBy(mia.userId), { action: 'return' }, watcher, ctx)).toEqual(rejected(REJECT.accessDenied));
    expect(decideTransition(heldBy(mia.userId), { action: 'return' }, lead, ctx).outcome).toBe('applied');
    expect(decideTransition(heldBy(mia.userId), { action: 'return' }, owner, ctx).outcome).toBe('applied');
  });

  it('on a conversation already Unassigned is a no-op success', () => {
    expect(decideTransition(unassigned(), { action: 'return' }, mia, ctx)).toEqual(noop);
  });

  it('is refused on a closed conversation', () => {
    expect(decideTransition(closedBy(mia.userId), { action: 'return' }, mia, ctx)).toEqual(rejected(REJECT.closed));
  });
});

describe('T8 Close', () => {
  it('from Unassigned, by anyone who could take it, credits the closer and records the close group', () => {
    const d = expectApplied(decideTransition(unassigned(), { action: 'close' }, mia, ctx));
    expect(d.next).toMatchObject({ status: 'closed', assigneeId: mia.userId, groupId: SUPPORT, closeGroupId: SUPPORT });
    expect(d).toMatchObject({ event: 'closed', closesQuery: true, newQuery: null });
  });

  it('from Unassigned is refused to an operator of another group', () => {
    expect(decideTransition(unassigned(), { action: 'close' }, noah, ctx)).toEqual(rejected(REJECT.accessDenied));
  });

  it('from an inbox by its holder', () => {
    expect(expectApplied(decideTransition(heldBy(mia.userId), { action: 'close' }, mia, ctx)).next).toMatchObject({ status: 'closed', assigneeId: mia.userId });
  });

  it('from someone else’s inbox only with reassign_any or as the owner, who then becomes the closer', () => {
    expect(decideTransition(heldBy(mia.userId), { action: 'close' }, leo, ctx)).toEqual(rejected(REJECT.accessDenied));
    expect(decideTransition(heldBy(mia.userId), { action: 'close' }, watcher, ctx)).toEqual(rejected(REJECT.accessDenied));
    expect(expectApplied(decideTransition(heldBy(mia.userId), { action: 'close' }, lead, ctx)).next.assigneeId).toBe(lead.userId);
    expect(expectApplied(decideTransition(heldBy(mia.userId), { action: 'close' }, owner, ctx)).next.assigneeId).toBe(owner.userId);
  });

  it('on a closed conversation is a no-op success', () => {
    expect(decideTransition(closedBy(leo.userId), { action: 'close' }, lead, ctx)).toEqual(noop);
  });

  it('is refused while distributing or locked', () => {
    expect(decideTransition(unassigned({ distributing: true, groupId: null }), { action: 'close' }, owner, ctx)).toEqual(rejected(REJECT.distributing));
    expect(decideTransition(unassigned({ locked: true }), { action: 'close' }, mia, ctx)).toEqual(rejected(REJECT.locked));
  });
});

describe('T9 Reopen', () => {
  it('moves a closed conversation into the reopening user’s inbox, in the close group, as a new query with origin reopen', () => {
    const d = expectApplied(decideTransition(closedBy(mia.userId, { groupId: SALES, closeGroupId: SALES }), { action: 'reopen' }, seesAll, ctx));
    expect(d.next).toMatchObject({ status: 'inbox', assigneeId: seesAll.userId, groupId: SALES });
    expect(d).toMatchObject({ event: 'reopened', newQuery: 'reopen', closesQuery: false });
  });

  it('uses the close group even when the current group differs', () => {
    const d = expectApplied(decideTransition(closedBy(mia.userId, { groupId: SUPPORT, closeGroupId: SALES }), { action: 'reopen' }, mia, ctx));
    expect(d.next.groupId).toBe(SALES);
  });

  it('for another assignee (API assign-operator) puts it in that user’s inbox and refuses inactive or unknown users', () => {
    expect(expectApplied(decideTransition(closedBy(mia.userId), { action: 'reopen', targetOperatorId: leo.userId }, owner, ctx)).next.assigneeId).toBe(leo.userId);
    expect(decideTransition(closedBy(mia.userId), { action: 'reopen', targetOperatorId: 20 }, owner, ctx)).toEqual(rejected(REJECT.operatorNotActive));
    expect(decideTransition(closedBy(mia.userId), { action: 'reopen', targetOperatorId: 999 }, owner, ctx)).toEqual(rejected(REJECT.operatorNotFound));
  });

  it('when the user already holds it again is a no-op success', () => {
    expect(decideTransition(heldBy(mia.userId), { action: 'reopen' }, mia, ctx)).toEqual(noop);
  });

  it('is refused on a conversation that is not closed', () => {
    expect(decideTransition(unassigned(), { action: 'reopen' }, mia, ctx)).toEqual(rejected(REJECT.notClosed));
  });

  it('is refused to a user who cannot see the closed conversation', () => {
    expect(decideTransition(closedBy(mia.userId), { action: 'reopen' }, leo, ctx)).toEqual(rejected(REJECT.accessDenied));
  });
});

// ---- decideRequest: the precondition of product §2.5 ---------------------------------------------

describe('a desktop app’s transition request (product §2.5)', () => {
  it('is applied when the state it was made from still holds', () => {
    const conv = serverConversation();
    const d = decideRequest(unassigned(), request({ action: 'take', actorId: mia.userId }), mia, conv, ctx);
    expect(expectApplied(d).next.assigneeId).toBe(mia.userId);
  });

  it('is rejected with "Conversation was changed" when someone moved the conversation since', () => {
    const conv = serverConversation();
    const take = request({ action: 'take', actorId: mia.userId });
    expect(decideRequest(heldBy(leo.userId), take, mia, conv, ctx)).toEqual(rejected('Conversation was changed'));
    const transfer = request({ action: 'transfer_group', actorId: mia.userId, targetGroupId: SALES });
    expect(decideRequest(heldBy(leo.userId), transfer, mia, conv, ctx)).toEqual(rejected('Conversation was changed'));
  });

  it('is rejected when the query changed, even with the same status and holder', () => {
    const conv = serverConversation();
    const close = request({ action: 'close', actorId: mia.userId, expected: { status: 'inbox', assigneeId: mia.userId, queryId: Q } });
    expect(decideRequest(heldBy(mia.userId, { queryId: Q + 1 }), close, mia, conv, ctx)).toEqual(rejected(REJECT.changed));
  });

  it('whose requested state already holds is a no-op success, however stale its precondition', () => {
    const conv = serverConversation();
    // Made while Mia held it; meanwhile the lead closed it.
    const close = request({ action: 'close', actorId: mia.userId, expected: { status: 'inbox', assigneeId: mia.userId, queryId: Q } });
    expect(decideRequest(closedBy(lead.userId), close, mia, conv, ctx)).toEqual(noop);
    // Made from Unassigned; meanwhile Leo transferred it to Mia.
    expect(decideRequest(heldBy(mia.userId), request({ action: 'take', actorId: mia.userId }), mia, conv, ctx)).toEqual(noop);
  });

  it('Close is rejected when the conversation has a client message newer than the newest one the device held', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    const seen = accepted(conv, { kind: 'in', text: 'hi' }, T0 + 1_000);
    accepted(conv, { kind: 'in', text: 'are you there?' }, T0 + 2_000);
    const close = request({ action: 'close', actorId: mia.userId, expected: { status: 'inbox', assigneeId: mia.userId, queryId: Q }, seenMessageId: seen.id });
    expect(decideRequest(lifecycleStateOf(conv), close, mia, conv, ctx)).toEqual(rejected(REJECT.newerClientMessage));
  });

  it('Close is rejected when the device had seen no message at all but the client wrote', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    accepted(conv, { kind: 'in' }, T0 + 1_000);
    const close = request({ action: 'close', actorId: mia.userId, expected: { status: 'inbox', assigneeId: mia.userId, queryId: Q } });
    expect(decideRequest(lifecycleStateOf(conv), close, mia, conv, ctx)).toEqual(rejected(REJECT.newerClientMessage));
  });

  it('Close is applied when only replies and notes came after the newest client message the device held', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    const seen = accepted(conv, { kind: 'in' }, T0 + 1_000);
    accepted(conv, { kind: 'note', authorId: leo.userId }, T0 + 2_000);
    accepted(conv, { kind: 'out', authorId: mia.userId }, T0 + 3_000);
    const close = request({ action: 'close', actorId: mia.userId, expected: { status: 'inbox', assigneeId: mia.userId, queryId: Q }, seenMessageId: seen.id });
    expect(decideRequest(lifecycleStateOf(conv), close, mia, conv, ctx).outcome).toBe('applied');
  });

  it('compares messages on the server’s accepted time, not on their position in the array', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    // The client message sits later in the array but was accepted before the one the device names.
    const newest = accepted(conv, { kind: 'out', authorId: mia.userId }, T0 + 5_000);
    accepted(conv, { kind: 'in' }, T0 + 4_000);
    const close = request({ action: 'close', actorId: mia.userId, expected: { status: 'inbox', assigneeId: mia.userId, queryId: Q }, seenMessageId: newest.id });
    expect(decideRequest(lifecycleStateOf(conv), close, mia, conv, ctx).outcome).toBe('applied');
  });

  it('made in someone else’s name is refused', () => {
    const conv = serverConversation();
    expect(decideRequest(unassigned(), request({ action: 'take', actorId: leo.userId }), mia, conv, ctx)).toEqual(rejected(REJECT.accessDenied));
  });

  it('still needs the right to act once its precondition holds', () => {
    const conv = serverConversation();
    expect(decideRequest(unassigned(), request({ action: 'take', actorId: noah.userId }), noah, conv, ctx)).toEqual(rejected(REJECT.accessDenied));
  });
});

// ---- writeDecision: what the server writes --------------------------------------------------------

describe('writing an applied transition into the document', () => {
  const NOW = T0 + 60_000;

  it('take: sets status and holder and appends exactly one audit event with from and to', () => {
    const conv = serverConversation();
    const d = expectApplied(decideTransition(lifecycleStateOf(conv), { action: 'take' }, mia, ctx));
    const event = writeDecision(conv, d, { now: NOW, actorId: mia.userId, eventId: 'E1', requestId: 'R1' });
    expect(conv.getMeta()).toMatchObject({ status: 'inbox', assigneeId: mia.userId, groupId: SUPPORT, queryId: Q, previousAssigneeId: null });
    expect(conv.listEvents()).toEqual([event]);
    expect(event).toEqual({
      id: 'E1', type: 'taken', at: NOW, actorId: mia.userId, queryId: Q,
      from: { status: 'unassigned', assigneeId: null, groupId: SUPPORT }, to: { status: 'inbox', assigneeId: mia.userId, groupId: SUPPORT },
      requestId: 'R1', reason: null,
    });
    expect(conv.listQueries()).toHaveLength(1);
  });

  it('close: records close time, closer and close group on the conversation and on its query', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId, groupId: SALES });
    const d = expectApplied(decideTransition(lifecycleStateOf(conv), { action: 'close' }, lead, ctx));
    writeDecision(conv, d, { now: NOW, actorId: lead.userId, eventId: 'E1' });
    expect(conv.getMeta()).toMatchObject({ status: 'closed', assigneeId: lead.userId, closedAt: NOW, closeGroupId: SALES });
    expect(conv.queries.get(String(Q))).toMatchObject({ closedAt: NOW, closerId: lead.userId, closeGroupId: SALES, clockAt: T0 });
    expect(conv.listEvents().map((e) => [e.type, e.from?.status, e.to?.status])).toEqual([['closed', 'inbox', 'closed']]);
  });

  it('return: restarts the query clock, stamps the Unassigned time and remembers the previous holder', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    const d = expectApplied(decideTransition(lifecycleStateOf(conv), { action: 'return' }, mia, ctx));
    writeDecision(conv, d, { now: NOW, actorId: mia.userId, eventId: 'E1' });
    expect(conv.queries.get(String(Q))!.clockAt).toBe(NOW);
    expect(conv.getMeta()).toMatchObject({ status: 'unassigned', assigneeId: null, groupId: SUPPORT, unassignedAt: NOW, previousAssigneeId: mia.userId });
  });

  it('transfer to a group: the clock continues, the new group is set and the previous holder is remembered', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    const d = expectApplied(decideTransition(lifecycleStateOf(conv), { action: 'transfer_group', targetGroupId: SALES }, mia, ctx));
    writeDecision(conv, d, { now: NOW, actorId: mia.userId, eventId: 'E1' });
    expect(conv.queries.get(String(Q))!.clockAt).toBe(T0);
    expect(conv.getMeta()).toMatchObject({ status: 'unassigned', groupId: SALES, unassignedAt: NOW, previousAssigneeId: mia.userId });
    expect(conv.listEvents()).toHaveLength(1);
    expect(conv.listEvents()[0]).toMatchObject({ type: 'transferred_group', from: { groupId: SUPPORT }, to: { groupId: SALES, assigneeId: null } });
  });

  it('taking after a return clears the greyed previous holder', () => {
    const conv = serverConversation({ status: 'unassigned', previousAssigneeId: leo.userId });
    writeDecision(conv, expectApplied(decideTransition(lifecycleStateOf(conv), { action: 'take' }, mia, ctx)), { now: NOW, actorId: mia.userId, eventId: 'E1' });
    expect(conv.getMeta().previousAssigneeId).toBeNull();
  });

  it('reopen: starts a new query with origin reopen in the close group, with its own clock and no topics', () => {
    const conv = serverConversation({ status: 'closed', assigneeId: mia.userId, groupId: SALES, closeGroupId: SALES, closedAt: T0 + 10 });
    conv.topics.set('5', true);
    conv.topics.set('6', true);
    const d = expectApplied(decideTransition(lifecycleStateOf(conv), { action: 'reopen' }, mia, ctx));
    writeDecision(conv, d, { now: NOW, actorId: mia.userId, eventId: 'E1', allocateQueryId: () => Q + 1 });
    expect(conv.getMeta()).toMatchObject({ status: 'inbox', assigneeId: mia.userId, groupId: SALES, queryId: Q + 1, queryOrigin: 'reopen', closedAt: null });
    expect(conv.queries.get(String(Q + 1))).toEqual({
      id: Q + 1, origin: 'reopen', startedAt: NOW, startGroupId: SALES, clockAt: NOW, firstResponseAt: null, closedAt: null, closerId: null, closeGroupId: null,
    });
    expect(conv.queries.get(String(Q))).toMatchObject({ startedAt: T0 });
    expect(conv.topicIds()).toEqual([]);
    expect(conv.listEvents()).toHaveLength(1);
    expect(conv.listEvents()[0]).toMatchObject({ type: 'reopened', queryId: Q + 1, from: { status: 'closed' }, to: { status: 'inbox' } });
  });

  it('a decision that starts a query cannot be written without a query id', () => {
    const conv = serverConversation({ status: 'closed', assigneeId: mia.userId, closeGroupId: SUPPORT });
    const d = expectApplied(decideTransition(lifecycleStateOf(conv), { action: 'reopen' }, mia, ctx));
    expect(() => writeDecision(conv, d, { now: NOW, actorId: mia.userId, eventId: 'E1' })).toThrow();
  });
});

describe('recording a request that changed nothing', () => {
  it('appends one event naming the request, its actor and the reason, and leaves the state alone', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: leo.userId });
    const before = conv.getMeta();
    const e = writeRequestOutcome(conv, { id: 'R9', actorId: mia.userId }, 'rejected', REJECT.changed, { now: T0 + 5, eventId: 'E9' });
    expect(e).toEqual({ id: 'E9', type: 'request_rejected', at: T0 + 5, actorId: mia.userId, queryId: Q, from: null, to: null, requestId: 'R9', reason: REJECT.changed });
    const n = writeRequestOutcome(conv, { id: 'R10', actorId: leo.userId }, 'noop', null, { now: T0 + 6, eventId: 'E10' });
    expect(n).toMatchObject({ type: 'request_noop', requestId: 'R10', reason: null });
    expect(conv.listEvents()).toEqual([e, n]);
    expect(conv.getMeta()).toEqual(before);
    expect(conv.decidedRequestIds()).toEqual(new Set(['R9', 'R10']));
  });
});

// ---- client messages, release, replies --------------------------------------------------------------

describe('T2/T3 a client message arrives', () => {
  it('on a closed conversation opens a new query with origin client in Unassigned of the routed group', () => {
    const d = expectApplied(decideClientMessage(closedBy(mia.userId), SALES));
    expect(d.next).toMatchObject({ status: 'unassigned', assigneeId: null, groupId: SALES, distributing: false });
    expect(d).toMatchObject({ event: 'client_request', newQuery: 'client' });
  });

  it('on a closed conversation with no group chosen yet enters the distributing sub-state', () => {
    expect(expectApplied(decideClientMessage(closedBy(mia.userId), null)).next).toMatchObject({ distributing: true, groupId: null });
  });

  it('on an open conversation changes nothing', () => {
    expect(decideClientMessage(unassigned(), SALES)).toEqual(noop);
    expect(decideClientMessage(heldBy(mia.userId), SALES)).toEqual(noop);
  });

  it('written by the server, starts the new query at that moment and stamps the Unassigned time', () => {
    const conv = serverConversation({ status: 'closed', assigneeId: mia.userId, closeGroupId: SUPPORT, closedAt: T0 + 10 });
    writeDecision(conv, expectApplied(decideClientMessage(lifecycleStateOf(conv), SUPPORT)), { now: T0 + 99, actorId: null, eventId: 'E1', allocateQueryId: () => Q + 1 });
    expect(conv.getMeta()).toMatchObject({ status: 'unassigned', assigneeId: null, queryId: Q + 1, queryOrigin: 'client', unassignedAt: T0 + 99, closedAt: null });
    expect(conv.queries.get(String(Q + 1))).toMatchObject({ origin: 'client', startedAt: T0 + 99, startGroupId: SUPPORT });
  });

  // Product §4.1 item 4: only a request that was *returned or transferred* shows its previous holder
  // greyed in Unassigned. A new request after a close was neither; the closer of the previous query
  // is not a previous holder of this one.
  it('a new request after a close shows no greyed previous holder in Unassigned', () => {
    const conv = serverConversation({ status: 'closed', assigneeId: mia.userId, closeGroupId: SUPPORT, closedAt: T0 + 10 });
    writeDecision(conv, expectApplied(decideClientMessage(lifecycleStateOf(conv), SUPPORT)), { now: T0 + 99, actorId: null, eventId: 'E1', allocateQueryId: () => Q + 1 });
    expect(projectInboxRow(conv).previousAssigneeId).toBeNull();
  });
});

describe('T10 the responsible operator is deactivated or deleted', () => {
  it('returns their conversation to Unassigned in the same group and restarts the clock', () => {
    const d = expectApplied(decideRelease(heldBy(mia.userId), mia.userId));
    expect(d.next).toMatchObject({ status: 'unassigned', assigneeId: null, groupId: SUPPORT });
    expect(d).toMatchObject({ event: 'released', restartsClock: true, newQuery: null });
  });

  it('leaves other users’ conversations and non-inbox conversations alone', () => {
    expect(decideRelease(heldBy(leo.userId), mia.userId)).toEqual(noop);
    expect(decideRelease(unassigned(), mia.userId)).toEqual(noop);
    expect(decideRelease(closedBy(mia.userId), mia.userId)).toEqual(noop);
  });
});

describe('a reply reaching the server (held or queued, product §2.5)', () => {
  const reply = (conv: ConversationDoc, authorId: number, seenMessageId: string | null, kind: 'out' | 'note' = 'out'): MessageEntry => {
    const m: MessageEntry = {
      id: newId(T0 + 50_000), kind, senderType: 'operator', authorId, text: 'on it', attachment: null, createdAt: T0 + 50_000,
      seenMessageId, externalId: null,
    };
    conv.messages.push([m]);
    return m;
  };

  it('is queued when its author holds the conversation and has seen everything', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    const seen = accepted(conv, { kind: 'in' }, T0 + 1_000);
    expect(replyDisposition(conv, reply(conv, mia.userId, seen.id))).toBe('queued');
  });

  it('is held when its author no longer holds the conversation', () => {
    const seenIn = (conv: ConversationDoc) => accepted(conv, { kind: 'in' }, T0 + 1_000).id;
    const other = serverConversation({ status: 'inbox', assigneeId: leo.userId });
    expect(replyDisposition(other, reply(other, mia.userId, seenIn(other)))).toBe('held');
    const back = serverConversation({ status: 'unassigned' });
    expect(replyDisposition(back, reply(back, mia.userId, seenIn(back)))).toBe('held');
    const closed = serverConversation({ status: 'closed', assigneeId: mia.userId });
    expect(replyDisposition(closed, reply(closed, mia.userId, seenIn(closed)))).toBe('held');
  });

  it('is held when a client message newer than what the author’s device held exists', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    const seen = accepted(conv, { kind: 'in' }, T0 + 1_000);
    accepted(conv, { kind: 'in', text: 'never mind, solved' }, T0 + 2_000);
    expect(replyDisposition(conv, reply(conv, mia.userId, seen.id))).toBe('held');
  });

  it('is held when someone else replied after what the author’s device held', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    const seen = accepted(conv, { kind: 'in' }, T0 + 1_000);
    accepted(conv, { kind: 'out', authorId: leo.userId }, T0 + 2_000);
    expect(replyDisposition(conv, reply(conv, mia.userId, seen.id))).toBe('held');
  });

  it('is held when the author’s device had seen nothing but the client wrote', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    accepted(conv, { kind: 'in' }, T0 + 1_000);
    expect(replyDisposition(conv, reply(conv, mia.userId, null))).toBe('held');
  });

  it('is not held by the author’s own earlier reply, an autoresponse or a colleague’s note', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    const seen = accepted(conv, { kind: 'in' }, T0 + 1_000);
    accepted(conv, { kind: 'out', authorId: mia.userId }, T0 + 2_000);
    accepted(conv, { kind: 'out', senderType: 'system', authorId: null }, T0 + 3_000);
    accepted(conv, { kind: 'note', authorId: leo.userId }, T0 + 4_000);
    expect(replyDisposition(conv, reply(conv, mia.userId, seen.id))).toBe('queued');
  });

  // Product §2.7: Discard "removes it without sending", and §2.5 holds a reply only for a newer client
  // message or a reply by someone else. A colleague's discarded held reply was never sent, so it
  // must not hold the new holder's reply.
  it('is not held by someone else’s reply that was discarded without being sent', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: mia.userId });
    const seen = accepted(conv, { kind: 'in' }, T0 + 1_000);
    const stale = accepted(conv, { kind: 'out', authorId: leo.userId }, T0 + 2_000);
    conv.delivery.set(stale.id, { ...conv.delivery.get(stale.id)!, status: 'held', discarded: true });
    expect(replyDisposition(conv, reply(conv, mia.userId, seen.id))).toBe('queued');
  });

  it('notes are never held, even by someone who does not hold the conversation', () => {
    const conv = serverConversation({ status: 'inbox', assigneeId: leo.userId });
    accepted(conv, { kind: 'in' }, T0 + 1_000);
    expect(replyDisposition(conv, reply(conv, mia.userId, null, 'note'))).toBe('queued');
  });
});
