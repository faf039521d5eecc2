/** Node sync clients for tests: the real SyncPeer over a real WebSocket, with an in-memory store. */
import WebSocket from 'ws';
import * as Y from 'yjs';
import { ConversationDoc, conversationDocName } from '../../src-core/conversation/doc';
import { SyncPeer, type PeerOptions, type PeerSocket } from '../../src-core/sync/peer';
import { MemoryStore } from '../../src-core/sync/memory-store';
import type { MessageEntry } from '../../src-core/conversation/types';

export interface TestClient {
  peer: SyncPeer;
  store: MemoryStore;
  errors: string[];
  rejected: Array<{ doc: string; reason: string; unsent: MessageEntry[] }>;
  revoked: string[];
  /** Edits a conversation as this device (persisted locally, then sent). */
  edit(conversationId: number, fn: (conv: ConversationDoc) => void): Promise<void>;
  conv(conversationId: number): Promise<ConversationDoc>;
  waitFor(pred: () => boolean | Promise<boolean>, what: string, timeoutMs?: number): Promise<void>;
  waitCaughtUp(timeoutMs?: number): Promise<void>;
  /** Cuts the connection and stays offline until `online()`. */
  offline(): void;
  online(): void;
  close(): void;
}

export function connectClient(
  baseUrl: string,
  getToken: () => Promise<string | null> | string,
  opts: { store?: MemoryStore } & Partial<PeerOptions> = {},
): TestClient {
  const store = opts.store ?? new MemoryStore();
  const errors: string[] = [];
  const rejected: TestClient['rejected'] = [];
  const revoked: string[] = [];
  const url = baseUrl.replace(/^http/, 'ws') + '/sync';
  const peer = new SyncPeer({
    url,
    store,
    getToken: async () => getToken(),
    createSocket: (u) => new WebSocket(u) as unknown as PeerSocket,
    reconnectDelayMs: { min: 20, max: 200 },
    onError: (m) => errors.push(m),
    onRejected: (doc, reason, unsent) => rejected.push({ doc, reason, unsent }),
    onRevoked: (doc) => revoked.push(doc),
    ...opts,
  });
  peer.start();
  const client: TestClient = {
    peer,
    store,
    errors,
    rejected,
    revoked,
    edit: (id, fn) => peer.transact(conversationDocName(id), (doc: Y.Doc) => fn(new ConversationDoc(doc))),
    conv: async (id) => new ConversationDoc(await peer.getDoc(conversationDocName(id))),
    async waitFor(pred, what, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (await pred()) return;
        await new Promise((r) => setTimeout(r, 15));
      }
      throw new Error(`timed out waiting for ${what}; peer status ${peer.currentStatus}; errors: ${errors.join('; ')}`);
    },
    async waitCaughtUp(timeoutMs = 10_000) {
      await client.waitFor(() => peer.caughtUp, 'catch-up', timeoutMs);
      await peer.idle();
    },
    offline() {
      peer.stop();
    },
    online() {
      peer.start();
    },
    close() {
      peer.destroy();
    },
  };
  return client;
}
