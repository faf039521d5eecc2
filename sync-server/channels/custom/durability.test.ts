/**
 * The outbound queue survives a crash: the server runs as a child process, is killed with SIGKILL
 * while a reply waits for its retry, and is started again on the same data folder.
 */
import BetterSqlite3 from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, signup, spawnServer, startTestServer, tempDataDir, type ServerProcess } from '../../test/harness';
import { startFakeCustomApp, type FakeCustomApp } from './fake-custom-app';

let fake: FakeCustomApp;
let dataDir: string;
const children: ServerProcess[] = [];

beforeAll(async () => {
  fake = await startFakeCustomApp();
  dataDir = tempDataDir('sb-durability-');
});
afterAll(async () => {
  // The harness's kill() waits for an exit that already happened when a child died by a signal.
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) await c.kill();
  await fake.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

// A retry waits at most a few seconds; the first failure's Retry-After makes the kill land inside it.
const env = { SWITCHBOARD_OUTBOUND_BACKOFF_MS: '1500', SWITCHBOARD_OUTBOUND_BACKOFF_CAP_MS: '3000' };

async function until<T>(probe: () => T, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function start(): Promise<ServerProcess> {
  const child = await spawnServer({ dataDir, env });
  children.push(child);
  return child;
}

describe('a crash during the retry wait', () => {
  it('still ends with exactly one accepted delivery, every attempt under the same webhook-id', async () => {
    const first = await start();
    const owner = await signup(first.url);
    const added = await http(first.url, 'POST', '/admin/apps', {
      token: owner.accessToken, body: { application: 'custom', name: 'Shop chat', customAppId: 'shop-chat', webhookUrl: fake.webhookUrl },
    });
    expect(added.status).toBe(200);
    const app = added.body.data;
    fake.configure({ token: app.token, signingSecret: app.signingSecret, inboundUrl: app.inboundUrl });
    const inbound = await fake.emit({ custom_channel_id: 'shop-chat', client_id: 'u-1001', type: 'text', data: 'Where is my order?' });
    expect(inbound.status).toBe(200);
    const conversationId = inbound.body.data.conversation_id as number;

    fake.failNext({ status: 503, headers: { 'retry-after': '3' } });
    fake.failNext({ status: 503 });
    const sent = await http(first.url, 'POST', '/api/conversations/send-message', {
      headers: { authentication: owner.apiToken }, body: { conversation_id: conversationId, text: 'It ships today.' },
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    const [attempt1] = await fake.waitForCalls(1);
    expect(attempt1.status).toBe(503);
    const uuid = attempt1.webhookId!;
    // Kill once the failure is recorded and the row waits for its retry (read-only peek: WAL allows it).
    const waiting = await until(() => {
      const db = new BetterSqlite3(path.join(dataDir, 'switchboard.db'), { readonly: true });
      try {
        return db.prepare('SELECT state, attempts, next_attempt_at FROM outbound WHERE key = ?').get(uuid) as
          { state: string; attempts: number; next_attempt_at: number } | undefined;
      } finally {
        db.close();
      }
    }, (row) => row?.state === 'queued' && row.attempts === 1);
    expect(waiting!.next_attempt_at).toBeGreaterThan(Date.now() + 1000);
    await first.kill('SIGKILL');
    expect(fake.calls).toHaveLength(1);

    const second = await start();
    const calls = await fake.waitForCalls(3, 20_000);
    expect(calls.map((c) => [c.status, c.webhookId, (c.parsed as { message_id: string }).message_id, c.verified])).toEqual([
      [503, uuid, uuid, true], [503, uuid, uuid, true], [200, uuid, uuid, true],
    ]);
    expect(calls[1].receivedAt - calls[0].receivedAt).toBeGreaterThanOrEqual(2900);
    expect(fake.acceptedIds()).toEqual([uuid]);

    // Let the sent status land, stop cleanly, and read the document with the only writer gone.
    await new Promise((r) => setTimeout(r, 300));
    await second.kill('SIGTERM');
    const inspect = await startTestServer({ dataDir });
    try {
      const found = await inspect.server.ctx.conversations.loadConversation(owner.companyId, conversationId);
      expect(found!.conv.delivery.get(uuid)).toMatchObject({ status: 'sent', error: null });
      const row = await inspect.server.ctx.storage.first(
        inspect.server.ctx.storage.db.selectFrom('outbound').select(['state', 'attempts']).where('key', '=', uuid),
      );
      expect(row).toEqual({ state: 'sent', attempts: 3 });
    } finally {
      await inspect.close();
    }

    // A restart with nothing pending sends nothing again.
    const third = await start();
    await new Promise((r) => setTimeout(r, 1500));
    expect(fake.calls).toHaveLength(3);
    await third.kill('SIGTERM');
  }, 60_000);

  it('resends a reply whose request was in flight when the server died, under the same webhook-id', async () => {
    const first = await start();
    const owner = await signup(first.url);
    const added = await http(first.url, 'POST', '/admin/apps', {
      token: owner.accessToken, body: { application: 'custom', name: 'Chat', customAppId: 'in-flight', webhookUrl: fake.webhookUrl },
    });
    const app = added.body.data;
    fake.configure({ token: app.token, signingSecret: app.signingSecret, inboundUrl: app.inboundUrl });
    const inbound = await fake.emit({ custom_channel_id: 'in-flight', client_id: 'u-7', type: 'text', data: 'Hi' });
    const from = fake.calls.length;
    fake.failNext({ delayMs: 30_000 }); // the receiver holds the request: the crash lands mid-request
    const sent = await http(first.url, 'POST', '/api/conversations/send-message', {
      headers: { authentication: owner.apiToken }, body: { conversation_id: inbound.body.data.conversation_id, text: 'Are you there?' },
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    const calls = await fake.waitForCalls(from + 1);
    const uuid = calls[from].webhookId!;
    await first.kill('SIGKILL');

    const second = await start();
    await fake.waitForCalls(from + 2, 10_000);
    expect(fake.calls.slice(from).map((c) => [c.webhookId, c.verified])).toEqual([[uuid, true], [uuid, true]]);
    expect(fake.calls[from + 1].status).toBe(200);
    expect(fake.acceptedIds().filter((id) => id === uuid)).toEqual([uuid]);
    await new Promise((r) => setTimeout(r, 500));
    expect(fake.calls).toHaveLength(from + 2);
    await second.kill('SIGTERM');
  }, 60_000);
});
