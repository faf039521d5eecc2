/** The stock y-websocket provider against `/yjs/<doc>`: syncs with a token, refused without. */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationDoc, conversationDocName } from '../../src-core/conversation/doc';
import { writeMessage } from '../../src-core/conversation/actions';
import { addOperator, inbound, insertTestChannel, signup, startTestServer, until, type SignedUp, type TestServer } from '../test/harness';

let server: TestServer;
let owner: SignedUp;
let channelId: number;
const providers: WebsocketProvider[] = [];

beforeAll(async () => {
  server = await startTestServer();
  owner = await signup(server.url);
  channelId = await insertTestChannel(server.server, owner.companyId);
});
afterAll(async () => {
  for (const p of providers) p.destroy();
  await server.close();
});

function provider(doc: string, ydoc: Y.Doc, token?: string): WebsocketProvider {
  const p = new WebsocketProvider(server.url.replace('http', 'ws') + '/yjs', doc, ydoc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    params: token ? { token } : {},
    maxBackoffTime: 200,
  });
  providers.push(p);
  return p;
}

/** A sync message's payload: message type, sync type, then the length-prefixed update or state vector. */
function syncPayload(frame: Uint8Array): Uint8Array {
  const dec = decoding.createDecoder(frame);
  decoding.readVarUint(dec);
  decoding.readVarUint(dec);
  return decoding.readVarUint8Array(dec);
}

describe('y-websocket compatibility', () => {
  it('two stock providers sync one conversation document through the server', async () => {
    const op = await addOperator(server.url, owner.accessToken);
    const { conversationId } = await inbound(server.server, owner.companyId, channelId, 'yws-1', 'from the client');
    const name = conversationDocName(conversationId);
    const docA = new Y.Doc();
    const docB = new Y.Doc();
    const a = provider(name, docA, owner.accessToken);
    const b = provider(name, docB, op.accessToken);
    await until(() => a.synced && b.synced, 'both synced');
    expect(new ConversationDoc(docA).listMessages().map((m) => m.text)).toEqual(['from the client']);
    // What the author's provider receives from now on.
    const toAuthor: Uint8Array[] = [];
    docA.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === a) toAuthor.push(update);
    });
    writeMessage(new ConversationDoc(docA), owner.userId, 'note', 'a note from a stock provider');
    await until(() => new ConversationDoc(docB).messages.length === 2, 'B receives the note');
    // The server accepted it: its delivery entry (server-written) reaches both.
    const noteId = new ConversationDoc(docA).listMessages()[1].id;
    await until(() => new ConversationDoc(docB).delivery.has(noteId) && new ConversationDoc(docA).delivery.has(noteId), 'server acceptance');
    const stored = await server.server.ctx.docs.load(name, owner.companyId);
    expect(new ConversationDoc(stored.doc).listMessages().map((m) => m.text)).toEqual(['from the client', 'a note from a stock provider']);
    // The author got the server's answer without its own note echoed back.
    expect(toAuthor.length).toBeGreaterThan(0);
    const echoed = toAuthor.flatMap((u) => Y.decodeUpdate(u).structs).map((s) => JSON.stringify((s as { content?: unknown }).content ?? null));
    expect(echoed.some((c) => c.includes('a note from a stock provider'))).toBe(false);
    expect(echoed.some((c) => c.includes('acceptedAt'))).toBe(true);
  });

  it('sends the updates of one event-loop turn to a reader as one merged update', async () => {
    const { conversationId } = await inbound(server.server, owner.companyId, channelId, 'yws-3', 'from the client');
    const name = conversationDocName(conversationId);
    const docA = new Y.Doc();
    const a = provider(name, docA, owner.accessToken);
    await until(() => a.synced, 'editor synced');
    // A bare reader, to see the frames themselves.
    const reader = new WebSocket(`${server.url.replace('http', 'ws')}/yjs/${name}?token=${owner.accessToken}`);
    const frames: Uint8Array[] = [];
    reader.on('message', (data: Buffer) => frames.push(new Uint8Array(data)));
    await new Promise((resolve) => reader.once('open', resolve));
    await until(() => frames.length > 0, 'server sync step 1');
    const readerDoc = new Y.Doc();
    const step1 = encoding.createEncoder();
    encoding.writeVarUint(step1, 0);
    syncProtocol.writeSyncStep1(step1, readerDoc);
    reader.send(encoding.toUint8Array(step1));
    await until(() => frames.some((f) => f[0] === 0 && f[1] === 1), 'sync step 2');
    for (const f of frames.splice(0)) if (f[0] === 0 && f[1] === 1) Y.applyUpdate(readerDoc, syncPayload(f));

    // Twenty edits in twenty transactions: the provider sends twenty frames at once.
    const conv = new ConversationDoc(docA);
    for (let i = 0; i < 20; i++) writeMessage(conv, owner.userId, 'note', `burst ${i}`);
    const notes = () => new ConversationDoc(readerDoc).listMessages().filter((m) => m.text?.startsWith('burst ')).length;
    const accepted = () => new ConversationDoc(readerDoc).listMessages().filter((m) => new ConversationDoc(readerDoc).delivery.has(m.id)).length;
    const updates: Uint8Array[] = [];
    await until(() => {
      for (const f of frames.splice(0)) {
        if (f[0] !== 0 || f[1] !== 2) continue;
        const u = syncPayload(f);
        updates.push(u);
        Y.applyUpdate(readerDoc, u);
      }
      return notes() === 20 && accepted() === 21;
    }, 'the reader has every note and its delivery entry');
    expect(new ConversationDoc(readerDoc).listMessages().map((m) => m.text)).toEqual(['from the client', ...Array.from({ length: 20 }, (_, i) => `burst ${i}`)]);
    // Updates committed in the same turn travel together: far fewer frames than edits.
    expect(updates.length).toBeLessThanOrEqual(10);
    expect(Math.max(...updates.map((u) => Y.decodeUpdate(u).structs.length))).toBeGreaterThan(2);
    reader.close();
  });

  it('is refused with close code 4401 without a token and 4403 for a document the user may not read', async () => {
    const { conversationId } = await inbound(server.server, owner.companyId, channelId, 'yws-2', 'x');
    const closes: number[] = [];
    const p = provider(conversationDocName(conversationId), new Y.Doc());
    p.on('connection-close', (ev) => {
      if (ev) closes.push(ev.code);
    });
    await until(() => closes.length > 0, 'closed');
    expect(closes[0]).toBe(4401);
    expect(p.synced).toBe(false);
    p.destroy();

    const other = await signup(server.url);
    const forbidden: number[] = [];
    const q = provider(conversationDocName(conversationId), new Y.Doc(), other.accessToken);
    q.on('connection-close', (ev) => {
      if (ev) forbidden.push(ev.code);
    });
    await until(() => forbidden.length > 0, 'closed');
    expect(forbidden[0]).toBe(4403);
    q.destroy();
  });
});
