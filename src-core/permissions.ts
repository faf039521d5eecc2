/**
 * The permission model (product §6.4): roles are named permission sets; the super-admin (owner)
 * holds every permission and a few that no role can grant.
 */
export const PERMISSIONS = [
  'conversations.view_all_groups',
  'conversations.view_all_inboxes',
  'conversations.reassign_any',
  'analytics.view_own_groups',
  'analytics.view_all',
  'operators.view',
  'groups.manage',
  'keywords.manage',
  'apps.manage',
  'widget.manage',
  'settings.manage',
  'action_log.view',
  'export.unrestricted',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/** Abilities reserved to the super-admin; no role can grant them (product §6.4). */
export const OWNER_ONLY = ['operators.invite', 'operators.remove', 'roles.manage', 'api_token.manage', 'settings.advanced'] as const;
export type OwnerOnlyAbility = (typeof OWNER_ONLY)[number];

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value);
}

/** Who is acting: everything the permission checks need, nothing more. */
export interface Actor {
  userId: number;
  companyId: number;
  isOwner: boolean;
  groupIds: readonly number[];
  permissions: ReadonlySet<Permission>;
}

export function makeActor(input: {
  userId: number;
  companyId: number;
  isOwner: boolean;
  groupIds: readonly number[];
  permissions?: Iterable<string>;
}): Actor {
  const permissions = new Set<Permission>();
  for (const p of input.permissions ?? []) if (isPermission(p)) permissions.add(p);
  return { userId: input.userId, companyId: input.companyId, isOwner: input.isOwner, groupIds: [...input.groupIds], permissions };
}

export function can(actor: Actor, permission: Permission | OwnerOnlyAbility): boolean {
  if (actor.isOwner) return true;
  return (PERMISSIONS as readonly string[]).includes(permission) && actor.permissions.has(permission as Permission);
}

/** The access-relevant part of a conversation: what the read rule of product §4.2 looks at. */
export interface ConversationAccess {
  status: 'unassigned' | 'inbox' | 'closed';
  assigneeId: number | null;
  groupId: number | null;
  distributing: boolean;
}

/**
 * A user's device holds exactly the conversations its tabs and views list (product §4.2):
 * Unassigned of the user's groups (all groups with view_all_groups; distributing ones only with it),
 * the user's own My inbox and Closed, everyone's inboxes with view_all_inboxes, everyone's Closed
 * with view_all_groups. The super-admin sees everything.
 */
export function canReadConversation(actor: Actor, conv: ConversationAccess): boolean {
  if (actor.isOwner) return true;
  const allGroups = actor.permissions.has('conversations.view_all_groups');
  switch (conv.status) {
    case 'unassigned':
      if (conv.distributing || conv.groupId === null) return allGroups;
      return allGroups || actor.groupIds.includes(conv.groupId);
    case 'inbox':
      return conv.assigneeId === actor.userId || actor.permissions.has('conversations.view_all_inboxes');
    case 'closed':
      return conv.assigneeId === actor.userId || allGroups;
  }
}

/**
 * Writing replies, notes, requests, topics, tags and the custom name needs the conversation to be
 * one the user may act on; `view_all_inboxes` alone is read-only for other users' inboxes.
 */
export function canWriteConversation(actor: Actor, conv: ConversationAccess): boolean {
  if (!canReadConversation(actor, conv)) return false;
  if (actor.isOwner) return true;
  if (conv.status === 'inbox' && conv.assigneeId !== actor.userId) {
    return actor.permissions.has('conversations.reassign_any');
  }
  return true;
}

/** Whether the actor may take over, transfer, return or close a conversation held by someone else. */
export function canReassignAny(actor: Actor): boolean {
  return can(actor, 'conversations.reassign_any');
}

/** Whether the actor could take this unassigned request (product §4.4 A2). */
export function couldTake(actor: Actor, conv: ConversationAccess): boolean {
  if (conv.status !== 'unassigned' || conv.distributing || conv.groupId === null) return false;
  if (actor.isOwner || actor.permissions.has('conversations.view_all_groups')) return true;
  return actor.groupIds.includes(conv.groupId);
}
