/**
 * Worker thread of the relay benchmark: hosts some of the receiving `y-websocket` providers (the
 * stock provider, `WebSocketPolyfill: ws`), so that receiving is spread over threads and the
 * client side is less likely than the server to be the limit. Reports the smallest number of
 * edits any of its providers has received.
 */
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { now } from './lib';

interface Data {
  serverUrl: string;
  room: string;
  params: Record<string, string>;
  count: number;
  /** Messages the document holds before the first edit. */
  baseline: number;
  target: number;
}

const data = workerData as Data;
// Each provider adds a process 'exit' listener.
process.setMaxListeners(100);
const port = parentPort!;
const providers: WebsocketProvider[] = [];
const docs: Y.Doc[] = [];
let reported = -Infinity;
let scheduled = false;
let doneAt = 0;

function minReceived(): number {
  let min = Infinity;
  for (const d of docs) min = Math.min(min, d.getArray('messages').length - data.baseline);
  return min;
}

function report(): void {
  scheduled = false;
  const min = minReceived();
  if (min === reported) return;
  reported = min;
  if (min >= data.target && doneAt === 0) doneAt = now();
  port.postMessage({ t: 'progress', min, doneAt });
}

for (let i = 0; i < data.count; i++) {
  const doc = new Y.Doc();
  docs.push(doc);
  doc.on('update', () => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(report);
    }
  });
  providers.push(new WebsocketProvider(data.serverUrl, data.room, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    params: data.params,
    disableBc: true,
  }));
}

const started = Date.now();
const readyCheck = setInterval(() => {
  if (providers.every((p) => p.synced) && minReceived() >= 0) {
    clearInterval(readyCheck);
    port.postMessage({ t: 'ready', min: minReceived() });
  } else if (Date.now() - started > 30_000) {
    clearInterval(readyCheck);
    port.postMessage({ t: 'failed', error: `receivers not synced after 30 s (${providers.filter((p) => p.synced).length}/${providers.length} synced, min ${minReceived()})` });
  }
}, 10);

port.on('message', (msg: { t: 'close' }) => {
  if (msg.t === 'close') {
    for (const p of providers) p.destroy();
    for (const d of docs) d.destroy();
    port.postMessage({ t: 'closed' });
  }
});
