/** An in-memory LocalStore for Node tests and tools (no persistence across processes). */
import type { InboxRow } from '../conversation/projection';
import { parseDocName } from '../conversation/doc';
import type { LocalStore, OutboxEntry, RemoteUpdate, SyncState } from './local-store';

export class MemoryStore implements LocalStore {
  state: SyncState = { cursor: 0, epoch: 0, userId: null, companyId: null };
  readonly docs = new Map<string, Uint8Array[]>();
  readonly outbox = new Map<number, OutboxEntry>();
  readonly rows = new Map<number, InboxRow>();
  private nextOutbox = 1;

  async readSyncState(): Promise<SyncState> {
    return { ...this.state };
  }
  async writeSyncState(patch: Partial<SyncState>): Promise<void> {
    this.state = { ...this.state, ...patch };
  }
  async docNames(): Promise<string[]> {
    return [...this.docs.keys()];
  }
  async readDoc(name: string): Promise<Uint8Array[]> {
    return [...(this.docs.get(name) ?? [])];
  }
  async saveRemote(updates: RemoteUpdate[], rows: InboxRow[], cursor?: number): Promise<void> {
    for (const u of updates) this.append(u.doc, u.update);
    for (const r of rows) this.rows.set(r.id, r);
    if (cursor !== undefined && cursor > this.state.cursor) this.state.cursor = cursor;
  }
  async saveLocal(name: string, update: Uint8Array, row: InboxRow | null): Promise<number> {
    this.append(name, update);
    if (row) this.rows.set(row.id, row);
    const id = this.nextOutbox++;
    this.outbox.set(id, { id, doc: name, update });
    return id;
  }
  async replaceDoc(name: string, update: Uint8Array): Promise<void> {
    this.docs.set(name, [update]);
  }
  async deleteDoc(name: string): Promise<void> {
    this.docs.delete(name);
    for (const [id, e] of this.outbox) if (e.doc === name) this.outbox.delete(id);
    const parsed = parseDocName(name);
    if (parsed?.kind === 'conv') this.rows.delete(parsed.id);
  }
  async readOutbox(): Promise<OutboxEntry[]> {
    return [...this.outbox.values()].sort((a, b) => a.id - b.id);
  }
  async removeOutbox(id: number): Promise<void> {
    this.outbox.delete(id);
  }
  async outboxSize(): Promise<number> {
    return this.outbox.size;
  }
  private append(name: string, update: Uint8Array): void {
    if (!this.docs.has(name)) this.docs.set(name, []);
    this.docs.get(name)!.push(update);
  }
}
