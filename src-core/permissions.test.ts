import { describe, expect, it } from 'vitest';
import {
  OWNER_ONLY, PERMISSIONS, can, canReadConversation, canReassignAny, canWriteConversation, couldTake, makeActor,
  type ConversationAccess,
} from './permissions';

const SUPPORT = 1;
const SALES = 2;

const owner = makeActor({ userId: 1, companyId: 9, isOwner: true, groupIds: [] });
const mia = makeActor({ userId: 10, companyId: 9, isOwner: false, groupIds: [SUPPORT] });
const noah = makeActor({ userId: 11, companyId: 9, isOwner: false, groupIds: [SALES] });
const allGroups = makeActor({ userId: 12, companyId: 9, isOwner: false, groupIds: [SALES], permissions: ['conversations.view_all_groups'] });
const allInboxes = makeActor({ userId: 13, companyId: 9, isOwner: false, groupIds: [SALES], permissions: ['conversations.view_all_inboxes'] });
const reassigner = makeActor({ userId: 14, companyId: 9, isOwner: false, groupIds: [SALES], permissions: ['conversations.reassign_any'] });

const unassigned = (groupId: number | null, distributing = false): ConversationAccess => ({ status: 'unassigned', assigneeId: null, groupId, distributing });
const inboxOf = (userId: number): ConversationAccess => ({ status: 'inbox', assigneeId: userId, groupId: SUPPORT, distributing: false });
const closedBy = (userId: number): ConversationAccess => ({ status: 'closed', assigneeId: userId, groupId: SUPPORT, distributing: false });

describe('who may read a conversation (product §4.2)', () => {
  it('an operator sees Unassigned requests of their own groups only', () => {
    expect(canReadConversation(mia, unassigned(SUPPORT))).toBe(true);
    expect(canReadConversation(noah, unassigned(SUPPORT))).toBe(false);
  });

  it('view_all_groups shows Unassigned requests of every group', () => {
    expect(canReadConversation(allGroups, unassigned(SUPPORT))).toBe(true);
  });

  it('distributing requests are seen only by the owner and view_all_groups, not by group members', () => {
    expect(canReadConversation(mia, unassigned(null, true))).toBe(false);
    expect(canReadConversation(mia, unassigned(SUPPORT, true))).toBe(false);
    expect(canReadConversation(allGroups, unassigned(null, true))).toBe(true);
    expect(canReadConversation(owner, unassigned(null, true))).toBe(true);
  });

  it('My inbox is private: its holder sees it, others of the same group do not', () => {
    const colleague = makeActor({ userId: 15, companyId: 9, isOwner: false, groupIds: [SUPPORT] });
    expect(canReadConversation(mia, inboxOf(mia.userId))).toBe(true);
    expect(canReadConversation(colleague, inboxOf(mia.userId))).toBe(false);
    expect(canReadConversation(allGroups, inboxOf(mia.userId))).toBe(false);
  });

  it('view_all_inboxes shows other users’ inboxes', () => {
    expect(canReadConversation(allInboxes, inboxOf(mia.userId))).toBe(true);
  });

  it('Closed shows what I closed; what others closed needs view_all_groups', () => {
    expect(canReadConversation(mia, closedBy(mia.userId))).toBe(true);
    expect(canReadConversation(noah, closedBy(mia.userId))).toBe(false);
    expect(canReadConversation(allGroups, closedBy(mia.userId))).toBe(true);
  });

  it('the owner sees every conversation in every status', () => {
    for (const c of [unassigned(SUPPORT), unassigned(SALES), unassigned(null, true), inboxOf(mia.userId), closedBy(noah.userId)]) {
      expect(canReadConversation(owner, c)).toBe(true);
    }
  });
});

describe('who may write to a conversation', () => {
  it('view_all_inboxes alone is read-only on someone else’s inbox', () => {
    expect(canReadConversation(allInboxes, inboxOf(mia.userId))).toBe(true);
    expect(canWriteConversation(allInboxes, inboxOf(mia.userId))).toBe(false);
  });

  it('reassign_any may write to someone else’s inbox it can see', () => {
    const both = makeActor({ userId: 16, companyId: 9, isOwner: false, groupIds: [SALES], permissions: ['conversations.view_all_inboxes', 'conversations.reassign_any'] });
    expect(canWriteConversation(both, inboxOf(mia.userId))).toBe(true);
  });

  it('nobody writes to what they cannot read, whatever their other rights', () => {
    expect(canWriteConversation(reassigner, inboxOf(mia.userId))).toBe(false);
    expect(canWriteConversation(noah, unassigned(SUPPORT))).toBe(false);
  });

  it('the holder, group members on Unassigned, the closer and the owner may write', () => {
    expect(canWriteConversation(mia, inboxOf(mia.userId))).toBe(true);
    expect(canWriteConversation(mia, unassigned(SUPPORT))).toBe(true);
    expect(canWriteConversation(mia, closedBy(mia.userId))).toBe(true);
    expect(canWriteConversation(owner, inboxOf(mia.userId))).toBe(true);
  });
});

describe('who could take a request (product §4.4 A2)', () => {
  it('members of its group, view_all_groups and the owner', () => {
    expect(couldTake(mia, unassigned(SUPPORT))).toBe(true);
    expect(couldTake(allGroups, unassigned(SUPPORT))).toBe(true);
    expect(couldTake(owner, unassigned(SUPPORT))).toBe(true);
    expect(couldTake(noah, unassigned(SUPPORT))).toBe(false);
  });

  it('nobody while it is distributing', () => {
    expect(couldTake(owner, unassigned(null, true))).toBe(false);
    expect(couldTake(allGroups, unassigned(SUPPORT, true))).toBe(false);
  });

  it('nobody once it left Unassigned', () => {
    expect(couldTake(owner, inboxOf(mia.userId))).toBe(false);
    expect(couldTake(mia, closedBy(mia.userId))).toBe(false);
  });
});

describe('abilities (product §6.4)', () => {
  it('a role grants exactly the permissions it lists', () => {
    expect(can(reassigner, 'conversations.reassign_any')).toBe(true);
    expect(can(reassigner, 'analytics.view_all')).toBe(false);
    expect(canReassignAny(reassigner)).toBe(true);
    expect(canReassignAny(mia)).toBe(false);
  });

  it('owner-only abilities are never granted by a role, even one that lists them', () => {
    const everything = makeActor({ userId: 20, companyId: 9, isOwner: false, groupIds: [SUPPORT], permissions: [...PERMISSIONS, ...OWNER_ONLY] });
    for (const p of PERMISSIONS) expect(can(everything, p), p).toBe(true);
    for (const ability of OWNER_ONLY) expect(can(everything, ability), ability).toBe(false);
  });

  it('the owner has every permission and every owner-only ability without a role', () => {
    for (const p of [...PERMISSIONS, ...OWNER_ONLY]) expect(can(owner, p), p).toBe(true);
  });

  it('unknown permission names in a role are ignored', () => {
    const odd = makeActor({ userId: 21, companyId: 9, isOwner: false, groupIds: [], permissions: ['conversations.delete_all', 'roles.manage'] });
    expect(odd.permissions.size).toBe(0);
  });
});
