/**
 * The sync worker's core against a real sync server (in-process, real SQLite), with real sockets
 * (`ws`) and fake IndexedDB: what an operator's app does, online and offline.
 */
import 'fake-indexeddb/auto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ConversationDoc, conversationDocName } from '../../src-core/conversation/doc';
import { writeMessage } from '../../src-core/conversation/actions';
import type { PeerSocket } from '../../src-core/sync/peer';
import { addOperator, inbound, insertTestChannel, signup, startTestServer, type Operator, type SignedUp, type TestServer } from '../../sync-server/test/harness';
import { openStore } from '../store/db';
import { databaseName } from '../store/schema';
import { createInThreadClient, type WorkerClient } from './client';
import { TIMELINE_PAGE } from './conversation-view';
import type { TimelineItem, WorkerEvents, WorkerSession } from './protocol';
import { SyncWorkerCore } from './worker-core';

/** Sockets that can be cut: while down, every connection attempt fails as it would offline. */
class Network {
  up = true;
  private readonly sockets = new Set<WebSocket>();
  createSocket = (url: string): PeerSocket => {
    if (!this.up) throw new Error('network is down');
    const ws = new WebSocket(url);
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    return ws as unknown as PeerSocket;
  };
  cut(): void {
    this.up = false;
    for (const s of this.sockets) s.terminate();
  }
  restore(): void {
    this.up = true;
  }
}

interface Device {
  core: SyncWorkerCore;
  client: WorkerClient;
  network: Network;
  session: WorkerSession;
  events: Array<{ event: keyof WorkerEvents; payload: unknown }>;
  of<K extends keyof WorkerEvents>(event: K): Array<WorkerEvents[K]>;
}

let server: TestServer;
let owner: SignedUp;
let op: Operator;
let channelId: number;
let defaultGroupId: number;
const devices: Device[] = [];

beforeAll(async () => {
  server = await startTestServer();
  owner = await signup(server.url);
  channelId = await insertTestChannel(server.server, owner.companyId);
  const state = await server.server.ctx.directory.get(owner.companyId);
  defaultGroupId = [...state.groups.values()].find((g) => g.isDefault)!.id;
  op = await addOperator(server.url, owner.accessToken, { name: 'Mia', groupIds: [defaultGroupId] });
});
afterEach(async () => {
  for (const d of devices.splice(0)) await d.core.wipe().catch(() => undefined);
});
afterAll(async () => {
  await server.close();
});

function sessionOf(who: { accessToken: string; userId: number; companyId: number }): WorkerSession {
  return { serverUrl: server.url, accessToken: who.accessToken, userId: who.userId, companyId: who.companyId };
}

/** A device: a core in this thread, driven through the same client (and validation) the UI uses. */
function device(session: WorkerSession, network = new Network()): Device {
  const events: Device['events'] = [];
  const core = new SyncWorkerCore({ createSocket: network.createSocket, reconnectDelayMs: { min: 20, max: 150 }, emitIntervalMs: 10 });
  core.onEvent((event, payload) => events.push({ event, payload }));
  const d: Device = {
    core, client: createInThreadClient(core), network, session, events,
    of: <K extends keyof WorkerEvents>(event: K) => events.filter((e) => e.event === event).map((e) => e.payload as WorkerEvents[K]),
  };
  devices.push(d);
  return d;
}

async function waitFor(pred: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await pred()) return;
    await new Promise((r) => setTimeout(r, 15));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const online = (d: Device) => waitFor(() => d.core.syncPeer?.caughtUp === true, `${d.session.userId} online`);
const row = (d: Device, id: number) => d.core.database!.conversations.get(id);
let clientCounter = 0;
async function newConversation(text = 'Hello'): Promise<number> {
  return (await inbound(server.server, owner.companyId, channelId, `wc-${++clientCounter}-${Date.now()}`, text)).conversationId;
}
async function clientWrites(conversationId: number, text: string): Promise<void> {
  const loaded = await server.server.ctx.docs.load(conversationDocName(conversationId), owner.companyId);
  const clientId = new ConversationDoc(loaded.doc).getMeta().clientId;
  const client = await server.server.ctx.storage.first(server.server.ctx.storage.db.selectFrom('clients').select('external_id').where('id', '=', clientId));
  await inbound(server.server, owner.companyId, channelId, client!.external_id, text);
}
async function serverConv(conversationId: number): Promise<ConversationDoc> {
  return new ConversationDoc((await server.server.ctx.docs.load(conversationDocName(conversationId), owner.companyId)).doc);
}

describe('two devices', () => {
  it('converge, and each sees the other’s take at once', async () => {
    const a = device(sessionOf(owner));
    const b = device(sessionOf(op));
    await a.client.start(a.session);
    await b.client.start(b.session);
    await Promise.all([online(a), online(b)]);
    const id = await newConversation('Can somebody help?');
    await waitFor(async () => (await row(a, id)) !== undefined && (await row(b, id)) !== undefined, 'both see the request');
    expect(await row(b, id)).toMatchObject({ status: 'unassigned', tab: 'unassigned', clientName: expect.stringMatching(/^Client wc-/), lastMessagePreview: 'Can somebody help?' });
    expect((await a.core.database!.company.get('current'))?.operators.map((o) => o.name)).toContain('Mia');

    // The take shows on B's device as soon as the call returns, pending until the server decides.
    await b.client.transition(id, 'take');
    expect(await row(b, id)).toMatchObject({ status: 'inbox', assigneeId: op.userId, tab: 'mine', pendingAction: 'take' });
    await waitFor(async () => (await row(a, id))?.assigneeId === op.userId, 'A sees B’s take');
    expect(await row(a, id)).toMatchObject({ status: 'inbox', tab: 'other', pendingAction: null });
    await waitFor(async () => (await row(b, id))?.pendingAction === null, 'B’s take decided');
    expect(b.of('status').at(-1)).toEqual({ status: 'online', pending: 0 });
  });
});

describe('offline work', () => {
  it('survives a reload while offline and reaches the server exactly once, in order', async () => {
    const owners = device(sessionOf(owner));
    const network = new Network();
    const ops = device(sessionOf(op), network);
    await owners.client.start(owners.session);
    await ops.client.start(ops.session);
    await Promise.all([online(owners), online(ops)]);
    const id = await newConversation('I need a refund');
    const other = await newConversation('Unrelated question');
    await waitFor(async () => (await row(ops, id)) !== undefined && (await row(ops, other)) !== undefined, 'op sees the requests');
    await ops.client.transition(id, 'take');
    await waitFor(async () => (await row(ops, id))?.pendingAction === null && (await ops.core.localStore!.outboxSize()) === 0, 'take acknowledged');

    // Offline: two replies, a note and a close; drafts are kept per conversation.
    network.cut();
    await waitFor(() => ops.core.syncPeer!.currentStatus !== 'online', 'op offline');
    const db = ops.core.database!;
    await db.drafts.put({ conversationId: id, mode: 'reply', text: 'First offline re', updatedAt: Date.now() });
    await db.drafts.put({ conversationId: other, mode: 'note', text: 'half-written note', updatedAt: Date.now() });
    const first = await ops.client.send(id, 'out', 'First offline reply');
    expect(await db.drafts.get(id)).toBeUndefined();
    const second = await ops.client.send(id, 'out', 'Second offline reply');
    const note = await ops.client.send(id, 'note', 'Offline note');
    await ops.client.transition(id, 'close');
    expect(await row(ops, id)).toMatchObject({ status: 'closed', tab: 'closed', pendingAction: 'close', pendingMessages: 3 });
    expect(await ops.core.localStore!.outboxSize()).toBe(4);

    // A page reload while still offline: a new core over the same database.
    await ops.core.destroy();
    const reloaded = device(sessionOf(op), network);
    await reloaded.client.start(reloaded.session);
    const rdb = reloaded.core.database!;
    expect(rdb.name).toBe(databaseName(server.url, op.userId));
    expect(await rdb.conversations.get(id)).toMatchObject({ status: 'closed', tab: 'closed', pendingAction: 'close', pendingMessages: 3 });
    expect(await rdb.drafts.get(other)).toMatchObject({ text: 'half-written note' });
    expect(await reloaded.core.localStore!.outboxSize()).toBe(4);
    const view = (await reloaded.client.open(id))!;
    const mine = view.timeline.filter((t) => t.type === 'message' && t.authorId === op.userId);
    expect(mine.map((m) => m.type === 'message' && [m.text, m.status, m.pending])).toEqual([
      ['First offline reply', 'pending', true], ['Second offline reply', 'pending', true], ['Offline note', null, true],
    ]);
    expect(view.pendingActions).toEqual(['close']);
    expect(view.row).toMatchObject({ status: 'closed', pendingAction: 'close' });
    // Still offline after the reload, a take shows at once too (the stored company document
    // names the viewer before any welcome).
    await reloaded.client.transition(other, 'take');
    expect(await rdb.conversations.get(other)).toMatchObject({ status: 'inbox', tab: 'mine', pendingAction: 'take' });
    // Offline search finds the unsent reply.
    const { searchLocal } = await import('../store/search');
    expect((await searchLocal(rdb, 'second offl')).map((r) => r.hits.map((h) => h.messageId))).toEqual([[second.messageId]]);

    // Online again: everything reaches the server once, in the order it was made.
    network.restore();
    await online(reloaded);
    await waitFor(async () => (await reloaded.core.localStore!.outboxSize()) === 0, 'outbox drained');
    await waitFor(async () => (await rdb.conversations.get(id))?.pendingAction === null, 'close decided');
    expect(await rdb.conversations.get(id)).toMatchObject({ status: 'closed', assigneeId: op.userId, pendingMessages: 0 });
    await waitFor(async () => (await rdb.conversations.get(other))?.pendingAction === null, 'take decided');
    expect(await rdb.conversations.get(other)).toMatchObject({ status: 'inbox', assigneeId: op.userId, tab: 'mine' });

    const conv = await serverConv(id);
    const { storage } = server.server.ctx;
    const stored = await storage.all(storage.db.selectFrom('messages').select(['uuid']).where('conversation_id', '=', id).orderBy('id'));
    const textOf = new Map(conv.listMessages().map((m) => [m.id, m.text]));
    expect(stored.map((r) => textOf.get(r.uuid))).toEqual(['I need a refund', 'First offline reply', 'Second offline reply', 'Offline note']);
    expect(stored.map((r) => r.uuid).slice(1)).toEqual([first.messageId, second.messageId, note.messageId]);
    const outbound = await storage.all(storage.db.selectFrom('outbound').select(['message_uuid']).where('conversation_id', '=', id).orderBy('id'));
    expect(outbound.map((r) => r.message_uuid)).toEqual([first.messageId, second.messageId]);
    expect(conv.delivery.get(first.messageId)?.status).not.toBe('held');
    expect(conv.getMeta()).toMatchObject({ status: 'closed', assigneeId: op.userId });

    // The owner's device sees the closed query.
    await waitFor(async () => (await row(owners, id))?.status === 'closed', 'owner sees it closed');
    expect(await row(owners, id)).toMatchObject({ assigneeId: op.userId, tab: 'other', messageCount: 4 });

    // The reopened view now shows the server's statuses.
    await waitFor(() => {
      const v = reloaded.of('conversation').at(-1);
      return v !== undefined && v.timeline.every((t) => t.type !== 'message' || !t.pending);
    }, 'view updated');
  }, 30_000);
});

describe('refusals and revocations', () => {
  it('a refused update keeps the unsent note as a rejected draft and resyncs the conversation', async () => {
    const d = device(sessionOf(op));
    await d.client.start(d.session);
    await online(d);
    const id = await newConversation('hello');
    await waitFor(async () => (await row(d, id)) !== undefined, 'request visible');
    await d.client.open(id);
    // A forged write (status is the server's) together with a note.
    await d.core.syncPeer!.transact(conversationDocName(id), (doc) => {
      const conv = new ConversationDoc(doc);
      writeMessage(conv, op.userId, 'note', 'my draft note');
      conv.meta.set('status', 'closed');
    });
    await waitFor(() => d.of('rejected').length === 1, 'rejection reported');
    expect(d.of('rejected')[0]).toMatchObject({ conversationId: id, unsent: 1 });
    expect((await d.core.database!.rejectedDrafts.where('conversationId').equals(id).toArray()).map((r) => [r.kind, r.text])).toEqual([['note', 'my draft note']]);
    await waitFor(async () => (await row(d, id))?.status === 'unassigned', 'resynced');
    await waitFor(() => d.of('conversation').some((v) => v.id === id && v.meta.status === 'unassigned' && v.timeline.filter((t) => t.type === 'message').length === 1), 'view resynced');
    expect(d.of('revoked')).toEqual([]);
    expect(await d.core.localStore!.outboxSize()).toBe(0);
  });

  it('refuses commands the server would refuse, without touching the document', async () => {
    const d = device(sessionOf(op));
    await d.client.start(d.session);
    await online(d);
    const id = await newConversation('hi');
    await waitFor(async () => (await row(d, id)) !== undefined, 'request visible');
    await expect(d.client.send(id, 'out', '   ')).rejects.toThrow(/empty/);
    await expect(d.client.send(id, 'out', 'x'.repeat(10_001))).rejects.toThrow(/longer/);
    await expect(d.client.rename(id, 'n'.repeat(101))).rejects.toThrow(/at most/);
    await expect(d.client.setTag(id, 't'.repeat(51), true)).rejects.toThrow(/at most/);
    await expect(d.client.send(999_999, 'note', 'x')).rejects.toThrow(/not found/);
    await expect(d.client.repair(id, '01ARZ3NDEKTSV4RRFFQ69G5FAV', 'retry')).rejects.toThrow(/Message not found/);
    await expect(d.client.transition(id, 'transfer_operator')).rejects.toThrow(/target operator/);
    await expect(d.client.transition(id, 'explode' as never)).rejects.toThrow(/unknown transition action/);
    expect(await d.core.localStore!.outboxSize()).toBe(0);
    // Marking read is only for the responsible operator: a no-op here.
    await d.client.markRead(id);
    expect(await d.core.localStore!.outboxSize()).toBe(0);
  });

  it('an open conversation that moves out of reach is revoked and deleted', async () => {
    const other = await addOperator(server.url, owner.accessToken, { name: 'Noah', groupIds: [defaultGroupId] });
    const owners = device(sessionOf(owner));
    const d = device(sessionOf(op));
    await owners.client.start(owners.session);
    await d.client.start(d.session);
    await Promise.all([online(owners), online(d)]);
    const id = await newConversation('help');
    await waitFor(async () => (await row(d, id)) !== undefined && (await row(owners, id)) !== undefined, 'visible');
    await d.client.open(id);
    await owners.client.transition(id, 'transfer_operator', { operatorId: other.userId });
    await waitFor(() => d.of('revoked').length === 1, 'revoked');
    expect(d.of('revoked')).toEqual([{ conversationId: id }]);
    expect(await row(d, id)).toBeUndefined();
    expect(await d.core.database!.search.where('conversationId').equals(id).count()).toBe(0);
  });
});

describe('the open conversation', () => {
  it('lists messages and events in the server’s order with delivery states, hides discarded replies', async () => {
    const network = new Network();
    const d = device(sessionOf(op), network);
    await d.client.start(d.session);
    await online(d);
    const id = await newConversation('Is my parcel lost?');
    await waitFor(async () => (await row(d, id)) !== undefined, 'visible');
    expect(await d.client.open(id)).toMatchObject({ id, meta: { status: 'unassigned' }, pendingActions: [] });
    await d.client.transition(id, 'take');
    const { messageId: replyId } = await d.client.send(id, 'out', 'Let me check');
    await d.client.send(id, 'note', 'Courier ticket 55');
    await waitFor(async () => (await d.core.localStore!.outboxSize()) === 0 && (await row(d, id))?.pendingMessages === 0, 'accepted');

    // Offline, a reply crosses a new client message: the server holds it.
    network.cut();
    const { messageId: heldId } = await d.client.send(id, 'out', 'It is on its way');
    await clientWrites(id, 'Hello?? Anyone?');
    network.restore();
    await waitFor(async () => (await serverConv(id)).delivery.get(heldId)?.status === 'held', 'held on the server');
    await waitFor(() => {
      const v = d.of('conversation').at(-1);
      return v?.timeline.some((t) => t.type === 'message' && t.id === heldId && t.status === 'held') === true;
    }, 'view shows held');
    const view = d.of('conversation').at(-1)!;
    const summary = view.timeline.map((t) => (t.type === 'message' ? `${t.kind}:${t.text}:${t.id === replyId ? 'accepted' : t.status}` : `event:${t.eventType}`));
    expect(summary).toEqual([
      'event:created', 'in:Is my parcel lost?:null', 'event:taken', 'out:Let me check:accepted', 'note:Courier ticket 55:null',
      'in:Hello?? Anyone?:null', 'out:It is on its way:held', 'event:reply_held',
    ]);
    expect((view.timeline.find((t) => t.id === replyId) as { status: string }).status).toMatch(/queued|sent|failed|unknown/);
    for (let i = 1; i < view.timeline.length; i++) expect(view.timeline[i].at).toBeGreaterThanOrEqual(view.timeline[i - 1].at);

    // Discarding the held reply hides it.
    await d.client.repair(id, heldId, 'discard');
    await waitFor(() => d.of('conversation').at(-1)!.timeline.every((t) => t.id !== heldId), 'discarded reply hidden');
  }, 20_000);

  it('sends a long conversation as its newest page, older pages on request, and keeps the window as messages arrive', async () => {
    const d = device(sessionOf(op));
    await d.client.start(d.session);
    await online(d);
    const id = await newConversation('message 0');
    for (let i = 1; i < 80; i++) await clientWrites(id, `message ${i}`);
    await waitFor(async () => (await row(d, id))?.lastMessagePreview === 'message 79', 'every message on the device');
    const text = (item: TimelineItem | undefined) => (item?.type === 'message' ? item.text : item?.type);

    const first = (await d.client.open(id))!;
    expect(first.timeline).toHaveLength(TIMELINE_PAGE);
    const total = first.olderCount + first.timeline.length;
    expect(total).toBeGreaterThanOrEqual(81);
    expect(text(first.timeline.at(-1))).toBe('message 79');

    // Scrolling up: the window widens to everything, the page shown before at its end.
    const whole = (await d.client.showOlder(id, TIMELINE_PAGE + 100))!;
    expect(whole.olderCount).toBe(0);
    expect(whole.timeline).toHaveLength(total);
    expect(whole.timeline.slice(-TIMELINE_PAGE)).toEqual(first.timeline);
    expect(whole.timeline.filter((t) => t.type === 'message').map(text)).toEqual(Array.from({ length: 80 }, (_, i) => `message ${i}`));
    // A smaller size never narrows it.
    expect((await d.client.showOlder(id, 1))!.timeline).toHaveLength(total);

    // Opened again: the newest page. A message arriving meanwhile joins the window, which keeps its oldest item.
    await d.client.close(id);
    expect(await d.client.showOlder(id, 500)).toBeNull();
    const again = (await d.client.open(id))!;
    expect(again.timeline).toHaveLength(TIMELINE_PAGE);
    await clientWrites(id, 'message 80');
    await waitFor(() => text(d.of('conversation').at(-1)?.timeline.at(-1)) === 'message 80', 'the new message in the open view');
    const live = d.of('conversation').at(-1)!;
    expect(live.timeline[0].id).toBe(again.timeline[0].id);
    expect(live.olderCount).toBe(again.olderCount);
    expect(live.timeline.length).toBeGreaterThan(TIMELINE_PAGE);
  }, 30_000);

  it('decodes a conversation about to be opened without sending it, and the open then reads nothing from the store', async () => {
    const network = new Network();
    const d = device(sessionOf(op), network);
    await d.client.start(d.session);
    await online(d);
    const id = await newConversation('Prefetch me');
    await waitFor(async () => (await row(d, id)) !== undefined, 'visible');
    // After a reload (offline, so that no catch-up loads it), the conversation is only in the store.
    network.cut();
    await d.core.destroy();
    const reloaded = device(sessionOf(op), network);
    await reloaded.client.start(reloaded.session);
    const store = reloaded.core.localStore!;
    const readDoc = store.readDoc.bind(store);
    const reads: string[] = [];
    store.readDoc = (name) => {
      reads.push(name);
      return readDoc(name);
    };
    const name = conversationDocName(id);
    await reloaded.client.prefetch(id);
    expect(reads.filter((n) => n === name)).toHaveLength(1);
    expect(reloaded.of('conversation')).toEqual([]);
    const view = (await reloaded.client.open(id))!;
    expect(view.timeline.some((t) => t.type === 'message' && t.text === 'Prefetch me')).toBe(true);
    expect(reads.filter((n) => n === name)).toHaveLength(1);
  });

  it('tells a user whose offline take lost who beat them', async () => {
    const network = new Network();
    const owners = device(sessionOf(owner), network);
    const ops = device(sessionOf(op));
    await owners.client.start(owners.session);
    await ops.client.start(ops.session);
    await Promise.all([online(owners), online(ops)]);
    const id = await newConversation('first come');
    await waitFor(async () => (await row(owners, id)) !== undefined && (await row(ops, id)) !== undefined, 'visible');
    await owners.client.open(id);
    network.cut();
    await owners.client.transition(id, 'take');
    expect(await row(owners, id)).toMatchObject({ tab: 'mine', pendingAction: 'take' });
    await ops.client.transition(id, 'take');
    await waitFor(async () => (await serverConv(id)).getMeta().assigneeId === op.userId, 'op took it');
    network.restore();
    await waitFor(() => owners.of('conversation').at(-1)?.lastRejection != null, 'rejection shown');
    const view = owners.of('conversation').at(-1)!;
    expect(view.lastRejection).toMatchObject({ changedBy: op.userId });
    expect(view.pendingActions).toEqual([]);
    expect(view.row).toMatchObject({ status: 'inbox', assigneeId: op.userId, pendingAction: null });
    expect(await row(owners, id)).toMatchObject({ tab: 'other', assigneeId: op.userId });
  });
});

describe('notices', () => {
  it('fire for new requests, client messages, transfers to me and failures, never for own actions', async () => {
    const owners = device(sessionOf(owner));
    const ops = device(sessionOf(op));
    await owners.client.start(owners.session);
    await ops.client.start(ops.session);
    await Promise.all([online(owners), online(ops)]);
    const notices = () => ops.of('notice').filter((n) => n.conversationId === id);
    const kinds = () => notices().map((n) => n.kind);

    // N1: a new request in the operator's group.
    const id = await newConversation('New here');
    await waitFor(() => notices().length === 1, 'N1');
    expect(notices()).toEqual([{ kind: 'new_request', conversationId: id, clientName: expect.stringMatching(/^Client wc-/), preview: 'New here' }]);

    // Own take, own reply: nothing. N6: the reply fails (the test channel has nowhere to send it;
    // the relay may fail it before we do).
    await ops.client.transition(id, 'take');
    const { messageId } = await ops.client.send(id, 'out', 'Welcome!');
    await waitFor(async () => (await serverConv(id)).delivery.has(messageId), 'reply accepted');
    await server.server.ctx.conversations.setDeliveryStatus(owner.companyId, id, messageId, 'failed', { reason: 'blocked', message: 'The client blocked the bot' });
    await waitFor(() => kinds().includes('message_failed'), 'N6');
    expect(notices().at(-1)).toEqual({ kind: 'message_failed', conversationId: id, clientName: expect.any(String), preview: 'Welcome!' });

    // No N2 while the conversation is open in the operator's focused window...
    await ops.client.setPresence({ viewing: id, typing: null, idle: false });
    await clientWrites(id, 'Are you reading this?');
    await waitFor(async () => (await row(ops, id))?.lastMessagePreview === 'Are you reading this?', 'message arrived');
    await ops.core.idle();
    expect(kinds()).toEqual(['new_request', 'message_failed']);
    // ...N2 once the window is in the background.
    await ops.client.setPresence({ viewing: id, typing: null, idle: true });
    await clientWrites(id, 'Thanks, one more thing');
    await waitFor(() => kinds().length === 3, 'N2');
    expect(notices().at(-1)).toMatchObject({ kind: 'client_message', preview: 'Thanks, one more thing' });

    // Returning it oneself is not a new request.
    await ops.client.transition(id, 'return');
    await waitFor(async () => (await row(ops, id))?.pendingAction === null && (await serverConv(id)).getMeta().status === 'unassigned', 'returned');

    // N3: the owner transfers it to the operator; the owner is not notified of their own action.
    const ownerBefore = owners.of('notice').filter((n) => n.conversationId === id).length;
    await owners.client.transition(id, 'transfer_operator', { operatorId: op.userId });
    await waitFor(() => kinds().length === 4, 'N3');
    await ops.core.idle();
    await owners.core.idle();
    expect(kinds()).toEqual(['new_request', 'message_failed', 'client_message', 'transferred_to_me']);
    expect(owners.of('notice').filter((n) => n.conversationId === id).length).toBe(ownerBefore);
  }, 20_000);

  it('stay quiet while a new device loads everything', async () => {
    await newConversation('old request');
    const d = device(sessionOf(op));
    await d.client.start(d.session);
    await online(d);
    await d.core.idle();
    expect(d.of('notice')).toEqual([]);
  });
});

describe('session', () => {
  it('asks for a token when the server refuses one, and carries on with the new one', async () => {
    const d = device({ ...sessionOf(op), accessToken: 'expired-token' });
    await d.client.start(d.session);
    await waitFor(() => d.of('token-needed').length === 1, 'token-needed');
    // One refusal is an expired token, not a signed-out user: the peer asks for a new one.
    expect(d.of('status').some((s) => s.status === 'unauthorized')).toBe(false);
    await d.client.setAccessToken(op.accessToken);
    await online(d);
    expect(d.of('token-needed')).toHaveLength(1);
  });

  it('shares viewing and typing with other devices, never echoing its own', async () => {
    const owners = device(sessionOf(owner));
    const ops = device(sessionOf(op));
    await owners.client.start(owners.session);
    await ops.client.start(ops.session);
    await Promise.all([online(owners), online(ops)]);
    const id = await newConversation('presence');
    await ops.client.setPresence({ viewing: id, typing: id, idle: false });
    await waitFor(() => owners.of('presence').some((p) => p.viewers.some((v) => v.userId === op.userId && v.viewing === id && v.typing === id)), 'owner sees op typing');
    const latest = owners.of('presence').at(-1)!;
    expect(latest.operators[op.userId]).toBe('online');
    expect(latest.operators[owner.userId]).toBe('online');
    expect(ops.of('presence').every((p) => p.viewers.every((v) => v.userId !== op.userId))).toBe(true);
    await expect(ops.client.setPresence({ viewing: -1, typing: null, idle: false })).rejects.toThrow(/conversation ids/);
  });

  it('a wipe deletes the local database', async () => {
    const d = device(sessionOf(op));
    await d.client.start(d.session);
    await online(d);
    expect(await d.core.database!.conversations.count()).toBeGreaterThan(0);
    await d.client.wipe();
    const db = openStore(databaseName(server.url, op.userId));
    expect(await db.conversations.count()).toBe(0);
    expect(await db.syncState.count()).toBe(0);
    db.close();
    await expect(d.client.send(1, 'note', 'x')).rejects.toThrow(/Not signed in/);
  });
});
