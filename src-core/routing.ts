/**
 * Routing of new requests (product §6.6), as a pure function. This release implements the base
 * behaviour (rule 4) and pinning; keyword distribution and Auto assign plug in here later.
 */
export interface RoutingGroup {
  id: number;
  priority: number;
  isDefault: boolean;
}

export interface RoutingInput {
  groups: readonly RoutingGroup[];
  /** Groups the account channel is pinned to, in order (empty = not pinned). */
  pinnedGroupIds: readonly number[];
  /** For a returning request: the group its previous query was closed in. */
  previousCloseGroupId: number | null;
  isNewConversation: boolean;
}

export function defaultGroupId(groups: readonly RoutingGroup[]): number {
  const def = groups.find((g) => g.isDefault);
  if (!def) throw new Error('a company always has a Default group');
  return def.id;
}

/** Chooses the group of a request that starts with a client message (T1, T2). */
export function chooseGroup(input: RoutingInput): number {
  const exists = (id: number | null): id is number => id !== null && input.groups.some((g) => g.id === id);
  const pinned = input.pinnedGroupIds.filter((id) => exists(id));
  if (pinned.length > 0 && input.isNewConversation) {
    // Pinned choice without keyword distribution: the pinned group with the highest priority.
    return [...pinned].sort((a, b) => priorityOf(input.groups, a) - priorityOf(input.groups, b))[0];
  }
  if (input.isNewConversation) return defaultGroupId(input.groups);
  return exists(input.previousCloseGroupId) ? input.previousCloseGroupId : defaultGroupId(input.groups);
}

function priorityOf(groups: readonly RoutingGroup[], id: number): number {
  return groups.find((g) => g.id === id)?.priority ?? Number.MAX_SAFE_INTEGER;
}
