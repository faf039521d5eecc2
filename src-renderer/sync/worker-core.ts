/**
 * The sync worker's logic (ARCHITECTURE "Sync": the sync loop runs in a dedicated Web Worker that
 * owns the socket and the Dexie writes). It owns the SyncPeer and the DexieLocalStore of the
 * signed-in user, turns the UI's commands into document edits made with the src-core actions, and
 * reports what the UI needs through `emit`. It uses no Worker API itself, so Node tests drive it
 * directly against a real server.
 */
import { CompanyDoc, actorFromCompanyDoc } from '../../src-core/company';
import {
  markRead as markReadAction, renameClient, requestRepair, requestTransition, setTag as setTagAction,
  setTopic as setTopicAction, writeMessage,
} from '../../src-core/conversation/actions';
import { ConversationDoc, companyDocName, conversationDocName, parseDocName } from '../../src-core/conversation/doc';
import { MAX_CUSTOM_NAME, MAX_TAG_LENGTH, MAX_TEXT_LENGTH } from '../../src-core/conversation/guard';
import { optimisticState } from '../../src-core/conversation/lifecycle';
import { projectInboxRow } from '../../src-core/conversation/projection';
import { TRANSITION_ACTIONS, type MessageEntry, type RepairAction, type TransitionAction } from '../../src-core/conversation/types';
import { canWriteConversation, type Actor } from '../../src-core/permissions';
import type { Presence } from '../../src-core/presence';
import { SyncPeer, type PeerSocket, type PeerStatus } from '../../src-core/sync/peer';
import { deleteStore, openStore, type SwitchboardDb } from '../store/db';
import { DexieLocalStore, type RowChange } from '../store/dexie-local-store';
import { databaseName, type CompanyRecord, type RejectedDraftRecord } from '../store/schema';
import { TIMELINE_PAGE, buildConversationView, timelineOf, timelineWindow } from './conversation-view';
import { mayNotify, noticesFor } from './notices';
import type { ConversationView, PresenceView, WorkerApi, WorkerEvents, WorkerSession } from './protocol';

export type WorkerEmit = <K extends keyof WorkerEvents>(event: K, payload: WorkerEvents[K]) => void;

export interface SyncWorkerCoreOptions {
  /** Where events go (the worker posts them to the UI thread). More listeners: `onEvent`. */
  emit?: WorkerEmit;
  /** Opens a socket to the sync endpoint; default: the global `WebSocket`. */
  createSocket?(url: string): PeerSocket;
  /** Opens the per-user database; default `openStore` over the global IndexedDB. */
  openDatabase?(name: string): SwitchboardDb;
  /** Deletes the per-user database (`wipe`); default `deleteStore`. */
  deleteDatabase?(name: string): Promise<void>;
  reconnectDelayMs?: { min: number; max: number };
  /** Documents per catch-up batch (default 100). */
  batchSize?: number;
  /** At most one `conversation` and one `presence` event per this many ms (default 32). */
  emitIntervalMs?: number;
}

export type PresenceState = { viewing: number | null; typing: number | null; idle: boolean };

/** The sync endpoint of a server base URL: `ws(s)://host[:port]/sync`. */
export function syncUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('The server address must start with http:// or https://');
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/sync`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

function defaultSocket(url: string): PeerSocket {
  const WS = (globalThis as { WebSocket?: new (url: string) => PeerSocket }).WebSocket;
  if (!WS) throw new Error('WebSocket is not available here');
  return new WS(url);
}

/** The company document flattened for the UI's `company` table. */
export function companyRecord(company: CompanyDoc, companyId: number): CompanyRecord {
  const settings = company.getSettings();
  const byId = <T extends { id: number }>(values: Iterable<T>) => [...values].sort((a, b) => a.id - b.id);
  return {
    key: 'current',
    companyId,
    name: settings.name,
    timeZone: settings.timeZone,
    operators: company.listOperators(),
    groups: company.listGroups(),
    roles: byId(company.roles.values()),
    accountChannels: byId(company.accountChannels.values()),
    topics: byId(company.topics.values()),
  };
}

const REPAIR_ACTIONS: readonly RepairAction[] = ['send_anyway', 'discard', 'retry', 'mark_sent'];

/** A command the worker refuses before touching anything; its message is for people. */
class UsageError extends Error {}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new UsageError(message);
}

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

export class SyncWorkerCore implements WorkerApi {
  private readonly listeners = new Set<WorkerEmit>();
  private session: WorkerSession | null = null;
  private dbName: string | null = null;
  private db: SwitchboardDb | null = null;
  private store: DexieLocalStore | null = null;
  private peer: SyncPeer | null = null;
  private running = false;
  private token: string | null = null;
  private tokenWaiters: Array<(token: string | null) => void> = [];
  private tokenAsked = false;
  /** The viewer as the stored company document describes them, before (or without) a welcome. */
  private storedActor: Actor | null = null;
  /** Open conversations and the release of their pin. */
  private readonly opened = new Map<number, () => void>();
  /**
   * The timeline window of each open conversation: how many of its newest items the UI gets, and
   * how many items its timeline had at the last view (new items widen the window, so the oldest
   * item the UI shows stays there).
   */
  private readonly windows = new Map<number, { size: number; total: number }>();
  private readonly dirty = new Set<number>();
  private viewTimer: ReturnType<typeof setTimeout> | null = null;
  private presenceTimer: ReturnType<typeof setTimeout> | null = null;
  private companyTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly revokeTimers = new Map<number, ReturnType<typeof setTimeout>>();
  private presence: PresenceState | null = null;
  /** No notices while a new device loads everything for the first time. */
  private quiet = false;
  private readonly announcedFailures = new Set<string>();
  private lastStatus = '';
  private background: Promise<void> = Promise.resolve();

  constructor(private readonly opts: SyncWorkerCoreOptions = {}) {}

  /** Adds an event listener; returns its removal. */
  onEvent(listener: WorkerEmit): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit<K extends keyof WorkerEvents>(event: K, payload: WorkerEvents[K]): void {
    this.opts.emit?.(event, payload);
    for (const l of this.listeners) l(event, payload);
  }

  /** For tests and tools: the live parts (null before `start`). */
  get syncPeer(): SyncPeer | null {
    return this.peer;
  }
  get localStore(): DexieLocalStore | null {
    return this.store;
  }
  get database(): SwitchboardDb | null {
    return this.db;
  }

  // ---- lifecycle --------------------------------------------------------------------------------

  /** start, stop, wipe and destroy run one at a time, in call order. */
  private lifecycle: Promise<unknown> = Promise.resolve();
  private inOrder<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lifecycle.then(fn, fn);
    this.lifecycle = run.catch(() => undefined);
    return run;
  }

  start(session: WorkerSession): Promise<void> {
    return this.inOrder(() => this.startNow(session));
  }

  private async startNow(session: WorkerSession): Promise<void> {
    check(typeof session === 'object' && session !== null, 'A session is required');
    check(isId(session.userId) && isId(session.companyId), 'The session needs a user and a company');
    check(typeof session.accessToken === 'string', 'The session needs an access token');
    const url = syncUrl(session.serverUrl);
    const name = databaseName(session.serverUrl, session.userId);
    this.token = session.accessToken || null;
    if (this.peer && this.dbName === name) {
      // The same user again (after `stop`, or a new token): resume.
      this.session = session;
      this.running = true;
      this.peer.stop();
      this.peer.start();
      return;
    }
    if (this.peer) await this.shutdown();

    const db = (this.opts.openDatabase ?? openStore)(name);
    await db.open();
    const store = new DexieLocalStore(db, { userId: session.userId, onRemoteRows: (changes) => this.onRemoteRows(changes) });
    const state = await store.readSyncState();
    if (state.userId !== null && state.userId !== session.userId) {
      db.close();
      throw new Error('This device store belongs to another user');
    }
    this.session = session;
    this.dbName = name;
    this.db = db;
    this.store = store;
    // A store upgraded from version 2 fills its search postings in the background.
    store.backfillPostings().catch((err) => console.warn('[store] search postings', err));
    this.quiet = state.cursor === 0;
    const peer = new SyncPeer({
      url,
      store,
      getToken: (refresh) => this.getToken(refresh),
      createSocket: this.opts.createSocket ?? defaultSocket,
      batchSize: this.opts.batchSize,
      reconnectDelayMs: this.opts.reconnectDelayMs,
      onStatus: (status, pending) => this.onStatus(status, pending),
      onDocChanged: (doc) => this.onDocChanged(doc),
      onRevoked: (doc) => this.onRevoked(doc),
      onRejected: (doc, reason, unsent) => this.onRejected(doc, reason, unsent),
      onError: (message) => this.emit('error', { message }),
    });
    this.peer = peer;
    peer.awareness.on('change', () => this.schedulePresence());
    // Offline after a reload, the peer knows the viewer only after a welcome; the stored company
    // document knows it now.
    await this.refreshCompany();
    this.running = true;
    peer.start();
  }

  async setAccessToken(token: string): Promise<void> {
    check(typeof token === 'string' && token.length > 0, 'A token is required');
    this.token = token;
    this.tokenAsked = false;
    for (const resolve of this.tokenWaiters.splice(0)) resolve(token);
    if (this.peer && this.running && this.peer.currentStatus === 'unauthorized') {
      this.peer.stop();
      this.peer.start();
    }
  }

  /** Stops syncing; the database stays open, so commands keep working offline until `start`. */
  stop(): Promise<void> {
    return this.inOrder(async () => {
      this.running = false;
      for (const resolve of this.tokenWaiters.splice(0)) resolve(null);
      this.peer?.stop();
    });
  }

  wipe(): Promise<void> {
    return this.inOrder(async () => {
      const name = this.dbName;
      await this.shutdown();
      if (name) await (this.opts.deleteDatabase ?? ((n: string) => deleteStore(n)))(name);
    });
  }

  /** Stops syncing and closes the database, keeping it (a page unload; tests simulate a reload). */
  destroy(): Promise<void> {
    return this.inOrder(() => this.shutdown());
  }

  /** Resolves once everything received so far is stored and every queued notice was decided. */
  async idle(): Promise<void> {
    let last: Promise<unknown> | null = null;
    while (last !== this.background) {
      last = this.background;
      await this.peer?.idle();
      await this.store?.flushed();
      await this.background;
    }
  }

  private async shutdown(): Promise<void> {
    const { peer, store, db } = this;
    this.running = false;
    for (const resolve of this.tokenWaiters.splice(0)) resolve(null);
    for (const release of this.opened.values()) release();
    this.opened.clear();
    this.windows.clear();
    this.dirty.clear();
    for (const t of [this.viewTimer, this.presenceTimer, this.companyTimer, ...this.revokeTimers.values()]) if (t) clearTimeout(t);
    this.viewTimer = this.presenceTimer = this.companyTimer = null;
    this.revokeTimers.clear();
    this.peer = null;
    this.store = null;
    this.db = null;
    this.session = null;
    this.dbName = null;
    this.storedActor = null;
    this.lastStatus = '';
    if (peer) {
      await peer.idle().catch(() => undefined);
      peer.destroy();
    }
    await this.background.catch(() => undefined);
    await store?.flushed();
    db?.close();
    this.emit('status', { status: 'offline', pending: 0 });
  }

  private getToken(refresh: boolean): Promise<string | null> {
    if (!refresh && this.token) return Promise.resolve(this.token);
    this.token = null;
    return this.askForToken();
  }

  private askForToken(): Promise<string | null> {
    if (!this.running) return Promise.resolve(null);
    if (!this.tokenAsked) {
      this.tokenAsked = true;
      this.emit('token-needed', {});
    }
    return new Promise((resolve) => this.tokenWaiters.push(resolve));
  }

  // ---- peer callbacks ---------------------------------------------------------------------------

  private onStatus(status: PeerStatus, pending: number): void {
    const key = `${status}:${pending}`;
    if (key !== this.lastStatus) {
      this.lastStatus = key;
      this.emit('status', { status, pending });
    }
    if (status === 'online') this.quiet = false;
    if ((status === 'syncing' || status === 'online') && this.presence && this.peer?.awareness.getLocalState() === null) {
      this.peer.setPresence(this.presence);
    }
    if (status === 'unauthorized' && this.running) {
      // The server refused the token (4401) or the session: ask the UI for a fresh one; the
      // peer starts again once it arrives.
      this.token = null;
      void this.askForToken();
    }
  }

  private onDocChanged(name: string): void {
    const parsed = parseDocName(name);
    if (!parsed) return;
    if (parsed.kind === 'company') {
      if (!this.companyTimer) {
        this.companyTimer = setTimeout(() => {
          this.companyTimer = null;
          this.track(this.refreshCompany());
        }, 0);
      }
      return;
    }
    if (parsed.kind === 'conv' && this.opened.has(parsed.id)) this.markDirty(parsed.id);
  }

  private onRevoked(name: string): void {
    const parsed = parseDocName(name);
    if (parsed?.kind !== 'conv' || !this.opened.has(parsed.id)) return;
    const id = parsed.id;
    // A refused edit also drops the document, then syncs it again at once (`onRejected` follows
    // in the same turn): only a drop that stays is a revocation.
    clearTimeout(this.revokeTimers.get(id));
    this.revokeTimers.set(id, setTimeout(() => {
      this.revokeTimers.delete(id);
      const release = this.opened.get(id);
      if (!release) return;
      release();
      this.opened.delete(id);
      this.windows.delete(id);
      this.dirty.delete(id);
      this.emit('revoked', { conversationId: id });
    }, 0));
  }

  private onRejected(name: string, reason: string, unsent: MessageEntry[]): void {
    const parsed = parseDocName(name);
    if (parsed?.kind !== 'conv') return;
    const id = parsed.id;
    const timer = this.revokeTimers.get(id);
    if (timer) {
      clearTimeout(timer);
      this.revokeTimers.delete(id);
    }
    const db = this.db;
    const drafts: RejectedDraftRecord[] = unsent.map((m) => ({
      id: m.id, conversationId: id, kind: m.kind === 'note' ? 'note' : 'out', text: m.text ?? '', reason, at: m.createdAt,
    }));
    this.track((async () => {
      if (db && drafts.length > 0) await db.rejectedDrafts.bulkPut(drafts);
      this.emit('rejected', { conversationId: id, reason, unsent: drafts.length });
    })());
  }

  private onRemoteRows(changes: RowChange[]): void {
    if (this.quiet || !this.session) return;
    const userId = this.session.userId;
    const candidates = changes.filter((c) => mayNotify(c.before, c.after, userId));
    if (candidates.length === 0) return;
    const peer = this.peer;
    // The documents are decoded in memory right now (the change was just applied to them).
    const docs = candidates.map((c) => (peer ? peer.getDoc(conversationDocName(c.after.id)) : Promise.resolve(null)));
    this.track((async () => {
      for (let i = 0; i < candidates.length; i++) {
        const doc = await docs[i];
        const { before, after } = candidates[i];
        const notices = noticesFor(before, after, {
          userId, actor: this.viewer(), conv: doc ? new ConversationDoc(doc) : null, announcedFailures: this.announcedFailures,
          focusedConversationId: this.presence && !this.presence.idle ? this.presence.viewing : null,
        });
        for (const n of notices) this.emit('notice', n);
      }
    })());
  }

  /** Background work whose failure is reported, never thrown at a caller. */
  private track(work: Promise<unknown>): void {
    const run = work.then(
      () => undefined,
      (err) => this.emit('error', { message: (err as Error).message ?? String(err) }),
    );
    // Resolve to nothing, so a long session does not keep a chain of results alive.
    this.background = Promise.all([this.background, run]).then(() => undefined);
  }

  private async refreshCompany(): Promise<void> {
    const { peer, session, db } = this;
    if (!peer || !session || !db) return;
    const doc = await peer.getDoc(companyDocName(session.companyId));
    if (this.peer !== peer) return;
    const company = new CompanyDoc(doc);
    this.storedActor = actorFromCompanyDoc(company, session.userId, session.companyId);
    if (company.operators.size > 0) await db.company.put(companyRecord(company, session.companyId));
    // Permissions or groups may have changed what the open conversations show.
    for (const id of this.opened.keys()) this.markDirty(id);
  }

  /** The viewer for optimistic state: the peer's (after a welcome), else the stored one. */
  private viewer(): Actor | null {
    return this.peer?.currentActor() ?? this.storedActor;
  }

  // ---- emissions --------------------------------------------------------------------------------

  private markDirty(id: number): void {
    this.dirty.add(id);
    if (this.viewTimer) return;
    this.viewTimer = setTimeout(() => {
      this.viewTimer = null;
      this.track(this.emitViews());
    }, this.opts.emitIntervalMs ?? 32);
  }

  private async emitViews(): Promise<void> {
    const ids = [...this.dirty];
    this.dirty.clear();
    for (const id of ids) {
      if (!this.opened.has(id)) continue;
      const view = await this.view(id);
      if (view && this.opened.has(id)) this.emit('conversation', view);
    }
  }

  private async view(id: number): Promise<ConversationView | null> {
    const { peer, session } = this;
    if (!peer || !session) return null;
    const doc = await peer.getDoc(conversationDocName(id));
    const full = buildConversationView(new ConversationDoc(doc), session.userId, this.viewer());
    const window = this.windows.get(id);
    if (!full || !window) return full;
    const total = full.timeline.length;
    if (window.total >= 0 && total > window.total) window.size += total - window.total;
    window.total = total;
    return timelineWindow(full, window.size);
  }

  private schedulePresence(): void {
    if (this.presenceTimer) return;
    this.presenceTimer = setTimeout(() => {
      this.presenceTimer = null;
      if (this.peer) this.emit('presence', this.presenceView(this.peer));
    }, this.opts.emitIntervalMs ?? 32);
  }

  /** The server's entry gives every operator's presence; other connections give viewers. */
  private presenceView(peer: SyncPeer): PresenceView {
    const operators: Record<number, Presence> = {};
    const viewers: PresenceView['viewers'] = [];
    for (const [clientId, raw] of peer.awareness.getStates()) {
      if (clientId === peer.awareness.clientID || typeof raw !== 'object' || raw === null) continue;
      const state = raw as Record<string, unknown>;
      if (state.kind === 'server' && typeof state.presence === 'object' && state.presence !== null) {
        for (const [userId, p] of Object.entries(state.presence as Record<string, unknown>)) {
          if (p === 'online' || p === 'away' || p === 'offline') operators[Number(userId)] = p;
        }
      } else if (state.kind === 'operator' && isId(state.userId)) {
        viewers.push({
          userId: state.userId,
          viewing: isId(state.viewing) ? state.viewing : null,
          typing: isId(state.typing) ? state.typing : null,
          idle: state.idle === true,
        });
      }
    }
    return { operators, viewers };
  }

  // ---- commands ---------------------------------------------------------------------------------

  private live(): { peer: SyncPeer; store: DexieLocalStore; db: SwitchboardDb; session: WorkerSession } {
    const { peer, store, db, session } = this;
    if (!peer || !store || !db || !session) throw new UsageError('Not signed in');
    return { peer, store, db, session };
  }

  /**
   * One user edit of a conversation, made with the state this device shows. Resolves once the
   * edit is durable on the device (the peer sends it when it can).
   */
  private async edit(
    conversationId: number,
    fn: (conv: ConversationDoc, viewer: Actor | null) => void,
    opts: { validate?: (conv: ConversationDoc) => void } = {},
  ): Promise<void> {
    check(isId(conversationId), 'A conversation id is required');
    const { peer, store } = this.live();
    const name = conversationDocName(conversationId);
    const current = new ConversationDoc(await peer.getDoc(name));
    if (!current.initialized) throw new UsageError('Conversation not found');
    opts.validate?.(current);
    const viewer = this.viewer();
    if (viewer) {
      // The server refuses a write to a conversation the user may not write, and the device would
      // have to drop its copy: refuse it here with the reason instead.
      const { state } = optimisticState(current, viewer);
      const access = { status: state.status, assigneeId: state.assigneeId, groupId: state.groupId, distributing: state.distributing };
      if (!canWriteConversation(viewer, access)) throw new UsageError('Access denied');
    }
    await peer.transact(name, (doc) => fn(new ConversationDoc(doc), viewer));
    if (!peer.currentActor() && viewer) {
      // The peer projected the row without a viewer (offline since a reload): add the pending state.
      const conv = new ConversationDoc(await peer.getDoc(name));
      await store.putRows([projectInboxRow(conv, { viewer })]);
    }
  }

  async transition(conversationId: number, action: TransitionAction, targets: { operatorId?: number; groupId?: number } = {}): Promise<void> {
    check(TRANSITION_ACTIONS.includes(action), 'Unknown action');
    check(typeof targets === 'object' && targets !== null, 'Targets must be an object');
    check(targets.operatorId === undefined || isId(targets.operatorId), 'The target operator must be an id');
    check(targets.groupId === undefined || isId(targets.groupId), 'The target group must be an id');
    check(action !== 'transfer_operator' || targets.operatorId !== undefined, 'A transfer needs a target operator');
    check(action !== 'transfer_group' || targets.groupId !== undefined, 'A transfer needs a target group');
    const userId = this.live().session.userId;
    await this.edit(conversationId, (conv, viewer) => {
      requestTransition(conv, userId, action, { operatorId: targets.operatorId, groupId: targets.groupId }, { viewer: viewer ?? undefined });
    });
  }

  async send(conversationId: number, kind: 'out' | 'note', text: string): Promise<{ messageId: string }> {
    check(kind === 'out' || kind === 'note', 'A message is a reply or a note');
    check(typeof text === 'string' && text.trim() !== '', 'The message is empty');
    check(text.length <= MAX_TEXT_LENGTH, `The message is longer than ${MAX_TEXT_LENGTH} characters`);
    const { session, db } = this.live();
    let messageId = '';
    await this.edit(conversationId, (conv) => {
      messageId = writeMessage(conv, session.userId, kind, text).id;
    });
    // The message is durable: its draft is done.
    await db.drafts.delete(conversationId);
    return { messageId };
  }

  async repair(conversationId: number, messageId: string, action: RepairAction): Promise<void> {
    check(REPAIR_ACTIONS.includes(action), 'Unknown repair action');
    const { session } = this.live();
    await this.edit(conversationId, (conv) => requestRepair(conv, session.userId, action, messageId), {
      validate: (conv) => {
        const message = conv.listMessages().find((m) => m.id === messageId);
        if (!message || message.authorId !== session.userId) throw new UsageError('Message not found');
      },
    });
  }

  async setTopic(conversationId: number, topicId: number, on: boolean): Promise<void> {
    check(isId(topicId), 'A topic id is required');
    await this.edit(conversationId, (conv) => setTopicAction(conv, topicId, on === true));
  }

  async setTag(conversationId: number, tag: string, on: boolean): Promise<void> {
    check(typeof tag === 'string' && tag.trim() !== '', 'The tag is empty');
    check(tag.trim().length <= MAX_TAG_LENGTH, `A tag has at most ${MAX_TAG_LENGTH} characters`);
    await this.edit(conversationId, (conv) => setTagAction(conv, tag, on === true));
  }

  async rename(conversationId: number, name: string): Promise<void> {
    check(typeof name === 'string', 'A name is required');
    check(name.trim().length <= MAX_CUSTOM_NAME, `A name has at most ${MAX_CUSTOM_NAME} characters`);
    await this.edit(conversationId, (conv) => renameClient(conv, name));
  }

  /** Moves the read watermark, only for the responsible operator of an inbox conversation (product §2.6). */
  async markRead(conversationId: number): Promise<void> {
    const { session } = this.live();
    await this.edit(conversationId, (conv, viewer) => {
      const state = viewer ? optimisticState(conv, viewer).state : null;
      const meta = conv.getMeta();
      const status = state?.status ?? meta.status;
      const assigneeId = state ? state.assigneeId : meta.assigneeId;
      if (status !== 'inbox' || assigneeId !== session.userId) return;
      markReadAction(conv);
    });
  }

  async open(conversationId: number): Promise<ConversationView | null> {
    check(isId(conversationId), 'A conversation id is required');
    const { peer } = this.live();
    if (!this.opened.has(conversationId)) {
      this.opened.set(conversationId, peer.pin(conversationDocName(conversationId)));
      this.windows.set(conversationId, { size: TIMELINE_PAGE, total: -1 });
    }
    return this.view(conversationId);
  }

  async showOlder(conversationId: number, size: number): Promise<ConversationView | null> {
    check(isId(conversationId), 'A conversation id is required');
    check(Number.isSafeInteger(size) && size > 0, 'The window size must be a positive integer');
    const window = this.windows.get(conversationId);
    // The UI may ask for a conversation it has just left: nothing to send.
    if (!window || !this.opened.has(conversationId)) return null;
    window.size = Math.max(window.size, size);
    return this.view(conversationId);
  }

  async prefetch(conversationId: number): Promise<void> {
    check(isId(conversationId), 'A conversation id is required');
    const peer = this.peer;
    if (!peer) return;
    const conv = new ConversationDoc(await peer.getDoc(conversationDocName(conversationId)));
    // The sorted timeline too: it is kept with the document until the document changes.
    if (conv.initialized) timelineOf(conv);
  }

  async close(conversationId: number): Promise<void> {
    check(isId(conversationId), 'A conversation id is required');
    const release = this.opened.get(conversationId);
    release?.();
    this.opened.delete(conversationId);
    this.windows.delete(conversationId);
    this.dirty.delete(conversationId);
  }

  async setPresence(state: PresenceState): Promise<void> {
    check(typeof state === 'object' && state !== null, 'A presence state is required');
    check((state.viewing === null || isId(state.viewing)) && (state.typing === null || isId(state.typing)), 'viewing and typing are conversation ids or null');
    check(typeof state.idle === 'boolean', 'idle is a boolean');
    this.presence = { viewing: state.viewing, typing: state.typing, idle: state.idle };
    this.peer?.setPresence(this.presence);
  }
}
