/**
 * Authorisation and hostile input on the sync gateway: per-document read and write checks,
 * forged server-owned writes, malformed frames, bad JSON, wrong tokens and oversized payloads.
 */
import WebSocket from 'ws';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationDoc, conversationDocName } from '../../src-core/conversation/doc';
import { requestTransition, writeMessage } from '../../src-core/conversation/actions';
import { ulid } from '../../src-core/ids';
import { PROTOCOL_VERSION, decodeFrame, encodeFrame, type Frame } from '../../src-core/protocol/wire';
import { addOperator, inbound, insertTestChannel, signup, startTestServer, type Operator, type SignedUp, type TestServer } from '../test/harness';
import { connectClient, type TestClient } from '../test/sync-client';

let server: TestServer;
let owner: SignedUp;
let op: Operator;
let channelId: number;
const clients: TestClient[] = [];
const sockets: RawSocket[] = [];

beforeAll(async () => {
  server = await startTestServer();
  owner = await signup(server.url);
  op = await addOperator(server.url, owner.accessToken);
  channelId = await insertTestChannel(server.server, owner.companyId);
});
afterAll(async () => {
  for (const c of clients) c.close();
  for (const s of sockets) s.ws.terminate();
  await server.close();
});

/** A raw protocol socket, to send exactly the bytes a test wants. */
class RawSocket {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | null = null;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const f = decodeFrame(new Uint8Array(data));
      if (f.type === 'batch') this.frames.push(...f.frames);
      else this.frames.push(f);
    });
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }
  static async open(): Promise<RawSocket> {
    const ws = new WebSocket(server.url.replace('http', 'ws') + '/sync');
    const s = new RawSocket(ws);
    sockets.push(s);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return s;
  }
  send(frame: Frame | Uint8Array): void {
    this.ws.send(frame instanceof Uint8Array ? frame : encodeFrame(frame));
  }
  async hello(token: string): Promise<Extract<Frame, { type: 'welcome' }>> {
    this.send({ type: 'hello', token, cursor: 0, epoch: 0, awarenessId: 1 + Math.floor(Math.random() * 1e9), protocol: PROTOCOL_VERSION });
    return (await this.next((f) => f.type === 'welcome')) as Extract<Frame, { type: 'welcome' }>;
  }
  async next(pred: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const i = this.frames.findIndex(pred);
      if (i >= 0) return this.frames.splice(i, 1)[0];
      if (this.closed) throw new Error(`socket closed ${this.closed.code} ${this.closed.reason}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no matching frame; got ${JSON.stringify(this.frames.map((f) => f.type))}`);
  }
  async waitClosed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    if (!this.closed) throw new Error('socket did not close');
    return this.closed;
  }
  /** The server's copy of a document, as this socket may read it. */
  async fetchDoc(name: string): Promise<Y.Doc> {
    this.send({ type: 'sync1', doc: name, stateVector: Y.encodeStateVector(new Y.Doc()) });
    const f = (await this.next((x) => (x.type === 'sync2' && x.doc === name) || (x.type === 'error' && x.doc === name))) as Frame;
    if (f.type === 'error') throw new Error(`${f.code}: ${f.message}`);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, (f as Extract<Frame, { type: 'sync2' }>).update);
    return doc;
  }
}

/** Builds an update as a device would: edit a local copy of the server's document. */
function edit(base: Y.Doc, fn: (conv: ConversationDoc, doc: Y.Doc) => void): Uint8Array {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(base));
  const sv = Y.encodeStateVector(copy);
  fn(new ConversationDoc(copy), copy);
  return Y.encodeStateAsUpdate(copy, sv);
}

async function serverState(conversationId: number): Promise<Uint8Array> {
  const loaded = await server.server.ctx.docs.load(conversationDocName(conversationId), owner.companyId);
  return Y.encodeStateAsUpdate(loaded.doc);
}

describe('document authorisation', () => {
  it('an operator cannot read or write a conversation held by someone else, and stops receiving it', async () => {
    const { conversationId } = await inbound(server.server, owner.companyId, channelId, 'sec-1', 'hi');
    const name = conversationDocName(conversationId);
    const c = connectClient(server.url, () => op.accessToken);
    clients.push(c);
    await c.waitFor(() => c.store.rows.has(conversationId), 'operator sees the unassigned request');
    // The super-admin takes it: the operator's device is told to drop it.
    const { decision } = await server.server.ctx.conversations.transition((await server.server.ctx.directory.actor(owner.companyId, owner.userId))!, conversationId, { action: 'take' });
    expect(decision.outcome).toBe('applied');
    await c.waitFor(() => !c.store.rows.has(conversationId) && !c.store.docs.has(name), 'operator copy revoked');
    expect(c.revoked).toContain(name);

    const raw = await RawSocket.open();
    await raw.hello(op.accessToken);
    await expect(raw.fetchDoc(name)).rejects.toThrow(/forbidden: Access denied/);
    const before = await serverState(conversationId);
    raw.send({ type: 'update', doc: name, ref: 5, seq: 0, update: edit(new Y.Doc(), (conv) => writeMessage(conv, op.userId, 'note', 'sneaky')) });
    const err = await raw.next((f) => f.type === 'error' && f.ref === 5);
    expect(err).toMatchObject({ code: 'forbidden', doc: name });
    expect(await serverState(conversationId)).toEqual(before);
    // The company document is readable; another company's is not.
    await raw.fetchDoc(`company/${owner.companyId}`);
    const other = await signup(server.url);
    await expect(raw.fetchDoc(`company/${other.companyId}`)).rejects.toThrow(/forbidden|not_found/);
  });

  it('forged server-owned writes are rejected and leave the document unchanged', async () => {
    const { conversationId } = await inbound(server.server, owner.companyId, channelId, 'sec-2', 'help');
    const name = conversationDocName(conversationId);
    const raw = await RawSocket.open();
    await raw.hello(op.accessToken);
    const base = await raw.fetchDoc(name);
    const forgeries: Array<[string, (conv: ConversationDoc, doc: Y.Doc) => void]> = [
      ['status', (conv) => conv.meta.set('status', 'closed')],
      ['assignee', (conv) => conv.meta.set('assigneeId', op.userId)],
      ['inbound message', (conv) => conv.messages.push([{ id: ulid(), kind: 'in', senderType: 'client', authorId: null, text: 'fake client', attachment: null, createdAt: 1, seenMessageId: null, externalId: null }])],
      ['reply as someone else', (conv) => writeMessage(conv, owner.userId, 'out', 'impersonated')],
      ['delivery state', (conv) => conv.delivery.set(conv.listMessages()[0].id, { acceptedAt: 1, serverId: 1, status: 'read', error: null })],
      ['query log', (conv) => conv.queries.set('999', { id: 999, origin: 'client', startedAt: 0, startGroupId: null, clockAt: 0, firstResponseAt: null, closedAt: null, closerId: null, closeGroupId: null })],
      ['deleting a message', (conv) => conv.messages.delete(0, 1)],
      ['request by someone else', (conv) => requestTransition(conv, owner.userId, 'close')],
      ['a new root type', (_conv, doc) => doc.getText('x').insert(0, 'x')],
      ['a nested type', (conv) => conv.tags.set('nested', new Y.Map() as never)],
    ];
    let ref = 100;
    for (const [what, forge] of forgeries) {
      const before = await serverState(conversationId);
      raw.send({ type: 'update', doc: name, ref: ++ref, seq: 0, update: edit(base, forge) });
      const err = await raw.next((f) => f.type === 'error' && f.ref === ref);
      expect(err, what).toMatchObject({ code: 'rejected', doc: name });
      expect(await serverState(conversationId), what).toEqual(before);
    }
    // A legitimate note still goes through on the same socket.
    raw.send({ type: 'update', doc: name, ref: ++ref, seq: 0, update: edit(base, (conv) => writeMessage(conv, op.userId, 'note', 'legit')) });
    const ack = await raw.next((f) => f.type === 'ack' && f.ref === ref);
    expect(ack).toMatchObject({ doc: name });
  });

  it('a device that had a write refused drops its copy, keeps its unsent text, and resyncs', async () => {
    const { conversationId } = await inbound(server.server, owner.companyId, channelId, 'sec-3', 'hello');
    const c = connectClient(server.url, () => op.accessToken);
    clients.push(c);
    await c.waitFor(() => c.store.rows.has(conversationId), 'request visible');
    await c.edit(conversationId, (conv) => {
      writeMessage(conv, op.userId, 'note', 'my draft note');
      conv.meta.set('status', 'closed');
    });
    await c.waitFor(() => c.rejected.length === 1, 'rejection reported');
    expect(c.rejected[0].unsent.map((m) => m.text)).toEqual(['my draft note']);
    await c.waitFor(async () => (await c.conv(conversationId)).getMeta().status === 'unassigned' && c.store.outbox.size === 0, 'resynced to the server state');
    expect((await c.conv(conversationId)).listMessages().map((m) => m.text)).toEqual(['hello']);
  });
});

describe('hostile frames', () => {
  it('answers a malformed frame, bad JSON and a premature frame with clear errors and keeps the socket', async () => {
    const raw = await RawSocket.open();
    raw.send(new Uint8Array([0xff, 0xff, 0xff, 0x01]));
    expect(await raw.next((f) => f.type === 'error')).toMatchObject({ code: 'bad_frame' });
    raw.send(new Uint8Array([0, 3, 0x7b, 0x7b, 0x7b])); // hello with body "{{{"
    expect(await raw.next((f) => f.type === 'error')).toMatchObject({ code: 'bad_json' });
    raw.send({ type: 'sync1', doc: 'company/1', stateVector: new Uint8Array([0]) });
    expect(await raw.next((f) => f.type === 'error')).toMatchObject({ code: 'protocol' });
    raw.ws.send('text frame');
    expect(await raw.next((f) => f.type === 'error')).toMatchObject({ code: 'bad_frame' });
    const welcome = await raw.hello(owner.accessToken);
    expect(welcome.userId).toBe(owner.userId);
    raw.send({ type: 'update', doc: 'conv/1', ref: 1, seq: 0, update: new Uint8Array([1, 2, 3]) });
    expect(await raw.next((f) => f.type === 'error' && f.ref === 1)).toMatchObject({ code: expect.stringMatching(/rejected|not_found|forbidden/) });
  });

  it('refuses a wrong token with an error and close code 4401', async () => {
    const raw = await RawSocket.open();
    raw.send({ type: 'hello', token: 'not-a-token', cursor: 0, epoch: 0, awarenessId: 7, protocol: PROTOCOL_VERSION });
    expect(await raw.next((f) => f.type === 'error')).toMatchObject({ code: 'unauthorized' });
    expect((await raw.waitClosed()).code).toBe(4401);
  });

  it('answers an oversized update with too_large, closes on an oversized frame, and keeps serving others', async () => {
    const watcher = connectClient(server.url, () => owner.accessToken);
    clients.push(watcher);
    await watcher.waitCaughtUp();
    const raw = await RawSocket.open();
    await raw.hello(op.accessToken);
    raw.send({ type: 'update', doc: 'conv/1', ref: 9, seq: 0, update: new Uint8Array(3 * 1024 * 1024) });
    expect(await raw.next((f) => f.type === 'error' && f.ref === 9)).toMatchObject({ code: 'too_large' });
    raw.send(new Uint8Array(9 * 1024 * 1024));
    expect((await raw.waitClosed()).code).toBe(1009);
    const { conversationId } = await inbound(server.server, owner.companyId, channelId, 'sec-4', 'still here');
    await watcher.waitFor(() => watcher.store.rows.has(conversationId), 'other clients keep syncing');
  });

  it('refuses awareness entries for other clients or other users', async () => {
    const raw = await RawSocket.open();
    const awarenessId = 4242;
    raw.send({ type: 'hello', token: op.accessToken, cursor: 0, epoch: 0, awarenessId, protocol: PROTOCOL_VERSION });
    await raw.next((f) => f.type === 'welcome');
    const { encodeAwarenessEntry } = await import('../test/awareness');
    raw.send({ type: 'awareness', update: encodeAwarenessEntry(awarenessId + 1, 1, { kind: 'operator', userId: op.userId, viewing: null, typing: null, idle: false }) });
    expect(await raw.next((f) => f.type === 'error')).toMatchObject({ code: 'rejected' });
    raw.send({ type: 'awareness', update: encodeAwarenessEntry(awarenessId, 1, { kind: 'operator', userId: owner.userId, viewing: null, typing: null, idle: false }) });
    expect(await raw.next((f) => f.type === 'error')).toMatchObject({ code: 'rejected' });
  });
});
