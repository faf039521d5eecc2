/**
 * The multiplexed sync gateway: one WebSocket per operator session (ARCHITECTURE "Sync").
 * Hello with a token and a company cursor → welcome with the documents changed since; batched
 * state-vector sync; live updates for every document the operator may read; acknowledgements with
 * sequence numbers; one awareness entry per connection. Every frame is authorised for its document.
 */
import type { WebSocket } from 'ws';
import * as Y from 'yjs';
import { parseDocName, clientDocName } from '../../src-core/conversation/doc';
import type { Actor, ConversationAccess } from '../../src-core/permissions';
import { canReadConversation } from '../../src-core/permissions';
import {
  PROTOCOL_VERSION, WireError, decodeFrame, encodeBatch, encodeFrame, type ErrorCode, type Frame, type HelloFrame,
} from '../../src-core/protocol/wire';
import type { ServerContext } from '../context';
import { Rejection } from '../conversations/service';
import type { CommittedChange } from '../docs/doc-manager';
import { AccessIndex, readable } from './access';
import { CompanyPresence } from './presence';
import { TurnFlush, TurnMemo } from './turn-flush';

export const CLOSE = {
  badRequest: 4400,
  unauthorized: 4401,
  forbidden: 4403,
  helloTimeout: 4408,
  accessChanged: 4409,
  tooSlow: 4429,
  shuttingDown: 4503,
} as const;

const HELLO_TIMEOUT_MS = 10_000;
/** Largest update accepted in one frame; larger ones get a `too_large` error (the socket stays). */
export const MAX_UPDATE_BYTES = 2 * 1024 * 1024;
/** A client that lets this much pile up unread is disconnected. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/**
 * What a connection's queued frames go out as: a single frame as it is, several as one batch,
 * encoded once per turn for every reader sent the same frames in the same order.
 */
export function batchOf(frames: readonly Uint8Array[], memo: TurnMemo): Uint8Array {
  return frames.length === 1 ? frames[0] : memo.get(frames, () => encodeBatch(frames));
}

class Connection {
  userId = 0;
  companyId = 0;
  actor: Actor | null = null;
  tokenVersion = 0;
  awarenessId = 0;
  ready = false;
  /** Client documents this connection asked for (sent on demand, not in catch-up). */
  readonly clientDocs = new Set<string>();
  private queue: Uint8Array[] = [];
  chain: Promise<void> = Promise.resolve();

  constructor(readonly ws: WebSocket, readonly id: number, private readonly flusher: TurnFlush<Connection>) {}

  send(frame: Frame | Uint8Array): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.queue.push(frame instanceof Uint8Array ? frame : encodeFrame(frame));
    if (this.queue.length === 1) this.flusher.add(this);
  }

  /** Sends what is queued, then closes: a refusal's error frame reaches the client first. */
  close(code: number, reason: string): void {
    this.flush(new TurnMemo());
    this.ws.close(code, reason);
  }

  flush(memo: TurnMemo): void {
    const frames = this.queue;
    this.queue = [];
    if (frames.length === 0 || this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.ws.close(CLOSE.tooSlow, 'too slow');
      return;
    }
    this.ws.send(batchOf(frames, memo), { binary: true });
  }

  error(code: ErrorCode, message: string, doc: string | null = null, ref: number | null = null): void {
    this.send({ type: 'error', code, message, doc, ref });
  }
}

export class MultiplexGateway {
  private readonly byCompany = new Map<number, Set<Connection>>();
  private readonly presence = new Map<number, CompanyPresence>();
  private readonly access: AccessIndex;
  private nextId = 1;
  /** Every connection's frames of a turn go out at its end; readers sent the same batch share its encoding. */
  private readonly flusher = new TurnFlush<Connection>((conn, memo) => conn.flush(memo));

  constructor(private readonly ctx: ServerContext) {
    this.access = new AccessIndex(ctx.storage);
    ctx.docs.onCommitted((change) => this.fanOut(change));
    ctx.directory.onChanged((companyId) => void this.recheckCompany(companyId));
  }

  get connectionCount(): number {
    let n = 0;
    for (const set of this.byCompany.values()) n += set.size;
    return n;
  }

  presenceOf(companyId: number): CompanyPresence {
    let p = this.presence.get(companyId);
    if (!p) {
      p = new CompanyPresence();
      this.presence.set(companyId, p);
    }
    return p;
  }

  /** An operator's presence, without creating state for companies nobody is connected to. */
  presenceIfKnown(companyId: number, userId: number): 'online' | 'away' | 'offline' {
    return this.presence.get(companyId)?.presenceOf(userId) ?? 'offline';
  }

  accept(ws: WebSocket): void {
    const conn = new Connection(ws, this.nextId++, this.flusher);
    const helloTimer = setTimeout(() => {
      if (!conn.ready) ws.close(CLOSE.helloTimeout, 'hello timeout');
    }, HELLO_TIMEOUT_MS);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        conn.error('bad_frame', 'frames are binary');
        return;
      }
      const bytes = data instanceof Buffer ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data as ArrayBuffer);
      let frame: Frame;
      try {
        frame = decodeFrame(bytes);
      } catch (err) {
        const e = err as WireError;
        conn.error(e.code ?? 'bad_frame', e.message);
        return;
      }
      conn.chain = conn.chain.then(() => this.handle(conn, frame)).catch((err) => {
        this.ctx.log.error({ err, conn: conn.id }, 'sync frame failed');
        conn.error('internal', 'Internal error');
      });
    });
    ws.on('close', () => {
      clearTimeout(helloTimer);
      this.drop(conn);
    });
    ws.on('error', () => undefined);
  }

  private drop(conn: Connection): void {
    if (!conn.ready) return;
    conn.ready = false;
    const set = this.byCompany.get(conn.companyId);
    set?.delete(conn);
    this.presence.get(conn.companyId)?.leave(this.memberOf(conn));
  }

  private readonly members = new WeakMap<Connection, { userId: number; awarenessId: number; send(u: Uint8Array): void }>();
  private memberOf(conn: Connection) {
    let m = this.members.get(conn);
    if (!m) {
      m = { userId: conn.userId, awarenessId: conn.awarenessId, send: (update: Uint8Array) => conn.send({ type: 'awareness', update }) };
      this.members.set(conn, m);
    }
    return m;
  }

  private async handle(conn: Connection, frame: Frame): Promise<void> {
    if (!conn.ready) {
      if (frame.type !== 'hello') {
        conn.error('protocol', 'the first frame must be hello');
        return;
      }
      await this.hello(conn, frame);
      return;
    }
    switch (frame.type) {
      case 'sync1':
        return this.syncStep1(conn, frame.doc, frame.stateVector);
      case 'update':
        return this.update(conn, frame.doc, frame.ref, frame.update);
      case 'awareness': {
        const problem = this.presenceOf(conn.companyId).apply(this.memberOf(conn), frame.update);
        if (problem) conn.error('rejected', problem);
        return;
      }
      case 'batch':
        for (const inner of frame.frames) {
          if (inner.type === 'hello' || inner.type === 'batch') conn.error('protocol', `${inner.type} cannot be batched`);
          else await this.handle(conn, inner);
        }
        return;
      default:
        conn.error('protocol', `${frame.type} frames are sent by the server`);
    }
  }

  private async hello(conn: Connection, hello: HelloFrame): Promise<void> {
    if (hello.protocol !== PROTOCOL_VERSION) {
      conn.error('protocol', `protocol ${hello.protocol} is not supported (server speaks ${PROTOCOL_VERSION})`);
      conn.close(CLOSE.badRequest, 'protocol version');
      return;
    }
    const session = await this.ctx.sessions.fromAccessToken(hello.token);
    if (!session) {
      conn.error('unauthorized', 'Invalid or expired token');
      conn.close(CLOSE.unauthorized, 'unauthorized');
      return;
    }
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    conn.userId = session.user.id;
    conn.companyId = session.user.companyId;
    conn.actor = session.actor;
    conn.tokenVersion = session.user.tokenVersion;
    conn.awarenessId = hello.awarenessId;
    const epoch = session.user.accessEpoch;
    const head = await this.ctx.storage.headSeq();
    const full = hello.cursor === 0 || hello.epoch !== epoch;
    let changed: string[];
    let revoked: string[] = [];
    const companyDoc = `company/${conn.companyId}`;
    if (full) {
      changed = [companyDoc, ...(await this.access.readableConversations(session.actor))];
    } else {
      const docs = await this.ctx.storage.changedDocuments(conn.companyId, hello.cursor);
      const names = docs.map((d) => d.name).filter((n) => !n.startsWith('client/'));
      const info = await this.access.describe(conn.companyId, names);
      changed = [];
      for (const name of names) {
        const i = info.get(name);
        if (i && readable(session.actor, i)) changed.push(name);
        else revoked.push(name);
      }
    }
    conn.ready = true;
    if (!this.byCompany.has(conn.companyId)) this.byCompany.set(conn.companyId, new Set());
    this.byCompany.get(conn.companyId)!.add(conn);
    conn.send({ type: 'welcome', userId: conn.userId, companyId: conn.companyId, head, epoch, full, changed, revoked });
    const state = await this.ctx.directory.get(conn.companyId);
    const presence = this.presenceOf(conn.companyId);
    presence.setAwayChoices(new Map([...state.users.values()].map((u) => [u.id, u.away])));
    presence.join(this.memberOf(conn));
  }

  private async syncStep1(conn: Connection, doc: string, stateVector: Uint8Array): Promise<void> {
    const actor = conn.actor!;
    const parsed = parseDocName(doc);
    if (!parsed) return conn.error('not_found', 'Unknown document', doc);
    if (!(await this.access.canRead(actor, doc))) return conn.error('forbidden', 'Access denied', doc);
    const loaded = await this.ctx.docs.load(doc, conn.companyId);
    await this.ctx.docs.whenDurable(loaded);
    let diff: Uint8Array;
    try {
      diff = Y.encodeStateAsUpdate(loaded.doc, stateVector);
    } catch {
      return conn.error('bad_frame', 'malformed state vector', doc);
    }
    if (parsed.kind === 'client') conn.clientDocs.add(doc);
    conn.send({ type: 'sync2', doc, seq: loaded.seq, update: diff, stateVector: Y.encodeStateVector(loaded.doc) });
  }

  private async update(conn: Connection, doc: string, ref: number, update: Uint8Array): Promise<void> {
    if (update.byteLength > MAX_UPDATE_BYTES) {
      return conn.error('too_large', `An update may be at most ${MAX_UPDATE_BYTES} bytes`, doc, ref);
    }
    const parsed = parseDocName(doc);
    if (!parsed) return conn.error('not_found', 'Unknown document', doc, ref);
    if (parsed.kind !== 'conv') return conn.error('rejected', `${parsed.kind} documents are written only by the server`, doc, ref);
    try {
      // The next frame of this connection may be applied at once; the ack waits for the commit.
      const result = await this.ctx.conversations.applyOperatorUpdate(conn.actor!, parsed.id, update, conn);
      result.durable.then(
        () => conn.send({ type: 'ack', doc, ref, seq: result.seq }),
        () => conn.error('internal', 'The change could not be saved', doc, ref),
      );
    } catch (err) {
      if (!(err instanceof Rejection)) throw err;
      const code: ErrorCode = err.code === 'missing_dependencies' ? 'missing_dependencies' : err.code === 'not_found' ? 'not_found' : err.code === 'forbidden' ? 'forbidden' : 'rejected';
      conn.error(code, err.message, doc, ref);
    }
  }

  /** Sends a committed change to every connection that may read the document. */
  private fanOut(change: CommittedChange): void {
    const conns = this.byCompany.get(change.doc.companyId);
    if (!conns || conns.size === 0) return;
    const name = change.doc.name;
    const parsed = parseDocName(name);
    if (!parsed) return;
    let frame: Uint8Array | null = null;
    const updateFrame = () => (frame ??= encodeFrame({ type: 'update', doc: name, ref: 0, seq: change.seq, update: change.update }));
    if (parsed.kind === 'company') {
      for (const conn of conns) if (conn.ready && conn !== change.origin) conn.send(updateFrame());
      return;
    }
    if (parsed.kind === 'client') {
      for (const conn of conns) if (conn.ready && conn.clientDocs.has(name) && conn !== change.origin) conn.send(updateFrame());
      return;
    }
    const before = change.before as ConversationAccess | null;
    const after = change.after as ConversationAccess | null;
    let full: Uint8Array | null = null;
    for (const conn of conns) {
      if (!conn.ready || !conn.actor) continue;
      const was = before !== null && canReadConversation(conn.actor, before);
      const is = after !== null && canReadConversation(conn.actor, after);
      if (is && was) {
        if (conn === change.author) {
          // The author has its own edit: only the server's answer to it.
          if (change.echo) conn.send(encodeFrame({ type: 'update', doc: name, ref: 0, seq: change.seq, update: change.echo }));
        } else if (conn !== change.origin) conn.send(updateFrame());
      } else if (is) {
        // Newly readable: the whole document, not just this change.
        full ??= encodeFrame({ type: 'update', doc: name, ref: 0, seq: change.seq, update: Y.encodeStateAsUpdate(change.doc.doc) });
        conn.send(full);
      } else if (was) {
        conn.send({ type: 'revoke', doc: name });
        const clientId = (change.doc.doc.getMap('meta').get('clientId') as number | undefined) ?? null;
        if (clientId !== null && conn.clientDocs.delete(clientDocName(clientId))) conn.send({ type: 'revoke', doc: clientDocName(clientId) });
      }
    }
  }

  /** After a directory change: drop sessions that are no longer valid, resync those whose access changed. */
  private async recheckCompany(companyId: number): Promise<void> {
    const conns = this.byCompany.get(companyId);
    if (!conns) return;
    let state;
    try {
      state = await this.ctx.directory.get(companyId);
    } catch {
      return;
    }
    const presence = this.presenceOf(companyId);
    presence.setAwayChoices(new Map([...state.users.values()].map((u) => [u.id, u.away])));
    for (const conn of [...conns]) {
      const user = state.users.get(conn.userId);
      const actor = await this.ctx.directory.actor(companyId, conn.userId);
      if (!user || !actor || user.tokenVersion !== conn.tokenVersion) {
        conn.error('unauthorized', 'The session has ended');
        conn.close(CLOSE.unauthorized, 'session ended');
        this.drop(conn);
        continue;
      }
      const before = conn.actor!;
      conn.actor = actor;
      if (before.isOwner !== actor.isOwner || before.groupIds.join() !== actor.groupIds.join() || [...before.permissions].sort().join() !== [...actor.permissions].sort().join()) {
        conn.ws.close(CLOSE.accessChanged, 'access changed');
        this.drop(conn);
      }
    }
  }

  close(): void {
    for (const set of this.byCompany.values()) for (const conn of set) conn.ws.close(CLOSE.shuttingDown, 'server shutting down');
    for (const p of this.presence.values()) p.destroy();
    this.presence.clear();
    this.byCompany.clear();
  }
}
