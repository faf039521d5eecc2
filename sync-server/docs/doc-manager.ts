/**
 * Hot documents live in memory in an LRU; every change runs inside a storage write section, and
 * listeners hear about it only once it is durable. No document is served before it finished
 * loading: concurrent callers share one load.
 */
import * as Y from 'yjs';
import type { Storage, WriteTx } from '../storage/storage';

export interface LoadedDoc {
  readonly name: string;
  readonly companyId: number;
  readonly doc: Y.Doc;
  /** Sequence number of the newest update in this document's log. */
  seq: number;
  /** Sequence number up to which the log is committed; in-memory state may be ahead until then. */
  durableSeq: number;
  waiters: Array<{ seq: number; resolve: () => void }>;
  lastUsed: number;
  /** Log entries since the last snapshot; compaction runs past a threshold. */
  logSinceSnapshot: number;
}

export interface CommittedChange {
  doc: LoadedDoc;
  update: Uint8Array;
  seq: number;
  origin: unknown;
  /** `describe()` of the document before and after the change (who may read it, for fan-out). */
  before: unknown;
  after: unknown;
  /**
   * The connection whose edit this change carries (with the server's answer to it): it has its
   * own edit already and is sent only `echo`, the server's part (nothing when that is null).
   */
  author?: unknown;
  echo?: Uint8Array | null;
}

export interface DocManagerOptions {
  /** Documents kept in memory at most (least recently used are evicted first). */
  capacity?: number;
  /** Idle documents are evicted after this long. */
  idleMs?: number;
  /** A document is compacted (snapshot + shorter log) once its log has this many entries. */
  compactAfter?: number;
  /** Summarises a document for listeners, before and after each change. */
  describe?: (doc: LoadedDoc) => unknown;
}

export class DocManager {
  private readonly loaded = new Map<string, LoadedDoc>();
  private readonly loading = new Map<string, Promise<LoadedDoc>>();
  private readonly listeners = new Set<(c: CommittedChange) => void>();
  private readonly capacity: number;
  private readonly idleMs: number;
  private readonly compactAfter: number;
  private readonly compacting = new Set<string>();
  private readonly describe: (doc: LoadedDoc) => unknown;
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(private readonly storage: Storage, opts: DocManagerOptions = {}) {
    this.capacity = opts.capacity ?? 5_000;
    this.idleMs = opts.idleMs ?? 10 * 60_000;
    this.compactAfter = opts.compactAfter ?? 300;
    this.describe = opts.describe ?? (() => null);
    this.sweepTimer = setInterval(() => this.sweep(), Math.min(this.idleMs, 60_000));
    this.sweepTimer.unref();
  }

  onCommitted(listener: (c: CommittedChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.loaded.size;
  }

  peek(name: string): LoadedDoc | undefined {
    return this.loaded.get(name);
  }

  isLoaded(name: string): boolean {
    return this.loaded.has(name);
  }

  async load(name: string, companyId: number): Promise<LoadedDoc> {
    const hot = this.loaded.get(name);
    if (hot) {
      hot.lastUsed = Date.now();
      // Refresh LRU position.
      this.loaded.delete(name);
      this.loaded.set(name, hot);
      return hot;
    }
    let pending = this.loading.get(name);
    if (!pending) {
      pending = this.readFromStorage(name, companyId).finally(() => this.loading.delete(name));
      this.loading.set(name, pending);
    }
    return pending;
  }

  private async readFromStorage(name: string, companyId: number): Promise<LoadedDoc> {
    const doc = new Y.Doc({ gc: true });
    const snapshot = await this.storage.readSnapshot(name);
    let seq = 0;
    const updates: Uint8Array[] = [];
    if (snapshot) {
      updates.push(snapshot.data);
      seq = snapshot.seq;
    }
    const log = await this.storage.readUpdates(name, seq);
    for (const u of log) {
      updates.push(u.data);
      seq = u.seq;
    }
    if (updates.length > 0) Y.applyUpdate(doc, updates.length === 1 ? updates[0] : Y.mergeUpdates(updates), 'storage');
    const loaded: LoadedDoc = { name, companyId, doc, seq, durableSeq: seq, waiters: [], lastUsed: Date.now(), logSinceSnapshot: log.length };
    this.loaded.set(name, loaded);
    this.evictOverCapacity();
    return loaded;
  }

  /**
   * Runs `fn` as one Yjs transaction on a loaded document and appends what it changed to the log
   * inside the caller's write section. Returns the update (null when nothing changed).
   */
  async change(tx: WriteTx, loaded: LoadedDoc, origin: unknown, fn: (doc: Y.Doc) => void): Promise<Uint8Array | null> {
    return this.record(tx, loaded, origin, () => Y.transact(loaded.doc, () => fn(loaded.doc), origin));
  }

  /**
   * Applies a validated remote update, then runs the server's own change in a second transaction
   * (a Yjs transaction that applies a remote update is not local, so the two must not share one),
   * and records both as ONE update: one log entry and one frame per reader.
   */
  async applyThenChange(tx: WriteTx, loaded: LoadedDoc, update: Uint8Array, origin: unknown, fn: (doc: Y.Doc) => void, author?: unknown): Promise<Uint8Array | null> {
    let serverPart: Uint8Array[] = [];
    return this.record(tx, loaded, origin, (captured) => {
      Y.applyUpdate(loaded.doc, update, origin);
      const mark = captured.length;
      Y.transact(loaded.doc, () => fn(loaded.doc), origin);
      serverPart = captured.slice(mark);
    }, () => (author === undefined ? {} : { author, echo: serverPart.length === 0 ? null : serverPart.length === 1 ? serverPart[0] : Y.mergeUpdates(serverPart) }));
  }

  /** Runs `mutate`, capturing every update it makes, and persists them merged. */
  private async record(
    tx: WriteTx, loaded: LoadedDoc, origin: unknown, mutate: (captured: Uint8Array[]) => void,
    extra: () => Pick<CommittedChange, 'author' | 'echo'> = () => ({}),
  ): Promise<Uint8Array | null> {
    const captured: Uint8Array[] = [];
    const before = this.describe(loaded);
    const capture = (update: Uint8Array) => captured.push(update);
    loaded.doc.on('update', capture);
    try {
      mutate(captured);
    } finally {
      loaded.doc.off('update', capture);
    }
    if (captured.length === 0) return null;
    const update = captured.length === 1 ? captured[0] : Y.mergeUpdates(captured);
    await this.persist(tx, loaded, update, origin, before, this.describe(loaded), extra());
    return update;
  }

  /** Applies an update that was validated by the caller, inside its write section. */
  async apply(tx: WriteTx, loaded: LoadedDoc, update: Uint8Array, origin: unknown): Promise<Uint8Array | null> {
    return this.change(tx, loaded, origin, (doc) => Y.applyUpdate(doc, update, origin));
  }

  private async persist(
    tx: WriteTx, loaded: LoadedDoc, update: Uint8Array, origin: unknown, before: unknown, after: unknown,
    extra: Pick<CommittedChange, 'author' | 'echo'> = {},
  ): Promise<void> {
    const seq = await tx.appendUpdate(loaded.name, loaded.companyId, update);
    // A copy evicted while its caller held it: keep the in-memory state one copy.
    const current = this.loaded.get(loaded.name);
    if (!current) this.loaded.set(loaded.name, loaded);
    else if (current !== loaded) {
      Y.applyUpdate(current.doc, update, origin);
      current.seq = seq;
    }
    loaded.seq = seq;
    loaded.lastUsed = Date.now();
    loaded.logSinceSnapshot++;
    tx.afterCommit(() => {
      if (seq > loaded.durableSeq) loaded.durableSeq = seq;
      if (loaded.waiters.length > 0) {
        const ready = loaded.waiters.filter((w) => w.seq <= loaded.durableSeq);
        loaded.waiters = loaded.waiters.filter((w) => w.seq > loaded.durableSeq);
        for (const w of ready) w.resolve();
      }
      const change: CommittedChange = { doc: loaded, update, seq, origin, before, after, ...extra };
      for (const l of this.listeners) l(change);
      if (loaded.logSinceSnapshot >= this.compactAfter) void this.compact(loaded);
    });
  }

  /**
   * Resolves once everything in the in-memory document is committed, so nothing is served that a
   * crash could still take back.
   */
  whenDurable(loaded: LoadedDoc): Promise<void> {
    if (loaded.durableSeq >= loaded.seq) return Promise.resolve();
    return new Promise((resolve) => loaded.waiters.push({ seq: loaded.seq, resolve }));
  }

  /** Re-encodes the document as a snapshot and drops the log entries it covers. */
  async compact(loaded: LoadedDoc): Promise<number> {
    if (this.compacting.has(loaded.name)) return 0;
    this.compacting.add(loaded.name);
    try {
      const seq = loaded.seq;
      const snapshot = Y.encodeStateAsUpdate(loaded.doc);
      const removed = await this.storage.compact(loaded.name, seq, snapshot);
      loaded.logSinceSnapshot = Math.max(0, loaded.logSinceSnapshot - removed);
      return removed;
    } finally {
      this.compacting.delete(loaded.name);
    }
  }

  private evictOverCapacity(): void {
    if (this.loaded.size <= this.capacity) return;
    for (const [name, d] of this.loaded) {
      if (this.loaded.size <= this.capacity) break;
      if (this.compacting.has(name)) continue;
      this.loaded.delete(name);
      d.doc.destroy();
    }
  }

  /** Evicts documents idle for longer than the idle limit. */
  sweep(now = Date.now()): void {
    for (const [name, d] of this.loaded) {
      if (now - d.lastUsed > this.idleMs && !this.compacting.has(name)) {
        this.loaded.delete(name);
        d.doc.destroy();
      }
    }
  }

  close(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const d of this.loaded.values()) d.doc.destroy();
    this.loaded.clear();
  }
}
