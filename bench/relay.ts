/**
 * Relay benchmark trial: 20 stock `y-websocket` providers on one document, one editing (notes
 * appended with `writeMessage`), 19 receiving (in worker threads). The editor keeps at most
 * `window` edits ahead of the slowest receiver; updates/s = N / (time until every receiver has all N).
 */
import { Worker } from 'node:worker_threads';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { writeMessage } from '../src-core/conversation/actions';
import { ConversationDoc } from '../src-core/conversation/doc';
import { cpuSeconds, now, sleep } from './lib';

// Each y-websocket provider adds a process 'exit' listener.
process.setMaxListeners(100);

const WORKER_URL = new URL('./relay-worker.ts', import.meta.url).href;

export interface RelayTrialOptions {
  /** ws://host:port/yjs for Switchboard, ws://host:port for the reference server. */
  serverUrl: string;
  room: string;
  params: Record<string, string>;
  /** Document state the editor starts from (pushed to the reference server, already on ours). */
  initialState: Uint8Array | null;
  authorId: number;
  edits: number;
  window: number;
  receivers: number;
  workers: number;
  serverPid: number;
  timeoutMs: number;
}

export interface RelayTrialResult {
  edits: number;
  received: number;
  ms: number;
  updatesPerSec: number;
  serverCpuSec: number;
  serverCpuMsPerUpdate: number;
  /** Shares of one core: the server process, and this process (editor + receiver threads). */
  serverCpuUtil: number;
  clientCpuUtil: number;
  completed: boolean;
}

/** Connects one provider and resolves once it is synced. */
async function connectEditor(opts: RelayTrialOptions, doc: Y.Doc): Promise<WebsocketProvider> {
  const provider = new WebsocketProvider(opts.serverUrl, opts.room, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    params: opts.params,
    disableBc: true,
  });
  const deadline = Date.now() + 20_000;
  while (!provider.synced) {
    if (Date.now() > deadline) {
      provider.destroy();
      throw new Error(`editor provider did not sync with ${opts.serverUrl}/${opts.room} (status: ${provider.wsconnected ? 'connected' : 'not connected'})`);
    }
    await sleep(10);
  }
  return provider;
}

export async function runRelayTrial(opts: RelayTrialOptions): Promise<RelayTrialResult> {
  const doc = new Y.Doc();
  if (opts.initialState) Y.applyUpdate(doc, opts.initialState);
  const conv = new ConversationDoc(doc);
  const editor = await connectEditor(opts, doc);
  // Give the server the editor's initial state before the receivers join.
  await sleep(200);
  const baseline = conv.messages.length;

  const workers: Worker[] = [];
  const mins: number[] = [];
  let onProgress: () => void = () => undefined;
  const ready = [] as Promise<void>[];
  const per = Math.ceil(opts.receivers / opts.workers);
  for (let w = 0, left = opts.receivers; w < opts.workers && left > 0; w++, left -= per) {
    const count = Math.min(per, left);
    // Workers do not inherit `--import tsx`: register tsx inside the worker, then load the TypeScript.
    const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL)}); })`;
    const worker = new Worker(bootstrap, {
      eval: true,
      workerData: { serverUrl: opts.serverUrl, room: opts.room, params: opts.params, count, baseline, target: opts.edits },
    });
    workers.push(worker);
    mins.push(-Infinity);
    ready.push(new Promise((resolve, reject) => {
      worker.on('message', (msg: { t: string; min?: number; error?: string }) => {
        if (msg.t === 'ready') {
          mins[w] = msg.min!;
          resolve();
        } else if (msg.t === 'progress') {
          mins[w] = msg.min!;
          onProgress();
        } else if (msg.t === 'failed') {
          reject(new Error(msg.error));
        }
      });
      worker.on('error', reject);
    }));
  }
  try {
    await Promise.all(ready);
    const minOf = () => Math.min(...mins);
    const cpu0 = cpuSeconds(opts.serverPid);
    const clientCpu0 = process.cpuUsage();
    const t0 = now();
    let sent = 0;
    let pumping = false;
    const pump = () => {
      if (pumping) return;
      pumping = true;
      try {
        while (sent < opts.edits && sent - Math.max(0, minOf()) < opts.window) {
          sent++;
          Y.transact(doc, () => writeMessage(conv, opts.authorId, 'note', `relay note ${sent}`), 'local');
        }
      } finally {
        pumping = false;
      }
    };
    let end = 0;
    const finished = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), opts.timeoutMs);
      onProgress = () => {
        if (minOf() >= opts.edits) {
          if (end === 0) end = now();
          clearTimeout(timer);
          resolve(true);
        } else {
          pump();
        }
      };
    });
    pump();
    const completed = await finished;
    if (!completed) end = now();
    const ms = end - t0;
    const cpu = cpuSeconds(opts.serverPid) - cpu0;
    const clientCpu = process.cpuUsage(clientCpu0);
    const received = Math.max(0, minOf());
    const counted = completed ? opts.edits : received;
    return {
      edits: sent, received, ms, updatesPerSec: (counted * 1000) / ms, serverCpuSec: cpu,
      serverCpuMsPerUpdate: counted > 0 ? (cpu * 1000) / counted : NaN, completed,
      serverCpuUtil: cpu / (ms / 1000), clientCpuUtil: (clientCpu.user + clientCpu.system) / 1e6 / (ms / 1000),
    };
  } finally {
    editor.destroy();
    await Promise.all(workers.map((w) => new Promise<void>((resolve) => {
      const t = setTimeout(() => void w.terminate().then(() => resolve()), 2000);
      w.once('message', () => {
        clearTimeout(t);
        void w.terminate().then(() => resolve());
      });
      w.postMessage({ t: 'close' });
    })));
    doc.destroy();
  }
}
