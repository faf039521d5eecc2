/**
 * The plain y-websocket protocol for one document per connection (`/yjs/<docName>?token=…`), so
 * the stock `y-websocket` provider and other Yjs tools can connect. Same authorisation and write
 * validation as the multiplexed gateway; refusals close the socket with a 44xx code.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { WebSocket } from 'ws';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import { parseDocName } from '../../src-core/conversation/doc';
import type { ConversationAccess } from '../../src-core/permissions';
import { canReadConversation } from '../../src-core/permissions';
import type { Session } from '../auth/session';
import type { ServerContext } from '../context';
import { Rejection } from '../conversations/service';
import type { CommittedChange } from '../docs/doc-manager';
import { AccessIndex } from './access';
import { CLOSE, MAX_UPDATE_BYTES } from './multiplex';
import { TurnFlush, type TurnMemo } from './turn-flush';

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const MESSAGE_QUERY_AWARENESS = 3;

interface YwsConnection {
  ws: WebSocket;
  session: Session;
  doc: string;
  chain: Promise<void>;
  awarenessIds: Set<number>;
  /**
   * What this connection is sent in this event-loop turn, written together at its end: protocol
   * messages as they are, and document updates, of which each consecutive run goes out merged.
   */
  outgoing: Outgoing[];
}

/** A message ready to send, or a document update still to be framed (and merged with its neighbours). */
type Outgoing = Uint8Array | PendingUpdate;

interface PendingUpdate {
  update: Uint8Array;
}

export class YWebsocketEndpoint {
  private readonly subscribers = new Map<string, Set<YwsConnection>>();
  private readonly awareness = new Map<string, awarenessProtocol.Awareness>();
  private readonly access: AccessIndex;
  /** Every connection's messages of a turn go out at its end; readers sent the same run share its merge. */
  private readonly flusher = new TurnFlush<YwsConnection>((conn, memo) => this.flush(conn, memo));

  constructor(private readonly ctx: ServerContext) {
    this.access = new AccessIndex(ctx.storage);
    ctx.docs.onCommitted((change) => this.fanOut(change));
  }

  async accept(ws: WebSocket, docName: string, token: string | null): Promise<void> {
    // Frames that arrive while we authorise are kept and handled in order afterwards.
    const early: Buffer[] = [];
    const collect = (data: Buffer) => early.push(data);
    ws.on('message', collect);
    ws.on('error', () => undefined);
    const session = token ? await this.ctx.sessions.fromAccessToken(token) : null;
    if (!session) return ws.close(CLOSE.unauthorized, 'unauthorized');
    const parsed = parseDocName(docName);
    if (!parsed) return ws.close(CLOSE.badRequest, 'unknown document');
    if (!(await this.access.canRead(session.actor, docName))) return ws.close(CLOSE.forbidden, 'forbidden');
    if (ws.readyState !== ws.OPEN) return;
    const loaded = await this.ctx.docs.load(docName, session.user.companyId);
    await this.ctx.docs.whenDurable(loaded);
    const conn: YwsConnection = { ws, session, doc: docName, chain: Promise.resolve(), awarenessIds: new Set(), outgoing: [] };
    if (!this.subscribers.has(docName)) this.subscribers.set(docName, new Set());
    this.subscribers.get(docName)!.add(conn);
    const awareness = this.awarenessOf(docName);
    ws.off('message', collect);
    ws.on('message', (data: Buffer) => this.enqueue(conn, data));
    ws.on('close', () => {
      this.subscribers.get(docName)?.delete(conn);
      if (conn.awarenessIds.size > 0) awarenessProtocol.removeAwarenessStates(awareness, [...conn.awarenessIds], conn);
      if (this.subscribers.get(docName)?.size === 0) {
        this.subscribers.delete(docName);
        this.awareness.get(docName)?.destroy();
        this.awareness.delete(docName);
      }
    });
    // Server speaks first: its state vector, then the known awareness states.
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(enc, loaded.doc);
    this.send(conn, encoding.toUint8Array(enc));
    const states = [...awareness.getStates().keys()];
    if (states.length > 0) this.send(conn, awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(awareness, states)));
    for (const data of early) this.enqueue(conn, data);
  }

  private awarenessOf(doc: string): awarenessProtocol.Awareness {
    let a = this.awareness.get(doc);
    if (!a) {
      a = new awarenessProtocol.Awareness(new Y.Doc());
      a.setLocalState(null);
      a.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
        const changed = [...added, ...updated, ...removed];
        const origin_ = origin as YwsConnection | undefined;
        if (origin_ && typeof origin_ === 'object' && 'awarenessIds' in origin_) {
          for (const id of added) origin_.awarenessIds.add(id);
          for (const id of removed) origin_.awarenessIds.delete(id);
        }
        const msg = awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(a!, changed));
        for (const c of this.subscribers.get(doc) ?? []) this.send(c, msg);
      });
      this.awareness.set(doc, a);
    }
    return a;
  }

  private enqueue(conn: YwsConnection, data: Buffer): void {
    conn.chain = conn.chain.then(() => this.handle(conn, new Uint8Array(data.buffer, data.byteOffset, data.byteLength))).catch((err) => {
      this.ctx.log.warn({ err: String(err), doc: conn.doc }, 'y-websocket message refused');
      conn.ws.close(CLOSE.badRequest, 'malformed message');
    });
  }

  private async handle(conn: YwsConnection, data: Uint8Array): Promise<void> {
    if (data.byteLength > MAX_UPDATE_BYTES) return conn.ws.close(CLOSE.badRequest, 'message too large');
    const dec = decoding.createDecoder(data);
    const type = decoding.readVarUint(dec);
    if (type === MESSAGE_SYNC) {
      const syncType = decoding.readVarUint(dec);
      if (syncType === syncProtocol.messageYjsSyncStep1) {
        const sv = decoding.readVarUint8Array(dec);
        const loaded = await this.ctx.docs.load(conn.doc, conn.session.user.companyId);
        await this.ctx.docs.whenDurable(loaded);
        const enc = encoding.createEncoder();
        encoding.writeVarUint(enc, MESSAGE_SYNC);
        encoding.writeVarUint(enc, syncProtocol.messageYjsSyncStep2);
        encoding.writeVarUint8Array(enc, Y.encodeStateAsUpdate(loaded.doc, sv));
        this.send(conn, encoding.toUint8Array(enc));
      } else if (syncType === syncProtocol.messageYjsSyncStep2 || syncType === syncProtocol.messageYjsUpdate) {
        await this.write(conn, decoding.readVarUint8Array(dec));
      } else {
        conn.ws.close(CLOSE.badRequest, 'unknown sync message');
      }
    } else if (type === MESSAGE_AWARENESS) {
      awarenessProtocol.applyAwarenessUpdate(this.awarenessOf(conn.doc), decoding.readVarUint8Array(dec), conn);
    } else if (type === MESSAGE_QUERY_AWARENESS) {
      const a = this.awarenessOf(conn.doc);
      this.send(conn, awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(a, [...a.getStates().keys()])));
    } else {
      conn.ws.close(CLOSE.badRequest, 'unknown message type');
    }
  }

  private async write(conn: YwsConnection, update: Uint8Array): Promise<void> {
    const parsed = parseDocName(conn.doc)!;
    if (parsed.kind !== 'conv') {
      // An empty diff (nothing new) is fine; anything else is a write to a server-owned document.
      if (isEmptyUpdate(update)) return;
      return conn.ws.close(CLOSE.forbidden, 'document is written only by the server');
    }
    try {
      const result = await this.ctx.conversations.applyOperatorUpdate(conn.session.actor, parsed.id, update, conn);
      result.durable.catch(() => conn.ws.close(CLOSE.badRequest, 'the change could not be saved'));
    } catch (err) {
      if (!(err instanceof Rejection)) throw err;
      conn.ws.close(err.code === 'forbidden' ? CLOSE.forbidden : CLOSE.badRequest, err.message.slice(0, 120));
    }
  }

  private fanOut(change: CommittedChange): void {
    const subs = this.subscribers.get(change.doc.name);
    if (!subs || subs.size === 0) return;
    const after = change.after as ConversationAccess | null;
    const update: PendingUpdate = { update: change.update };
    const echo: PendingUpdate | null = change.echo ? { update: change.echo } : null;
    for (const conn of subs) {
      if (after !== null && !canReadConversation(conn.session.actor, after)) {
        conn.ws.close(CLOSE.forbidden, 'access revoked');
        continue;
      }
      if (conn === change.author) {
        // The author has its own edit: only the server's answer to it.
        if (echo) this.send(conn, echo);
      } else if (conn !== change.origin) this.send(conn, update);
    }
  }

  private send(conn: YwsConnection, msg: Outgoing): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    conn.outgoing.push(msg);
    if (conn.outgoing.length === 1) this.flusher.add(conn);
  }

  /**
   * Sends a connection what this turn gave it. A run of consecutive updates goes out as one merged
   * update: one frame, and one transaction for the receiving document instead of one per edit.
   * Readers of a document are mostly sent the same run, so each distinct run is merged once.
   */
  private flush(conn: YwsConnection, memo: TurnMemo): void {
    const items = conn.outgoing;
    conn.outgoing = [];
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    // Corking the socket writes the frames of one turn together (one syscall instead of one each).
    const socket = (conn.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    socket?.cork();
    for (let i = 0; i < items.length; ) {
      const item = items[i];
      if (item instanceof Uint8Array) {
        conn.ws.send(item, { binary: true });
        i++;
        continue;
      }
      let j = i + 1;
      while (j < items.length && !(items[j] instanceof Uint8Array)) j++;
      const run = (items.slice(i, j) as PendingUpdate[]).map((u) => u.update);
      conn.ws.send(memo.get(run, () => updateMessage(run.length === 1 ? run[0] : Y.mergeUpdates(run))), { binary: true });
      i = j;
    }
    socket?.uncork();
  }

  close(): void {
    for (const subs of this.subscribers.values()) for (const c of subs) c.ws.close(CLOSE.shuttingDown, 'server shutting down');
    for (const a of this.awareness.values()) a.destroy();
  }
}

function updateMessage(update: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_SYNC);
  syncProtocol.writeUpdate(enc, update);
  return encoding.toUint8Array(enc);
}

function awarenessMessage(update: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(enc, update);
  return encoding.toUint8Array(enc);
}

function isEmptyUpdate(update: Uint8Array): boolean {
  try {
    const { structs, ds } = Y.decodeUpdate(update);
    return structs.length === 0 && ds.clients.size === 0;
  } catch {
    return false;
  }
}
