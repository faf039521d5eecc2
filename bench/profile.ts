/**
 * Summarises a V8 `.cpuprofile` (written by `node --cpu-prof`): top functions by self time and by
 * inclusive time, and time per file, as shares of the profile's sampled time.
 */
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileRow {
  name: string;
  location: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  idleMs: number;
  busyMs: number;
  self: ProfileRow[];
  /** Inclusive time of the project's own functions (sync-server/, src-core/). */
  inclusive: ProfileRow[];
  /** Every sample charged to the nearest project function on its stack outside the storage layer. */
  byCaller: ProfileRow[];
  files: ProfileRow[];
}

const PROJECT = /\/(sync-server|src-core)\//;
const INFRA = /\/sync-server\/storage\//;

function shortUrl(url: string, root: string): string {
  if (!url) return '(native)';
  let u = url.replace(/^file:\/\//, '');
  if (u.startsWith(root)) u = u.slice(root.length).replace(/^\//, '');
  return u.replace(/^.*node_modules\//, 'node_modules/');
}

export function summariseProfile(file: string, root: string, top = 25): ProfileSummary {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of prof.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const selfUs = new Map<number, number>();
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i + 1] ?? 0;
    selfUs.set(prof.samples[i], (selfUs.get(prof.samples[i]) ?? 0) + Math.max(0, dt));
  }
  const key = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'}\t${shortUrl(n.callFrame.url, root)}:${n.callFrame.lineNumber + 1}`;
  let totalUs = 0;
  let idleUs = 0;
  const selfByKey = new Map<string, number>();
  const inclByKey = new Map<string, number>();
  const byFile = new Map<string, number>();
  const byCaller = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    totalUs += us;
    const name = node.callFrame.functionName;
    if (name === '(idle)') {
      idleUs += us;
      continue;
    }
    const k = key(node);
    selfByKey.set(k, (selfByKey.get(k) ?? 0) + us);
    const f = name === '(garbage collector)' || name === '(program)' ? name : shortUrl(node.callFrame.url, root);
    byFile.set(f, (byFile.get(f) ?? 0) + us);
    // Inclusive: every distinct project frame on the stack gets the sample once.
    const seen = new Set<string>();
    let caller: string | null = null;
    let infra: string | null = null;
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      if (!PROJECT.test(n.callFrame.url) || n.callFrame.url.includes('/node_modules/')) continue;
      const kk = key(n);
      if (caller === null && !INFRA.test(n.callFrame.url)) caller = kk;
      if (infra === null && INFRA.test(n.callFrame.url)) infra = kk;
      if (seen.has(kk)) continue;
      seen.add(kk);
      inclByKey.set(kk, (inclByKey.get(kk) ?? 0) + us);
    }
    if (caller === null && infra !== null) caller = infra;
    if (caller === null) {
      // No project frame outside storage: the runtime or a library on its own (HTTP parsing, ws, GC…).
      const url = node.callFrame.url;
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
      caller = name.startsWith('(') && !url ? `${name}\t` : pkg ? `(${pkg}, no project caller)\t` : url.startsWith('node:') ? `(node internals: ${url.split('/')[0]}${url.includes('/') ? '/' + url.split('/').slice(1).join('/').split('/')[0] : ''})\t` : `${name} (no project caller)\t${shortUrl(url, root)}`;
    }
    byCaller.set(caller, (byCaller.get(caller) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const rows = (m: Map<string, number>): ProfileRow[] =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => {
      const [name, location] = k.includes('\t') ? k.split('\t') : [k, ''];
      return { name, location, ms: us / 1000, share: busyUs > 0 ? us / busyUs : 0 };
    });
  return {
    file, totalMs: totalUs / 1000, idleMs: idleUs / 1000, busyMs: busyUs / 1000,
    self: rows(selfByKey), inclusive: rows(inclByKey), byCaller: rows(byCaller), files: rows(byFile),
  };
}

export function formatProfile(s: ProfileSummary, label: string): string {
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`;
  const line = (r: ProfileRow) => `    ${pct(r.share)} ${r.ms.toFixed(0).padStart(7)} ms  ${r.name}  ${r.location}`;
  return [
    `  server CPU profile (${label}): ${s.busyMs.toFixed(0)} ms busy of ${s.totalMs.toFixed(0)} ms sampled; shares are of busy time; ${s.file}`,
    '  top functions by self time (native = time inside a C++ binding, e.g. better-sqlite3 `run`, socket `writev`):',
    ...s.self.slice(0, 25).map(line),
    '  project functions by inclusive time (self + callees):',
    ...s.inclusive.slice(0, 25).map(line),
    '  all time charged to the nearest project function outside sync-server/storage (else the storage function; who causes the cost):',
    ...s.byCaller.slice(0, 25).map(line),
    '  self time by file:',
    ...s.files.slice(0, 12).map((r) => `    ${pct(r.share)} ${r.ms.toFixed(0).padStart(7)} ms  ${r.name}`),
  ].join('\n');
}
