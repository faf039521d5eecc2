/**
 * One device's sync peer: keeps a LocalStore in step with the sync server over the multiplexed
 * protocol, without knowing which medium the store uses (Dexie in the app, memory in tests).
 *
 * - Local edits are applied in memory, persisted with their outbox entry, then sent; the outbox
 *   is cleared only by the server's acknowledgement, so nothing is lost offline or sent twice
 *   (Yjs updates are idempotent, and the server applies each message id once).
 * - On (re)connect: hello with the cursor → push the outbox → state-vector sync of every changed
 *   document in batches, the open ones first → the cursor moves to the welcome's head.
 * - A refused update makes the device drop its copy of that document (its unsent replies and
 *   notes are handed to `onRejected` to keep as drafts) and sync it again.
 */
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { CompanyDoc, actorFromCompanyDoc } from '../company';
import { ConversationDoc, companyDocName, parseDocName } from '../conversation/doc';
import { projectInboxRow, type InboxRow } from '../conversation/projection';
import type { MessageEntry } from '../conversation/types';
import type { Actor } from '../permissions';
import { PROTOCOL_VERSION, decodeFrame, encodeFrame, type Frame, type WelcomeFrame } from '../protocol/wire';
import type { LocalStore, RemoteUpdate } from './local-store';

export type PeerStatus = 'offline' | 'connecting' | 'syncing' | 'online' | 'unauthorized';

/** The subset of the WebSocket API the peer uses (browser WebSocket and `ws` both fit). */
export interface PeerSocket {
  binaryType: string;
  readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'message' | 'error', listener: (ev: any) => void): void;
}

export interface PeerOptions {
  /** `ws(s)://host:port/sync` */
  url: string;
  store: LocalStore;
  /** Returns a valid access token; `refresh` asks for a new one after the server refused it. */
  getToken(refresh: boolean): Promise<string | null>;
  createSocket(url: string): PeerSocket;
  /** Documents asked for per batch during catch-up. */
  batchSize?: number;
  /** Catch-up batches in flight at once (default 2). */
  pipeline?: number;
  /** Conversation documents kept decoded in memory (the open ones are never evicted). */
  cacheSize?: number;
  /** A document is compacted in the store past this many stored updates. */
  compactAfter?: number;
  reconnectDelayMs?: { min: number; max: number };
  onStatus?(status: PeerStatus, pending: number): void;
  onDocChanged?(name: string, origin: 'local' | 'remote'): void;
  onRevoked?(name: string): void;
  /** Replies and notes the server never accepted, from a document the device had to drop. */
  onRejected?(name: string, reason: string, unsent: MessageEntry[]): void;
  onError?(message: string): void;
}

const OPEN = 1;
/** The state vector of an empty document. */
const EMPTY_STATE_VECTOR = Y.encodeStateVector(new Y.Doc());

export class SyncPeer {
  readonly awareness: awarenessProtocol.Awareness;
  private readonly store: LocalStore;
  private readonly docs = new Map<string, Y.Doc>();
  private readonly loading = new Map<string, Promise<Y.Doc>>();
  private readonly storedCounts = new Map<string, number>();
  private readonly pinned = new Map<string, number>();
  private socket: PeerSocket | null = null;
  private ready = false;
  private stopped = true;
  private status: PeerStatus = 'offline';
  private pending = 0;
  private chain: Promise<void> = Promise.resolve();
  private localChain: Promise<unknown> = Promise.resolve();
  /** Catch-up batches being loaded and sent, in order. */
  private sendChain: Promise<unknown> = Promise.resolve();
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private reconnectAttempt = 0;
  private tokenRefused = false;
  /** Catch-up in progress: documents still to be answered and the head to move to. */
  private catchUp: { waiting: Set<string>; queue: string[]; head: number } | null = null;
  private userId: number | null = null;
  private companyId: number | null = null;
  private actor: Actor | null = null;
  private cursor = 0;

  constructor(private readonly opts: PeerOptions) {
    this.store = opts.store;
    this.awareness = new awarenessProtocol.Awareness(new Y.Doc());
    this.awareness.setLocalState(null);
    this.awareness.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
      if (origin === 'remote') return;
      const changed = [...added, ...updated, ...removed].filter((id) => id === this.awareness.clientID);
      if (changed.length > 0 && this.ready) this.sendFrame({ type: 'awareness', update: awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed) });
    });
  }

  // ---- lifecycle --------------------------------------------------------------------------------

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.tokenRefused = false;
    void this.refreshPending();
    // The viewer is known from the stored company document before any welcome (offline start).
    this.chain = this.chain.then(() => this.restoreViewer()).catch((err) => this.opts.onError?.(`restore failed: ${(err as Error).message}`));
    this.connect();
  }

  private async restoreViewer(): Promise<void> {
    if (this.actor) return;
    const state = await this.store.readSyncState();
    if (state.userId === null || state.companyId === null) return;
    this.userId = state.userId;
    this.companyId = state.companyId;
    this.refreshActor(await this.getDoc(companyDocName(state.companyId)));
  }

  stop(): void {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.socket?.close(1000, 'stopped');
    this.socket = null;
    this.ready = false;
    this.setStatus('offline');
  }

  destroy(): void {
    this.stop();
    this.awareness.destroy();
    for (const d of this.docs.values()) d.destroy();
    this.docs.clear();
  }

  /** Resolves when every frame received so far has been processed and stored. */
  async idle(): Promise<void> {
    let last: Promise<unknown> | null = null;
    let lastLocal: Promise<unknown> | null = null;
    let lastSend: Promise<unknown> | null = null;
    while (last !== this.chain || lastLocal !== this.localChain || lastSend !== this.sendChain) {
      last = this.chain;
      lastLocal = this.localChain;
      lastSend = this.sendChain;
      await Promise.all([this.chain, this.localChain, this.sendChain]);
    }
  }

  get currentStatus(): PeerStatus {
    return this.status;
  }

  get pendingChanges(): number {
    return this.pending;
  }

  get caughtUp(): boolean {
    return this.ready && this.catchUp === null;
  }

  private connect(): void {
    if (this.stopped) return;
    this.setStatus('connecting');
    void this.opts.getToken(this.tokenRefused).then(
      (token) => {
        if (this.stopped) return;
        if (!token) {
          this.setStatus('unauthorized');
          return;
        }
        let socket: PeerSocket;
        try {
          socket = this.opts.createSocket(this.opts.url);
        } catch {
          this.scheduleReconnect();
          return;
        }
        socket.binaryType = 'arraybuffer';
        this.socket = socket;
        socket.addEventListener('open', () => {
          void this.store.readSyncState().then((state) => {
            if (this.socket !== socket) return;
            this.cursor = state.cursor;
            this.sendFrame({ type: 'hello', token, cursor: state.cursor, epoch: state.epoch, awarenessId: this.awareness.clientID, protocol: PROTOCOL_VERSION });
          });
        });
        socket.addEventListener('message', (ev: { data: ArrayBuffer | Uint8Array }) => {
          if (this.socket !== socket) return;
          const bytes = ev.data instanceof Uint8Array ? ev.data : new Uint8Array(ev.data);
          let frame: Frame;
          try {
            frame = decodeFrame(bytes);
          } catch (err) {
            this.opts.onError?.(`malformed frame from server: ${(err as Error).message}`);
            return;
          }
          this.chain = this.chain.then(() => this.handle(frame)).catch((err) => this.opts.onError?.(`sync failed: ${(err as Error).message}`));
        });
        socket.addEventListener('close', (ev: { code: number }) => {
          if (this.socket !== socket) return;
          this.socket = null;
          this.ready = false;
          this.catchUp = null;
          awarenessProtocol.removeAwarenessStates(this.awareness, [...this.awareness.getStates().keys()].filter((id) => id !== this.awareness.clientID), 'remote');
          if (ev.code === 4401) {
            if (this.tokenRefused) {
              this.setStatus('unauthorized');
              return;
            }
            this.tokenRefused = true;
          } else if (ev.code === 4403) {
            this.setStatus('unauthorized');
            return;
          }
          this.setStatus('offline');
          this.scheduleReconnect();
        });
        socket.addEventListener('error', () => undefined);
      },
      () => this.scheduleReconnect(),
    );
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const { min, max } = this.opts.reconnectDelayMs ?? { min: 250, max: 5000 };
    const delay = Math.min(max, min * 2 ** this.reconnectAttempt) * (0.5 + Math.random() / 2);
    this.reconnectAttempt++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private sendFrame(frame: Frame): void {
    if (this.socket && this.socket.readyState === OPEN) this.socket.send(encodeFrame(frame));
  }

  private setStatus(status: PeerStatus): void {
    this.status = status;
    this.opts.onStatus?.(status, this.pending);
  }

  private async refreshPending(): Promise<void> {
    this.pending = await this.store.outboxSize();
    this.opts.onStatus?.(this.status, this.pending);
  }

  // ---- documents --------------------------------------------------------------------------------

  /** The decoded document (loaded from the store on first use). */
  async getDoc(name: string): Promise<Y.Doc> {
    const hot = this.docs.get(name);
    if (hot) {
      this.docs.delete(name);
      this.docs.set(name, hot);
      return hot;
    }
    let p = this.loading.get(name);
    if (!p) {
      p = this.store.readDoc(name).then((updates) => this.materialize(name, updates)).finally(() => this.loading.delete(name));
      this.loading.set(name, p);
    }
    return p;
  }

  /** The decoded document from its stored updates (unless a concurrent load got there first). */
  private materialize(name: string, updates: Uint8Array[]): Y.Doc {
    const existing = this.docs.get(name);
    if (existing) return existing;
    // Named by its document: a Y.Doc without a guid draws a random UUID (31 getRandomValues calls).
    const doc = new Y.Doc({ guid: name });
    if (updates.length > 0) Y.applyUpdate(doc, updates.length === 1 ? updates[0] : Y.mergeUpdates(updates), 'store');
    this.storedCounts.set(name, updates.length);
    this.docs.set(name, doc);
    this.evict();
    return doc;
  }

  /**
   * Loads the documents of a catch-up batch that are not in memory with one store read (one
   * IndexedDB transaction instead of one per document, twice: for the state vector and again
   * for the answer). Concurrent `getDoc` calls share these loads.
   */
  private async preload(names: string[]): Promise<void> {
    const cold = names.filter((n) => !this.docs.has(n) && !this.loading.has(n));
    if (cold.length === 0) return;
    const read = this.store.readDocs ? this.store.readDocs(cold) : Promise.all(cold.map((n) => this.store.readDoc(n)));
    const loads = cold.map((name, i) => {
      const p = read.then((all) => this.materialize(name, all[i] ?? [])).finally(() => this.loading.delete(name));
      this.loading.set(name, p);
      return p;
    });
    await Promise.all(loads);
  }

  /** Keeps a document decoded while the UI shows it; returns the release function. */
  pin(name: string): () => void {
    this.pinned.set(name, (this.pinned.get(name) ?? 0) + 1);
    if (this.catchUp && this.catchUp.queue.includes(name)) {
      // The open conversation syncs first.
      this.catchUp.queue = [name, ...this.catchUp.queue.filter((n) => n !== name)];
    }
    return () => {
      const n = (this.pinned.get(name) ?? 1) - 1;
      if (n <= 0) this.pinned.delete(name);
      else this.pinned.set(name, n);
    };
  }

  private evict(): void {
    const limit = this.opts.cacheSize ?? 200;
    if (this.docs.size <= limit) return;
    const waiting = this.catchUp?.waiting;
    for (const [name, doc] of this.docs) {
      if (this.docs.size <= limit) break;
      // Documents of a batch in flight were loaded for its answer: keep them until it arrives.
      if (this.pinned.has(name) || name.startsWith('company/') || waiting?.has(name)) continue;
      this.docs.delete(name);
      doc.destroy();
    }
  }

  /** The viewer as the company document describes them. */
  currentActor(): Actor | null {
    return this.actor;
  }

  private project(name: string, doc: Y.Doc): InboxRow | null {
    const parsed = parseDocName(name);
    if (parsed?.kind !== 'conv') return null;
    const conv = new ConversationDoc(doc);
    if (!conv.initialized) return null;
    return projectInboxRow(conv, { viewer: this.actor ?? undefined });
  }

  private refreshActor(doc: Y.Doc): void {
    if (this.userId === null || this.companyId === null) return;
    this.actor = actorFromCompanyDoc(new CompanyDoc(doc), this.userId, this.companyId);
  }

  /**
   * A local edit: runs `fn` as one transaction, persists the resulting update with its outbox
   * entry, then sends it. Resolves once the edit is durable on the device.
   */
  transact(name: string, fn: (doc: Y.Doc) => void): Promise<void> {
    const run = this.localChain.then(async () => {
      const doc = await this.getDoc(name);
      const captured: Uint8Array[] = [];
      const capture = (u: Uint8Array, origin: unknown) => {
        if (origin === 'local') captured.push(u);
      };
      doc.on('update', capture);
      try {
        Y.transact(doc, () => fn(doc), 'local');
      } finally {
        doc.off('update', capture);
      }
      if (captured.length === 0) return;
      const update = captured.length === 1 ? captured[0] : Y.mergeUpdates(captured);
      const id = await this.store.saveLocal(name, update, this.project(name, doc));
      this.storedCounts.set(name, (this.storedCounts.get(name) ?? 0) + 1);
      this.pending++;
      this.opts.onStatus?.(this.status, this.pending);
      this.opts.onDocChanged?.(name, 'local');
      if (this.ready) this.sendFrame({ type: 'update', doc: name, ref: id, seq: 0, update });
    });
    this.localChain = run.catch(() => undefined);
    return run;
  }

  // ---- frames -----------------------------------------------------------------------------------

  private async handle(frame: Frame): Promise<void> {
    switch (frame.type) {
      case 'welcome':
        return this.welcome(frame);
      case 'batch': {
        // Answers to a batch of state vectors arrive together: store them in one transaction.
        const sync2 = frame.frames.filter((f) => f.type === 'sync2' || f.type === 'update');
        if (sync2.length === frame.frames.length) return this.remoteUpdates(sync2 as Array<Extract<Frame, { type: 'sync2' | 'update' }>>);
        for (const f of frame.frames) await this.handle(f);
        return;
      }
      case 'sync2':
      case 'update':
        return this.remoteUpdates([frame]);
      case 'ack':
        await this.store.removeOutbox(frame.ref);
        this.pending = await this.store.outboxSize();
        if (this.catchUp === null && frame.seq > this.cursor) {
          this.cursor = frame.seq;
          await this.store.writeSyncState({ cursor: frame.seq });
        }
        this.opts.onStatus?.(this.status, this.pending);
        return;
      case 'error':
        return this.serverError(frame);
      case 'revoke':
        await this.forget(frame.doc);
        return this.requestNextBatch();
      case 'awareness':
        awarenessProtocol.applyAwarenessUpdate(this.awareness, frame.update, 'remote');
        return;
      default:
        return;
    }
  }

  private async welcome(w: WelcomeFrame): Promise<void> {
    const state = await this.store.readSyncState();
    if (state.companyId !== null && (state.companyId !== w.companyId || state.userId !== w.userId)) {
      this.opts.onError?.('this device store belongs to another user');
      this.stop();
      return;
    }
    this.userId = w.userId;
    this.companyId = w.companyId;
    await this.store.writeSyncState({ userId: w.userId, companyId: w.companyId, epoch: w.epoch });
    this.refreshActor(await this.getDoc(companyDocName(w.companyId)));
    // Listing every stored document walks an index of the whole store: only when it matters.
    if (w.full || w.revoked.length > 0) {
      const names = new Set(await this.store.docNames());
      if (w.full) {
        const keep = new Set(w.changed);
        for (const name of names) if (!keep.has(name) && !name.startsWith('client/')) await this.forget(name);
      }
      for (const name of w.revoked) if (names.has(name)) await this.forget(name);
    }
    this.ready = true;
    this.reconnectAttempt = 0;
    this.tokenRefused = false;
    // Push what the server has not acknowledged, in the order it was made.
    for (const entry of await this.store.readOutbox()) this.sendFrame({ type: 'update', doc: entry.doc, ref: entry.id, seq: 0, update: entry.update });
    const local = this.awareness.getLocalState();
    if (local !== null) this.sendFrame({ type: 'awareness', update: awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.awareness.clientID]) });
    const pinnedFirst = [...w.changed].sort((a, b) => Number(this.pinned.has(b)) - Number(this.pinned.has(a)));
    this.catchUp = { waiting: new Set(), queue: pinnedFirst, head: w.head };
    this.setStatus('syncing');
    await this.requestNextBatch();
  }

  private async requestNextBatch(): Promise<void> {
    const c = this.catchUp;
    if (!c) return;
    if (c.queue.length === 0 && c.waiting.size === 0) {
      this.catchUp = null;
      if (c.head > this.cursor) {
        this.cursor = c.head;
        await this.store.writeSyncState({ cursor: c.head });
      }
      this.setStatus('online');
      return;
    }
    const size = this.opts.batchSize ?? 100;
    // Up to `pipeline` batches in flight: the server prepares the next one while this device
    // stores the last.
    const limit = size * Math.max(1, this.opts.pipeline ?? 2);
    while (c.queue.length > 0 && c.waiting.size < limit) {
      const batch = c.queue.splice(0, Math.min(size, limit - c.waiting.size));
      for (const name of batch) c.waiting.add(name);
      // Loading the batch's documents runs beside the answers still to store, not after them.
      const send = this.sendChain.then(() => this.sendBatch(c, batch));
      this.sendChain = send.catch((err) => this.opts.onError?.(`sync failed: ${(err as Error).message}`));
    }
  }

  private async sendBatch(c: NonNullable<SyncPeer['catchUp']>, batch: string[]): Promise<void> {
    if (this.catchUp !== c) return;
    await this.preload(batch);
    if (this.catchUp !== c) return;
    const frames: Frame[] = [];
    for (const name of batch) {
      if (c.waiting.has(name)) frames.push({ type: 'sync1', doc: name, stateVector: await this.stateVector(name) });
    }
    if (frames.length > 0) this.sendFrame(frames.length === 1 ? frames[0] : { type: 'batch', frames });
  }

  private async stateVector(name: string): Promise<Uint8Array> {
    const hot = this.docs.get(name);
    if (hot) return Y.encodeStateVector(hot);
    const updates = await this.store.readDoc(name);
    if (updates.length === 0) return EMPTY_STATE_VECTOR;
    return Y.encodeStateVectorFromUpdate(updates.length === 1 ? updates[0] : Y.mergeUpdates(updates));
  }

  private async remoteUpdates(frames: Array<Extract<Frame, { type: 'sync2' | 'update' }>>): Promise<void> {
    const stored: RemoteUpdate[] = [];
    const rows = new Map<string, InboxRow>();
    const pushBack: Array<{ doc: string; update: Uint8Array }> = [];
    let maxSeq = 0;
    const outboxDocs = new Set((await this.store.readOutbox()).map((e) => e.doc));
    for (const f of frames) {
      const doc = await this.getDoc(f.doc);
      Y.applyUpdate(doc, f.update, 'remote');
      if (!isEmpty(f.update)) stored.push({ doc: f.doc, update: f.update });
      if (f.doc.startsWith('company/')) this.refreshActor(doc);
      const row = this.project(f.doc, doc);
      if (row) rows.set(f.doc, row);
      if (f.type === 'sync2') {
        // What this device has that the server lacks (and is not already waiting in the outbox).
        if (!outboxDocs.has(f.doc) && isAhead(doc, f.stateVector)) {
          const missing = Y.encodeStateAsUpdate(doc, f.stateVector);
          // The delete set is always encoded whole; only new structs mean the server lacks something.
          if (Y.decodeUpdate(missing).structs.length > 0) pushBack.push({ doc: f.doc, update: missing });
        }
      } else if (f.seq > maxSeq) {
        maxSeq = f.seq;
      }
    }
    const moveCursor = this.catchUp === null && maxSeq > this.cursor ? maxSeq : undefined;
    await this.store.saveRemote(stored, [...rows.values()], moveCursor);
    if (moveCursor !== undefined) this.cursor = moveCursor;
    for (const s of stored) this.storedCounts.set(s.doc, (this.storedCounts.get(s.doc) ?? 0) + 1);
    for (const f of frames) this.opts.onDocChanged?.(f.doc, 'remote');
    for (const p of pushBack) {
      const id = await this.store.saveLocal(p.doc, p.update, null);
      this.pending++;
      this.sendFrame({ type: 'update', doc: p.doc, ref: id, seq: 0, update: p.update });
    }
    await this.compactStored(frames.map((f) => f.doc));
    if (this.catchUp) {
      for (const f of frames) if (f.type === 'sync2') this.catchUp.waiting.delete(f.doc);
      await this.requestNextBatch();
    }
    this.evict();
  }

  private async compactStored(names: string[]): Promise<void> {
    const limit = this.opts.compactAfter ?? 64;
    for (const name of new Set(names)) {
      if ((this.storedCounts.get(name) ?? 0) < limit) continue;
      const doc = this.docs.get(name);
      if (!doc) continue;
      await this.store.replaceDoc(name, Y.encodeStateAsUpdate(doc));
      this.storedCounts.set(name, 1);
    }
  }

  private async serverError(e: Extract<Frame, { type: 'error' }>): Promise<void> {
    // An unauthorised hello is followed by a 4401 close, which asks for a fresh token.
    if (e.code === 'unauthorized') return;
    if (e.doc === null) {
      this.opts.onError?.(`${e.code}: ${e.message}`);
      return;
    }
    const name = e.doc;
    if (e.ref !== null) {
      await this.store.removeOutbox(e.ref);
      this.pending = Math.max(0, this.pending - 1);
    }
    if (e.code === 'forbidden' || e.code === 'not_found') {
      // The user lost the document: what they wrote there and the server never took is handed back.
      const doc = this.docs.get(name);
      const unsent = doc ? unsentMessages(doc, this.userId) : [];
      if (unsent.length > 0) this.opts.onRejected?.(name, e.message, unsent);
      await this.forget(name);
      await this.requestNextBatch();
      return;
    }
    if (e.code === 'rejected' || e.code === 'missing_dependencies' || e.code === 'too_large') {
      // Yjs cannot take an applied update back: drop the local copy and sync it again.
      const doc = await this.getDoc(name);
      const unsent = unsentMessages(doc, this.userId);
      this.opts.onRejected?.(name, e.message, unsent);
      await this.forget(name, { resync: true });
      if (this.ready) {
        if (this.catchUp) this.catchUp.waiting.add(name);
        this.sendFrame({ type: 'sync1', doc: name, stateVector: EMPTY_STATE_VECTOR });
      }
    }
    this.opts.onStatus?.(this.status, this.pending);
  }

  /** Drops a document; `resync` when it is fetched again at once (not a revocation). */
  private async forget(name: string, opts: { resync?: boolean } = {}): Promise<void> {
    if (this.catchUp) {
      this.catchUp.waiting.delete(name);
      this.catchUp.queue = this.catchUp.queue.filter((n) => n !== name);
    }
    const doc = this.docs.get(name);
    this.docs.delete(name);
    doc?.destroy();
    this.storedCounts.delete(name);
    await this.store.deleteDoc(name);
    this.pending = await this.store.outboxSize();
    if (!opts.resync) this.opts.onRevoked?.(name);
  }

  /** Sets this device's presence entry (viewing, typing, idle). */
  setPresence(state: { viewing: number | null; typing: number | null; idle: boolean }): void {
    if (this.userId === null) return;
    this.awareness.setLocalState({ kind: 'operator', userId: this.userId, ...state });
  }
}

/**
 * Whether `doc` holds structs a peer with `stateVector` lacks (what `encodeStateAsUpdate` would
 * send beyond the delete set), decided on the state vectors alone instead of encoding the update.
 */
function isAhead(doc: Y.Doc, stateVector: Uint8Array): boolean {
  let theirs: Map<number, number>;
  try {
    theirs = Y.decodeStateVector(stateVector);
  } catch {
    return true;
  }
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(doc))) {
    if (clock > (theirs.get(client) ?? 0)) return true;
  }
  return false;
}

function isEmpty(update: Uint8Array): boolean {
  // An update with no structs and no deletes encodes as [0, 0].
  return update.byteLength <= 2 && update.every((b) => b === 0);
}

function unsentMessages(doc: Y.Doc, userId: number | null): MessageEntry[] {
  const conv = new ConversationDoc(doc);
  return conv.listMessages().filter((m) => m.authorId === userId && (m.kind === 'out' || m.kind === 'note') && !conv.delivery.has(m.id));
}
