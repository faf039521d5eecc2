/**
 * `--profile`: V8 CPU profiles of the page's main thread and of the sync worker over one measured
 * step, taken over the Chrome DevTools Protocol (the worker through a target the page session
 * auto-attaches). The client is then built with source maps, and the summary names functions and
 * lines of the original sources (src-renderer/, src-core/, node_modules/…), not of the minified
 * bundle. Profiles go to bench-results/profiles/client-<label>-{page,worker}.cpuprofile.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CDPSession, Page } from '@playwright/test';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

type Mapper = (url: string, line: number, column: number) => { source: string; line: number; name: string | null } | null;

/** Maps bundle positions to sources through the build's `.map` files (trace-mapping when installed). */
async function sourceMapper(buildDir: string): Promise<Mapper> {
  let TraceMap: any;
  let originalPositionFor: any;
  try {
    ({ TraceMap, originalPositionFor } = await import('@jridgewell/trace-mapping'));
  } catch {
    return () => null;
  }
  const maps = new Map<string, any>();
  return (url, line, column) => {
    const m = line >= 0 && column >= 0 ? /\/(assets\/[^/?#]+\.js)/.exec(url) : null;
    if (!m) return null;
    let map = maps.get(m[1]);
    if (map === undefined) {
      const file = path.join(buildDir, `${m[1]}.map`);
      map = fs.existsSync(file) ? new TraceMap(fs.readFileSync(file, 'utf8')) : null;
      maps.set(m[1], map);
    }
    if (!map) return null;
    const pos = originalPositionFor(map, { line: line + 1, column });
    if (!pos.source) return null;
    return { source: String(pos.source).replace(/^.*?(src-renderer|src-core|node_modules)\//, '$1/'), line: pos.line, name: pos.name };
  };
}

function summarise(prof: CpuProfile, map: Mapper, top: number): string[] {
  const byId = new Map<number, Node>();
  const parent = new Map<number, number>();
  for (const n of prof.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const label = new Map<number, string>();
  const labelOf = (n: Node): string => {
    let l = label.get(n.id);
    if (l) return l;
    const { functionName, url, lineNumber, columnNumber } = n.callFrame;
    const pos = url ? map(url, lineNumber, columnNumber) : null;
    l = pos ? `${functionName || '(anonymous)'} ${pos.source}:${pos.line}` : `${functionName || '(anonymous)'} ${url ? url.replace(/^.*\//, '') : ''}`.trim();
    label.set(n.id, l);
    return l;
  };
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const us = Math.max(0, prof.timeDeltas[i + 1] ?? 0);
    const node = byId.get(prof.samples[i])!;
    total += us;
    if (node.callFrame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    const l = labelOf(node);
    self.set(l, (self.get(l) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = node.id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      const ll = labelOf(n);
      if (!/src-(renderer|core)\//.test(ll) || seen.has(ll)) continue;
      seen.add(ll);
      incl.set(ll, (incl.get(ll) ?? 0) + us);
    }
  }
  const busy = total - idle;
  const rows = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([k, us]) => `      ${((us / Math.max(1, busy)) * 100).toFixed(1).padStart(5)}% ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  return [
    `    ${(busy / 1000).toFixed(0)} ms busy of ${(total / 1000).toFixed(0)} ms; by self time:`,
    ...rows(self),
    '    project functions by inclusive time:',
    ...rows(incl),
  ];
}

/** Profiles the page and its sync worker between `start()` and `stop(label)`. */
export class ClientProfiler {
  private nextId = 1;
  private readonly pending = new Map<number, (msg: any) => void>();
  private workerSession: string | null = null;

  private constructor(private readonly session: CDPSession, private readonly buildDir: string, private readonly outDir: string) {
    session.on('Target.receivedMessageFromTarget', (e: any) => {
      const msg = JSON.parse(e.message);
      if (msg.id !== undefined) this.pending.get(msg.id)?.(msg);
    });
  }

  /**
   * Attaches to `page` (before navigation: the worker then waits for the profiler to start,
   * so its start-up is profiled too).
   */
  static async attach(page: Page, buildDir: string, outDir: string): Promise<ClientProfiler> {
    const session = await page.context().newCDPSession(page);
    const p = new ClientProfiler(session, buildDir, outDir);
    session.on('Target.attachedToTarget', (e: any) => {
      if (e.targetInfo.type !== 'worker') return;
      p.workerSession = e.sessionId;
      void (async () => {
        await p.worker('Profiler.enable');
        await p.worker('Profiler.setSamplingInterval', { interval: 200 });
        await p.worker('Profiler.start');
        await p.worker('Runtime.runIfWaitingForDebugger');
      })();
    });
    await session.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: false });
    await session.send('Profiler.enable');
    await session.send('Profiler.setSamplingInterval', { interval: 200 });
    await session.send('Profiler.start');
    return p;
  }

  private worker(method: string, params: object = {}): Promise<any> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      void this.session.send('Target.sendMessageToTarget', { sessionId: this.workerSession!, message: JSON.stringify({ id, method, params }) });
    });
  }

  async stop(label: string): Promise<string[]> {
    const lines: string[] = [];
    const map = await sourceMapper(this.buildDir);
    fs.mkdirSync(this.outDir, { recursive: true });
    const { profile } = await this.session.send('Profiler.stop');
    const pageFile = path.join(this.outDir, `client-${label}-page.cpuprofile`);
    fs.writeFileSync(pageFile, JSON.stringify(profile));
    lines.push(`  CPU profile of the page (${label}): ${pageFile}`, ...summarise(profile as CpuProfile, map, 22));
    if (this.workerSession) {
      const res = await this.worker('Profiler.stop');
      if (res.result?.profile) {
        const workerFile = path.join(this.outDir, `client-${label}-worker.cpuprofile`);
        fs.writeFileSync(workerFile, JSON.stringify(res.result.profile));
        lines.push(`  CPU profile of the sync worker (${label}): ${workerFile}`, ...summarise(res.result.profile as CpuProfile, map, 30));
      }
    } else {
      lines.push('  (no sync worker attached)');
    }
    await this.session.detach().catch(() => undefined);
    return lines;
  }
}
