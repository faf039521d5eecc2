import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestTransition, setTag, setTopic, writeMessage } from '../../src-core/conversation/actions';
import { addOperator, http, inbound, insertTestChannel, signup, startTestServer, type SignedUp, type TestServer } from '../test/harness';
import { connectClient, type TestClient } from '../test/sync-client';

let server: TestServer;
let owner: SignedUp;
let channelId: number;
const clients: TestClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
  owner = await signup(server.url);
  channelId = await insertTestChannel(server.server, owner.companyId);
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server.close();
});

function client(token: string): TestClient {
  const c = connectClient(server.url, () => token);
  clients.push(c);
  return c;
}

describe('multiplexed sync', () => {
  it('two clients of one company converge, and an offline one catches up both ways on reconnect', async () => {
    const op = await addOperator(server.url, owner.accessToken);
    const topic = (await http(server.url, 'POST', '/admin/topics', { token: owner.accessToken, body: { title: 'Billing' } })).body.data.id as number;
    const a = client(owner.accessToken);
    const b = client(op.accessToken);
    const { conversationId } = await inbound(server.server, owner.companyId, channelId, 'c-1', 'Hello there');
    await a.waitFor(async () => a.store.rows.has(conversationId), 'A sees the new request');
    await b.waitFor(async () => b.store.rows.has(conversationId), 'B sees the new request');
    expect(b.store.rows.get(conversationId)).toMatchObject({ status: 'unassigned', clientName: 'Client c-1', lastMessagePreview: 'Hello there' });

    // B takes it; A sees the server's decision.
    await b.edit(conversationId, (conv) => requestTransition(conv, op.userId, 'take'));
    await a.waitFor(() => a.store.rows.get(conversationId)?.status === 'inbox', 'A sees it taken');
    expect(a.store.rows.get(conversationId)?.assigneeId).toBe(op.userId);
    await b.waitFor(() => b.store.outbox.size === 0, 'B’s take acknowledged');

    // B goes offline, writes two replies, a note and tags; meanwhile A adds a topic and the client writes again.
    b.offline();
    await b.edit(conversationId, (conv) => writeMessage(conv, op.userId, 'out', 'First offline reply'));
    await b.edit(conversationId, (conv) => writeMessage(conv, op.userId, 'out', 'Second offline reply'));
    await b.edit(conversationId, (conv) => {
      writeMessage(conv, op.userId, 'note', 'Offline note');
      setTag(conv, 'vip', true);
    });
    expect(b.store.outbox.size).toBe(3);
    await a.edit(conversationId, (conv) => setTopic(conv, topic, true));
    await inbound(server.server, owner.companyId, channelId, 'c-1', 'Are you there?');
    await a.waitFor(async () => (await a.conv(conversationId)).messages.length === 2, 'A sees the second client message');

    b.online();
    await b.waitFor(() => b.store.outbox.size === 0, 'B outbox acknowledged');
    await b.waitCaughtUp();
    await a.waitFor(async () => (await a.conv(conversationId)).messages.length === 5, 'A sees B’s offline messages');
    await b.waitFor(async () => (await b.conv(conversationId)).topics.has(String(topic)), 'B sees A’s topic');

    const convA = await a.conv(conversationId);
    const convB = await b.conv(conversationId);
    const texts = (c: typeof convA) => c.listMessages().map((m) => m.text).sort();
    expect(texts(convA)).toEqual(['Are you there?', 'First offline reply', 'Hello there', 'Offline note', 'Second offline reply']);
    expect(texts(convB)).toEqual(texts(convA));
    expect(convA.tagList()).toEqual(['vip']);
    // Each message exactly once, each accepted by the server exactly once.
    const ids = convA.listMessages().map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(convA.delivery.get(id)?.serverId).toBeGreaterThan(0);
    // Replies written before B saw "Are you there?" are held (product §2.5); the note is not.
    const byText = new Map(convA.listMessages().map((m) => [m.text, convA.delivery.get(m.id)!]));
    expect(byText.get('First offline reply')!.status).toBe('held');
    expect(byText.get('Second offline reply')!.status).toBe('held');
    expect(byText.get('Offline note')!.status).toBeNull();
    await server.server.ctx.storage.write(async () => undefined);
    const serverRow = await server.server.ctx.storage.first(server.server.ctx.storage.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('conversation_id', '=', conversationId));
    expect(serverRow?.n).toBe(5);
    expect(a.store.rows.get(conversationId)).toEqual(b.store.rows.get(conversationId));
  });

  it('keeps the cursor: a reconnecting client is told only what changed since', async () => {
    const a = client(owner.accessToken);
    await a.waitCaughtUp();
    const before = a.store.state.cursor;
    expect(before).toBeGreaterThan(0);
    a.offline();
    const { conversationId } = await inbound(server.server, owner.companyId, channelId, 'c-cursor', 'New while away');
    a.online();
    await a.waitFor(() => a.store.rows.has(conversationId), 'the change made while away');
    await a.waitCaughtUp();
    expect(a.store.state.cursor).toBeGreaterThan(before);
  });

  it('catches up in pipelined batches with a small document cache: every conversation arrives whole', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 23; i++) {
      const { conversationId } = await inbound(server.server, owner.companyId, channelId, `c-batch-${i}`, `Batch message ${i}`);
      ids.push(conversationId);
    }
    // Batches of 4, three in flight, and only 3 documents kept decoded: documents of batches still
    // waiting for their answer must not be evicted, and none may be asked for twice or skipped.
    const c = connectClient(server.url, () => owner.accessToken, { batchSize: 4, pipeline: 3, cacheSize: 3 });
    clients.push(c);
    await c.waitCaughtUp(20_000);
    for (const [i, id] of ids.entries()) {
      expect(c.store.rows.get(id)).toMatchObject({ clientName: `Client c-batch-${i}`, lastMessagePreview: `Batch message ${i}` });
      expect((await c.conv(id)).listMessages().map((m) => m.text)).toEqual([`Batch message ${i}`]);
    }
    expect(c.errors).toEqual([]);
  });

  it('the author of an edit receives the server\'s answer to it, not its own edit again', async () => {
    const { conversationId } = await inbound(server.server, owner.companyId, channelId, 'c-echo', 'Echo?');
    const author = client(owner.accessToken);
    const other = client(owner.accessToken);
    for (const c of [author, other]) await c.waitFor(async () => c.store.rows.has(conversationId), 'the conversation');
    // Every update each device stores from the server from now on.
    const record = (c: TestClient) => {
      const sizes: number[] = [];
      const save = c.store.saveRemote.bind(c.store);
      c.store.saveRemote = async (updates, rows, cursor) => {
        for (const u of updates) if (u.doc === `conv/${conversationId}`) sizes.push(u.update.byteLength);
        return save(updates, rows, cursor);
      };
      return sizes;
    };
    const [toAuthor, toOther] = [record(author), record(other)];
    let noteId = '';
    await author.edit(conversationId, (conv) => {
      noteId = writeMessage(conv, owner.userId, 'note', 'x'.repeat(2_000)).id;
    });
    await author.waitFor(async () => (await author.conv(conversationId)).delivery.get(noteId)?.serverId !== undefined, 'the author sees the acceptance');
    await other.waitFor(async () => (await other.conv(conversationId)).delivery.get(noteId)?.serverId !== undefined, 'the other device gets note and acceptance');
    // The other device got the 2,000-character note; the author only the small delivery entry.
    expect(Math.max(...toOther)).toBeGreaterThan(2_000);
    expect(Math.max(...toAuthor)).toBeLessThan(500);
  });
});
