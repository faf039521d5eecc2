/**
 * A raw multiplexed `/sync` connection for load tests: the wire codec directly, no Yjs decoding in
 * the live phase. Hello → welcome → (optionally) catch-up by state-vector exchange with an empty
 * state vector for every listed document, in batches like the real peer → live frames, which are
 * handed over as raw bytes.
 */
import WebSocket from 'ws';
import { PROTOCOL_VERSION, decodeFrame, encodeFrame, type Frame, type WelcomeFrame } from '../src-core/protocol/wire';

const EMPTY_STATE_VECTOR = new Uint8Array([0]);

export interface RawSyncOptions {
  url: string; // http(s)://host:port
  token: string;
  cursor?: number;
  epoch?: number;
  /** Ask for every document the welcome lists (as a device does), batch by batch. */
  catchUp?: boolean;
  batchSize?: number;
  /** Every binary frame received (before any decoding). */
  onFrame?: (bytes: Buffer) => void;
  timeoutMs?: number;
}

export interface RawSyncConnection {
  ws: WebSocket;
  welcome: WelcomeFrame;
  welcomeBytes: number;
  /** Documents synced during catch-up. */
  synced: number;
  errors: string[];
  close(): void;
}

export function openRawSync(opts: RawSyncOptions): Promise<RawSyncConnection> {
  const ws = new WebSocket(opts.url.replace(/^http/, 'ws') + '/sync', { perMessageDeflate: false });
  const errors: string[] = [];
  return new Promise((resolve, reject) => {
    let welcome: WelcomeFrame | null = null;
    let welcomeBytes = 0;
    let queue: string[] = [];
    const waiting = new Set<string>();
    let synced = 0;
    let done = false;
    const timer = setTimeout(() => fail(new Error(`sync connection timed out (${welcome ? `catch-up: ${synced} synced, ${waiting.size + queue.length} left` : 'no welcome'}) ${errors.join('; ')}`)), opts.timeoutMs ?? 60_000);
    const conn = (): RawSyncConnection => ({ ws, welcome: welcome!, welcomeBytes, synced, errors, close: () => ws.close(1000) });
    function fail(err: Error) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      ws.terminate();
      reject(err);
    }
    function finish() {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(conn());
    }
    function requestMore() {
      const size = opts.batchSize ?? 100;
      const batch = queue.splice(0, Math.max(0, size - waiting.size));
      if (batch.length === 0) {
        if (waiting.size === 0) finish();
        return;
      }
      const frames: Frame[] = batch.map((doc) => {
        waiting.add(doc);
        return { type: 'sync1', doc, stateVector: EMPTY_STATE_VECTOR };
      });
      ws.send(encodeFrame(frames.length === 1 ? frames[0] : { type: 'batch', frames }));
    }
    function handle(f: Frame) {
      if (f.type === 'batch') {
        for (const inner of f.frames) handle(inner);
      } else if (f.type === 'welcome') {
        welcome = f;
        if (opts.catchUp) {
          queue = [...f.changed];
          requestMore();
        } else {
          finish();
        }
      } else if (f.type === 'sync2') {
        if (waiting.delete(f.doc)) synced++;
      } else if (f.type === 'error') {
        errors.push(`${f.code}: ${f.message}${f.doc ? ` (${f.doc})` : ''}`);
        if (f.doc && waiting.delete(f.doc)) synced++;
        if (!welcome) fail(new Error(`hello refused: ${f.code} ${f.message}`));
      }
    }
    ws.on('open', () => {
      ws.send(encodeFrame({
        type: 'hello', token: opts.token, cursor: opts.cursor ?? 0, epoch: opts.epoch ?? 0,
        awarenessId: 1 + Math.floor(Math.random() * 0x3fffffff), protocol: PROTOCOL_VERSION,
      }));
    });
    ws.on('message', (data: Buffer) => {
      opts.onFrame?.(data);
      if (done) return;
      if (!welcome) welcomeBytes += data.byteLength;
      let f: Frame;
      try {
        f = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      } catch (err) {
        errors.push(`malformed frame: ${(err as Error).message}`);
        return;
      }
      handle(f);
      if (!done && welcome && opts.catchUp && waiting.size < (opts.batchSize ?? 100) / 2) requestMore();
    });
    ws.on('close', (code, reason) => {
      if (!done) fail(new Error(`sync connection closed (${code} ${reason.toString()}) before it was ready; ${errors.join('; ')}`));
      else errors.push(`closed ${code} ${reason.toString()}`);
    });
    ws.on('error', (err) => {
      if (!done) fail(err);
    });
  });
}
