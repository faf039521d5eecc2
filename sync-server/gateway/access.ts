/**
 * Who may read which document, answered from the relational mirror (no document is loaded):
 * the company document by every operator of the company; a conversation by the rule of
 * product §4.2; a client's personal data by whoever may read that client's conversation.
 */
import { canReadConversation, type Actor, type ConversationAccess } from '../../src-core/permissions';
import { parseDocName } from '../../src-core/conversation/doc';
import type { Storage } from '../storage/storage';

export interface DocAccessInfo {
  name: string;
  companyId: number;
  /** Null for the company document (readable by every operator of the company). */
  conversation: ConversationAccess | null;
}

type Row = { id: number; company_id: number; client_id: number; status: 'unassigned' | 'inbox' | 'closed'; assignee_id: number | null; group_id: number | null; distributing: number };

function accessOfRow(r: Row): ConversationAccess {
  return { status: r.status, assigneeId: r.assignee_id, groupId: r.group_id, distributing: r.distributing === 1 };
}

export class AccessIndex {
  constructor(private readonly storage: Storage) {}

  /** Access facts of many documents at once (unknown or foreign documents are left out). */
  async describe(companyId: number, names: readonly string[]): Promise<Map<string, DocAccessInfo>> {
    const out = new Map<string, DocAccessInfo>();
    const convIds: number[] = [];
    const clientIds: number[] = [];
    for (const name of names) {
      const p = parseDocName(name);
      if (!p) continue;
      if (p.kind === 'company') {
        if (p.id === companyId) out.set(name, { name, companyId, conversation: null });
      } else if (p.kind === 'conv') convIds.push(p.id);
      else clientIds.push(p.id);
    }
    const db = this.storage.db;
    const cols = ['id', 'company_id', 'client_id', 'status', 'assignee_id', 'group_id', 'distributing'] as const;
    for (let i = 0; i < convIds.length; i += 500) {
      const rows = (await this.storage.all(db.selectFrom('conversations').select(cols).where('id', 'in', convIds.slice(i, i + 500)))) as Row[];
      for (const r of rows) if (r.company_id === companyId) out.set(`conv/${r.id}`, { name: `conv/${r.id}`, companyId, conversation: accessOfRow(r) });
    }
    for (let i = 0; i < clientIds.length; i += 500) {
      const rows = (await this.storage.all(db.selectFrom('conversations').select(cols).where('client_id', 'in', clientIds.slice(i, i + 500)))) as Row[];
      for (const r of rows) if (r.company_id === companyId) out.set(`client/${r.client_id}`, { name: `client/${r.client_id}`, companyId, conversation: accessOfRow(r) });
    }
    return out;
  }

  async canRead(actor: Actor, name: string): Promise<boolean> {
    const info = (await this.describe(actor.companyId, [name])).get(name);
    return info !== undefined && readable(actor, info);
  }

  /** Every conversation document of a company the actor may read (a full resync). */
  async readableConversations(actor: Actor): Promise<string[]> {
    const db = this.storage.db;
    const rows = (await this.storage.all(
      db.selectFrom('conversations').select(['id', 'company_id', 'client_id', 'status', 'assignee_id', 'group_id', 'distributing']).where('company_id', '=', actor.companyId),
    )) as Row[];
    return rows.filter((r) => canReadConversation(actor, accessOfRow(r))).map((r) => `conv/${r.id}`);
  }
}

export function readable(actor: Actor, info: DocAccessInfo): boolean {
  if (info.companyId !== actor.companyId) return false;
  return info.conversation === null || canReadConversation(actor, info.conversation);
}
