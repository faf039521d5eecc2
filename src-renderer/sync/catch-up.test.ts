/**
 * Catch-up of a large inbox on a new device: 1,000 conversations through the real server into
 * the Dexie store. Timings are printed; under fake-indexeddb they say little about a browser's
 * IndexedDB, so the bound here only catches pathological regressions (the product target is 3 s
 * in the app).
 */
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { PeerSocket } from '../../src-core/sync/peer';
import { insertTestChannel, inbound, signup, startTestServer, type SignedUp, type TestServer } from '../../sync-server/test/harness';
import { SyncWorkerCore } from './worker-core';

const CONVERSATIONS = Number(process.env.SWITCHBOARD_CATCHUP_N ?? 1000);

let server: TestServer;
let owner: SignedUp;

beforeAll(async () => {
  server = await startTestServer();
  owner = await signup(server.url);
  const channelId = await insertTestChannel(server.server, owner.companyId);
  for (let i = 0; i < CONVERSATIONS; i++) {
    await inbound(server.server, owner.companyId, channelId, `bulk-${i}`, `Hello, this is request number ${i} about my order`);
  }
}, 120_000);
afterAll(async () => {
  await server.close();
});

describe('catch-up', () => {
  it(`stores ${CONVERSATIONS} changed conversations with rows and search entries`, async () => {
    const core = new SyncWorkerCore({ createSocket: (url) => new WebSocket(url) as unknown as PeerSocket, reconnectDelayMs: { min: 20, max: 100 } });
    const saves: number[] = [];
    try {
      const started = performance.now();
      await core.start({ serverUrl: server.url, accessToken: owner.accessToken, userId: owner.userId, companyId: owner.companyId });
      const store = core.localStore!;
      const save = store.saveRemote.bind(store);
      store.saveRemote = async (...args) => {
        const t = performance.now();
        await save(...args);
        if (args[1].length >= 50) saves.push(performance.now() - t);
      };
      const deadline = Date.now() + 60_000;
      while (!core.syncPeer?.caughtUp && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await core.idle();
      const elapsed = performance.now() - started;
      const db = core.database!;
      expect(await db.conversations.count()).toBe(CONVERSATIONS);
      expect(await db.search.count()).toBe(CONVERSATIONS);
      expect(await db.conversations.where('tab').equals('unassigned').count()).toBe(CONVERSATIONS);
      const mean = saves.reduce((a, b) => a + b, 0) / Math.max(1, saves.length);
      console.info(`[catch-up] ${CONVERSATIONS} conversations in ${elapsed.toFixed(0)} ms; saveRemote of a ~100-row batch ${mean.toFixed(1)} ms on average over ${saves.length} batches (fake-indexeddb, not representative of a browser)`);
      expect(elapsed).toBeLessThan(30_000);
    } finally {
      await core.wipe();
    }
  }, 90_000);
});
