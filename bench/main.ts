/**
 * `npm run bench`: the sync server benchmarks of the issue ("on this 2-core machine, one server
 * process"). Prints one line per figure and writes bench-results/server.json.
 *
 *  1. inbound   Custom app webhook → stored → fanned out to 50 live operator connections (50 operator
 *               accounts, one connection each; latency measured on all 50). Open-loop load at
 *               2,000/s and 2,500/s: a 3 s ramp, then 10 s measured.
 *               Target: ≥ 2,000 msg/s sustained, p99 webhook-to-operator ≤ 100 ms.
 *  2. catch-up  a SyncPeer (MemoryStore) that missed changes to 1,000 conversations is synced again.
 *               Own server with a fixed history (1,000 conversations × 10 messages). Target ≤ 3 s.
 *  3. relay     one document, 20 stock y-websocket providers (1 editor appending notes, 19 receivers
 *               in worker threads): ours (/yjs/conv/<id>) vs @y/websocket-server 0.1.1, 5 trials
 *               each in alternating order after one untimed warm-up run per server, medians.
 *               Target: ours relays at least as many updates/s (ratio ours/peer ≥ 1).
 *  4. rss       server RSS with 2,000 idle /sync connections and 10,000 conversations.
 *
 * The server runs as a child process; the load generator runs here and the 50 operator
 * connections in another child process (bench/consumers.ts). Other processes' CPU is watched
 * during every measurement (this 2-core machine is shared): disturbed measurements are flagged
 * and repeated once; the bench first waits (within a budget) for the machine to go quiet.
 *
 * Options (after `npm run bench --`): `--only=inbound,catchup,relay,rss` (replaces just those sections
 * of bench-results/server.json, e.g. to re-run one that was disturbed); `--profile` (the server
 * is started with --inspect and CPU-profiled over each measured window through the inspector
 * protocol; profiles go to bench-results/profiles/ and the top functions are printed; the figures
 * of a profiled run go to bench-results/server-profiled.json, not server.json);
 * `--duration=<s>`, `--ramp=<s>`, `--wait-quiet=<s>`. Environment: BENCH_RATES=2000,2500,
 * BENCH_CATCHUP_HISTORY=10, BENCH_RELAY_EDITS=2000.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { addOperator, signup, type Operator, type SignedUp } from '../sync-server/test/harness';
import { connectClient } from '../sync-server/test/sync-client';
import {
  ROOT, cpuSeconds, watchContention, warmPool, createApps, fmt, fmtInt, inboundBody, killAllChildren, median, now, percentile, post, rssKiB, sendInbound, sleep,
  startSwitchboard, startYWebsocketServer, track, type BenchApp, type ServerHandle,
} from './lib';
import { formatProfile, summariseProfile } from './profile';
import { openRawSync, type RawSyncConnection } from './raw-sync';
import { runRelayTrial, type RelayTrialResult } from './relay';

// ---- options -------------------------------------------------------------------------------------

const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
const flagValue = (name: string) => flag(name)?.split('=')[1];
const ONLY = new Set((flagValue('only') ?? process.env.BENCH_ONLY ?? 'inbound,catchup,relay,rss').split(',').map((s) => s.trim()).filter(Boolean));
/** Only some benchmarks: their sections replace those of bench-results/server.json, the rest is kept. */
const PARTIAL = Boolean(flagValue('only') ?? process.env.BENCH_ONLY);
const PROFILE = Boolean(flag('profile')) || process.env.BENCH_PROFILE === '1';
const DURATION_S = Number(flagValue('duration') ?? process.env.BENCH_DURATION ?? 10);
/** Seconds at the step's rate before the measured window (JIT and GC reach steady state). */
const RAMP_S = Number(flagValue('ramp') ?? process.env.BENCH_RAMP ?? 3);

const INBOUND = {
  operators: 50,
  apps: 100,
  conversations: 1000,
  rates: (process.env.BENCH_RATES ?? '2000,2500').split(',').map(Number),
  targetRate: 2000,
  targetP99Ms: 100,
};
/** Keep-alive connections of the load generator. */
const MAX_SOCKETS = 256;
const CATCHUP = { conversations: 1000, history: Number(process.env.BENCH_CATCHUP_HISTORY ?? 10), targetMs: 3000 };
const RELAY = { clients: 20, edits: Number(process.env.BENCH_RELAY_EDITS ?? 2000), warmupEdits: 500, window: 100, trials: 5, workers: 2, timeoutMs: 60_000 };
const RSS = { conversations: 10_000, connections: 2000, accounts: 10, apps: 100 };

// ---- output ----------------------------------------------------------------------------------------

const results: Record<string, unknown> = {};
const verdicts: Array<{ name: string; met: boolean | null; detail: string }> = [];
function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}
function verdict(name: string, met: boolean | null, detail: string): void {
  verdicts.push({ name, met, detail });
  say(`  TARGET ${name}: ${met === null ? 'none (figure only)' : met ? 'MET' : 'MISSED'} — ${detail}`);
}

function environment(): Record<string, unknown> {
  const cpus = os.cpus();
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    /* not a git checkout */
  }
  const pkg = (name: string) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version as string;
    } catch {
      return null;
    }
  };
  return {
    node: process.version,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    commit,
    versions: { yjs: pkg('yjs'), ws: pkg('ws'), 'y-websocket': pkg('y-websocket'), '@y/websocket-server': pkg('@y/websocket-server'), 'better-sqlite3': pkg('better-sqlite3') },
    loadAverageAtStart: os.loadavg().map((l) => +l.toFixed(2)),
    profiling: PROFILE,
    startedAt: new Date().toISOString(),
  };
}

/** Profiles this process (the benchmark's own client code, e.g. the SyncPeer) around `fn` with --profile. */
async function profiledSelf<T>(label: string, fn: () => Promise<T>): Promise<T> {
  if (!PROFILE) return fn();
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    const file = path.join(ROOT, 'bench-results', 'profiles', `${label}.cpuprofile`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(profile));
    const summary = summariseProfile(file, ROOT, 40);
    say(formatProfile(summary, `${label} (client side, this process)`));
    const profiles = (results.profiles ??= {}) as Record<string, unknown>;
    profiles[label] = { file: path.relative(ROOT, file), busyMs: Math.round(summary.busyMs), sampledMs: Math.round(summary.totalMs), self: summary.self, inclusive: summary.inclusive, byCaller: summary.byCaller, files: summary.files };
  }
}

/** Other processes' CPU during a measurement: a warning line when it can distort the figures. */
function contentionNote(c: { otherCores: number }): string {
  return c.otherCores > CONTENTION_LIMIT ? `; WARNING: other processes on this machine used ${fmt(c.otherCores * 100, 0)}% of a core meanwhile, figures are unreliable` : `; other processes ${fmt(c.otherCores * 100, 0)}% of a core`;
}

/** Runs `fn` with the server's CPU profiler on (with `--profile`), then prints the top functions. */
async function profiled<T>(server: ServerHandle, label: string, fn: () => Promise<T>): Promise<T> {
  if (!server.profiler?.profiling) return fn();
  await server.profiler.start();
  let result: T;
  try {
    result = await fn();
  } finally {
    const file = await server.profiler.stop(path.join(ROOT, 'bench-results', 'profiles', `${label}.cpuprofile`));
    const summary = summariseProfile(file, ROOT, 40);
    say(formatProfile(summary, label));
    const profiles = (results.profiles ??= {}) as Record<string, unknown>;
    profiles[label] = { file: path.relative(ROOT, file), busyMs: Math.round(summary.busyMs), sampledMs: Math.round(summary.totalMs), self: summary.self, inclusive: summary.inclusive, byCaller: summary.byCaller, files: summary.files };
  }
  return result;
}

// ---- IPC with the consumer process ---------------------------------------------------------------------

class ConsumerProcess {
  readonly child: ChildProcess;
  private readonly inbox: Array<Record<string, any>> = [];
  private waiters: Array<{ t: string; resolve: (m: Record<string, any>) => void; reject: (e: Error) => void }> = [];
  private exited: Error | null = null;
  /** Consumer clock minus this process's clock (ms). */
  offset = 0;

  constructor() {
    this.child = track(fork(path.join(ROOT, 'bench/consumers.ts'), [], {
      cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }));
    this.child.on('message', (m: Record<string, any>) => {
      if (m.t === 'failed') {
        const err = new Error(`consumer process failed: ${m.error}`);
        for (const w of this.waiters.splice(0)) w.reject(err);
        this.exited = err;
        return;
      }
      const i = this.waiters.findIndex((w) => w.t === m.t);
      if (i >= 0) this.waiters.splice(i, 1)[0].resolve(m);
      else this.inbox.push(m);
    });
    this.child.on('exit', (code) => {
      this.exited ??= new Error(`consumer process exited (${code})`);
      for (const w of this.waiters.splice(0)) w.reject(this.exited);
    });
  }

  next(t: string, timeoutMs = 120_000): Promise<Record<string, any>> {
    const i = this.inbox.findIndex((m) => m.t === t);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]);
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumer process: no '${t}' within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ t, resolve: (m) => (clearTimeout(timer), resolve(m)), reject: (e) => (clearTimeout(timer), reject(e)) });
    });
  }

  request(msg: Record<string, unknown>, answer: string, timeoutMs?: number): Promise<Record<string, any>> {
    const p = this.next(answer, timeoutMs);
    this.child.send(msg);
    return p;
  }

  /** Clock offset by the round trip with the smallest delay. */
  async calibrate(): Promise<{ offset: number; rttMs: number }> {
    let best = { offset: 0, rttMs: Infinity };
    for (let i = 0; i < 40; i++) {
      const t0 = now();
      const m = await this.request({ t: 'clock' }, 'clock');
      const t1 = now();
      if (t1 - t0 < best.rttMs) best = { offset: m.at - (t0 + t1) / 2, rttMs: t1 - t0 };
    }
    this.offset = best.offset;
    return best;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    try {
      this.child.send({ t: 'close' });
    } catch {
      /* already gone */
    }
    const t = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  }
}

// ---- 1. inbound ------------------------------------------------------------------------------------------

interface OpenLoopResult {
  offeredRate: number;
  rampS: number;
  rampRequests: number;
  durationS: number;
  sent: number;
  ok: number;
  statuses: Record<string, number>;
  errorSamples: string[];
  achievedRate: number;
  sendSpanS: number;
  lastResponseAfterLastSendMs: number;
  httpP50Ms: number;
  httpP99Ms: number;
  httpMaxMs: number;
  maxInFlight: number;
  newSockets: number;
  serverCpuUtil: number;
  loadGenCpuUtil: number;
  consumerCpuUtil: number;
  sendTimes: Array<number | null>;
}

/**
 * Open-loop load: `rate` requests/s, round robin over the apps and conversations, ids from
 * `idBase`. The first `rampS` seconds bring the server to steady state and are not measured; the
 * next `durationS` seconds are (sending never pauses between the two).
 */
function openLoop(
  base: URL, agent: http.Agent, apps: BenchApp[], rate: number, rampS: number, durationS: number, idBase: number, tag: string,
  serverPid: number, consumerPid: number,
): Promise<OpenLoopResult> {
  const rampCount = Math.round(rate * rampS);
  const measured = Math.round(rate * durationS);
  const total = rampCount + measured;
  const sendTimes: Array<number | null> = new Array(total).fill(null);
  const httpMs = new Float64Array(measured);
  const statuses: Record<string, number> = {};
  const errorSamples: string[] = [];
  let sent = 0;
  let done = 0;
  let ok = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let newSockets = 0;
  let lastSend = 0;
  let lastResponse = 0;
  let tMeasure = 0;
  let cpu0 = 0;
  let consumerCpu0 = 0;
  let ownCpu0 = process.cpuUsage();
  // Counts the TCP connections the keep-alive agent opens during the run.
  const agentWithHook = agent as unknown as { createConnection: (...a: unknown[]) => unknown };
  const createConnection = agentWithHook.createConnection;
  agentWithHook.createConnection = function (this: unknown, ...a: unknown[]) {
    newSockets++;
    return createConnection.apply(this, a);
  };
  const t0 = now();
  return new Promise((resolve) => {
    const finish = () => {
      agentWithHook.createConnection = createConnection;
      const cpu = cpuSeconds(serverPid) - cpu0;
      const wallS = (lastResponse - tMeasure) / 1000;
      const own = process.cpuUsage(ownCpu0);
      const sorted = httpMs.slice().sort();
      resolve({
        offeredRate: rate, rampS, durationS, rampRequests: rampCount, sent: measured, ok, statuses, errorSamples,
        achievedRate: (ok * 1000) / (lastResponse - tMeasure),
        sendSpanS: (lastSend - tMeasure) / 1000,
        lastResponseAfterLastSendMs: lastResponse - lastSend,
        httpP50Ms: percentile(sorted, 50), httpP99Ms: percentile(sorted, 99), httpMaxMs: sorted[sorted.length - 1],
        maxInFlight, newSockets, serverCpuUtil: cpu / wallS, sendTimes,
        loadGenCpuUtil: (own.user + own.system) / 1e6 / wallS, consumerCpuUtil: (cpuSeconds(consumerPid) - consumerCpu0) / wallS,
      });
    };
    const fire = (i: number) => {
      const id = idBase + i;
      const k = id % INBOUND.conversations;
      const app = apps[k % apps.length];
      const body = inboundBody(app, `c-${k}`, `Client message #bm!${id}! (${tag})`, `in-${tag}-${id}`);
      const t = now();
      const isMeasured = i >= rampCount;
      if (i === rampCount) {
        tMeasure = t;
        cpu0 = cpuSeconds(serverPid);
        consumerCpu0 = cpuSeconds(consumerPid);
        ownCpu0 = process.cpuUsage();
      }
      sendTimes[i] = t;
      lastSend = t;
      inFlight++;
      if (inFlight > maxInFlight) maxInFlight = inFlight;
      void post(agent, base, app.route, body, { authorization: `Bearer ${app.token}` }).then((res) => {
        const end = now();
        inFlight--;
        if (res.status !== 200) sendTimes[i] = null;
        if (isMeasured) {
          httpMs[i - rampCount] = end - t;
          if (end > lastResponse) lastResponse = end;
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.status === 200) ok++;
        }
        if (res.status !== 200 && errorSamples.length < 5) errorSamples.push(`${res.status} ${res.body.slice(0, 200)}`);
        if (++done === total) finish();
      });
    };
    const tick = () => {
      const due = Math.min(total, Math.floor(((now() - t0) * rate) / 1000) + 1);
      while (sent < due) fire(sent++);
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
}

/** One rate step: ramp + measured window, then delivery wait and latency statistics. */
async function inboundStep(
  server: ServerHandle, consumers: ConsumerProcess, agent: http.Agent, base: URL, apps: BenchApp[], rate: number, idBase: number, attempt: number,
): Promise<Record<string, any>> {
  await warmPool(agent, base, MAX_SOCKETS);
  const contention = watchContention(() => [server.pid, process.pid, consumers.child.pid!]);
  const { run, waited, drainMs } = await profiled(server, `inbound-${rate}${attempt > 1 ? `-attempt${attempt}` : ''}`, async () => {
    const run = await openLoop(base, agent, apps, rate, RAMP_S, DURATION_S, idBase, `r${rate}-${idBase}`, server.pid, consumers.child.pid!);
    const waitStart = now();
    const waited = await consumers.request({ t: 'wait', from: idBase, to: idBase + run.rampRequests + run.sent, timeoutMs: 30_000 }, 'waited', 40_000);
    return { run, waited, drainMs: now() - waitStart };
  });
  const other = contention();
  const from = idBase + run.rampRequests;
  const toClock = (s: number | null) => (s === null ? null : s + consumers.offset);
  const stats = await consumers.request({ t: 'stats', from, to: from + run.sent, send: run.sendTimes.slice(run.rampRequests).map(toClock) }, 'stats', 60_000);
  const ramp = run.rampRequests > 0
    ? await consumers.request({ t: 'stats', from: idBase, to: from, send: run.sendTimes.slice(0, run.rampRequests).map(toClock) }, 'stats', 60_000)
    : null;
  const non200 = Object.entries(run.statuses).filter(([st]) => st !== '200');
  const step = {
    offeredRate: rate, rampS: RAMP_S, rampRequests: run.rampRequests, durationS: DURATION_S, requests: run.sent, accepted200: run.ok,
    non200: Object.fromEntries(non200), errorSamples: run.errorSamples,
    achievedMsgsPerSec: +run.achievedRate.toFixed(1),
    lastResponseAfterLastSendMs: +run.lastResponseAfterLastSendMs.toFixed(1),
    http: { p50Ms: +run.httpP50Ms.toFixed(2), p99Ms: +run.httpP99Ms.toFixed(2), maxMs: +run.httpMaxMs.toFixed(2), maxInFlight: run.maxInFlight, newConnections: run.newSockets },
    fanOut: {
      samples: stats.samples, missingDeliveries: stats.missing, allDelivered: waited.complete,
      p50Ms: +stats.p50.toFixed(2), p95Ms: +stats.p95.toFixed(2), p99Ms: +stats.p99.toFixed(2), p999Ms: +stats.p999.toFixed(2), maxMs: +stats.max.toFixed(2),
      meanMs: +stats.mean.toFixed(2), worstConnectionP99Ms: +stats.worstConnP99.toFixed(2), openConnections: stats.openConnections,
      perSecond: stats.buckets,
    },
    rampFanOut: ramp ? { p50Ms: +ramp.p50.toFixed(2), p99Ms: +ramp.p99.toFixed(2), maxMs: +ramp.max.toFixed(2), perSecond: ramp.buckets } : null,
    cpuUtilisation: { server: +run.serverCpuUtil.toFixed(3), loadGenerator: +run.loadGenCpuUtil.toFixed(3), consumers: +run.consumerCpuUtil.toFixed(3), otherProcesses: +other.otherCores.toFixed(3) },
    drainAfterLastResponseMs: +drainMs.toFixed(0),
  };
  const perSecond = (b: Array<{ second: number; p50: number; p99: number; max: number }>) => b.map((x) => `[${x.second}s] ${fmt(x.p50, 0)}/${fmt(x.p99, 0)}/${fmt(x.max, 0)}`).join(' ');
  say(`  inbound @ ${fmtInt(rate)}/s offered, measured ${DURATION_S} s after a ${RAMP_S} s ramp at the same rate: achieved ${fmt(run.achievedRate, 1)} msg/s (${fmtInt(run.ok)}/${fmtInt(run.sent)} answered 200${non200.length ? `; non-200: ${non200.map(([st, n]) => `${n}× ${st}`).join(', ')}` : '; no non-200 answers'}); CPU (share of one core): server ${fmt(run.serverCpuUtil * 100, 0)}%, load generator ${fmt(run.loadGenCpuUtil * 100, 0)}%, consumers ${fmt(run.consumerCpuUtil * 100, 0)}%${contentionNote(other)}`);
  say(`    webhook→operator latency over ${fmtInt(stats.samples)} deliveries (all ${stats.openConnections} connections): p50 ${fmt(stats.p50, 1)} ms, p95 ${fmt(stats.p95, 1)} ms, p99 ${fmt(stats.p99, 1)} ms, max ${fmt(stats.max, 1)} ms (worst connection p99 ${fmt(stats.worstConnP99, 1)} ms)${stats.missing ? `; ${fmtInt(stats.missing)} deliveries MISSING` : ''}`);
  say(`    webhook HTTP answer: p50 ${fmt(run.httpP50Ms, 1)} ms, p99 ${fmt(run.httpP99Ms, 1)} ms, max ${fmt(run.httpMaxMs, 1)} ms; max in flight ${run.maxInFlight}; ${run.newSockets} new keep-alive connections opened; last answer ${fmt(run.lastResponseAfterLastSendMs, 0)} ms after the last request`);
  if (run.errorSamples.length) say(`    e.g. ${run.errorSamples.join(' | ')}`);
  say(`    per second, latency p50/p99/max ms: measured ${perSecond(stats.buckets)}`);
  if (ramp) say(`    (ramp, not counted: p50 ${fmt(ramp.p50, 1)} ms, p99 ${fmt(ramp.p99, 1)} ms, max ${fmt(ramp.max, 1)} ms; per second ${perSecond(ramp.buckets)})`);
  return step;
}

interface SharedServer {
  server: ServerHandle;
  owner: SignedUp;
  operators: Operator[];
  apps: BenchApp[];
  agent: http.Agent;
  /** Inbound messages sent so far (warm-up and steps). */
  messages: number;
}

async function setupInboundServer(): Promise<SharedServer> {
  const server = await startSwitchboard({ profile: PROFILE });
  const owner = await signup(server.url, { companyName: 'Bench Co' });
  const t0 = now();
  const apps = await createApps(server.url, owner.accessToken, INBOUND.apps, 'in');
  const tApps = now() - t0;
  const operators: Operator[] = [];
  const t1 = now();
  for (let i = 0; i < INBOUND.operators; i += 5) {
    operators.push(...(await Promise.all(Array.from({ length: Math.min(5, INBOUND.operators - i) }, (_, j) => addOperator(server.url, owner.accessToken, { name: `Bench operator ${i + j + 1}` })))));
  }
  say(`  setup: server pid ${server.pid} at ${server.url}; ${apps.length} Custom apps in ${fmt(tApps / 1000, 1)} s (load spread round robin: at 2,500/s each app gets 25 requests/s, under the 50/s limit); ${operators.length} operator accounts (invited + accepted) in ${fmt((now() - t1) / 1000, 1)} s; ${INBOUND.conversations} conversations (client_ids)`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  return { server, owner, operators, apps, agent, messages: 0 };
}

async function inboundBenchmark(shared: SharedServer): Promise<Record<string, unknown>> {
  const { server, operators, apps, agent } = shared;
  const base = new URL(server.url);
  const out: Record<string, unknown> = {
    setup: {
      operatorConnections: INBOUND.operators, accounts: `${operators.length} operator accounts, one connection each`,
      apps: apps.length, conversations: INBOUND.conversations,
      measuredOn: `all ${INBOUND.operators} connections (each one scans every frame it receives)`,
    },
  };
  const consumers = new ConsumerProcess();
  try {
    await consumers.next('started', 30_000);
    // Each step may run twice (when disturbed by other processes).
    const maxId = INBOUND.conversations + 2 * INBOUND.rates.reduce((n, r) => n + Math.round(r * RAMP_S) + Math.round(r * DURATION_S), 0) + 10;
    const ready = await consumers.request({ t: 'init', url: server.url, tokens: operators.map((o) => o.accessToken), maxId }, 'ready', 120_000);
    say(`  ${ready.connections} operator connections (one per operator account, raw /sync client in a second process): hello + catch-up (${ready.changed} documents listed each, ${ready.synced} synced in total) in ${fmt(ready.ms, 0)} ms${ready.errorCount ? `; ${ready.errorCount} errors, e.g. ${ready.errors.join(' | ')}` : ''}`);
    const clock = await consumers.calibrate();
    say(`  clock offset to the consumer process ${fmt(clock.offset, 3)} ms (round trip ${fmt(clock.rttMs, 3)} ms)`);
    out.connect = { ms: ready.ms, documentsListed: ready.changed, errors: ready.errorCount };

    // Warm-up: creates the 1,000 conversations (one message each) and warms the JIT.
    const tw = now();
    const warm = await sendInbound(base, agent, INBOUND.conversations, {
      concurrency: 32, ratePerSec: 1000,
      message: (i) => ({ app: apps[i % apps.length], clientId: `c-${i}`, text: `First message #bm!${i}! (warm-up)`, messageId: `warm-${i}` }),
    });
    if (warm.ok !== INBOUND.conversations) throw new Error(`warm-up: ${warm.ok}/${INBOUND.conversations} accepted; ${[...warm.failures].map(([k, v]) => `${v}× ${k}`).join('; ')}`);
    const warmWait = await consumers.request({ t: 'wait', from: 0, to: INBOUND.conversations, timeoutMs: 60_000 }, 'waited', 70_000);
    if (!warmWait.complete) throw new Error(`warm-up: ${warmWait.missing} (message, connection) pairs never arrived`);
    say(`  warm-up: ${INBOUND.conversations} conversations created through the webhook and seen by all ${INBOUND.operators} connections in ${fmt((now() - tw) / 1000, 1)} s`);
    await sleep(1000);

    let idBase = INBOUND.conversations;
    const steps: Record<string, unknown>[] = [];
    for (const rate of INBOUND.rates) {
      const attempts: Record<string, any>[] = [];
      for (let attempt = 1; attempt <= 2; attempt++) {
        if (attempt > 1) {
          say(`    (repeating the ${fmtInt(rate)}/s step: other processes disturbed it)`);
          await waitForQuiet();
        }
        const step = await inboundStep(server, consumers, agent, base, apps, rate, idBase, attempt);
        attempts.push(step);
        idBase += step.rampRequests + step.requests;
        await sleep(2000);
        if (step.cpuUtilisation.otherProcesses <= CONTENTION_LIMIT || quietBudgetS <= 0) break;
      }
      // The least disturbed attempt counts; the others stay in the results.
      const best = attempts.reduce((a, b) => (b.cpuUtilisation.otherProcesses < a.cpuUtilisation.otherProcesses ? b : a));
      steps.push({ ...best, discardedAttempts: attempts.filter((a) => a !== best) });
      if (attempts.length > 1) say(`    (counted: the attempt with other processes at ${fmt(best.cpuUtilisation.otherProcesses * 100, 0)}% of a core)`);
    }
    out.steps = steps;
    shared.messages = idBase;
    const main = steps.find((s) => s.offeredRate === INBOUND.targetRate) as any;
    if (main) {
      const sustained = main.accepted200 === main.requests && main.achievedMsgsPerSec >= INBOUND.targetRate * 0.99 && main.fanOut.allDelivered;
      const met = sustained && main.fanOut.p99Ms <= INBOUND.targetP99Ms;
      verdict('inbound', met, `at ${INBOUND.targetRate}/s offered: ${main.achievedMsgsPerSec} msg/s achieved (${main.accepted200}/${main.requests} × 200, all delivered: ${main.fanOut.allDelivered}), p99 ${main.fanOut.p99Ms} ms, server CPU ${fmt(main.cpuUtilisation.server * 100, 0)}% of a core (target ≥ ${INBOUND.targetRate} msg/s within 1% and p99 ≤ ${INBOUND.targetP99Ms} ms)${main.cpuUtilisation.otherProcesses > CONTENTION_LIMIT ? `; DISTURBED: other processes used ${fmt(main.cpuUtilisation.otherProcesses * 100, 0)}% of a core, re-run on a quiet machine` : ''}`);
      out.targetMet = met;
    }
  } finally {
    await consumers.close();
  }
  return out;
}

// ---- 2. catch-up -------------------------------------------------------------------------------------------

/**
 * Its own server with a fixed history (1,000 conversations of CATCHUP.history client messages each),
 * so that the figure does not depend on how much the inbound benchmark sent.
 */
async function catchUpBenchmark(): Promise<Record<string, unknown>> {
  const server = await startSwitchboard({ profile: PROFILE });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let client: ReturnType<typeof connectClient> | null = null;
  const out: Record<string, unknown> = {
    client: 'SyncPeer + MemoryStore (sync-server/test/sync-client.ts), one operator account, in the bench process',
    history: `${CATCHUP.conversations} conversations × ${CATCHUP.history} client messages before the device goes offline`,
  };
  try {
    const base = new URL(server.url);
    const owner = await signup(server.url, { companyName: 'Catch-up Co' });
    const apps = await createApps(server.url, owner.accessToken, INBOUND.apps, 'cu');
    const op = await addOperator(server.url, owner.accessToken, { name: 'Catch-up operator' });
    const total = CATCHUP.conversations * CATCHUP.history;
    const t0 = now();
    const seeded = await sendInbound(base, agent, total, {
      concurrency: 64, ratePerSec: 2500,
      message: (i) => {
        const k = i % CATCHUP.conversations;
        return { app: apps[k % apps.length], clientId: `c-${k}`, text: `History message ${Math.floor(i / CATCHUP.conversations)} of client ${k}`, messageId: `hist-${i}` };
      },
    });
    if (seeded.ok !== total) throw new Error(`seeding: ${seeded.ok}/${total} accepted; ${[...seeded.failures].map(([k, n]) => `${n}× ${k}`).join('; ')}`);
    say(`  setup: server pid ${server.pid}; ${fmtInt(total)} client messages into ${fmtInt(CATCHUP.conversations)} conversations through the webhook in ${fmt((now() - t0) / 1000, 1)} s`);
    await waitForQuiet();
    const device = connectClient(server.url, () => op.accessToken);
    client = device;
    const t1 = now();
    await device.waitCaughtUp(120_000);
    const initialMs = now() - t1;
    const initialRows = device.store.rows.size;
    say(`  fresh device, full sync of ${fmtInt(initialRows)} conversations (${CATCHUP.history} messages each): ${fmt(initialMs, 0)} ms`);
    out.initialFullSync = { conversations: initialRows, ms: Math.round(initialMs) };

    const variants: Array<{ name: string; label: string; clientId: (k: number, attempt: number) => string }> = [
      { name: 'changed', label: 'changes to 1,000 existing conversations', clientId: (k) => `c-${k}` },
      { name: 'created', label: '1,000 new conversations', clientId: (k, attempt) => `new-${attempt}-${k}` },
    ];
    for (const v of variants) {
      const attempts: Array<{ conversations: number; ms: number; otherProcessesCores: number }> = [];
      for (let attempt = 1; attempt <= 2; attempt++) {
        if (attempt > 1) {
          say(`    (repeating: other processes disturbed it)`);
          await waitForQuiet();
        }
        device.offline();
        await sleep(100);
        const texts = new Map<string, string>();
        const sent = await sendInbound(base, agent, CATCHUP.conversations, {
          concurrency: 32, ratePerSec: 2000,
          message: (k) => {
            const text = `While you were away ${v.name} ${attempt} ${k}`;
            texts.set(v.clientId(k, attempt), text);
            return { app: apps[k % apps.length], clientId: v.clientId(k, attempt), text, messageId: `away-${v.name}-${attempt}-${k}` };
          },
        });
        if (sent.ok !== CATCHUP.conversations) throw new Error(`catch-up (${v.name}): ${sent.ok}/${CATCHUP.conversations} accepted; ${[...sent.failures].map(([k, n]) => `${n}× ${k}`).join('; ')}`);
        const expected = new Set([...texts.values()]);
        const current = () => {
          let have = 0;
          for (const row of device.store.rows.values()) if (row.lastMessagePreview !== null && expected.has(row.lastMessagePreview)) have++;
          return have;
        };
        const contention = watchContention(() => [server.pid, process.pid]);
        const label = `catchup-${v.name}${attempt > 1 ? `-attempt${attempt}` : ''}`;
        const ms = await profiledSelf(`${label}-client`, () => profiled(server, label, async () => {
          const t1 = now();
          device.online();
          const deadline = Date.now() + 60_000;
          for (;;) {
            if (device.peer.caughtUp && current() >= expected.size) return now() - t1;
            if (Date.now() > deadline) return NaN;
            await sleep(1);
          }
        }));
        const other = contention();
        if (!Number.isFinite(ms)) {
          throw new Error(`catch-up (${v.name}) not done after 60 s: caughtUp ${device.peer.caughtUp}, ${current()}/${expected.size} rows current; errors: ${device.errors.slice(0, 3).join('; ')}`);
        }
        await device.peer.idle();
        say(`  catch-up after ${v.label} while offline: caught up, all ${fmtInt(expected.size)} rows with the latest preview, in ${fmt(ms, 0)} ms${contentionNote(other)}`);
        attempts.push({ conversations: expected.size, ms: Math.round(ms), otherProcessesCores: +other.otherCores.toFixed(3) });
        if (other.otherCores <= CONTENTION_LIMIT || quietBudgetS <= 0) break;
      }
      const best = attempts.reduce((a, b) => (b.otherProcessesCores < a.otherProcessesCores ? b : a));
      out[v.name] = { ...best, attempts };
    }
    const worst = Math.max((out.changed as any).ms, (out.created as any).ms);
    verdict('catch-up', worst <= CATCHUP.targetMs, `changed ${(out.changed as any).ms} ms, created ${(out.created as any).ms} ms (target ≤ ${CATCHUP.targetMs} ms for 1,000 conversations)`);
    out.targetMet = worst <= CATCHUP.targetMs;
  } finally {
    client?.close();
    agent.destroy();
    await server.stop();
  }
  return out;
}

// ---- 3. relay vs @y/websocket-server -------------------------------------------------------------------------

async function relayBenchmark(): Promise<Record<string, unknown>> {
  const ours = await startSwitchboard({ profile: PROFILE });
  let peer: ServerHandle | null = null;
  const out: Record<string, unknown> = {
    setup: `${RELAY.clients} stock y-websocket providers (1 editor in the main thread, ${RELAY.clients - 1} receivers over ${RELAY.workers} worker threads) on one document; ${RELAY.edits} notes per trial; editor at most ${RELAY.window} edits ahead of the slowest receiver; ${RELAY.trials} trials each, alternating order, median`,
  };
  try {
    const peerServer = await startYWebsocketServer();
    peer = peerServer;
    const owner = await signup(ours.url, { companyName: 'Relay Co' });
    const [app] = await createApps(ours.url, owner.accessToken, 1, 'relay');
    const agent = new http.Agent({ keepAlive: true });
    const base = new URL(ours.url);
    // One conversation per trial, plus spares for repeated (disturbed) runs: every run starts from a fresh document.
    const convIds: number[] = [];
    for (let t = 0; t < RELAY.trials * 3 + 1; t++) {
      const res = await post(agent, base, app.route, inboundBody(app, `relay-${t}`, `Hello, relay ${t}`, `relay-${t}`), { authorization: `Bearer ${app.token}` });
      if (res.status !== 200) throw new Error(`relay set-up inbound answered ${res.status}: ${res.body}`);
      convIds.push(JSON.parse(res.body).data.conversation_id);
    }
    agent.destroy();
    say(`  setup: Switchboard pid ${ours.pid} (${ours.url}/yjs/conv/<id>?token=…), @y/websocket-server 0.1.1 pid ${peerServer.pid} (${peerServer.url})`);
    const runs: Record<'ours' | 'peer', RelayTrialResult[]> = { ours: [], peer: [] };
    const warmupRoom = `conv/${convIds.pop()}`;
    const spares = convIds.slice(RELAY.trials);
    // One untimed warm-up run on each server (JIT, first document load, prepared statements), so
    // that no measured trial pays for starting up.
    for (const which of ['ours', 'peer'] as const) {
      const warm = await runRelayTrial({
        serverUrl: which === 'ours' ? `${ours.url.replace(/^http/, 'ws')}/yjs` : peerServer.url.replace(/^http/, 'ws'),
        room: warmupRoom, params: which === 'ours' ? { token: owner.accessToken } : {},
        initialState: which === 'ours' ? null : await initialState(ours.url, warmupRoom, owner.accessToken),
        authorId: owner.userId, edits: RELAY.warmupEdits, window: RELAY.window, receivers: RELAY.clients - 1, workers: RELAY.workers,
        serverPid: (which === 'ours' ? ours : peerServer).pid, timeoutMs: RELAY.timeoutMs,
      });
      say(`  warm-up ${which === 'ours' ? 'Switchboard         ' : '@y/websocket-server '}: ${RELAY.warmupEdits} edits, ${fmtInt(warm.updatesPerSec)} updates/s (not counted)`);
    }
    for (let t = 0; t < RELAY.trials; t++) {
      const order: Array<'ours' | 'peer'> = t % 2 === 0 ? ['ours', 'peer'] : ['peer', 'ours'];
      for (const which of order) {
        const srv = which === 'ours' ? ours : peerServer;
        // Both servers get a document of the same name and the same starting content (the
        // reference server receives it from the editor's first sync).
        const trial = async (room: string) => runRelayTrial({
          serverUrl: which === 'ours' ? `${ours.url.replace(/^http/, 'ws')}/yjs` : peerServer.url.replace(/^http/, 'ws'),
          room, params: which === 'ours' ? { token: owner.accessToken } : {},
          initialState: which === 'ours' ? null : await initialState(ours.url, room, owner.accessToken),
          authorId: owner.userId, edits: RELAY.edits, window: RELAY.window, receivers: RELAY.clients - 1, workers: RELAY.workers,
          serverPid: srv.pid, timeoutMs: RELAY.timeoutMs,
        });
        let r: RelayTrialResult & { otherProcessesCores?: number };
        let other: { otherCores: number };
        for (let attempt = 1; ; attempt++) {
          const contention = watchContention(() => [ours.pid, peerServer.pid, process.pid]);
          const room = `conv/${attempt === 1 ? convIds[t] : spares.shift()}`;
          r = which === 'ours' && t === 0 && attempt === 1 ? await profiled(ours, 'relay-ours', () => trial(room)) : await trial(room);
          other = contention();
          r.otherProcessesCores = +other.otherCores.toFixed(3);
          if (other.otherCores <= CONTENTION_LIMIT || attempt === 2 || quietBudgetS <= 0) break;
          say(`  (trial ${t + 1} ${which} disturbed by other processes (${fmt(other.otherCores * 100, 0)}% of a core): repeating it)`);
          await waitForQuiet();
        }
        runs[which].push(r);
        say(`  trial ${t + 1} ${which === 'ours' ? 'Switchboard         ' : '@y/websocket-server '}: ${fmtInt(r.updatesPerSec)} updates/s (${r.completed ? `${r.edits} edits to all ${RELAY.clients - 1} receivers` : `INCOMPLETE: ${r.received}/${RELAY.edits} after ${RELAY.timeoutMs / 1000} s`} in ${fmt(r.ms, 0)} ms); server CPU ${fmt(r.serverCpuMsPerUpdate, 3)} ms per update; CPU (share of one core): server ${fmt(r.serverCpuUtil * 100, 0)}%, clients ${fmt(r.clientCpuUtil * 100, 0)}%${contentionNote(other)}`);
        if (!srv.alive()) throw new Error(`${which} server died during the relay trial:\n${srv.output.join('').slice(-2000)}`);
      }
    }
    const medOurs = median(runs.ours.map((r) => r.updatesPerSec));
    const medPeer = median(runs.peer.map((r) => r.updatesPerSec));
    const cpuOurs = median(runs.ours.map((r) => r.serverCpuMsPerUpdate));
    const cpuPeer = median(runs.peer.map((r) => r.serverCpuMsPerUpdate));
    say(`  relay (median of ${RELAY.trials}): Switchboard ${fmtInt(medOurs)} updates/s, @y/websocket-server ${fmtInt(medPeer)} updates/s, ratio ours/peer ${fmt(medOurs / medPeer, 2)}`);
    say(`  server CPU per relayed update (median): Switchboard ${fmt(cpuOurs, 3)} ms, @y/websocket-server ${fmt(cpuPeer, 3)} ms (${fmt(cpuOurs / cpuPeer, 1)}×)`);
    Object.assign(out, {
      ours: { medianUpdatesPerSec: Math.round(medOurs), medianServerCpuMsPerUpdate: +cpuOurs.toFixed(4), trials: runs.ours },
      peer: { medianUpdatesPerSec: Math.round(medPeer), medianServerCpuMsPerUpdate: +cpuPeer.toFixed(4), trials: runs.peer },
      ratioOursToPeer: +(medOurs / medPeer).toFixed(3),
    });
    verdict('relay', medOurs >= medPeer, `median ${fmtInt(medOurs)} vs ${fmtInt(medPeer)} updates/s, ours/peer = ${fmt(medOurs / medPeer, 2)} (target: at least as many as @y/websocket-server, ratio ≥ 1.00)`);
  } finally {
    await peer?.stop();
    await ours.stop();
  }
  return out;
}

/** The document as a client of our server sees it (the same provider code, one connection). */
async function initialState(url: string, room: string, token: string): Promise<Uint8Array> {
  const { WebsocketProvider } = await import('y-websocket');
  const WebSocket = (await import('ws')).default;
  const doc = new Y.Doc();
  const p = new WebsocketProvider(`${url.replace(/^http/, 'ws')}/yjs`, room, doc, { WebSocketPolyfill: WebSocket as any, params: { token }, disableBc: true });
  const deadline = Date.now() + 20_000;
  while (!p.synced) {
    if (Date.now() > deadline) throw new Error(`could not read ${room} from the Switchboard server`);
    await sleep(10);
  }
  p.destroy();
  const state = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return state;
}

// ---- 4. RSS ------------------------------------------------------------------------------------------------------

/**
 * Server memory: RSS once settled (no change over 3 s, at least `minWaitS` after the last activity),
 * then RSS and V8 heap in use after a full GC forced over the inspector (fewer leftovers of the
 * seeding; V8 may or may not return freed pages, so both are shown).
 */
async function memoryReading(server: ServerHandle, minWaitS: number): Promise<{ settledKiB: number; afterGcKiB: number; heapUsedMiB: number; samples: number[] }> {
  const samples: number[] = [];
  const t0 = now();
  for (;;) {
    await sleep(1000);
    samples.push(rssKiB(server.pid));
    const last = samples.slice(-4);
    const stable = last.length === 4 && Math.max(...last) - Math.min(...last) < 1024;
    if ((stable && (now() - t0) / 1000 >= minWaitS) || (now() - t0) / 1000 > 30) break;
  }
  const settledKiB = samples[samples.length - 1];
  let afterGcKiB = NaN;
  let heapUsedMiB = NaN;
  if (server.profiler) {
    await server.profiler.collectGarbage();
    await server.profiler.collectGarbage();
    await sleep(1000);
    afterGcKiB = rssKiB(server.pid);
    heapUsedMiB = (await server.profiler.heapUsage()).usedSize / 2 ** 20;
  }
  return { settledKiB, afterGcKiB, heapUsedMiB, samples };
}

async function rssBenchmark(): Promise<Record<string, unknown>> {
  const server = await startSwitchboard({ profile: PROFILE, inspect: true });
  const conns: RawSyncConnection[] = [];
  const out: Record<string, unknown> = {};
  try {
    const owner = await signup(server.url, { companyName: 'RSS Co' });
    const apps = await createApps(server.url, owner.accessToken, RSS.apps, 'rss');
    const accounts: Operator[] = [];
    for (let i = 0; i < RSS.accounts; i++) accounts.push(await addOperator(server.url, owner.accessToken, { name: `RSS operator ${i + 1}` }));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
    const rssIdle = rssKiB(server.pid);
    const t0 = now();
    const seeded = await sendInbound(new URL(server.url), agent, RSS.conversations, {
      concurrency: 64, ratePerSec: 3000,
      message: (k) => ({ app: apps[k % apps.length], clientId: `rss-${k}`, text: `Hello from client ${k}`, messageId: `rss-${k}` }),
    });
    agent.destroy();
    if (seeded.ok !== RSS.conversations) throw new Error(`seeding: ${seeded.ok}/${RSS.conversations} accepted; ${[...seeded.failures].map(([k, n]) => `${n}× ${k}`).join('; ')}`);
    const seedS = (now() - t0) / 1000;
    say(`  seeded ${fmtInt(RSS.conversations)} conversations through the Custom app webhook (${RSS.apps} apps) in ${fmt(seedS, 1)} s (${fmtInt(RSS.conversations / seedS)} new conversations/s)`);
    // The cursor and epoch of a fully synced device of each account: the head and epoch of its welcome.
    const cursors: Array<{ token: string; cursor: number; epoch: number }> = [];
    for (const a of accounts) {
      const probe = await openRawSync({ url: server.url, token: a.accessToken, catchUp: false });
      cursors.push({ token: a.accessToken, cursor: probe.welcome.head, epoch: probe.welcome.epoch });
      probe.close();
    }
    const before = await memoryReading(server, 10);
    say(`  server memory before the connections: RSS ${fmt(before.settledKiB / 1024, 1)} MiB settled (samples ${before.samples.map((x) => fmt(x / 1024, 0)).join(', ')} MiB), ${fmt(before.afterGcKiB / 1024, 1)} MiB after a forced full GC, V8 heap in use ${fmt(before.heapUsedMiB, 1)} MiB (right after start-up, before seeding: RSS ${fmt(rssIdle / 1024, 1)} MiB)`);
    const t1 = now();
    let welcomeBytes = 0;
    let listed = 0;
    for (let i = 0; i < RSS.connections; i += 100) {
      const batch = await Promise.all(Array.from({ length: Math.min(100, RSS.connections - i) }, (_, j) => {
        const c = cursors[(i + j) % cursors.length];
        return openRawSync({ url: server.url, token: c.token, cursor: c.cursor, epoch: c.epoch, catchUp: true });
      }));
      for (const c of batch) {
        welcomeBytes += c.welcomeBytes;
        listed += c.welcome.changed.length;
      }
      conns.push(...batch);
    }
    const openS = (now() - t1) / 1000;
    say(`  opened ${fmtInt(conns.length)} /sync connections (${RSS.accounts} operator accounts, ${RSS.connections / RSS.accounts} each; hello with the synced cursor → welcome averaging ${fmt(welcomeBytes / conns.length, 0)} bytes, ${listed} documents listed in total) in ${fmt(openS, 1)} s`);
    const after = await memoryReading(server, 5);
    const open = conns.filter((c) => c.ws.readyState === c.ws.OPEN).length;
    const rssAfter = after.settledKiB;
    const perConn = (a: number, b: number) => `${fmt((a - b) / conns.length, 1)} KiB per connection`;
    say(`  server memory with ${fmtInt(open)} idle operator connections and ${fmtInt(RSS.conversations)} conversations: RSS ${fmt(rssAfter / 1024, 1)} MiB settled (samples ${after.samples.map((x) => fmt(x / 1024, 0)).join(', ')} MiB), ${fmt(after.afterGcKiB / 1024, 1)} MiB after a forced full GC, V8 heap in use ${fmt(after.heapUsedMiB, 1)} MiB`);
    say(`    the connections add: RSS after GC ${fmt((after.afterGcKiB - before.afterGcKiB) / 1024, 1)} MiB (${perConn(after.afterGcKiB, before.afterGcKiB)}), V8 heap ${fmt(after.heapUsedMiB - before.heapUsedMiB, 1)} MiB (${fmt(((after.heapUsedMiB - before.heapUsedMiB) * 1024) / conns.length, 1)} KiB per connection)`);
    Object.assign(out, {
      conversations: RSS.conversations, connections: conns.length, openAfterSettling: open, accounts: RSS.accounts,
      rssStartMiB: +(rssIdle / 1024).toFixed(1),
      before: { rssSettledMiB: +(before.settledKiB / 1024).toFixed(1), rssAfterGcMiB: +(before.afterGcKiB / 1024).toFixed(1), heapUsedMiB: +before.heapUsedMiB.toFixed(1) },
      after: { rssSettledMiB: +(after.settledKiB / 1024).toFixed(1), rssAfterGcMiB: +(after.afterGcKiB / 1024).toFixed(1), heapUsedMiB: +after.heapUsedMiB.toFixed(1) },
      rssAfterGcKiBPerConnection: +((after.afterGcKiB - before.afterGcKiB) / conns.length).toFixed(1),
      heapKiBPerConnection: +(((after.heapUsedMiB - before.heapUsedMiB) * 1024) / conns.length).toFixed(1),
      seedSeconds: +seedS.toFixed(1), connectSeconds: +openS.toFixed(1),
      note: 'the server runs with --inspect here (for the forced GC and heap readings)',
    });
    verdict('rss', null, `no numeric target in the issue; ${fmt(rssAfter / 1024, 0)} MiB with ${fmtInt(open)} idle connections and ${fmtInt(RSS.conversations)} conversations`);
  } finally {
    for (const c of conns) c.ws.terminate();
    await server.stop();
  }
  return out;
}

// ---- main ---------------------------------------------------------------------------------------------------------

/** Other processes' CPU (cores) above which a measurement counts as disturbed. */
const CONTENTION_LIMIT = 0.15;
/** Seconds the whole run may spend waiting for other processes to go quiet. */
let quietBudgetS = Number(flagValue('wait-quiet') ?? process.env.BENCH_WAIT_QUIET ?? 150);

/**
 * Other engineers' test runs share these 2 cores: wait (within a budget for the whole run) until
 * other processes use less than 15% of a core over a second before measuring.
 */
async function waitForQuiet(): Promise<void> {
  const t0 = now();
  let last = 0;
  for (;;) {
    const watch = watchContention(() => [process.pid]);
    await sleep(1000);
    last = watch().otherCores;
    if (last < CONTENTION_LIMIT) break;
    if ((now() - t0) / 1000 > quietBudgetS) {
      quietBudgetS = 0;
      say(`  (other processes still use ${fmt(last * 100, 0)}% of a core and the waiting budget is spent; measuring anyway)`);
      return;
    }
  }
  const waited = (now() - t0) / 1000;
  quietBudgetS = Math.max(0, quietBudgetS - waited);
  if (waited > 1.5) say(`  (waited ${fmt(waited, 0)} s for other processes on this machine to go quiet)`);
}

async function section(name: string, fn: () => Promise<Record<string, unknown>>): Promise<void> {
  say('');
  say(`== ${name}`);
  await waitForQuiet();
  const t0 = now();
  try {
    results[name] = { ...(await fn()), seconds: +((now() - t0) / 1000).toFixed(1), ranAt: new Date().toISOString(), commit: (results.environment as { commit?: string } | undefined)?.commit ?? null };
  } catch (err) {
    const message = (err as Error).stack ?? String(err);
    say(`  FAILED: ${message}`);
    results[name] = { error: String((err as Error).message ?? err), ranAt: new Date().toISOString() };
    verdicts.push({ name, met: false, detail: `failed: ${(err as Error).message}` });
  }
}

async function main(): Promise<void> {
  const env = environment();
  results.environment = env;
  say(`environment: Node ${env.node}; CPU ${env.cpuModel}; ${env.cores} cores; ${env.memoryGiB} GiB RAM; ${env.platform}; commit ${env.commit ?? 'n/a'}; load average ${(env.loadAverageAtStart as number[]).join(' ')}${PROFILE ? '; SERVER PROFILING ON (figures are slower than normal)' : ''}`);
  say(`setup: one sync server child process (node --import tsx sync-server/main.ts); load generator in this process; operator connections in a second child process`);
  const started = now();

  if (ONLY.has('inbound')) {
    await section('inbound', async () => {
      const s = await setupInboundServer();
      try {
        return await inboundBenchmark(s);
      } finally {
        s.agent.destroy();
        await s.server.stop();
      }
    });
  }
  if (ONLY.has('catchup')) await section('catch-up', catchUpBenchmark);
  if (ONLY.has('relay')) await section('relay', relayBenchmark);
  if (ONLY.has('rss')) await section('rss', rssBenchmark);

  results.verdicts = verdicts;
  results.totalSeconds = +((now() - started) / 1000).toFixed(1);
  const dir = path.join(ROOT, 'bench-results');
  fs.mkdirSync(dir, { recursive: true });
  // Profiled runs are slower: they never replace the figures of server.json.
  const file = path.join(dir, PROFILE ? 'server-profiled.json' : 'server.json');
  let written: Record<string, unknown> = results;
  if (PARTIAL && fs.existsSync(file)) {
    // `--only=…` replaces those sections in the previous results and keeps the others.
    try {
      const previous = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      const ran = new Set(verdicts.map((v) => v.name));
      const keptVerdicts = ((previous.verdicts as typeof verdicts | undefined) ?? []).filter((v) => !ran.has(v.name));
      written = {
        ...previous, ...results,
        profiles: { ...((previous.profiles as object | undefined) ?? {}), ...((results.profiles as object | undefined) ?? {}) },
        verdicts: [...keptVerdicts, ...verdicts],
        totalSeconds: undefined,
      };
    } catch {
      written = results;
    }
  }
  fs.writeFileSync(file, `${JSON.stringify(written, null, 2)}\n`);
  say('');
  say('== summary');
  for (const v of verdicts) say(`  ${v.name}: ${v.met === null ? 'measured (no target)' : v.met ? 'MET' : 'MISSED'} — ${v.detail}`);
  say(`  total ${fmt((now() - started) / 1000, 0)} s; results in ${path.relative(ROOT, file)}${PARTIAL && written !== results ? ' (these sections replaced; the others kept from the previous run)' : ''}`);
  const failed = verdicts.some((v) => v.met === false && v.detail.startsWith('failed'));
  process.exitCode = failed ? 1 : 0;
}

main()
  .catch((err) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    killAllChildren();
    // Lingering sockets or timers must not keep the bench alive.
    setTimeout(() => process.exit(process.exitCode ?? 0), 500).unref();
  });
