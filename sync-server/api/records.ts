/**
 * Conversations as the REST API reads them: from the relational mirror (`conversations.row`, the
 * InboxRow kept in step with every document change), never by loading documents.
 */
import type { Actor } from '../../src-core/permissions';
import type { Application } from '../../src-core/conversation/types';
import type { InboxRow } from '../../src-core/conversation/projection';
import type { Storage } from '../storage/storage';
import type { ConversationSource } from './objects';

function selectRecords(storage: Storage, companyId: number) {
  return storage.db
    .selectFrom('conversations')
    .innerJoin('clients', 'clients.id', 'conversations.client_id')
    .select(['conversations.id', 'conversations.row', 'conversations.token', 'conversations.updated_at', 'clients.name as client_name'])
    .where('conversations.company_id', '=', companyId);
}

function toSource(r: { id: number; row: string; token: string; updated_at: number; client_name: string }): ConversationSource | null {
  const row = JSON.parse(r.row) as InboxRow;
  // `{}` exists only inside the write section that creates the conversation.
  if (typeof row.id !== 'number' || row.id !== r.id) return null;
  return { row, token: r.token, updatedAt: r.updated_at, clientChannelName: r.client_name };
}

export async function loadConversationRecord(storage: Storage, companyId: number, conversationId: number): Promise<ConversationSource | null> {
  const r = await storage.first(selectRecords(storage, companyId).where('conversations.id', '=', conversationId));
  return r ? toSource(r) : null;
}

/** Which unassigned conversations a user sees (product §4.2): the mirror of `canReadConversation`. */
export type UnassignedScope = { all: true } | { all: false; groupIds: readonly number[] };

export function unassignedScopeOf(actor: Actor): UnassignedScope {
  if (actor.isOwner || actor.permissions.has('conversations.view_all_groups')) return { all: true };
  return { all: false, groupIds: actor.groupIds };
}

export interface UnassignedQuery {
  scope: UnassignedScope;
  groupId?: number;
  application?: Application;
  limit: number;
  offset: number;
}

/** Unassigned conversations, newest `date_updated` first (product §11.3). */
export async function listUnassigned(storage: Storage, companyId: number, q: UnassignedQuery): Promise<ConversationSource[]> {
  let query = selectRecords(storage, companyId).where('conversations.status', '=', 'unassigned');
  if (!q.scope.all) {
    // Distributing conversations have no group yet: only users who see all groups see them.
    if (q.scope.groupIds.length === 0) return [];
    query = query.where('conversations.group_id', 'in', [...q.scope.groupIds]).where('conversations.distributing', '=', 0);
  }
  if (q.groupId !== undefined) query = query.where('conversations.group_id', '=', q.groupId);
  if (q.application !== undefined) query = query.where('conversations.application', '=', q.application);
  const rows = await storage.all(
    query.orderBy('conversations.updated_at', 'desc').orderBy('conversations.id', 'desc').limit(q.limit).offset(q.offset),
  );
  return rows.map(toSource).filter((s): s is ConversationSource => s !== null);
}
