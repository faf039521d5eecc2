import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CompanyDoc } from '../../../src-core/company';
import { companyDocName } from '../../../src-core/conversation/doc';
import type { DeliveryEntry } from '../../../src-core/conversation/types';
import { addOperator, http, inbound, insertTestChannel, signup, startTestServer, type SignedUp, type TestServer } from '../../test/harness';
import { verifyWebhook } from '../signing';
import { startFakeCustomApp, type FakeCustomApp } from './fake-custom-app';

let server: TestServer;
let fake: FakeCustomApp;
beforeAll(async () => {
  server = await startTestServer();
  fake = await startFakeCustomApp();
});
afterAll(async () => {
  await server.close();
  await fake.close();
});

const ctx = () => server.server.ctx;

interface App {
  id: number;
  token: string;
  signingSecret: string;
  customAppId: string;
  inboundUrl: string;
  owner: SignedUp;
}

let appCounter = 0;
/** A new company with one Custom app whose Webhook URL is the fake. */
async function newApp(customAppId = `shop-chat-${++appCounter}`): Promise<App> {
  const owner = await signup(server.url);
  const res = await http(server.url, 'POST', '/admin/apps', {
    token: owner.accessToken,
    body: { application: 'custom', name: 'Shop chat', customAppId, webhookUrl: fake.webhookUrl },
  });
  expect(res.status).toBe(200);
  fake.configure({ token: res.body.data.token, signingSecret: res.body.data.signingSecret, inboundUrl: res.body.data.inboundUrl });
  return { ...res.body.data, owner };
}

/** A new app with one client conversation. */
async function newConversation(): Promise<{ app: App; conversationId: number }> {
  const app = await newApp();
  const res = await fake.emit(message(app));
  expect(res.status).toBe(200);
  return { app, conversationId: res.body.data.conversation_id };
}

function message(app: App, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { custom_channel_id: app.customAppId, client_id: 'u-1001', type: 'text', data: 'Where is my order?', ...fields };
}

async function delivery(app: App, conversationId: number, uuid: string): Promise<DeliveryEntry | undefined> {
  const found = await ctx().conversations.loadConversation(app.owner.companyId, conversationId);
  return found?.conv.delivery.get(uuid);
}

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function statusOf(app: App, conversationId: number, uuid: string, expected: string): Promise<DeliveryEntry> {
  return until(`delivery status ${expected}`, async () => {
    const d = await delivery(app, conversationId, uuid);
    return d?.status === expected ? d : undefined;
  });
}

async function reply(app: App, conversationId: number, text: string): Promise<string> {
  const actor = await ctx().directory.actor(app.owner.companyId, app.owner.userId);
  const { message: m } = await ctx().conversations.postMessage(actor!, conversationId, 'out', text);
  return m.id;
}

/** Calls the fake recorded since `from`, once at least `count` arrived. */
async function callsSince(from: number, count: number) {
  await fake.waitForCalls(from + count);
  return fake.calls.slice(from);
}

describe('adding a Custom app (product §3.5)', () => {
  it('generates a token and a signing secret, mirrors the app into the company document and shows the secrets to admins only', async () => {
    const app = await newApp('shop-chat');
    expect(app.token).toMatch(/^[A-Za-z0-9_-]{48}$/);
    expect(app.signingSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(app.inboundUrl).toBe(`${server.url}/channels/custom/shop-chat/messages`);
    expect(app).toMatchObject({ application: 'custom', name: 'Shop chat', customAppId: 'shop-chat', webhookUrl: fake.webhookUrl, status: 'enabled' });

    const row = await ctx().storage.first(ctx().storage.db.selectFrom('account_channels').selectAll().where('id', '=', app.id));
    expect(row!.secrets_enc).not.toContain(app.token);
    expect(row!.secrets_enc).not.toContain(app.signingSecret.slice(6));

    const doc = await ctx().docs.load(companyDocName(app.owner.companyId), app.owner.companyId);
    expect(new CompanyDoc(doc.doc).accountChannel(app.id)).toMatchObject({ application: 'custom', name: 'Shop chat', serviceUserId: 'shop-chat', status: 'enabled' });

    const list = await http(server.url, 'GET', '/admin/apps', { token: app.owner.accessToken });
    expect(list.body.data).toEqual([expect.objectContaining({ id: app.id, customAppId: 'shop-chat', inboundUrl: app.inboundUrl })]);
    expect(JSON.stringify(list.body)).not.toContain(app.token);
    const one = await http(server.url, 'GET', `/admin/apps/${app.id}`, { token: app.owner.accessToken });
    expect(one.body.data).toMatchObject({ token: app.token, signingSecret: app.signingSecret });

    const operator = await addOperator(server.url, app.owner.accessToken);
    expect((await http(server.url, 'GET', `/admin/apps/${app.id}`, { token: operator.accessToken })).status).toBe(403);
    expect((await http(server.url, 'POST', '/admin/apps', { token: operator.accessToken, body: { application: 'custom', name: 'X', customAppId: 'x', webhookUrl: fake.webhookUrl } })).status).toBe(403);
    expect((await http(server.url, 'GET', '/admin/apps')).status).toBe(401);

    // A role with apps.manage may manage apps.
    await ctx().storage.write(async (tx) => {
      const role = await tx.run(ctx().storage.db.insertInto('roles').values({ company_id: app.owner.companyId, name: 'App admin', permissions: JSON.stringify(['apps.manage']) }));
      await tx.run(ctx().storage.db.updateTable('users').set({ role_id: role.insertId }).where('id', '=', operator.userId));
    });
    ctx().directory.invalidate(app.owner.companyId);
    const asManager = await http(server.url, 'GET', `/admin/apps/${app.id}`, { token: operator.accessToken });
    expect(asManager.status).toBe(200);
    expect(asManager.body.data.token).toBe(app.token);
    const other = await signup(server.url);
    expect((await http(server.url, 'GET', `/admin/apps/${app.id}`, { token: other.accessToken })).status).toBe(404);
  });

  it('refuses a bad Custom app ID, a reused one, a non-http(s) Webhook URL and another application', async () => {
    const app = await newApp();
    const add = (body: Record<string, unknown>) => http(server.url, 'POST', '/admin/apps', {
      token: app.owner.accessToken, body: { application: 'custom', name: 'Shop', customAppId: 'ok-id', webhookUrl: fake.webhookUrl, ...body },
    });
    expect((await add({ customAppId: 'has space' })).body).toEqual({ error: { customAppId: 'Must be 1–64 characters of A–Z, a–z, 0–9, _ and -' }, status: 400 });
    expect((await add({ customAppId: 'x'.repeat(65) })).status).toBe(400);
    expect((await add({ customAppId: app.customAppId })).body).toEqual({ error: { customAppId: 'Custom app ID is already in use' }, status: 400 });
    expect((await add({ webhookUrl: 'ftp://example.com/hook' })).body).toEqual({ error: { webhookUrl: 'Webhook URL must be an http(s) URL' }, status: 400 });
    expect((await add({ application: 'telegrambot' })).body.error).toHaveProperty('application');
    expect((await add({ name: ' ' })).body.error).toEqual({ name: 'Name is required' });
    // The same Custom app ID is fine in another company.
    const other = await signup(server.url);
    const elsewhere = await http(server.url, 'POST', '/admin/apps', {
      token: other.accessToken, body: { application: 'custom', name: 'Shop', customAppId: app.customAppId, webhookUrl: fake.webhookUrl },
    });
    expect(elsewhere.status).toBe(200);
    fake.configure({ token: app.token, signingSecret: app.signingSecret, inboundUrl: app.inboundUrl });
  });

  it('regenerating the token stops the old one at once', async () => {
    const app = await newApp();
    const res = await http(server.url, 'POST', `/admin/apps/${app.id}/regenerate-token`, { token: app.owner.accessToken });
    expect(res.status).toBe(200);
    const token = res.body.data.token as string;
    expect(token).not.toBe(app.token);
    expect(res.body.data.signingSecret).toBe(app.signingSecret);
    expect((await fake.emit(message(app), { token: app.token, bodyToken: app.token })).status).toBe(401);
    expect((await fake.emit(message(app), { token, bodyToken: token })).status).toBe(200);
  });
});

describe('messages into Switchboard', () => {
  it('refuses a missing or wrong Bearer token and a body token that differs (75, 76)', async () => {
    const app = await newApp();
    for (const opts of [{ token: null }, { token: 'not-a-token' }, { token: '' }]) {
      const res = await fake.emit(message(app), opts);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'Invalid token', status: 401 });
    }
    const differing = await fake.emit(message(app), { bodyToken: `${app.token.slice(1)}x` });
    expect(differing.body).toEqual({ error: 'Invalid token', status: 401 });
    expect((await fake.emit(message(app), { bodyToken: null })).status).toBe(401);
    const stored = await ctx().storage.all(ctx().storage.db.selectFrom('clients').select('id').where('account_channel_id', '=', app.id));
    expect(stored).toEqual([]);
  });

  it('answers 422 with a field map for missing or bad fields (77)', async () => {
    const app = await newApp();
    const missing = await fake.emit({ custom_channel_id: app.customAppId });
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual({ error: { client_id: 'Required', type: 'Required', data: 'Required' }, status: 422 });
    const bad = await fake.emit(message(app, { type: 'video', client_id: 'x'.repeat(129), echo: 'yes', timestamp: 1_700_000_000_000 }));
    expect(bad.body).toEqual({
      error: {
        type: 'Must be text, image, file or status', client_id: 'Must be 1–128 characters', echo: 'Must be 0, 1, true or false',
        timestamp: 'Must be Unix seconds, not milliseconds',
      },
      status: 422,
    });
    expect((await fake.emit(message(app, { data: '' }))).body.error).toEqual({ data: 'Must be 1–10,000 characters' });
    expect((await fake.emit(message(app, { data: 'x'.repeat(10_001) }))).body.error).toEqual({ data: 'Must be 1–10,000 characters' });
    expect((await fake.emit(message(app, { data: '😀'.repeat(10_000) }))).status).toBe(200);
    expect((await fake.emit(message(app, { type: 'image', data: 'javascript:alert(1)' }))).body.error).toEqual({ data: 'Must be an http(s) URL of the file' });
    expect((await fake.emit(message(app, { info: 'not json' }))).body.error).toEqual({ info: 'Must be an object or a string holding a JSON object' });
    expect((await fake.emit(message(app, { info: [1, 2] }))).body.error).toEqual({ info: 'Must be an object or a string holding a JSON object' });
    expect((await fake.emit(message(app, { type: 'status' }))).body.error).toEqual({ message_id: 'Required with type "status"', status: 'Required with type "status"' });
    expect((await fake.emit(message(app, { custom_channel_id: 'another' }))).body.error).toEqual({ custom_channel_id: 'Must equal the Custom app ID in the address' });
    const wrongAddress = await fake.emit(message(app, { custom_channel_id: 'another' }), { url: app.inboundUrl.replace(app.customAppId, 'another') });
    expect(wrongAddress.body.error).toEqual({ custom_channel_id: 'The address names another Custom app ID than this token' });
    expect((await fake.emit({}, { raw: '[1,2]' })).body).toEqual({ error: { body: 'Must be a JSON object' }, status: 422 });
  });

  it('creates the client\'s conversation, unassigned in the Default group, then reuses it (78)', async () => {
    const app = await newApp();
    const first = await fake.emit(message(app, { client_name: 'Ann Lee', client_phone: '+4915112345678', message_id: 'm-1' }));
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ status: 200, data: { id: expect.any(Number), conversation_id: expect.any(Number), duplicate: false } });
    const conversationId = first.body.data.conversation_id;
    const found = await ctx().conversations.loadConversation(app.owner.companyId, conversationId);
    const meta = found!.conv.getMeta();
    const company = await ctx().directory.get(app.owner.companyId);
    const defaultGroup = [...company.groups.values()].find((g) => g.isDefault)!;
    expect(meta).toMatchObject({ status: 'unassigned', assigneeId: null, groupId: defaultGroup.id, application: 'custom', accountChannelId: app.id, clientName: 'Ann Lee' });
    expect(found!.conv.messages.toArray()).toEqual([
      expect.objectContaining({ kind: 'in', senderType: 'client', text: 'Where is my order?', externalId: 'm-1' }),
    ]);
    const client = await ctx().storage.first(ctx().storage.db.selectFrom('clients').selectAll().where('account_channel_id', '=', app.id));
    expect(client).toMatchObject({ external_id: 'u-1001', name: 'Ann Lee', phone: '+4915112345678' });

    const second = await fake.emit(message(app, { data: 'Hello?', message_id: 'm-2', timestamp: 1_700_000_000 }));
    expect(second.body.data).toEqual({ id: first.body.data.id + 1, conversation_id: conversationId, duplicate: false });
    expect(found!.conv.messages.toArray().map((m) => [m.text, m.createdAt])).toEqual([
      ['Where is my order?', expect.any(Number)], ['Hello?', 1_700_000_000_000],
    ]);
    const another = await fake.emit(message(app, { client_id: 'u-2002' }));
    expect(another.body.data.conversation_id).not.toBe(conversationId);
    // The raw event is recorded with its dedupe key, without the app's token (channels.md §1).
    const event = await ctx().storage.first(ctx().storage.db.selectFrom('inbound_events').selectAll().where('account_channel_id', '=', app.id).where('dedupe_key', '=', 'id:m-1'));
    expect(event!.payload).not.toContain(app.token);
    expect(JSON.parse(event!.payload!)).toMatchObject({ client_id: 'u-1001', client_name: 'Ann Lee', message_id: 'm-1', type: 'text' });
  });

  it('stores one message for a repeated message_id, or for a repeated body without one (79)', async () => {
    const app = await newApp();
    const first = await fake.emit(message(app, { message_id: 'm-77' }));
    const again = await fake.emit(message(app, { message_id: 'm-77', data: 'changed text, same id' }));
    expect(again.body).toEqual({ status: 200, data: { ...first.body.data, duplicate: true } });

    const body = { client_id: 'u-1001', type: 'text', data: 'no id', info: { b: 2, a: 1 }, custom_channel_id: app.customAppId };
    const a = await fake.emit(body);
    // Same content in another key order and with another body token position: still the same event.
    const reordered = { custom_channel_id: app.customAppId, info: { a: 1, b: 2 }, data: 'no id', type: 'text', client_id: 'u-1001' };
    const b = await fake.emit({ ...reordered, token: app.token }, { bodyToken: null });
    expect(b.body.data).toEqual({ ...a.body.data, duplicate: true });
    const found = await ctx().conversations.loadConversation(app.owner.companyId, first.body.data.conversation_id);
    expect(found!.conv.messages.toArray().map((m) => m.text)).toEqual(['Where is my order?', 'no id']);
  });

  it('stores info as unverified custom fields, replacing the keys it names (83)', async () => {
    const app = await newApp();
    await fake.emit(message(app, { info: { plan: 'gold', city: 'Berlin' } }));
    await fake.emit(message(app, { info: JSON.stringify({ city: 'Munich', visits: 3 }) }));
    const client = await ctx().storage.first(ctx().storage.db.selectFrom('clients').select('extra_fields').where('account_channel_id', '=', app.id));
    expect(JSON.parse(client!.extra_fields)).toEqual({ plan: 'gold', city: 'Munich', visits: 3 });
  });

  it('stores an image or file with its URL and name (82 without the download)', async () => {
    const app = await newApp();
    const image = await fake.emit(message(app, { type: 'image', data: 'https://cdn.shop.example/u/1001/receipt.jpg', message_id: 'm-78' }));
    const file = await fake.emit(message(app, { type: 'file', data: 'https://cdn.shop.example/doc?id=1', file_name: 'invoice.pdf' }));
    const found = await ctx().conversations.loadConversation(app.owner.companyId, image.body.data.conversation_id);
    expect(found!.conv.messages.toArray().map((m) => [m.text, m.attachment])).toEqual([
      [null, { type: 'image', url: 'https://cdn.shop.example/u/1001/receipt.jpg', name: 'receipt.jpg', mime: null, size: null }],
      [null, { type: 'file', url: 'https://cdn.shop.example/doc?id=1', name: 'invoice.pdf', mime: null, size: null }],
    ]);
    expect(file.body.data.duplicate).toBe(false);
  });

  it('stores an echo as the app\'s outgoing message and posts nothing to the Webhook URL (80)', async () => {
    const app = await newApp();
    const start = await fake.emit(message(app));
    const callsBefore = fake.calls.length;
    const echo = await fake.emit(message(app, { data: 'Sent by our bot', echo: 1, message_id: 'bot-1' }));
    expect(echo.body.data).toEqual({ id: expect.any(Number), conversation_id: start.body.data.conversation_id, duplicate: false });
    const found = await ctx().conversations.loadConversation(app.owner.companyId, start.body.data.conversation_id);
    const stored = found!.conv.messages.toArray().at(-1)!;
    expect(stored).toMatchObject({ kind: 'out', senderType: 'app', text: 'Sent by our bot', authorId: null });
    expect(found!.conv.delivery.get(stored.id)?.status).toBe('sent');
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.calls.length).toBe(callsBefore);
    const outbound = await ctx().storage.all(ctx().storage.db.selectFrom('outbound').select('id').where('account_channel_id', '=', app.id));
    expect(outbound).toEqual([]);
  });

  it('refuses more than 50 requests a second from one app with 429 and Retry-After', async () => {
    const app = await newApp();
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => fake.emit(message(app, { message_id: `burst-${i}` }))));
    const limited = results.filter((r) => r.status === 429);
    expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(50);
    expect(limited.length).toBeGreaterThanOrEqual(10);
    expect(limited[0].body).toEqual({ error: 'Too many requests', status: 429 });
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Other apps are not affected.
    const other = await newApp();
    expect((await fake.emit(message(other))).status).toBe(200);
    fake.configure({ token: app.token, signingSecret: app.signingSecret, inboundUrl: app.inboundUrl });
    await new Promise((r) => setTimeout(r, 1100));
    expect((await fake.emit(message(app, { message_id: 'after-the-second' }))).status).toBe(200);
  });

  it('answers 413 to a body over 1 MB', async () => {
    const app = await newApp();
    const res = await fake.emit(message(app, { data: 'x'.repeat(1024 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'Payload too large', status: 413 });
  });
});

describe('messages out of Switchboard', () => {
  // A test that failed half-way must not leave scripted answers for the next one.
  afterEach(() => fake.clearFailures());

  it('posts an operator reply with every field and valid signature headers, then marks it sent (84)', async () => {
    const { app, conversationId } = await newConversation();
    const from = fake.calls.length;
    const uuid = await reply(app, conversationId, 'It ships today.');
    expect((await delivery(app, conversationId, uuid))?.status).toBe('queued');
    const [call] = await callsSince(from, 1);
    expect(call.verified).toBe(true);
    expect(call.method).toBe('POST');
    expect(call.path).toBe('/webhook');
    expect(call.headers['content-type']).toBe('application/json');
    expect(call.headers.authorization).toBe(`Bearer ${app.token}`);
    expect(call.headers['webhook-id']).toBe(uuid);
    expect(Math.abs(Number(call.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(verifyWebhook(app.signingSecret, call.headers, call.body)).toEqual({ ok: true });
    const owner = (await ctx().directory.get(app.owner.companyId)).users.get(app.owner.userId)!;
    expect(call.parsed).toEqual({
      token: app.token, custom_channel_id: app.customAppId, client_id: 'u-1001', type: 'text', data: 'It ships today.', message_id: uuid,
      conversation_id: conversationId, file_name: null, mime_type: null, operator: { id: app.owner.userId, name: owner.name },
      timestamp: expect.any(Number),
    });
    await statusOf(app, conversationId, uuid, 'sent');
    const row = await ctx().storage.first(ctx().storage.db.selectFrom('outbound').selectAll().where('key', '=', uuid));
    expect(row).toMatchObject({ state: 'sent', attempts: 1, thread: `conv:${conversationId}`, message_uuid: uuid });
    expect(row!.payload).not.toContain(app.token);
    expect(JSON.parse(row!.payload)).toEqual({ ...(call.parsed as object), token: undefined });
    const note = await ctx().conversations.postMessage((await ctx().directory.actor(app.owner.companyId, app.owner.userId))!, conversationId, 'note', 'internal');
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.calls.filter((c) => c.webhookId === note.message.id)).toEqual([]);
  });

  it('retries 503s with the same message_id and ends with one accepted delivery (85)', async () => {
    const { app, conversationId } = await newConversation();
    fake.failNext({ status: 503, times: 2 });
    const from = fake.calls.length;
    const uuid = await reply(app, conversationId, 'Retry me');
    const calls = await callsSince(from, 3);
    expect(calls.map((c) => [c.status, c.webhookId, (c.parsed as { message_id: string }).message_id, c.verified])).toEqual([
      [503, uuid, uuid, true], [503, uuid, uuid, true], [200, uuid, uuid, true],
    ]);
    expect(fake.acceptedIds().filter((id) => id === uuid)).toHaveLength(1);
    const entry = await statusOf(app, conversationId, uuid, 'sent');
    expect(entry.error).toBeNull();
    const row = await ctx().storage.first(ctx().storage.db.selectFrom('outbound').select(['state', 'attempts']).where('key', '=', uuid));
    expect(row).toEqual({ state: 'sent', attempts: 3 });
  });

  it('honours Retry-After of a 429 and keeps later replies of the conversation behind it', async () => {
    const { app, conversationId } = await newConversation();
    fake.failNext({ status: 429, headers: { 'retry-after': '1' } });
    const from = fake.calls.length;
    const first = await reply(app, conversationId, 'first');
    const second = await reply(app, conversationId, 'second');
    const calls = await callsSince(from, 3);
    expect(calls.map((c) => [c.webhookId, c.status])).toEqual([[first, 429], [first, 200], [second, 200]]);
    expect(calls[1].receivedAt - calls[0].receivedAt).toBeGreaterThanOrEqual(950);
    await statusOf(app, conversationId, second, 'sent');
    await statusOf(app, conversationId, first, 'sent');
  });

  it('fails the message with invalid_request on a 400 and goes on with the next one (85)', async () => {
    const { app, conversationId } = await newConversation();
    fake.failNext({ status: 400, body: '{"error":"unknown client_id"}' });
    const from = fake.calls.length;
    const bad = await reply(app, conversationId, 'rejected');
    const good = await reply(app, conversationId, 'accepted');
    const calls = await callsSince(from, 2);
    expect(calls.map((c) => [c.webhookId, c.status])).toEqual([[bad, 400], [good, 200]]);
    const failed = await statusOf(app, conversationId, bad, 'failed');
    expect(failed.error).toEqual({ reason: 'invalid_request', message: 'Webhook URL answered HTTP 400: {"error":"unknown client_id"}' });
    await statusOf(app, conversationId, good, 'sent');
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.calls.filter((c) => c.webhookId === bad)).toHaveLength(1);
  });

  it('gives up after 8 attempts with the last reason', async () => {
    const { app, conversationId } = await newConversation();
    fake.failNext({ status: 502, times: 8 });
    const from = fake.calls.length;
    const uuid = await reply(app, conversationId, 'never arrives');
    const calls = await callsSince(from, 8);
    expect(new Set(calls.map((c) => c.webhookId))).toEqual(new Set([uuid]));
    const failed = await statusOf(app, conversationId, uuid, 'failed');
    expect(failed.error).toEqual({ reason: 'unknown', message: expect.stringContaining('HTTP 502') });
    await new Promise((r) => setTimeout(r, 500));
    expect(fake.calls.length).toBe(from + 8);
  });

  it('sends at most 20 requests a second to one app (burst of 20, then 20/s)', async () => {
    const app = await newApp();
    const conversations: number[] = [];
    for (let i = 0; i < 40; i++) conversations.push((await fake.emit(message(app, { client_id: `rate-${i}` }))).body.data.conversation_id);
    const from = fake.calls.length;
    await Promise.all(conversations.map((id, i) => reply(app, id, `reply ${i}`)));
    const calls = await callsSince(from, 40);
    expect(calls.every((c) => c.status === 200)).toBe(true);
    // 20 go at once; the other 20 need 50 ms of refill each.
    expect(calls[39].receivedAt - calls[0].receivedAt).toBeGreaterThanOrEqual(900);
  });

  it('fails a reply at once when the app has no Webhook URL or credentials', async () => {
    const owner = await signup(server.url);
    const channelId = await insertTestChannel(server.server, owner.companyId);
    const received = await inbound(server.server, owner.companyId, channelId, 'u-1', 'Hello');
    const actor = await ctx().directory.actor(owner.companyId, owner.userId);
    const from = fake.calls.length;
    const { message: m } = await ctx().conversations.postMessage(actor!, received.conversationId, 'out', 'Nowhere to go');
    const app = { owner } as App;
    const failed = await statusOf(app, received.conversationId, m.id, 'failed');
    expect(failed.error).toEqual({ reason: 'invalid_request', message: 'The app has no Webhook URL' });
    const row = await ctx().storage.first(ctx().storage.db.selectFrom('outbound').select(['state', 'attempts']).where('key', '=', m.id));
    expect(row).toEqual({ state: 'failed', attempts: 1 });
    expect(fake.calls.length).toBe(from);
  });

  it('marks a message delivered on echo_outgoing and creates nothing (81)', async () => {
    const { app, conversationId } = await newConversation();
    const uuid = await reply(app, conversationId, 'Echo me');
    await statusOf(app, conversationId, uuid, 'sent');
    const found = await ctx().conversations.loadConversation(app.owner.companyId, conversationId);
    const count = found!.conv.messages.length;
    const echo = await fake.emit(message(app, { echo_outgoing: 1, message_id: uuid, data: 'Echo me' }));
    expect(echo.body.data).toEqual({ id: expect.any(Number), conversation_id: conversationId, duplicate: false });
    await statusOf(app, conversationId, uuid, 'delivered');
    const unknown = await fake.emit(message(app, { echo_outgoing: true, message_id: '01UNKNOWNMESSAGEID000000000' }));
    expect(unknown.status).toBe(200);
    expect(unknown.body.data).toMatchObject({ id: null, ignored: true });
    expect(found!.conv.messages.length).toBe(count);
  });

  it('moves a message forward with status messages and never back (86)', async () => {
    const { app, conversationId } = await newConversation();
    const uuid = await reply(app, conversationId, 'Status me');
    await statusOf(app, conversationId, uuid, 'sent');
    const status = (s: string, extra: Record<string, unknown> = {}) => fake.emit(message(app, { type: 'status', status: s, message_id: uuid, data: undefined, ...extra }));
    const read = await status('read');
    expect(read.body.data).toEqual({ id: expect.any(Number), conversation_id: conversationId, duplicate: false });
    await statusOf(app, conversationId, uuid, 'read');
    expect((await status('delivered')).status).toBe(200);
    expect((await status('failed', { error: 'blocked' })).status).toBe(200);
    expect((await delivery(app, conversationId, uuid))?.status).toBe('read');

    const other = await reply(app, conversationId, 'Fails later');
    await statusOf(app, conversationId, other, 'sent');
    await fake.emit(message(app, { type: 'status', status: 'failed', message_id: other, error: 'User blocked the bot' }));
    const failed = await statusOf(app, conversationId, other, 'failed');
    expect(failed.error).toEqual({ reason: 'unknown', message: 'User blocked the bot' });

    const stranger = await fake.emit(message(app, { type: 'status', status: 'read', message_id: 'not-ours' }));
    expect(stranger.body).toEqual({ error: { message_id: 'No message with this id was sent to this app' }, status: 422 });
  });
});

describe('restarts', () => {
  it('resumes a reply interrupted by a shutdown with the same webhook-id, and a restart with nothing pending sends nothing', async () => {
    const { app, conversationId } = await newConversation();
    fake.failNext({ delayMs: 2000 });
    const from = fake.calls.length;
    const uuid = await reply(app, conversationId, 'Interrupted');
    await callsSince(from, 1);
    await server.restart(); // aborts the held request; the row stays retryable
    const calls = await callsSince(from, 2);
    expect(calls.map((c) => c.webhookId)).toEqual([uuid, uuid]);
    await statusOf(app, conversationId, uuid, 'sent');
    const row = await ctx().storage.first(ctx().storage.db.selectFrom('outbound').select(['state']).where('key', '=', uuid));
    expect(row).toEqual({ state: 'sent' });
    await new Promise((r) => setTimeout(r, 2100)); // the held answer completes at the fake
    expect(fake.acceptedIds().filter((id) => id === uuid)).toHaveLength(1);

    const settled = fake.calls.length;
    await server.restart();
    await new Promise((r) => setTimeout(r, 500));
    expect(fake.calls.length).toBe(settled);
  });
});
