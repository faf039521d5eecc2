/** The stock y-websocket provider against `/yjs/<doc>`: syncs with a token, refused without. */
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationDoc, conversationDocName } from '../../src-core/conversation/doc';
import { writeMessage } from '../../src-core/conversation/actions';
import { addOperator, inbound, insertTestChannel, signup, startTestServer, type SignedUp, type TestServer } from '../test/harness';

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

async function until(pred: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
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
