import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompanyDoc } from '../../src-core/company';
import { ConversationDoc, companyDocName, conversationDocName } from '../../src-core/conversation/doc';
import { setTopic } from '../../src-core/conversation/actions';
import { addOperator, http, inbound, insertTestChannel, signup, startTestServer, type SignedUp, type TestServer } from '../test/harness';
import { connectClient, type TestClient } from '../test/sync-client';

let server: TestServer;
let owner: SignedUp;
const clients: TestClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
  owner = await signup(server.url);
});
afterAll(async () => {
  for (const c of clients) c.close();
  await server.close();
});

const create = (body: unknown, token = owner.accessToken) => http(server.url, 'POST', '/admin/topics', { token, body });

describe('the topic list (product §8.4)', () => {
  it('the super-admin creates topics; every device of the company gets them through the company document', async () => {
    const device = connectClient(server.url, () => owner.accessToken);
    clients.push(device);
    await device.waitCaughtUp();

    const refund = await create({ title: '  Refund  ' });
    expect(refund.status).toBe(200);
    expect(refund.body.data).toEqual({ id: expect.any(Number), title: 'Refund', color: expect.stringMatching(/^#[0-9A-F]{6}$/), archived: false });
    const delivery = await create({ title: 'Delivery', color: '#00aa55' });
    expect(delivery.body.data).toMatchObject({ title: 'Delivery', color: '#00AA55' });

    const list = await http(server.url, 'GET', '/admin/topics', { token: owner.accessToken });
    expect(list.body.data.map((t: { title: string }) => t.title)).toEqual(['Refund', 'Delivery']);

    const topicsOnDevice = async () => [...new CompanyDoc(await device.peer.getDoc(companyDocName(owner.companyId))).topics.values()];
    await device.waitFor(async () => (await topicsOnDevice()).length === 2, 'the topics on the device');
    expect((await topicsOnDevice()).sort((a, b) => a.id - b.id)).toEqual(list.body.data);
  });

  it('refuses a duplicate title in any case, a bad colour and unknown fields, and changes nothing', async () => {
    const before = (await http(server.url, 'GET', '/admin/topics', { token: owner.accessToken })).body.data;
    const duplicate = await create({ title: 'REFUND' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toEqual({ title: 'A topic with this title already exists' });
    expect((await create({ title: '' })).body.error).toEqual({ title: 'Title is required' });
    expect((await create({ title: 'x'.repeat(65) })).status).toBe(400);
    expect((await create({ title: 'Colours', color: 'red' })).body.error).toEqual({ color: 'Colour is #rrggbb' });
    expect((await create({ title: 'Extra', admin: true })).status).toBe(400);
    expect((await http(server.url, 'GET', '/admin/topics', { token: owner.accessToken })).body.data).toEqual(before);
  });

  it('renames, recolours and archives; an archived topic stays in the list, marked', async () => {
    const topic = (await create({ title: 'Warranty' })).body.data;
    const renamed = await http(server.url, 'PATCH', `/admin/topics/${topic.id}`, { token: owner.accessToken, body: { title: 'Warranty repair', color: '#123abc' } });
    expect(renamed.body.data).toEqual({ id: topic.id, title: 'Warranty repair', color: '#123ABC', archived: false });
    const archived = await http(server.url, 'PATCH', `/admin/topics/${topic.id}`, { token: owner.accessToken, body: { archived: true } });
    expect(archived.body.data.archived).toBe(true);
    const clash = await http(server.url, 'PATCH', `/admin/topics/${topic.id}`, { token: owner.accessToken, body: { title: 'delivery' } });
    expect(clash.status).toBe(409);
    expect((await http(server.url, 'PATCH', `/admin/topics/${topic.id}`, { token: owner.accessToken, body: {} })).status).toBe(400);
    expect((await http(server.url, 'PATCH', '/admin/topics/999999', { token: owner.accessToken, body: { archived: true } })).status).toBe(404);
    const list = (await http(server.url, 'GET', '/admin/topics', { token: owner.accessToken })).body.data;
    expect(list.find((t: { id: number }) => t.id === topic.id)).toEqual({ id: topic.id, title: 'Warranty repair', color: '#123ABC', archived: true });
  });

  it('an operator without settings.manage reads the list but cannot change it; another company never sees it', async () => {
    const op = await addOperator(server.url, owner.accessToken);
    expect((await http(server.url, 'GET', '/admin/topics', { token: op.accessToken })).status).toBe(200);
    expect((await create({ title: 'Sneaky' }, op.accessToken)).status).toBe(403);
    const topic = (await http(server.url, 'GET', '/admin/topics', { token: op.accessToken })).body.data[0];
    expect((await http(server.url, 'PATCH', `/admin/topics/${topic.id}`, { token: op.accessToken, body: { archived: true } })).status).toBe(403);
    expect((await http(server.url, 'POST', '/admin/topics', { body: { title: 'No token' } })).status).toBe(401);

    const other = await signup(server.url);
    expect((await http(server.url, 'GET', '/admin/topics', { token: other.accessToken })).body.data).toEqual([]);
    expect((await http(server.url, 'PATCH', `/admin/topics/${topic.id}`, { token: other.accessToken, body: { archived: true } })).status).toBe(404);
  });

  it('a topic set on a query by a device reaches the server and survives a restart, as does the list', async () => {
    const channelId = await insertTestChannel(server.server, owner.companyId);
    const { conversationId } = await inbound(server.server, owner.companyId, channelId, 'c-topics', 'My parcel is late');
    const topic = (await http(server.url, 'GET', '/admin/topics', { token: owner.accessToken })).body.data.find((t: { title: string }) => t.title === 'Delivery');
    const device = connectClient(server.url, () => owner.accessToken);
    clients.push(device);
    await device.waitFor(async () => device.store.rows.has(conversationId), 'the conversation');
    await device.edit(conversationId, (conv) => setTopic(conv, topic.id, true));
    await device.waitFor(() => device.store.outbox.size === 0, 'the topic acknowledged');
    device.close();

    await server.restart();
    const list = (await http(server.url, 'GET', '/admin/topics', { token: owner.accessToken })).body.data;
    expect(list.map((t: { title: string }) => t.title)).toEqual(['Refund', 'Delivery', 'Warranty repair']);
    const fresh = connectClient(server.url, () => owner.accessToken);
    clients.push(fresh);
    await fresh.waitFor(async () => fresh.store.rows.get(conversationId)?.topicIds.includes(topic.id) ?? false, 'the topic after a restart');
  });

  it('a device cannot attach an archived or unknown topic: the write is refused and the document unchanged', async () => {
    const channelId = await insertTestChannel(server.server, owner.companyId, 'Second channel');
    const { conversationId } = await inbound(server.server, owner.companyId, channelId, 'c-archived', 'Is my repair covered?');
    const archived = (await http(server.url, 'GET', '/admin/topics', { token: owner.accessToken })).body.data.find((t: { archived: boolean }) => t.archived);
    const device = connectClient(server.url, () => owner.accessToken);
    clients.push(device);
    await device.waitFor(async () => device.store.rows.has(conversationId), 'the conversation');
    for (const topicId of [archived.id, 987_654]) {
      const before = device.rejected.length;
      await device.edit(conversationId, (conv) => setTopic(conv, topicId, true));
      await device.waitFor(() => device.rejected.length > before, `the refusal of topic ${topicId}`);
      expect(device.rejected.at(-1)!.reason).toMatch(/not in the company's list or is archived/);
    }
    const stored = await server.server.ctx.docs.load(conversationDocName(conversationId), owner.companyId);
    expect([...new ConversationDoc(stored.doc).topics.keys()]).toEqual([]);
    await device.waitFor(async () => (await device.conv(conversationId)).topics.size === 0, 'the device back to the server state');
  });
});
