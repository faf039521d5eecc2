/**
 * One awareness space per company: each connection owns exactly one entry (its declared client
 * id), validated on every frame; the server owns one more entry with every operator's presence
 * (online / away / offline, with a 60 s grace before offline, product §6.2.4).
 */
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { Presence, ServerPresence } from '../../src-core/presence';
import { decodeAwarenessUpdate, validateConnectionPresence } from '../../src-core/presence';

export const OFFLINE_GRACE_MS = 60_000;

export interface PresenceMember {
  userId: number;
  awarenessId: number;
  send(update: Uint8Array): void;
}

export class CompanyPresence {
  readonly awareness: awarenessProtocol.Awareness;
  private readonly members = new Set<PresenceMember>();
  private readonly lastSeen = new Map<number, number>();
  private readonly offlineTimers = new Map<number, NodeJS.Timeout>();
  private away = new Map<number, boolean>();

  constructor(private readonly graceMs = OFFLINE_GRACE_MS) {
    this.awareness = new awarenessProtocol.Awareness(new Y.Doc());
    this.awareness.setLocalState(null);
    this.awareness.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
      const changed = [...added, ...updated, ...removed];
      if (changed.length === 0) return;
      const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed);
      for (const m of this.members) if (m !== origin) m.send(update);
    });
  }

  get size(): number {
    return this.members.size;
  }

  join(member: PresenceMember): void {
    this.members.add(member);
    const timer = this.offlineTimers.get(member.userId);
    if (timer) {
      clearTimeout(timer);
      this.offlineTimers.delete(member.userId);
    }
    this.publishPresence();
    const everyone = [...this.awareness.getStates().keys()];
    if (everyone.length > 0) member.send(awarenessProtocol.encodeAwarenessUpdate(this.awareness, everyone));
  }

  leave(member: PresenceMember): void {
    if (!this.members.delete(member)) return;
    if (this.awareness.getStates().has(member.awarenessId)) {
      awarenessProtocol.removeAwarenessStates(this.awareness, [member.awarenessId], 'disconnect');
    }
    if (![...this.members].some((m) => m.userId === member.userId)) {
      this.lastSeen.set(member.userId, Date.now());
      const timer = setTimeout(() => {
        this.offlineTimers.delete(member.userId);
        this.publishPresence();
      }, this.graceMs);
      timer.unref();
      this.offlineTimers.set(member.userId, timer);
    }
  }

  /**
   * Applies a connection's awareness update after checking that it only touches the connection's
   * own entry and that the state is well formed. Returns an error text, or null when applied.
   */
  apply(member: PresenceMember, update: Uint8Array): string | null {
    let entries;
    try {
      entries = decodeAwarenessUpdate(update);
    } catch (err) {
      return `malformed awareness update: ${(err as Error).message}`;
    }
    for (const e of entries) {
      if (e.clientId !== member.awarenessId) return 'an awareness update may only change the connection’s own entry';
      const problem = validateConnectionPresence(e.state);
      if (problem) return problem;
      if (e.state !== null && (e.state as { userId: number }).userId !== member.userId) return 'presence userId must be the signed-in user';
    }
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, member);
    return null;
  }

  setAway(userId: number, away: boolean): void {
    this.away.set(userId, away);
    this.publishPresence();
  }

  setAwayChoices(choices: Map<number, boolean>): void {
    this.away = new Map(choices);
    this.publishPresence();
  }

  presenceOf(userId: number): Presence {
    const connected = [...this.members].some((m) => m.userId === userId) || this.offlineTimers.has(userId);
    if (!connected) return 'offline';
    return this.away.get(userId) ? 'away' : 'online';
  }

  private publishPresence(): void {
    const users = new Set<number>([...this.away.keys(), ...[...this.members].map((m) => m.userId), ...this.offlineTimers.keys()]);
    const presence: Record<string, Presence> = {};
    for (const id of users) presence[String(id)] = this.presenceOf(id);
    const state: ServerPresence = { kind: 'server', presence };
    const current = this.awareness.getLocalState() as ServerPresence | null;
    if (current && JSON.stringify(current.presence) === JSON.stringify(presence)) return;
    this.awareness.setLocalState(state);
  }

  destroy(): void {
    for (const t of this.offlineTimers.values()) clearTimeout(t);
    this.awareness.destroy();
  }
}
