/**
 * Random convergence in the style of Yjs's own tests: several devices make random lifecycle
 * actions, replies, notes, tags and topics while going offline at random, client messages keep
 * arriving, and the server restarts in the middle. At the end every device's copy equals the
 * server's, every projection equals the server's, and each device holds exactly what it may read.
 * The seed is printed on failure; replay with SWITCHBOARD_SEED=<n>.
 */
import * as Y from 'yjs';
import { afterEach, describe, it } from 'vitest';
import { ConversationDoc, conversationDocName } from '../../src-core/conversation/doc';
import { renameClient, requestTransition, setTag, setTopic, writeMessage } from '../../src-core/conversation/actions';
import { projectInboxRow } from '../../src-core/conversation/projection';
import { canReadConversation } from '../../src-core/permissions';
import type { TransitionAction } from '../../src-core/conversation/types';
import { addOperator, http, inbound, insertTestChannel, signup, startTestServer, type TestServer } from '../test/harness';
import { Random } from '../../src-core/random';
import { connectClient, type TestClient } from '../test/sync-client';
import { accessOf } from '../conversations/service';

const SEEDS = process.env.SWITCHBOARD_SEED ? [Number(process.env.SWITCHBOARD_SEED)] : [1, 2, 3];
const STEPS = 160;

interface Device {
  userId: number;
  client: TestClient;
  online: boolean;
}

let server: TestServer | null = null;
const devices: Device[] = [];
afterEach(async () => {
  for (const d of devices.splice(0)) d.client.close();
  await server?.close();
  server = null;
});

/** Document content with map keys sorted (a Y.Map's iteration order depends on arrival order). */
function docJson(doc: Y.Doc): Record<string, unknown> {
  const conv = new ConversationDoc(doc);
  const sorted = (o: Record<string, unknown>) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  return {
    meta: sorted(conv.meta.toJSON()),
    topics: sorted(conv.topics.toJSON()),
    tags: sorted(conv.tags.toJSON()),
    requests: conv.requests.toJSON(),
    messages: conv.messages.toJSON(),
    delivery: sorted(conv.delivery.toJSON()),
    queries: sorted(conv.queries.toJSON()),
    events: conv.events.toJSON(),
  };
}

function describeDiff(a: unknown, b: unknown): string {
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = Object.keys(ra).filter((k) => JSON.stringify(ra[k]) !== JSON.stringify(rb[k]));
  return keys.map((k) => `${k}: device ${JSON.stringify(ra[k]).slice(0, 300)} server ${JSON.stringify(rb[k]).slice(0, 300)}`).join('; ');
}

async function run(seed: number): Promise<void> {
  const rnd = new Random(seed);
  server = await startTestServer();
  const owner = await signup(server.url);
  const ops = [await addOperator(server.url, owner.accessToken), await addOperator(server.url, owner.accessToken), await addOperator(server.url, owner.accessToken)];
  const channelId = await insertTestChannel(server.server, owner.companyId);
  const topicIds: number[] = [];
  for (const title of ['Billing', 'Delivery', 'Returns']) {
    topicIds.push((await http(server.url, 'POST', '/admin/topics', { token: owner.accessToken, body: { title } })).body.data.id);
  }
  const convIds: number[] = [];
  for (let i = 0; i < 4; i++) convIds.push((await inbound(server.server, owner.companyId, channelId, `rnd-${seed}-${i}`, `first message ${i}`)).conversationId);
  const people = [{ userId: owner.userId, token: owner.accessToken }, ...ops.map((o) => ({ userId: o.userId, token: o.accessToken }))];
  for (const p of people) devices.push({ userId: p.userId, client: connectClient(server.url, () => p.token), online: true });
  for (const d of devices) await d.client.waitCaughtUp();

  const actions: TransitionAction[] = ['take', 'transfer_operator', 'transfer_group', 'return', 'close', 'reopen'];
  let restarted = false;
  for (let step = 0; step < STEPS; step++) {
    if (!restarted && step === Math.floor(STEPS / 2)) {
      await server.restart();
      restarted = true;
    }
    const roll = rnd.next();
    const device = rnd.pick(devices);
    if (roll < 0.12) {
      device.online ? device.client.offline() : device.client.online();
      device.online = !device.online;
      continue;
    }
    if (roll < 0.22) {
      await inbound(server.server, owner.companyId, channelId, `rnd-${seed}-${rnd.int(convIds.length)}`, `client says ${step}`);
      continue;
    }
    const known = [...device.client.store.rows.keys()];
    if (known.length === 0) continue;
    const convId = rnd.pick(known);
    const uid = device.userId;
    const kind = rnd.int(7);
    await device.client.edit(convId, (conv) => {
      switch (kind) {
        case 0:
        case 1: {
          const action = rnd.pick(actions);
          requestTransition(conv, uid, action, { operatorId: rnd.pick(people).userId, groupId: conv.getMeta().groupId ?? undefined });
          return;
        }
        case 2:
          writeMessage(conv, uid, 'out', `reply ${step} by ${uid}`);
          return;
        case 3:
          writeMessage(conv, uid, 'note', `note ${step} by ${uid}`);
          return;
        case 4:
          setTag(conv, rnd.pick(['vip', 'billing', 'spam']), rnd.chance(0.7));
          return;
        case 5:
          setTopic(conv, rnd.pick(topicIds), rnd.chance(0.7));
          return;
        default:
          renameClient(conv, rnd.chance(0.8) ? `Name ${step}` : '');
      }
    });
    if (rnd.chance(0.3)) await new Promise((r) => setTimeout(r, rnd.int(20)));
  }

  // Everyone back online; wait until nothing is pending anywhere and every copy equals the server's.
  for (const d of devices) if (!d.online) {
    d.client.online();
    d.online = true;
  }
  const ctx = () => server!.server.ctx;
  const check = async (): Promise<string | null> => {
    for (const d of devices) {
      if (d.client.store.outbox.size > 0 || !d.client.peer.caughtUp) {
        return `device ${d.userId} not settled (outbox ${d.client.store.outbox.size}, status ${d.client.peer.currentStatus}, errors ${d.client.errors.slice(-3).join(' | ')})`;
      }
    }
    const actors = new Map<number, NonNullable<Awaited<ReturnType<ReturnType<typeof ctx>['directory']['actor']>>>>();
    for (const d of devices) actors.set(d.userId, (await ctx().directory.actor(owner.companyId, d.userId))!);
    for (const id of convIds) {
      const name = conversationDocName(id);
      const loaded = await ctx().docs.load(name, owner.companyId);
      const conv = new ConversationDoc(loaded.doc);
      const serverJson = JSON.stringify(docJson(loaded.doc));
      const serverRow = projectInboxRow(conv);
      const mirror = await ctx().storage.first(ctx().storage.db.selectFrom('conversations').select('row').where('id', '=', id));
      if (mirror?.row !== JSON.stringify(serverRow)) return `relational mirror of ${name} differs from the document`;
      for (const d of devices) {
        const mayRead = canReadConversation(actors.get(d.userId)!, accessOf(conv));
        const has = d.client.store.docs.has(name);
        if (mayRead !== has) return `device ${d.userId} ${has ? 'holds' : 'lacks'} ${name} (may read: ${mayRead})`;
        if (!has) continue;
        const deviceDoc = await d.client.peer.getDoc(name);
        if (JSON.stringify(docJson(deviceDoc)) !== serverJson) return `device ${d.userId} copy of ${name} differs: ${describeDiff(docJson(deviceDoc), docJson(loaded.doc))}`;
        // The stored copy (what a restart would load) equals the in-memory one.
        const stored = new Y.Doc();
        Y.applyUpdate(stored, Y.mergeUpdates(d.client.store.docs.get(name)!));
        if (JSON.stringify(docJson(stored)) !== serverJson) return `device ${d.userId} stored copy of ${name} differs`;
        if (JSON.stringify(d.client.store.rows.get(id)) !== JSON.stringify(serverRow)) return `device ${d.userId} row of ${name} differs`;
      }
      // Every request has exactly one outcome; every message was accepted exactly once.
      const outcomes = new Map<string, number>();
      for (const e of conv.listEvents()) if (e.requestId) outcomes.set(e.requestId, (outcomes.get(e.requestId) ?? 0) + 1);
      for (const r of conv.listRequests()) if (outcomes.get(r.id) !== 1) return `request ${r.id} of ${name} has ${outcomes.get(r.id) ?? 0} outcomes`;
      const ids = conv.listMessages().map((m) => m.id);
      if (new Set(ids).size !== ids.length) return `duplicate message in ${name}`;
      for (const mid of ids) if (!conv.delivery.has(mid)) return `message ${mid} of ${name} never accepted`;
    }
    const rows = await ctx().storage.all(ctx().storage.db.selectFrom('messages').select(['uuid', 'conversation_id']).where('company_id', '=', owner.companyId));
    if (new Set(rows.map((r) => r.uuid)).size !== rows.length) return 'a message was stored twice';
    return null;
  };
  const deadline = Date.now() + 30_000;
  let problem: string | null = 'not checked';
  while (Date.now() < deadline) {
    for (const d of devices) await d.client.peer.idle();
    problem = await check();
    if (problem === null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (problem !== null) throw new Error(`replicas did not converge: ${problem}`);
}

describe('random convergence', () => {
  for (const seed of SEEDS) {
    it(`every replica, the server and every projection end equal (seed ${seed})`, async () => {
      try {
        await run(seed);
      } catch (err) {
        console.error(`random convergence failed with seed ${seed} (replay: SWITCHBOARD_SEED=${seed} npx vitest run sync-server/gateway/convergence)`);
        throw err;
      }
    }, 120_000);
  }
});
