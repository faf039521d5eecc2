/**
 * Shared helpers of the server benchmarks: starting servers as child processes (and always
 * stopping them), keep-alive HTTP, Custom app set-up, a common clock, percentiles, /proc readings.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Wall-clock milliseconds with sub-millisecond resolution (comparable across processes after calibration). */
export const now = (): number => performance.timeOrigin + performance.now();
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---- child processes: tracked so that every exit path kills them ------------------------------------

const children = new Set<ChildProcess>();
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
export function killAllChildren(): void {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  children.clear();
}
process.once('exit', killAllChildren);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    killAllChildren();
    process.exit(130);
  });
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface ServerHandle {
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  output: string[];
  dataDir: string;
  /** The inspector connection (started with `profile` or `inspect`); profiling only with `profile`. */
  profiler: InspectorProfiler | null;
  alive(): boolean;
  stop(): Promise<void>;
}

/** Starts `sync-server/main.ts` as a child process: `node --import tsx sync-server/main.ts --port 0 …`. */
export async function startSwitchboard(opts: { profile?: boolean; inspect?: boolean; env?: Record<string, string> } = {}): Promise<ServerHandle> {
  const dataDir = tempDir('sb-bench-');
  const inspect = opts.profile || opts.inspect;
  const execArgv = ['--import', 'tsx', ...(inspect ? ['--inspect=127.0.0.1:0'] : [])];
  const child = track(spawn(process.execPath, [...execArgv, path.join(ROOT, 'sync-server/main.ts'), '--port', '0', '--data', dataDir, '--log-level', 'warn'], {
    cwd: ROOT,
    env: { ...process.env, SWITCHBOARD_WEB_ROOT: '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  child.stderr!.on('data', keep);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the sync server did not start within 30 s:\n${output.join('')}`)), 30_000);
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      keep(chunk);
      seen += chunk.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the sync server exited (${code ?? signal}) before listening:\n${output.join('')}`));
    });
  });
  await waitHttp(`${url}/health`, 20_000);
  let profiler: InspectorProfiler | null = null;
  if (inspect) {
    const m = /Debugger listening on (ws:\/\/\S+)/.exec(output.join(''));
    if (!m) throw new Error(`--inspect gave no debugger address:\n${output.join('')}`);
    profiler = await InspectorProfiler.connect(m[1], Boolean(opts.profile));
  }
  const handle: ServerHandle = {
    url,
    port: Number(new URL(url).port),
    pid: child.pid!,
    child,
    output,
    dataDir,
    profiler,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: async () => {
      profiler?.close();
      await stopChild(child, dataDir);
    },
  };
  return handle;
}

/** Starts the reference server `@y/websocket-server` 0.1.1 (its own bin, HOST/PORT from the environment). */
export async function startYWebsocketServer(): Promise<ServerHandle> {
  const port = await freePort();
  const bin = path.join(ROOT, 'node_modules/@y/websocket-server/src/server.js');
  if (!fs.existsSync(bin)) throw new Error(`@y/websocket-server is not installed (${bin} missing)`);
  const child = track(spawn(process.execPath, [bin], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  const output: string[] = [];
  child.stdout!.on('data', (c: Buffer) => output.push(c.toString()));
  child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(url, 20_000, () => {
    if (child.exitCode !== null) throw new Error(`@y/websocket-server exited (${child.exitCode}):\n${output.join('')}`);
  });
  return {
    url, port, pid: child.pid!, child, output, dataDir: '', profiler: null,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: () => stopChild(child, null),
  };
}

/**
 * The V8 sampling profiler of a child started with `--inspect`, driven over the inspector
 * protocol, so that exactly one measurement window is profiled (not start-up and set-up).
 */
export class InspectorProfiler {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();

  private readonly scripts = new Map<string, { url: string; sourceMapURL: string }>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString()) as { id?: number; method?: string; params?: any; result?: unknown; error?: { message: string } };
      if (msg.method === 'Debugger.scriptParsed') {
        this.scripts.set(msg.params.scriptId, { url: msg.params.url, sourceMapURL: msg.params.sourceMapURL ?? '' });
        return;
      }
      if (msg.id === undefined) return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(msg.error.message));
      else p.resolve(msg.result);
    });
  }

  /** Whether CPU profiles are wanted (else the connection serves only GC and heap readings). */
  profiling = false;

  static async connect(url: string, profiling: boolean): Promise<InspectorProfiler> {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1024 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const p = new InspectorProfiler(ws);
    p.profiling = profiling;
    if (profiling) {
      await p.call('Profiler.enable');
      await p.call('Profiler.setSamplingInterval', { interval: 1000 });
    }
    return p;
  }

  /** A full garbage collection in the inspected process. */
  async collectGarbage(): Promise<void> {
    await this.call('HeapProfiler.collectGarbage');
  }

  /** V8 heap in use and allocated (bytes). */
  async heapUsage(): Promise<{ usedSize: number; totalSize: number }> {
    return this.call('Runtime.getHeapUsage');
  }

  call(method: string, params: Record<string, unknown> = {}): Promise<any> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  start(): Promise<void> {
    return this.call('Profiler.start');
  }

  /** Stops sampling and writes the profile to `file`, with the project's frames mapped back to TypeScript lines. */
  async stop(file: string): Promise<string> {
    const { profile } = await this.call('Profiler.stop');
    try {
      await this.mapToSource(profile);
    } catch {
      /* positions stay those of the generated code */
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(profile));
    return file;
  }

  close(): void {
    this.ws.close();
  }

  /** tsx compiles each file to one line with an inline source map: map the frames back through it. */
  private async mapToSource(profile: { nodes: Array<{ callFrame: { scriptId: string; url: string; lineNumber: number; columnNumber: number } }> }): Promise<void> {
    await this.call('Debugger.enable');
    const maps = new Map<string, Array<Array<[number, number, number]>> | null>();
    for (const node of profile.nodes) {
      const cf = node.callFrame;
      if (!cf.url.startsWith('file://') || cf.url.includes('/node_modules/') || cf.lineNumber < 0) continue;
      if (!maps.has(cf.scriptId)) {
        let segments: Array<Array<[number, number, number]>> | null = null;
        try {
          let mapUrl = this.scripts.get(cf.scriptId)?.sourceMapURL ?? '';
          if (!mapUrl) {
            const { scriptSource } = await this.call('Debugger.getScriptSource', { scriptId: cf.scriptId });
            mapUrl = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(scriptSource as string)?.[1] ?? '';
          }
          const m = /^data:application\/json(?:;charset=[^;,]+)?;base64,(.*)$/.exec(mapUrl);
          if (m) segments = decodeMappings(JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')).mappings as string);
        } catch {
          segments = null;
        }
        maps.set(cf.scriptId, segments);
      }
      const segs = maps.get(cf.scriptId)?.[cf.lineNumber];
      if (!segs || segs.length === 0) continue;
      let lo = 0;
      let hi = segs.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (segs[mid][0] <= cf.columnNumber) lo = mid;
        else hi = mid - 1;
      }
      cf.lineNumber = segs[lo][1];
      cf.columnNumber = segs[lo][2];
    }
    await this.call('Debugger.disable');
  }
}

/** Decodes a source map's mappings: per generated line, [generated column, source line, source column]. */
function decodeMappings(mappings: string): Array<Array<[number, number, number]>> {
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const lines: Array<Array<[number, number, number]>> = [];
  let srcLine = 0;
  let srcCol = 0;
  for (const line of mappings.split(';')) {
    const out: Array<[number, number, number]> = [];
    let genCol = 0;
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const values: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const digit = B64.indexOf(ch);
        value += (digit & 31) * 2 ** shift;
        if (digit & 32) shift += 5;
        else {
          values.push(value % 2 === 1 ? -Math.floor(value / 2) : value / 2);
          value = 0;
          shift = 0;
        }
      }
      genCol += values[0];
      if (values.length >= 4) {
        srcLine += values[2];
        srcCol += values[3];
        out.push([genCol, srcLine, srcCol]);
      }
    }
    lines.push(out);
  }
  return lines;
}

async function waitHttp(url: string, timeoutMs: number, check?: () => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    check?.();
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** SIGTERM (the server flushes storage and exits), SIGKILL after 15 s; then the data folder goes. */
async function stopChild(child: ChildProcess, dataDir: string | null): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}

// ---- /proc ---------------------------------------------------------------------------------------

/** Resident set size of a process in KiB (VmRSS of /proc/<pid>/status). */
export function rssKiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]);
}

const CLK_TCK = 100;
/** CPU seconds (user + system, all threads) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** CPU seconds all processes of the machine have used (busy time of /proc/stat, summed over cores). */
export function systemBusySeconds(): number {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return (user + nice + system + irq + softirq + steal) / CLK_TCK;
}

/**
 * Measures how much CPU other processes of the machine (not the benchmark's own) used during a
 * measurement: another engineer's test run on this 2-core machine makes the figures unreliable.
 */
export function watchContention(pids: () => number[]): () => { otherCores: number; seconds: number } {
  const own = (list: number[]) => list.reduce((n, pid) => {
    try {
      return n + cpuSeconds(pid);
    } catch {
      return n;
    }
  }, 0);
  const list0 = pids();
  const sys0 = systemBusySeconds();
  const own0 = own(list0);
  const t0 = now();
  return () => {
    const seconds = (now() - t0) / 1000;
    const other = systemBusySeconds() - sys0 - (own(list0) - own0);
    return { otherCores: Math.max(0, other / seconds), seconds };
  };
}

// ---- HTTP ----------------------------------------------------------------------------------------

export interface PostResult {
  status: number;
  body: string;
}

/** One POST over a keep-alive agent (node:http). Never rejects: network errors give status 0. */
export function post(agent: http.Agent, base: URL, route: string, body: string, headers: Record<string, string>): Promise<PostResult> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        agent, host: base.hostname, port: base.port, path: route, method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', (err) => resolve({ status: 0, body: String(err) }));
      },
    );
    req.on('error', (err) => resolve({ status: 0, body: String(err) }));
    req.end(body);
  });
}

/** Opens `count` keep-alive connections in the agent's pool (concurrent GETs of /health). */
export async function warmPool(agent: http.Agent, base: URL, count: number): Promise<void> {
  await Promise.all(Array.from({ length: count }, () => new Promise<void>((resolve) => {
    const req = http.request({ agent, host: base.hostname, port: base.port, path: '/health', method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => resolve());
      res.on('error', () => resolve());
    });
    req.on('error', () => resolve());
    req.end();
  })));
}

// ---- Custom apps ---------------------------------------------------------------------------------

export interface BenchApp {
  id: number;
  customAppId: string;
  token: string;
  route: string;
}

export async function createApps(url: string, ownerToken: string, count: number, tag: string): Promise<BenchApp[]> {
  const apps: BenchApp[] = [];
  for (let i = 0; i < count; i++) {
    const customAppId = `bench-${tag}-${i}`;
    const res = await fetch(`${url}/admin/apps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ownerToken}` },
      body: JSON.stringify({ application: 'custom', name: `Bench app ${i}`, customAppId, webhookUrl: 'http://127.0.0.1:9/hook' }),
    });
    const text = await res.text();
    if (res.status === 404) throw new Error(`POST /admin/apps answered 404: the Custom app routes are not registered in this server build (sync-server/plugins.ts → channelsPlugin); the benchmarks need them`);
    if (res.status !== 200) throw new Error(`POST /admin/apps answered ${res.status}: ${text}`);
    const data = JSON.parse(text).data as { id: number; token: string; inboundUrl: string; customAppId: string };
    if (!data?.token) throw new Error(`POST /admin/apps gave no token: ${text}`);
    apps.push({ id: data.id, customAppId, token: data.token, route: new URL(data.inboundUrl).pathname });
  }
  return apps;
}

export function inboundBody(app: BenchApp, clientId: string, text: string, messageId: string): string {
  return JSON.stringify({
    token: app.token, custom_channel_id: app.customAppId, client_id: clientId, client_name: `Client ${clientId}`,
    type: 'text', data: text, message_id: messageId,
  });
}

/**
 * Sends `total` inbound messages with at most `concurrency` in flight, paced at `ratePerSec`
 * (round robin over the apps, so no app nears the 50 requests/s limit); retries 429s.
 */
export async function sendInbound(
  base: URL,
  agent: http.Agent,
  total: number,
  opts: { concurrency: number; ratePerSec: number; message: (i: number) => { app: BenchApp; clientId: string; text: string; messageId: string } },
): Promise<{ ok: number; failures: Map<string, number> }> {
  const failures = new Map<string, number>();
  let ok = 0;
  let next = 0;
  const start = now();
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const due = start + (i * 1000) / opts.ratePerSec;
      const wait = due - now();
      if (wait > 1) await sleep(wait);
      const m = opts.message(i);
      for (let attempt = 0; ; attempt++) {
        const res = await post(agent, base, m.app.route, inboundBody(m.app, m.clientId, m.text, m.messageId), { authorization: `Bearer ${m.app.token}` });
        if (res.status === 200) {
          ok++;
          break;
        }
        if ((res.status === 429 || res.status === 0) && attempt < 20) {
          await sleep(100);
          continue;
        }
        const key = `${res.status} ${res.body.slice(0, 160)}`;
        failures.set(key, (failures.get(key) ?? 0) + 1);
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return { ok, failures };
}

// ---- statistics ------------------------------------------------------------------------------------

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
export const fmtInt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : String(n));
