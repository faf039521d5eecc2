/**
 * Child process of the inbound benchmark: the operator connections. Each one completes hello and
 * catch-up, then stays live and scans every frame it receives for message markers (`#bm!<id>!`,
 * put into the text of each inbound message) with Buffer.indexOf — no Yjs decoding — recording
 * the first arrival time of each message on each connection. Controlled over IPC by bench/main.ts.
 */
import { now } from './lib';
import { openRawSync, type RawSyncConnection } from './raw-sync';

const MARK = Buffer.from('#bm!');
const BANG = 0x21;

type Command =
  | { t: 'init'; url: string; tokens: string[]; maxId: number }
  | { t: 'clock' }
  | { t: 'wait'; from: number; to: number; timeoutMs: number }
  | { t: 'stats'; from: number; to: number; send: Array<number | null> }
  | { t: 'close' };

let conns: RawSyncConnection[] = [];
let recv: Float64Array[] = [];
/** How many connections have each message. */
let seenBy: Uint16Array = new Uint16Array(0);
let maxId = 0;
let frames = 0;
let bytes = 0;
let outOfRange = 0;

function reply(msg: unknown): void {
  process.send!(msg);
}

function scan(connIndex: number, buf: Buffer): void {
  frames++;
  bytes += buf.byteLength;
  const t = now();
  const mine = recv[connIndex];
  let pos = buf.indexOf(MARK, 0);
  while (pos !== -1) {
    let p = pos + MARK.length;
    let id = 0;
    let digits = 0;
    while (p < buf.length && buf[p] >= 0x30 && buf[p] <= 0x39 && digits < 9) {
      id = id * 10 + (buf[p] - 0x30);
      p++;
      digits++;
    }
    if (digits > 0 && p < buf.length && buf[p] === BANG) {
      if (id < maxId) {
        if (mine[id] === 0) {
          mine[id] = t;
          seenBy[id]++;
        }
      } else {
        outOfRange++;
      }
    }
    pos = buf.indexOf(MARK, p);
  }
}

async function init(cmd: Extract<Command, { t: 'init' }>): Promise<void> {
  maxId = cmd.maxId;
  seenBy = new Uint16Array(maxId);
  recv = cmd.tokens.map(() => new Float64Array(maxId));
  const start = now();
  const welcomeBytes: number[] = [];
  // Open in small groups so hello/catch-up of all connections overlaps without a thundering herd.
  const out: RawSyncConnection[] = new Array(cmd.tokens.length);
  for (let i = 0; i < cmd.tokens.length; i += 10) {
    await Promise.all(cmd.tokens.slice(i, i + 10).map(async (token, j) => {
      const index = i + j;
      const c = await openRawSync({ url: cmd.url, token, catchUp: true, onFrame: (b) => scan(index, b), timeoutMs: 120_000 });
      out[index] = c;
      welcomeBytes.push(c.welcomeBytes);
    }));
  }
  conns = out;
  const errors = conns.flatMap((c) => c.errors);
  reply({
    t: 'ready', ms: now() - start, connections: conns.length, synced: conns.reduce((n, c) => n + c.synced, 0),
    changed: conns[0]?.welcome.changed.length ?? 0, errors: errors.slice(0, 5), errorCount: errors.length,
  });
}

function wait(cmd: Extract<Command, { t: 'wait' }>): void {
  const deadline = Date.now() + cmd.timeoutMs;
  const need = conns.length;
  let from = cmd.from;
  const check = () => {
    while (from < cmd.to && seenBy[from] >= need) from++;
    if (from >= cmd.to) return reply({ t: 'waited', complete: true, missing: 0, at: now() });
    if (Date.now() > deadline) {
      let missing = 0;
      for (let id = cmd.from; id < cmd.to; id++) missing += need - seenBy[id];
      return reply({ t: 'waited', complete: false, missing, at: now() });
    }
    setTimeout(check, 5);
  };
  check();
}

function stats(cmd: Extract<Command, { t: 'stats' }>): void {
  const n = cmd.to - cmd.from;
  const lat = new Float64Array(n * conns.length);
  let k = 0;
  let missing = 0;
  let sent = 0;
  const perConnP99: number[] = [];
  for (let c = 0; c < conns.length; c++) {
    const mine = recv[c];
    const start = k;
    for (let i = 0; i < n; i++) {
      const s = cmd.send[i];
      if (s === null) continue;
      if (c === 0) sent++;
      const r = mine[cmd.from + i];
      if (r === 0) {
        missing++;
        continue;
      }
      lat[k++] = r - s;
    }
    const own = lat.slice(start, k).sort();
    perConnP99.push(own.length ? own[Math.min(own.length - 1, Math.ceil(own.length * 0.99) - 1)] : NaN);
  }
  // Per second of sending (by send time): how latency evolves over the run.
  let first = Infinity;
  for (const v of cmd.send) if (v !== null && v < first) first = v;
  const buckets: Array<{ second: number; p50: number; p99: number; max: number; n: number }> = [];
  const perBucket: number[][] = [];
  for (let c = 0; c < conns.length; c++) {
    const mine = recv[c];
    for (let i = 0; i < n; i++) {
      const s = cmd.send[i];
      const r = mine[cmd.from + i];
      if (s === null || r === 0) continue;
      const b = Math.floor((s - first) / 1000);
      (perBucket[b] ??= []).push(r - s);
    }
  }
  perBucket.forEach((values, second) => {
    const v = Float64Array.from(values).sort();
    const q = (p: number) => v[Math.min(v.length - 1, Math.max(0, Math.ceil(p * v.length) - 1))];
    buckets.push({ second, n: v.length, p50: +q(0.5).toFixed(1), p99: +q(0.99).toFixed(1), max: +v[v.length - 1].toFixed(1) });
  });
  const all = lat.slice(0, k).sort();
  const pct = (p: number) => (all.length ? all[Math.min(all.length - 1, Math.max(0, Math.ceil((p / 100) * all.length) - 1))] : NaN);
  let sum = 0;
  for (const v of all) sum += v;
  reply({
    t: 'stats', samples: all.length, sent, missing, min: all[0] ?? NaN, p50: pct(50), p95: pct(95), p99: pct(99), p999: pct(99.9),
    max: all[all.length - 1] ?? NaN, mean: all.length ? sum / all.length : NaN,
    worstConnP99: Math.max(...perConnP99), bestConnP99: Math.min(...perConnP99),
    frames, bytes, outOfRange, buckets,
    connectionErrors: conns.flatMap((c) => c.errors).slice(0, 5),
    openConnections: conns.filter((c) => c.ws.readyState === c.ws.OPEN).length,
  });
}

process.on('message', (cmd: Command) => {
  switch (cmd.t) {
    case 'init':
      init(cmd).catch((err) => reply({ t: 'failed', error: String((err as Error).stack ?? err) }));
      return;
    case 'clock':
      reply({ t: 'clock', at: now() });
      return;
    case 'wait':
      wait(cmd);
      return;
    case 'stats':
      stats(cmd);
      return;
    case 'close':
      for (const c of conns) c.close();
      setTimeout(() => process.exit(0), 200);
      return;
  }
});
process.on('disconnect', () => process.exit(0));
reply({ t: 'started' });
