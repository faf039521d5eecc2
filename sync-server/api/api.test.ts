/**
 * The REST API against a real server on 127.0.0.1 with real SQLite (product §11, checklist
 * §13 items 178–185, 189, 193–195).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUlid } from '../../src-core/ids';
import { makeActor } from '../../src-core/permissions';
import { randomToken, sha256Hex } from '../security/crypto';
import {
  addOperator, http, inbound, insertTestChannel, signup, startTestServer, type HttpResult, type SignedUp, type TestServer,
} from '../test/harness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const ctx = () => server.server.ctx;

function api<T = any>(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; form?: Record<string, string>; query?: Record<string, string | number>; headers?: Record<string, string> } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token !== undefined) headers.Authentication = opts.token;
  const qs = opts.query ? `?${new URLSearchParams(Object.entries(opts.query).map(([k, v]) => [k, String(v)]))}` : '';
  if (opts.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    return http<T>(server.url, method, `/api${path}${qs}`, { raw: new URLSearchParams(opts.form).toString(), headers });
  }
  return http<T>(server.url, method, `/api${path}${qs}`, { body: opts.body, headers });
}

/** The envelope of product §11.1: exactly `status` and `data`, or exactly `error` and `status`. */
function expectData(res: HttpResult): any {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(Object.keys(res.body as object).sort()).toEqual(['data', 'status']);
  expect((res.body as any).status).toBe(200);
  return (res.body as any).data;
}

function expectError(res: HttpResult, status: number, error: unknown): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toEqual({ error, status });
}

interface Company {
  owner: SignedUp;
  channelId: number;
  defaultGroupId: number;
}

async function company(): Promise<Company> {
  const owner = await signup(server.url);
  const channelId = await insertTestChannel(server.server, owner.companyId, 'Support app');
  const state = await ctx().directory.get(owner.companyId);
  const defaultGroupId = [...state.groups.values()].find((g) => g.isDefault)!.id;
  return { owner, channelId, defaultGroupId };
}

let clientCounter = 0;
async function newConversation(c: Company, text = 'Hello'): Promise<number> {
  const res = await inbound(server.server, c.owner.companyId, c.channelId, `client-${++clientCounter}`, text);
  return res.conversationId;
}

async function addGroup(companyId: number, name: string, priority: number): Promise<number> {
  const { storage, directory } = ctx();
  return storage.write(async (tx) => {
    const res = await tx.run(storage.db.insertInto('groups').values({ company_id: companyId, name, priority, color: '#336699', is_default: 0 }));
    await directory.writeCompanyDoc(tx, companyId);
    return res.insertId!;
  });
}

/** An operator-scoped API token (product §11.1), stored as the accounts service stores tokens. */
async function operatorToken(companyId: number, userId: number): Promise<string> {
  const token = randomToken(48);
  const { storage, secrets } = ctx();
  await storage.write((tx) => tx.run(storage.db.insertInto('api_tokens').values({
    token_hash: sha256Hex(token), company_id: companyId, user_id: userId, token_enc: secrets.seal(token), created_at: Date.now(),
  })));
  return token;
}

async function ownerActor(c: Company) {
  const actor = await ctx().directory.actor(c.owner.companyId, c.owner.userId);
  return actor ?? makeActor({ userId: c.owner.userId, companyId: c.owner.companyId, isOwner: true, groupIds: [] });
}

async function mirrored(conversationId: number) {
  const { storage } = ctx();
  return storage.first(storage.db.selectFrom('conversations').select(['status', 'assignee_id', 'group_id']).where('id', '=', conversationId));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('authentication and envelopes', () => {
  it('answers 401 "Empty token" without the Authentication header (also when the token is only in Authorization)', async () => {
    const c = await company();
    expectError(await api('GET', '/operators/all'), 401, 'Empty token');
    expectError(await api('POST', '/conversations/start', { body: { conversation_id: 1 } }), 401, 'Empty token');
    expectError(await api('GET', '/operators/all', { token: '   ' }), 401, 'Empty token');
    expectError(await api('GET', '/operators/all', { headers: { Authorization: c.owner.apiToken } }), 401, 'Empty token');
    expectError(await api('GET', '/operators/all', { headers: { Authorization: `Bearer ${c.owner.apiToken}` } }), 401, 'Empty token');
    expectData(await api('GET', '/operators/all', { token: c.owner.apiToken }));
  });

  it('answers 401 "Invalid token" for an unknown or regenerated token', async () => {
    const c = await company();
    expectError(await api('GET', '/operators/all', { token: 'not-a-token' }), 401, 'Invalid token');
    const regenerated = await http(server.url, 'POST', '/admin/api-token', { token: c.owner.accessToken });
    expectError(await api('GET', '/operators/all', { token: c.owner.apiToken }), 401, 'Invalid token');
    expectData(await api('GET', '/operators/all', { token: regenerated.body.data.token }));
  });

  it('checks the token before reading the body', async () => {
    const res = await api('POST', '/conversations/start', { headers: { 'content-type': 'application/json' }, body: undefined });
    expectError(res, 401, 'Empty token');
    const bad = await http(server.url, 'POST', '/api/conversations/start', { raw: '{not json', headers: { 'content-type': 'application/json' } });
    expectError(bad, 401, 'Empty token');
  });

  it('answers 404 "Not found" for unknown paths and 405 "Method not allowed" for a wrong method', async () => {
    const c = await company();
    expectError(await api('GET', '/nothing-here', { token: c.owner.apiToken }), 404, 'Not found');
    expectError(await api('POST', '/conversations/nope'), 404, 'Not found');
    const wrong = await api('GET', '/conversations/start', { token: c.owner.apiToken });
    expectError(wrong, 405, 'Method not allowed');
    expect(wrong.headers.get('allow')).toBe('POST');
    expectError(await api('POST', '/operators/all', { token: c.owner.apiToken, body: {} }), 405, 'Method not allowed');
    expectError(await api('DELETE', '/conversations/unassigned'), 405, 'Method not allowed');
  });

  it('limits each token to 20 requests a second with bursts of 40, then 429 with Retry-After', async () => {
    const c = await company();
    const other = await company();
    const results = await Promise.all(Array.from({ length: 90 }, () => api('GET', '/operators/all', { token: c.owner.apiToken })));
    const limited = results.filter((r) => r.status === 429);
    expect(results.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(40);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0].body).toEqual({ error: 'Too many requests', status: 429 });
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another token is not affected, and the bucket refills.
    expectData(await api('GET', '/operators/all', { token: other.owner.apiToken }));
    await sleep(1100);
    expectData(await api('GET', '/operators/all', { token: c.owner.apiToken }));
  });
});

describe('parameters and bodies', () => {
  it('answers a field map for missing or malformed parameters', async () => {
    const c = await company();
    const t = c.owner.apiToken;
    expectError(await api('POST', '/conversations/start', { token: t, body: {} }), 400, { conversation_id: 'Conversation ID is required' });
    expectError(await api('POST', '/conversations/start', { token: t }), 400, { conversation_id: 'Conversation ID is required' });
    expectError(await api('POST', '/conversations/start', { token: t, body: { conversation_id: 'abc' } }), 400, { conversation_id: 'Conversation ID must be a positive integer' });
    expectError(await api('POST', '/conversations/start', { token: t, body: { conversation_id: 2.5 } }), 400, { conversation_id: 'Conversation ID must be a positive integer' });
    expectError(await api('POST', '/conversations/close', { token: t, body: { conversation_id: 1, disable_webhook: 'yes' } }), 400, { disable_webhook: 'Disable webhook must be 0 or 1' });
    expectError(await api('POST', '/conversations/close', { token: t, body: { conversation_id: 1, topic_ids: '3,x' } }), 400, { topic_ids: 'Topic IDs must be comma-separated positive integers' });
    expectError(await api('POST', '/conversations/send-message', { token: t, body: { conversation_id: 1, text: '   ' } }), 400, { text: 'Text is required' });
    expectError(await api('POST', '/conversations/send-message', { token: t, body: { text: 5 } }), 400, {
      conversation_id: 'Conversation ID is required', text: 'Text must be a string',
    });
    expectError(await api('GET', '/conversations/unassigned', { token: t, query: { limit: 0 } }), 400, { limit: 'Limit must be an integer from 1 to 1000' });
    expectError(await api('GET', '/conversations/unassigned', { token: t, query: { limit: 1001 } }), 400, { limit: 'Limit must be an integer from 1 to 1000' });
    expectError(await api('GET', '/conversations/unassigned', { token: t, query: { offset: -1 } }), 400, { offset: 'Offset must be a non-negative integer' });
    expectError(await api('GET', '/conversations/unassigned', { token: t, query: { application: 'fax' } }), 400, { application: 'Application is not known' });
    const repeated = await http(server.url, 'GET', '/api/conversations/unassigned?limit=1&limit=2', { headers: { Authentication: t } });
    expectError(repeated, 400, { limit: 'Give this parameter once' });
    expectError(await api('POST', '/conversations/start', { token: t, body: [1, 2] }), 400, 'Parameters must be an object');
    const text = await http(server.url, 'POST', '/api/conversations/start', { raw: 'conversation_id=1', headers: { Authentication: t, 'content-type': 'text/plain' } });
    expectError(text, 415, 'Unsupported content type');
    const badJson = await http(server.url, 'POST', '/api/conversations/start', { raw: '{oops', headers: { Authentication: t, 'content-type': 'application/json' } });
    expectError(badJson, 400, 'Body is not valid JSON');
  });

  it('accepts JSON, form-encoded and multipart bodies, integers as strings and flags as 0/1/true/false', async () => {
    const c = await company();
    const t = c.owner.apiToken;
    const a = await newConversation(c);
    const b = await newConversation(c);
    const d = await newConversation(c);

    const json = expectData(await api('POST', '/conversations/start', { token: t, body: { conversation_id: String(a), disable_webhook: true } }));
    expect(json).toMatchObject({ id: a, status: 'inbox' });

    const form = expectData(await api('POST', '/conversations/start', { token: t, form: { conversation_id: String(b), operator_id: String(c.owner.userId), disable_webhook: '1' } }));
    expect(form).toMatchObject({ id: b, status: 'inbox', operator_user_id: c.owner.userId });

    const fd = new FormData();
    fd.append('conversation_id', String(d));
    fd.append('disable_webhook', 'false');
    const multipart = await fetch(`${server.url}/api/conversations/close`, { method: 'POST', headers: { Authentication: t }, body: fd });
    expect(multipart.status).toBe(200);
    expect((await multipart.json()).data).toMatchObject({ id: d, status: 'closed' });

    const sent = await fetch(`${server.url}/api/conversations/send-message`, {
      method: 'POST',
      headers: { Authentication: t, 'content-type': 'multipart/form-data; boundary=XyZ' },
      body: `--XyZ\r\nContent-Disposition: form-data; name="conversation_id"\r\n\r\n${a}\r\n--XyZ\r\nContent-Disposition: form-data; name="text"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nПривет,\r\nline two\r\n--XyZ--\r\n`,
    });
    expect(sent.status).toBe(200);
    expect((await sent.json()).data).toMatchObject({ conversation_id: a, text: 'Привет,\r\nline two' });
  });

  it('refuses file parts in multipart bodies with a clear 400 and leaves the conversation as it was', async () => {
    const c = await company();
    const id = await newConversation(c);
    const fd = new FormData();
    fd.append('conversation_id', String(id));
    fd.append('text', 'see attached');
    fd.append('file', new Blob(['%PDF-1.4'], { type: 'application/pdf' }), 'invoice.pdf');
    const res = await fetch(`${server.url}/api/conversations/send-message`, { method: 'POST', headers: { Authentication: c.owner.apiToken }, body: fd });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { file: 'File uploads are not supported; send text fields only' }, status: 400 });
    const conv = await ctx().conversations.loadConversation(c.owner.companyId, id);
    expect(conv!.conv.listMessages()).toHaveLength(1);
  });
});

describe('conversation endpoints', () => {
  it('answers 400 "Conversation not found" for an unknown id or another company\'s conversation', async () => {
    const c = await company();
    const other = await company();
    const foreign = await newConversation(other);
    for (const path of ['/conversations/start', '/conversations/close']) {
      expectError(await api('POST', path, { token: c.owner.apiToken, body: { conversation_id: 987654 } }), 400, 'Conversation not found');
      expectError(await api('POST', path, { token: c.owner.apiToken, body: { conversation_id: foreign } }), 400, 'Conversation not found');
    }
    expectError(await api('POST', '/conversations/send-message', { token: c.owner.apiToken, body: { conversation_id: foreign, text: 'hi' } }), 400, 'Conversation not found');
    expect(await mirrored(foreign)).toMatchObject({ status: 'unassigned', assignee_id: null });
  });

  it('answers 400 "Operator not found" for an unknown operator_id', async () => {
    const c = await company();
    const other = await company();
    const id = await newConversation(c);
    expectError(await api('POST', '/conversations/start', { token: c.owner.apiToken, body: { conversation_id: id, operator_id: 999999 } }), 400, 'Operator not found');
    expectError(await api('POST', '/conversations/start', { token: c.owner.apiToken, body: { conversation_id: id, operator_id: other.owner.userId } }), 400, 'Operator not found');
    expectError(await api('GET', '/conversations/unassigned', { token: c.owner.apiToken, query: { operator_id: 999999 } }), 400, 'Operator not found');
    expect(await mirrored(id)).toMatchObject({ status: 'unassigned' });
  });

  it('start without operator_id puts the conversation into the super-admin\'s My inbox and returns the conversation object', async () => {
    const c = await company();
    const before = Date.now();
    const id = await newConversation(c, 'Where is my order?');
    const data = expectData(await api('POST', '/conversations/start', { token: c.owner.apiToken, body: { conversation_id: id } }));
    const client = await ctx().storage.first(ctx().storage.db.selectFrom('conversations').select(['client_id', 'token', 'query_id']).where('id', '=', id));
    expect(data).toMatchObject({
      id, user_id: c.owner.userId, operator_user_id: c.owner.userId, from_blinger_user_id: client!.client_id, to_blinger_user_id: c.channelId,
      from_user_name: `Client client-${clientCounter}`, from_user_custom_name: null, to_user_name: 'Support app', application: 'custom',
      type: 'message', status: 'inbox', group_id: c.defaultGroupId, is_group_closed: 0, close_group: null,
      last_message: 'Where is my order?', unread_count: 1, waiting_operator_response: 1, is_operator_last_message: 0, is_inner_message: 0,
      is_new_conversation: 1, is_outgoing: 0, close_date: null, token: client!.token, query_id: client!.query_id, topics: [],
      distributing: 0, locked: 0, comment_post_id: null, comment_post_url: null, comment_post_title: null, comment_post_img: null,
    });
    expect(data.token).toHaveLength(32);
    expect(data.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(data.from_user_avatar).toBe(`${server.url}/static/avatar-placeholder.png`);
    for (const field of ['date_created', 'date_updated', 'unassigned_date', 'last_message_date']) {
      expect(Number.isInteger(data[field])).toBe(true);
      expect(data[field]).toBeGreaterThanOrEqual(Math.floor(before / 1000));
      expect(data[field]).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    }
    expect(data.toBlingerUser).toMatchObject({ id: c.channelId, application: 'custom', name: 'Support app', role: 'account', is_active: 1, blinger_user_id: c.owner.userId, status: 'enabled', extra_field_secret_key: null });
    expect(await mirrored(id)).toEqual({ status: 'inbox', assignee_id: c.owner.userId, group_id: c.defaultGroupId });
    // Starting again is the no-op success of §2.4.
    expect(expectData(await api('POST', '/conversations/start', { token: c.owner.apiToken, body: { conversation_id: id } }))).toMatchObject({ status: 'inbox', operator_user_id: c.owner.userId });
  });

  it('start on a conversation held by someone else fails with "Conversation is assigned to another operator"', async () => {
    const c = await company();
    const op = await addOperator(server.url, c.owner.accessToken, { groupIds: [c.defaultGroupId] });
    const id = await newConversation(c);
    expectData(await api('POST', '/conversations/start', { token: c.owner.apiToken, body: { conversation_id: id } }));
    expectError(await api('POST', '/conversations/start', { token: c.owner.apiToken, body: { conversation_id: id, operator_id: op.userId } }), 400, 'Conversation is assigned to another operator');
    const opToken = await operatorToken(c.owner.companyId, op.userId);
    const other = await newConversation(c);
    expectData(await api('POST', '/conversations/start', { token: opToken, body: { conversation_id: other } }));
    expectError(await api('POST', '/conversations/start', { token: c.owner.apiToken, body: { conversation_id: other } }), 400, 'Conversation is assigned to another operator');
    expect(await mirrored(id)).toMatchObject({ status: 'inbox', assignee_id: c.owner.userId });
    expect(await mirrored(other)).toMatchObject({ status: 'inbox', assignee_id: op.userId });
  });

  it('start with operator_id acts for that operator, and on a closed conversation reopens it into their inbox', async () => {
    const c = await company();
    const op = await addOperator(server.url, c.owner.accessToken, { groupIds: [c.defaultGroupId] });
    const id = await newConversation(c);
    const started = expectData(await api('POST', '/conversations/start', { token: c.owner.apiToken, body: { conversation_id: id, operator_id: op.userId } }));
    expect(started).toMatchObject({ status: 'inbox', operator_user_id: op.userId });
    const closed = expectData(await api('POST', '/conversations/close', { token: c.owner.apiToken, body: { conversation_id: id, operator_id: op.userId } }));
    expect(closed).toMatchObject({ status: 'closed', operator_user_id: op.userId });
    const reopened = expectData(await api('POST', '/conversations/start', { token: c.owner.apiToken, body: { conversation_id: id, operator_id: op.userId } }));
    expect(reopened).toMatchObject({ status: 'inbox', operator_user_id: op.userId, is_group_closed: 0, close_date: null, group_id: c.defaultGroupId });
    expect(reopened.query_id).toBeGreaterThan(closed.query_id);
    const loaded = await ctx().conversations.loadConversation(c.owner.companyId, id);
    expect(loaded!.conv.listQueries().map((q) => q.origin)).toEqual(['client', 'reopen']);
  });

  it('send-message on an unassigned conversation sends the message, leaves it unassigned and returns a message object', async () => {
    const c = await company();
    const id = await newConversation(c, 'Any news?');
    const before = Date.now();
    const data = expectData(await api('POST', '/conversations/send-message', { token: c.owner.apiToken, body: { conversation_id: String(id), text: 'We are on it' } }));
    const conv = await ctx().storage.first(ctx().storage.db.selectFrom('conversations').select(['client_id', 'query_id']).where('id', '=', id));
    expect(data).toMatchObject({
      from_blinger_user_id: c.channelId, to_blinger_user_id: conv!.client_id, from_user_id: c.owner.userId, to_user_id: null,
      conversation_id: id, query_id: conv!.query_id, direction: 'outgoing', sender_type: 'operator', is_inner_message: 0, is_comment: 0,
      type: 'text', text: 'We are on it', file_url: null, file_name: null, file_mime: null, file_size: null, delivery_status: 'queued',
      error: null, external_id: null, reply_to_message_id: null,
    });
    expect(Number.isSafeInteger(data.id) && data.id > 0).toBe(true);
    expect(isUlid(data.uuid)).toBe(true);
    expect(data.date_created).toBeGreaterThanOrEqual(Math.floor(before / 1000));
    expect(await mirrored(id)).toMatchObject({ status: 'unassigned', assignee_id: null });
    const listed = expectData(await api('GET', '/conversations/unassigned', { token: c.owner.apiToken }));
    expect(listed.find((x: any) => x.id === id)).toMatchObject({ status: 'unassigned', last_message: 'We are on it', is_operator_last_message: 1, waiting_operator_response: 0, is_new_conversation: 0 });
    const stored = await ctx().storage.first(ctx().storage.db.selectFrom('messages').select(['uuid', 'conversation_id']).where('id', '=', data.id));
    expect(stored).toEqual({ uuid: data.uuid, conversation_id: id });
  });

  it('send-message refuses a text longer than the server accepts with "Text is too long"', async () => {
    const c = await company();
    const id = await newConversation(c);
    expectError(await api('POST', '/conversations/send-message', { token: c.owner.apiToken, body: { conversation_id: id, text: 'x'.repeat(100_001) } }), 400, 'Text is too long');
    const loaded = await ctx().conversations.loadConversation(c.owner.companyId, id);
    expect(loaded!.conv.listMessages()).toHaveLength(1);
  });

  it('close closes, credits the closer, accepts topic_ids and is a no-op on a closed conversation', async () => {
    const c = await company();
    const id = await newConversation(c);
    const before = Date.now();
    const data = expectData(await api('POST', '/conversations/close', { token: c.owner.apiToken, body: { conversation_id: id, topic_ids: '4, 7' } }));
    expect(data).toMatchObject({ id, status: 'closed', operator_user_id: c.owner.userId, is_group_closed: 1, close_group: c.defaultGroupId, waiting_operator_response: 0 });
    expect(data.close_date).toBeGreaterThanOrEqual(Math.floor(before / 1000));
    expect(await mirrored(id)).toMatchObject({ status: 'closed', assignee_id: c.owner.userId });
    const again = expectData(await api('POST', '/conversations/close', { token: c.owner.apiToken, form: { conversation_id: String(id), topic_ids: '4' } }));
    expect(again).toMatchObject({ status: 'closed', close_date: data.close_date });
    const unassigned = expectData(await api('GET', '/conversations/unassigned', { token: c.owner.apiToken }));
    expect(unassigned.map((x: any) => x.id)).not.toContain(id);
  });

  it('unassigned lists newest date_updated first, honouring limit and offset', async () => {
    const c = await company();
    const first = await newConversation(c);
    await sleep(5);
    const second = await newConversation(c);
    await sleep(5);
    const third = await newConversation(c);
    await sleep(5);
    const taken = await newConversation(c);
    expectData(await api('POST', '/conversations/start', { token: c.owner.apiToken, body: { conversation_id: taken } }));
    await sleep(5);
    await inbound(server.server, c.owner.companyId, c.channelId, `client-${clientCounter - 3}`, 'Still waiting'); // `first` again
    const t = c.owner.apiToken;
    const all = expectData(await api('GET', '/conversations/unassigned', { token: t }));
    expect(all.map((x: any) => x.id)).toEqual([first, third, second]);
    expect(all[0].last_message).toBe('Still waiting');
    expect(all[0].date_updated).toBeGreaterThanOrEqual(all[1].date_updated);
    expect(expectData(await api('GET', '/conversations/unassigned', { token: t, query: { limit: 2 } })).map((x: any) => x.id)).toEqual([first, third]);
    expect(expectData(await api('GET', '/conversations/unassigned', { token: t, query: { limit: '1', offset: '1' } })).map((x: any) => x.id)).toEqual([third]);
    expect(expectData(await api('GET', '/conversations/unassigned', { token: t, query: { offset: 3 } }))).toEqual([]);
    expect(expectData(await api('GET', '/conversations/unassigned', { token: t, query: { application: 'custom' } }))).toHaveLength(3);
    expect(expectData(await api('GET', '/conversations/unassigned', { token: t, query: { application: 'telegrambot' } }))).toEqual([]);
  });

  it('unassigned with operator_id or an operator token lists only that operator\'s groups; group_id filters', async () => {
    const c = await company();
    const sales = await addGroup(c.owner.companyId, 'Sales', 2);
    const op = await addOperator(server.url, c.owner.accessToken, { groupIds: [sales] });
    const inDefault = await newConversation(c);
    const inSales = await newConversation(c);
    const moved = await ctx().conversations.transition(await ownerActor(c), inSales, { action: 'transfer_group', targetGroupId: sales });
    expect(moved.decision.outcome).toBe('applied');
    const t = c.owner.apiToken;

    const everything = expectData(await api('GET', '/conversations/unassigned', { token: t }));
    expect(everything.map((x: any) => x.id).sort()).toEqual([inDefault, inSales].sort());
    const forOp = expectData(await api('GET', '/conversations/unassigned', { token: t, query: { operator_id: op.userId } }));
    expect(forOp.map((x: any) => x.id)).toEqual([inSales]);
    expect(forOp[0]).toMatchObject({ group_id: sales, status: 'unassigned' });
    const opToken = await operatorToken(c.owner.companyId, op.userId);
    const viaToken = expectData(await api('GET', '/conversations/unassigned', { token: opToken, query: { operator_id: c.owner.userId } }));
    expect(viaToken.map((x: any) => x.id)).toEqual([inSales]);
    expect(expectData(await api('GET', '/conversations/unassigned', { token: t, query: { group_id: c.defaultGroupId } })).map((x: any) => x.id)).toEqual([inDefault]);
    expectError(await api('GET', '/conversations/unassigned', { token: t, query: { operator_id: op.userId, group_id: c.defaultGroupId } }), 403, 'Access denied');
    expectError(await api('GET', '/conversations/unassigned', { token: t, query: { group_id: 999999 } }), 400, 'Group not found');
  });

  it('an operator-scoped token acts as its operator, ignores operator_id, and is refused beyond its rights with 403 "Access denied"', async () => {
    const c = await company();
    const sales = await addGroup(c.owner.companyId, 'Sales', 2);
    const op = await addOperator(server.url, c.owner.accessToken, { groupIds: [sales] });
    const opToken = await operatorToken(c.owner.companyId, op.userId);
    const inDefault = await newConversation(c);
    const inSales = await newConversation(c);
    await ctx().conversations.transition(await ownerActor(c), inSales, { action: 'transfer_group', targetGroupId: sales });

    // Not in the operator's groups: neither take, answer nor close.
    expectError(await api('POST', '/conversations/start', { token: opToken, body: { conversation_id: inDefault, operator_id: c.owner.userId } }), 403, 'Access denied');
    expectError(await api('POST', '/conversations/send-message', { token: opToken, body: { conversation_id: inDefault, text: 'hi' } }), 403, 'Access denied');
    expectError(await api('POST', '/conversations/close', { token: opToken, body: { conversation_id: inDefault } }), 403, 'Access denied');
    expect(await mirrored(inDefault)).toMatchObject({ status: 'unassigned', assignee_id: null });
    const loaded = await ctx().conversations.loadConversation(c.owner.companyId, inDefault);
    expect(loaded!.conv.listMessages()).toHaveLength(1);

    // In its group: operator_id naming the owner is ignored, the operator takes it.
    const started = expectData(await api('POST', '/conversations/start', { token: opToken, body: { conversation_id: inSales, operator_id: c.owner.userId } }));
    expect(started).toMatchObject({ status: 'inbox', operator_user_id: op.userId });
    const reply = expectData(await api('POST', '/conversations/send-message', { token: opToken, body: { conversation_id: inSales, text: 'Hello from sales' } }));
    expect(reply).toMatchObject({ from_user_id: op.userId, sender_type: 'operator' });

    // Held by the owner: the operator cannot close or answer it.
    expectData(await api('POST', '/conversations/start', { token: c.owner.apiToken, body: { conversation_id: inDefault } }));
    expectError(await api('POST', '/conversations/close', { token: opToken, body: { conversation_id: inDefault } }), 403, 'Access denied');
    expectError(await api('POST', '/conversations/send-message', { token: opToken, body: { conversation_id: inDefault, text: 'mine now' } }), 403, 'Access denied');
    // The operators list needs operators.view.
    expectError(await api('GET', '/operators/all', { token: opToken }), 403, 'Access denied');
  });

  it('an operator token stops working when its operator is deactivated', async () => {
    const c = await company();
    const op = await addOperator(server.url, c.owner.accessToken, { groupIds: [c.defaultGroupId] });
    const opToken = await operatorToken(c.owner.companyId, op.userId);
    expectData(await api('GET', '/conversations/unassigned', { token: opToken }));
    const res = await http(server.url, 'POST', `/admin/operators/${op.userId}/deactivate`, { token: c.owner.accessToken });
    expect(res.status).toBe(200);
    expectError(await api('GET', '/conversations/unassigned', { token: opToken }), 401, 'Invalid token');
    const id = await newConversation(c);
    expectError(await api('POST', '/conversations/start', { token: c.owner.apiToken, body: { conversation_id: id, operator_id: op.userId } }), 400, 'Operator is not active');
  });
});

describe('operator endpoints', () => {
  it('operators/all lists the operators with §11.6.5 fields and leaves out the super-admin', async () => {
    const c = await company();
    const sales = await addGroup(c.owner.companyId, 'Sales', 2);
    const mia = await addOperator(server.url, c.owner.accessToken, { name: 'Mia', groupIds: [c.defaultGroupId, sales] });
    const invited = await http(server.url, 'POST', '/admin/operators/invite', { token: c.owner.accessToken, body: { email: `pending-${Date.now()}@example.org` } });
    const pendingId = invited.body.data.invited[0].userId;
    const miaToken = await operatorToken(c.owner.companyId, mia.userId);

    const list = expectData(await api('GET', '/operators/all', { token: c.owner.apiToken }));
    expect(list.map((o: any) => o.id)).toEqual([mia.userId, pendingId]);
    expect(list[0]).toEqual({
      id: mia.userId, user_id: mia.userId, owner_user_id: c.owner.userId, invite_email: mia.email, conversations_token: miaToken,
      name: 'Mia', status: 'active', presence: 'offline', group_ids: [c.defaultGroupId, sales].sort((a, b) => a - b), role: null,
    });
    expect(list[1]).toMatchObject({ id: pendingId, status: 'not_registered', conversations_token: null, presence: 'offline' });
  });

  it('an operator with operators.view sees the list but only their own conversations_token', async () => {
    const c = await company();
    const viewer = await addOperator(server.url, c.owner.accessToken, { name: 'Viewer' });
    const other = await addOperator(server.url, c.owner.accessToken, { name: 'Other' });
    const { storage, directory } = ctx();
    await storage.write(async (tx) => {
      const role = await tx.run(storage.db.insertInto('roles').values({ company_id: c.owner.companyId, name: 'Supervisor', permissions: JSON.stringify(['operators.view']) }));
      await tx.run(storage.db.updateTable('users').set({ role_id: role.insertId! }).where('id', '=', viewer.userId));
      await directory.writeCompanyDoc(tx, c.owner.companyId);
    });
    const viewerToken = await operatorToken(c.owner.companyId, viewer.userId);
    await operatorToken(c.owner.companyId, other.userId);
    const list = expectData(await api('GET', '/operators/all', { token: viewerToken }));
    expect(list.find((o: any) => o.id === viewer.userId)).toMatchObject({ conversations_token: viewerToken, role: 'Supervisor' });
    expect(list.find((o: any) => o.id === other.userId)).toMatchObject({ conversations_token: null, role: null });
  });
});
