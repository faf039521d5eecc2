import { describe, expect, it } from 'vitest';
import { chooseGroup, defaultGroupId, type RoutingGroup } from './routing';

const DEFAULT = 1;
const SALES = 2;
const SUPPORT = 3;
const VIP = 4;
// Smaller priority number = higher priority (product §6.3).
const groups: RoutingGroup[] = [
  { id: DEFAULT, priority: 5, isDefault: true },
  { id: SALES, priority: 3, isDefault: false },
  { id: SUPPORT, priority: 7, isDefault: false },
  { id: VIP, priority: 1, isDefault: false },
];

describe('routing of new requests, base behaviour (product §6.6 rule 4)', () => {
  it('a new conversation goes to the Default group', () => {
    expect(chooseGroup({ groups, pinnedGroupIds: [], previousCloseGroupId: null, isNewConversation: true })).toBe(DEFAULT);
  });

  it('a returning request goes to the group its previous query was closed in', () => {
    expect(chooseGroup({ groups, pinnedGroupIds: [], previousCloseGroupId: SUPPORT, isNewConversation: false })).toBe(SUPPORT);
  });

  it('a returning request goes to Default when the close group no longer exists', () => {
    expect(chooseGroup({ groups, pinnedGroupIds: [], previousCloseGroupId: 99, isNewConversation: false })).toBe(DEFAULT);
  });

  it('a returning request without a known close group goes to Default', () => {
    expect(chooseGroup({ groups, pinnedGroupIds: [], previousCloseGroupId: null, isNewConversation: false })).toBe(DEFAULT);
  });

  it('the Default group is found wherever it sits in the list', () => {
    expect(defaultGroupId([...groups].reverse())).toBe(DEFAULT);
  });

  it('a company without a Default group is an error, not a silent choice', () => {
    expect(() => defaultGroupId(groups.filter((g) => !g.isDefault))).toThrow();
  });
});

describe('pinned choice for a new conversation (product §6.6)', () => {
  it('one pinned group gets the request', () => {
    expect(chooseGroup({ groups, pinnedGroupIds: [SUPPORT], previousCloseGroupId: null, isNewConversation: true })).toBe(SUPPORT);
  });

  it('of several pinned groups, the one with the highest priority (smallest number) wins, whatever the pin order', () => {
    expect(chooseGroup({ groups, pinnedGroupIds: [SUPPORT, SALES], previousCloseGroupId: null, isNewConversation: true })).toBe(SALES);
    expect(chooseGroup({ groups, pinnedGroupIds: [SALES, SUPPORT, VIP], previousCloseGroupId: null, isNewConversation: true })).toBe(VIP);
  });

  it('pins to groups that no longer exist are ignored', () => {
    expect(chooseGroup({ groups, pinnedGroupIds: [99, SUPPORT], previousCloseGroupId: null, isNewConversation: true })).toBe(SUPPORT);
    expect(chooseGroup({ groups, pinnedGroupIds: [99], previousCloseGroupId: null, isNewConversation: true })).toBe(DEFAULT);
  });
});
