/**
 * The client benchmark (issue: "benchmark in Chromium, `npm run bench`; prints its figures"):
 *
 *   node --import tsx bench/client/main.ts [--cache] [--runs=5] [--only=cold,tabs,open,search,catchup,heap]
 *
 * The real web client, built with `npx electron-vite build --outDir <tmp>` (its own output folder,
 * so that a bench never rewrites `out/` under a running end-to-end test), served by a real sync
 * server (a child process, as in e2e/support/server.ts) to Debian's Chromium (headless, on-disk
 * profile, real IndexedDB), driven by Playwright. Steps:
 *
 *  1. Seed the server's data folder (bench/client/seed.ts): 10,000 conversations, 200,000 messages,
 *     one conversation of 2,000 messages; 25 Custom apps; the benchmark user is the owner.
 *  2. Sign in through the UI and let the client do its first full sync into IndexedDB (printed,
 *     no target). The browser is then closed and started again: every measurement below runs on
 *     a store that is already filled.
 *  3. Cold open: a new page load with a valid session, navigation start → the first frame that
 *     paints conversation rows. Target ≤ 500 ms.
 *  4. Tab switching: click → the first frame with the new tab's rows. Target ≤ 50 ms.
 *  5. Opening the 2,000-message conversation: click → the first frame with its timeline. ≤ 100 ms.
 *  6. Local search over all messages: input event → the first frame with the results. ≤ 100 ms.
 *  7. Catch-up: the page is closed, 1,000 conversations change on the server (a client message
 *     each, through the Custom app webhook), the page is opened again; until status Online, the
 *     changed rows stored and the list showing them. ≤ 3 s with no UI-thread task over 50 ms.
 *  8. JS heap after scrolling the whole All list (10,000 rows), after a forced GC: the page's
 *     heap and the sync worker's heap (CDP). Target ≤ 300 MB.
 *
 * Results: bench-results/client.json. `--cache` keeps the seeded server and the synced browser
 * profile in the OS temp folder and reuses them on the next `--cache` run (for iterating; a cache
 * made by other client code must be dropped with `--fresh-cache`). Environment: CHROMIUM_PATH,
 * BENCH_CONVERSATIONS, BENCH_MESSAGES.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type CDPSession, type Page } from '@playwright/test';
import { spawnServer, type ServerProcess } from '../../sync-server/test/harness';
import { installProbe, type BenchWindow, type Condition } from './probe';
import { ClientProfiler } from './profiling';
import { seed, type SeedResult } from './seed';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string) => args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
const flagValue = (name: string) => flag(name)?.split('=')[1];

const ALL_STEPS = ['cold', 'tabs', 'open', 'search', 'catchup', 'heap'] as const;
type Step = (typeof ALL_STEPS)[number];
const ONLY = new Set((flagValue('only') ?? ALL_STEPS.join(',')).split(',').map((s) => s.trim()) as Step[]);
const RUNS = Number(flagValue('runs') ?? 5);
const USE_CACHE = Boolean(flag('cache'));
/** With --cache: sync again from the cached seed (for the first sync's own figures). */
const RESYNC = Boolean(flag('resync'));
const PROFILE = new Set((flagValue('profile') ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const PROFILE_DIR = path.join(ROOT, 'bench-results', 'profiles');
const FRESH_CACHE = Boolean(flag('fresh-cache'));
const SHAPE = {
  conversations: Number(process.env.BENCH_CONVERSATIONS ?? 10_000),
  messages: Number(process.env.BENCH_MESSAGES ?? 200_000),
  bigConversationMessages: 2_000,
  apps: 25,
};
const TARGETS = { coldOpenMs: 500, tabSwitchMs: 50, openConversationMs: 100, searchMs: 100, catchUpMs: 3000, longTaskMs: 50, heapMB: 300 };
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];
const VIEWPORT = { width: 1440, height: 900 };
const CACHE_DIR = path.join(os.tmpdir(), 'switchboard-bench-client-cache');
const WORK_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-client-'));

// ---- output ----------------------------------------------------------------------------------------

const say = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : String(n));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round1 = (n: number) => Math.round(n * 10) / 10;
const verdicts: Array<{ name: string; met: boolean; text: string }> = [];
function verdict(name: string, met: boolean, text: string): void {
  verdicts.push({ name, met, text });
  say(`  => ${name}: ${met ? 'MET' : 'MISSED'} — ${text}`);
}
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---- processes that must never outlive the bench ------------------------------------------------------

let server: ServerProcess | null = null;
let context: BrowserContext | null = null;
async function cleanUp(): Promise<void> {
  await context?.close().catch(() => undefined);
  context = null;
  await server?.kill('SIGKILL').catch(() => undefined);
  server = null;
  fs.rmSync(WORK_DIR, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    void cleanUp().finally(() => process.exit(130));
  });
}

// ---- CPU time of processes (/proc), to say who was busy during a step ----------------------------------

function procStat(pid: number): { ppid: number; cpuS: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the name: state(0) ppid(1) … utime(11) stime(12), in clock ticks (100 per second here).
    return { ppid: Number(fields[1]), cpuS: (Number(fields[11]) + Number(fields[12])) / 100 };
  } catch {
    return null;
  }
}

/** CPU seconds of Chromium (the browser using `profileDir` and its children) and of a server process. */
function cpuSnapshot(profileDir: string, serverPid: number | undefined): { chromium: number; server: number; byType: Record<string, number> } {
  const all = new Map<number, { ppid: number; cpuS: number; cmd: string }>();
  for (const name of fs.readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const st = procStat(pid);
    if (!st) continue;
    let cmd = '';
    try {
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    all.set(pid, { ...st, cmd });
  }
  const roots = [...all.entries()].filter(([, p]) => p.cmd.includes(`--user-data-dir=${profileDir}`)).map(([pid]) => pid);
  const ours = new Set(roots);
  for (let changed = true; changed;) {
    changed = false;
    for (const [pid, p] of all) if (!ours.has(pid) && ours.has(p.ppid)) {
      ours.add(pid);
      changed = true;
    }
  }
  let chromium = 0;
  const byType: Record<string, number> = {};
  for (const pid of ours) {
    const p = all.get(pid)!;
    chromium += p.cpuS;
    const type = /--type=([a-z-]+)/.exec(p.cmd)?.[1] ?? 'browser';
    const sub = /--utility-sub-type=([A-Za-z.]+)/.exec(p.cmd)?.[1];
    const key = sub ? `${type}:${sub}` : type;
    byType[key] = (byType[key] ?? 0) + p.cpuS;
  }
  return { chromium, server: serverPid !== undefined ? all.get(serverPid)?.cpuS ?? 0 : 0, byType };
}

function cpuDelta(a: ReturnType<typeof cpuSnapshot>, b: ReturnType<typeof cpuSnapshot>): string {
  return Object.keys(b.byType).map((k) => `${k} ${(b.byType[k] - (a.byType[k] ?? 0)).toFixed(1)}`).join(', ');
}

// ---- set-up ------------------------------------------------------------------------------------------

function chromiumPath(): string {
  const found = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean)
    .find((p) => fs.existsSync(p!));
  if (found) return found;
  // scripts/ensure.mjs installs Debian's chromium (npm run bench calls it first).
  throw new Error('No Chromium found: install Debian’s chromium (apt-get install -y chromium) or set CHROMIUM_PATH');
}

function build(): { dir: string; seconds: number } {
  // Kept after the run (profiles are mapped through its source maps); rebuilt every run.
  const dir = path.join(os.tmpdir(), 'switchboard-bench-client-build');
  fs.rmSync(dir, { recursive: true, force: true });
  const t0 = performance.now();
  const res = spawnSync('npx', ['electron-vite', 'build', '--outDir', dir, '--logLevel', 'warn', ...(PROFILE.size > 0 ? ['--sourcemap'] : [])], { cwd: ROOT, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`electron-vite build failed:\n${res.stdout}\n${res.stderr}`);
  return { dir: path.join(dir, 'renderer'), seconds: (performance.now() - t0) / 1000 };
}

function copyDir(from: string, to: string): void {
  fs.rmSync(to, { recursive: true, force: true });
  fs.cpSync(from, to, { recursive: true });
}

async function launch(profileDir: string): Promise<BrowserContext> {
  const ctx = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true, viewport: VIEWPORT, serviceWorkers: 'allow',
  });
  // Notifications allowed, as in the desktop app (the sync worker's notices become OS notifications).
  await ctx.grantPermissions(['notifications']);
  // tsx names functions with a helper the page does not have: define it first.
  await ctx.addInitScript({ content: `globalThis.__name ??= (f) => f;\n(${installProbe.toString()})();` });
  return ctx;
}

async function newAppPage(ctx: BrowserContext): Promise<Page> {
  const page = await ctx.newPage();
  page.on('pageerror', (err) => say(`    [page error] ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') say(`    [page ${msg.type()}] ${msg.text().slice(0, 300)}`);
  });
  return page;
}

const bench = (page: Page) => page.evaluateHandle(() => (window as unknown as BenchWindow).__bench);

/** A page on the app's origin that never runs the app: reads IndexedDB without touching the measured page. */
async function probePage(ctx: BrowserContext, url: string): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(`${url}/health`);
  return page;
}

interface StoreCounts {
  conversations: number;
  search: number;
  docUpdates: number;
}

async function storeCounts(probe: Page, dbName: string): Promise<StoreCounts | null> {
  return probe.evaluate(async (name) => {
    const names = (await indexedDB.databases()).map((d) => d.name);
    if (!names.includes(name)) return null;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(name);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    try {
      const count = (store: string) => new Promise<number>((resolve, reject) => {
        if (!db.objectStoreNames.contains(store)) return resolve(0);
        const req = db.transaction(store).objectStore(store).count();
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      return { conversations: await count('conversations'), search: await count('search'), docUpdates: await count('docUpdates') };
    } finally {
      db.close();
    }
  }, dbName);
}

/** How many of `ids` have a stored row whose preview starts with `prefix`. */
async function rowsWithPreview(probe: Page, dbName: string, ids: number[], prefix: string): Promise<number> {
  return probe.evaluate(async ({ name, ids, prefix }) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(name);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    try {
      const store = db.transaction('conversations').objectStore('conversations');
      const rows = await Promise.all(ids.map((id) => new Promise<{ lastMessagePreview?: string } | undefined>((resolve, reject) => {
        const req = store.get(id);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      })));
      return rows.filter((r) => r?.lastMessagePreview?.startsWith(prefix)).length;
    } finally {
      db.close();
    }
  }, { name: dbName, ids, prefix });
}

// ---- measurements ------------------------------------------------------------------------------------

/** Runs `act` (an input) and resolves with the event → painted times of the next `eventType`. */
async function timed(page: Page, eventType: string, conditions: Condition[], act: () => Promise<void>, timeoutMs = 30_000) {
  const handle = await bench(page);
  const armed = await page.evaluateHandle(({ b, eventType, conditions, timeoutMs }) => {
    const p = b.armEvent(eventType, conditions, timeoutMs);
    return { p };
  }, { b: handle, eventType, conditions, timeoutMs });
  await act();
  const r = await page.evaluate(({ armed }) => armed.p, { armed });
  return { ms: r.painted - r.start, domMs: r.dom - r.start };
}

async function coldOpen(ctx: BrowserContext, url: string, profileDir?: string): Promise<{ ms: number; domMs: number; page: Page; longTasks: Array<{ start: number; duration: number }> }> {
  const page = await newAppPage(ctx);
  const profiler = profileDir ? await ClientProfiler.attach(page, profileDir, PROFILE_DIR) : null;
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as BenchWindow).__bench?.firstRows !== null, undefined, { timeout: 120_000, polling: 100 });
  const r = await page.evaluate(() => {
    const b = (window as unknown as BenchWindow).__bench;
    return { ms: b.firstRows!, domMs: b.firstRowsDom!, longTasks: b.longTasks.slice() };
  });
  if (profiler) for (const line of await profiler.stop('cold')) say(line);
  return { ...r, page };
}

async function settle(page: Page, ms = 400): Promise<void> {
  await sleep(ms);
  await page.evaluate(() => (window as unknown as BenchWindow).__bench.afterPaint());
}

const tabSelector = (tab: string) => `section[aria-labelledby="tab-${tab}"] [data-conversation-id]`;

async function heapMB(session: CDPSession): Promise<number> {
  await session.send('HeapProfiler.collectGarbage');
  const usage = await session.send('Runtime.getHeapUsage');
  return usage.usedSize / 1024 / 1024;
}

/** The sync worker's heap, through a CDP session attached to the page's dedicated worker. */
async function workerHeapMB(session: CDPSession): Promise<number | null> {
  let nextId = 1;
  const pending = new Map<number, (v: any) => void>();
  let workerSession: string | null = null;
  const attached = new Promise<string>((resolve) => {
    session.on('Target.attachedToTarget', (e: any) => {
      if (e.targetInfo.type === 'worker') resolve(e.sessionId);
    });
  });
  session.on('Target.receivedMessageFromTarget', (e: any) => {
    const msg = JSON.parse(e.message);
    pending.get(msg.id)?.(msg);
  });
  await session.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  workerSession = await Promise.race([attached, sleep(5000).then(() => null)]);
  if (!workerSession) return null;
  const call = (method: string, params: object = {}) => new Promise<any>((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    void session.send('Target.sendMessageToTarget', { sessionId: workerSession!, message: JSON.stringify({ id, method, params }) });
  });
  await call('HeapProfiler.collectGarbage');
  const usage = await call('Runtime.getHeapUsage');
  return usage.result ? usage.result.usedSize / 1024 / 1024 : null;
}

// ---- the run -----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const results: Record<string, unknown> = {};
  const startedAt = new Date().toISOString();
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return null;
    }
  })();
  const browserVersion = execFileSync(chromiumPath(), ['--version'], { encoding: 'utf8' }).trim();
  say(`client benchmark: ${fmt(SHAPE.conversations)} conversations, ${fmt(SHAPE.messages)} messages; ${browserVersion}; ${os.cpus().length} cores; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  const built = build();
  say(`  built the client: npx electron-vite build --outDir ${path.dirname(built.dir)} (${fmt(built.seconds, 1)} s)`);

  if (FRESH_CACHE) fs.rmSync(CACHE_DIR, { recursive: true, force: true });
  const dataDir = path.join(WORK_DIR, 'server');
  const profileDir = path.join(WORK_DIR, 'profile');
  const seedCache = path.join(CACHE_DIR, `seed-${SHAPE.conversations}-${SHAPE.messages}`);
  const syncedCache = path.join(CACHE_DIR, `synced-${SHAPE.conversations}-${SHAPE.messages}`);
  let seeded: SeedResult;
  let port = 0;
  let firstSync: Record<string, unknown> | null = null;

  if (USE_CACHE && !RESYNC && fs.existsSync(path.join(syncedCache, 'meta.json'))) {
    const meta = JSON.parse(fs.readFileSync(path.join(syncedCache, 'meta.json'), 'utf8'));
    seeded = meta.seeded;
    port = meta.port;
    firstSync = { ...meta.firstSync, fromCache: true };
    copyDir(path.join(syncedCache, 'server'), dataDir);
    copyDir(path.join(syncedCache, 'profile'), profileDir);
    say(`  reusing the synced store from ${syncedCache} (first full sync took ${fmt(meta.firstSync.seconds, 1)} s when it was made)`);
  } else {
    if (USE_CACHE && fs.existsSync(path.join(seedCache, 'seed.json'))) {
      seeded = JSON.parse(fs.readFileSync(path.join(seedCache, 'seed.json'), 'utf8'));
      copyDir(path.join(seedCache, 'server'), dataDir);
      say(`  reusing the seeded server data from ${seedCache}`);
    } else {
      fs.mkdirSync(dataDir, { recursive: true });
      seeded = await seed({ dataDir, ...SHAPE, log: say });
      say(`  seeded ${fmt(seeded.conversations.length)} conversations, ${fmt(seeded.totalMessages)} messages with the server's own services in ${fmt(seeded.seconds, 1)} s`);
      if (USE_CACHE) {
        copyDir(dataDir, path.join(seedCache, 'server'));
        fs.writeFileSync(path.join(seedCache, 'seed.json'), JSON.stringify(seeded));
      }
    }
    // ---- first full sync (printed, no target) ----
    server = await spawnServer({ dataDir, env: { SWITCHBOARD_WEB_ROOT: built.dir }, logLevel: 'warn' });
    port = server.port;
    context = await launch(profileDir);
    const page = await newAppPage(context);
    const profiler = PROFILE.has('firstsync') ? await ClientProfiler.attach(page, built.dir, PROFILE_DIR) : null;
    await page.goto(server.url);
    await page.getByLabel('Email').fill(seeded.email);
    await page.getByLabel('Password').fill(seeded.password);
    const t0 = Date.now();
    const cpu0 = cpuSnapshot(profileDir, server.child.pid);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const probe = await probePage(context, server.url);
    const dbName = `switchboard:127.0.0.1:${port}:${seeded.userId}`;
    let counts: StoreCounts | null = null;
    let lastPrint = Date.now();
    let profiled = false;
    for (;;) {
      await sleep(250);
      counts = await storeCounts(probe, dbName);
      if (profiler && Date.now() - t0 > Number(process.env.BENCH_PROFILE_SECONDS ?? 20) * 1000 && !profiled) {
        profiled = true;
        for (const line of await profiler.stop('firstsync')) say(line);
      }
      const online = await page.locator('.connection--online').count() > 0;
      if (online && counts && counts.conversations >= seeded.conversations.length) break;
      if (Date.now() - lastPrint > 15_000) {
        lastPrint = Date.now();
        say(`    first sync: ${fmt(counts?.conversations ?? 0)} conversations stored after ${fmt((Date.now() - t0) / 1000, 0)} s`);
      }
      if (Date.now() - t0 > 30 * 60_000) throw new Error('the first full sync did not finish within 30 minutes');
    }
    const seconds = (Date.now() - t0) / 1000;
    const cpu1 = cpuSnapshot(profileDir, server.child.pid);
    const cpu = { chromiumS: round1(cpu1.chromium - cpu0.chromium), serverS: round1(cpu1.server - cpu0.server) };
    say(`  first full sync (sign-in click → status Online with all rows stored): ${fmt(seconds, 1)} s — ${fmt(counts!.conversations)} conversations, ${fmt(counts!.search)} search rows, ${fmt(counts!.docUpdates)} stored updates; CPU meanwhile: Chromium ${fmt(cpu.chromiumS, 1)} s (${cpuDelta(cpu0, cpu1)}), server ${fmt(cpu.serverS, 1)} s`);
    firstSync = { seconds: round1(seconds), ...counts, cpu };
    await page.close();
    await probe.close();
    await context.close();
    context = null;
    await server.kill('SIGTERM');
    server = null;
    if (USE_CACHE) {
      copyDir(dataDir, path.join(syncedCache, 'server'));
      copyDir(profileDir, path.join(syncedCache, 'profile'));
      fs.writeFileSync(path.join(syncedCache, 'meta.json'), JSON.stringify({ seeded, port, firstSync }));
    }
  }
  results.setup = {
    shape: SHAPE, firstFullSync: firstSync, build: `npx electron-vite build --outDir <tmp> (${fmt(built.seconds, 1)} s)`,
    viewport: VIEWPORT, chromium: browserVersion,
  };

  server = await spawnServer({ dataDir, port, env: { SWITCHBOARD_WEB_ROOT: built.dir }, logLevel: 'warn' });
  const url = server.url;
  const dbName = `switchboard:127.0.0.1:${port}:${seeded.userId}`;
  context = await launch(profileDir);
  say(`  server pid ${server.child.pid} at ${url}; Chromium profile ${profileDir}`);

  // ---- cold open ----
  let page: Page | null = null;
  {
    const runs: Array<{ ms: number; domMs: number; longestTaskMs: number }> = [];
    for (let i = 0; i < (ONLY.has('cold') ? RUNS : 1); i++) {
      if (page) await page.close();
      const r = await coldOpen(context, url, PROFILE.has('cold') && i === RUNS - 1 ? built.dir : undefined);
      page = r.page;
      runs.push({ ms: round1(r.ms), domMs: round1(r.domMs), longestTaskMs: round1(Math.max(0, ...r.longTasks.map((t) => t.duration))) });
      await page.locator('.connection--online').waitFor({ timeout: 60_000 });
      await settle(page, 500);
    }
    if (ONLY.has('cold')) {
      const med = median(runs.map((r) => r.ms));
      say(`  cold open (navigation start → first frame with rows), ${runs.length} loads: ${runs.map((r) => fmt(r.ms)).join(', ')} ms; median ${fmt(med)} ms (the first load after the browser started: ${fmt(runs[0].ms)} ms)`);
      results.coldOpen = { runs, medianMs: round1(med), firstLoadMs: runs[0].ms };
      verdict('cold open', med <= TARGETS.coldOpenMs && runs[0].ms <= TARGETS.coldOpenMs * 1.5, `median ${fmt(med)} ms, first load ${fmt(runs[0].ms)} ms (target ≤ ${TARGETS.coldOpenMs} ms)`);
    }
  }
  page = page!;

  // ---- tab switching ----
  if (ONLY.has('tabs')) {
    const profiler = PROFILE.has('tabs') ? await ClientProfiler.attach(page, built.dir, PROFILE_DIR) : null;
    const order = ['unassigned', 'closed', 'all', 'mine'];
    const byTab: Record<string, number[]> = {};
    for (let round = 0; round < Math.max(3, RUNS - 2); round++) {
      for (const tab of order) {
        const r = await timed(page, 'click', [{ selector: tabSelector(tab) }], () => page!.click(`#tab-${tab}`));
        (byTab[tab] ??= []).push(round1(r.ms));
        await settle(page);
      }
    }
    const out: Record<string, unknown> = {};
    for (const tab of order) out[tab] = { runsMs: byTab[tab], firstVisitMs: byTab[tab][0], medianMs: round1(median(byTab[tab])), maxMs: Math.max(...byTab[tab]) };
    say(`  tab switch (click → first frame with the tab's rows; first visit after the load, then revisits): ${order.map((t) => `${t} median ${fmt(median(byTab[t]))} ms (${byTab[t].map((x) => fmt(x)).join('/')})`).join('; ')}`);
    const worst = Math.max(...order.map((t) => median(byTab[t])));
    if (profiler) for (const line of await profiler.stop('tabs')) say(line);
    results.tabSwitch = { ...out, worstMedianMs: round1(worst), note: 'the inbox has no filters besides its tabs and search' };
    verdict('tab switch', worst <= TARGETS.tabSwitchMs, `slowest tab median ${fmt(worst)} ms (target ≤ ${TARGETS.tabSwitchMs} ms)`);
  }

  // ---- opening the 2,000-message conversation ----
  if (ONLY.has('open')) {
    const profiler = PROFILE.has('open') ? await ClientProfiler.attach(page, built.dir, PROFILE_DIR) : null;
    await page.click('#tab-mine');
    await page.locator(tabSelector('mine')).first().waitFor();
    await settle(page);
    const big = seeded.big;
    const bigRow = `[data-conversation-id="${big.id}"]`;
    const small = seeded.conversations.find((c) => c.tab === 'mine' && c.id !== big.id)!;
    const timelineOf = (name: string): Condition[] => [
      { selector: 'h2.conversation__title', text: name },
      { selector: '.timeline:not(.timeline--loading) .timeline__list > li' },
    ];
    const runs: number[] = [];
    const smallRuns: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await page.evaluate(() => {
        location.hash = '#/';
      });
      await settle(page, 300);
      // The list keeps the last selected conversation in view: back to its top, where this one is.
      await page.evaluate(() => {
        document.querySelector('.list__scroll')!.scrollTop = 0;
      });
      await page.locator(bigRow).waitFor();
      await settle(page, 300);
      const r = await timed(page, 'click', timelineOf(big.clientName), () => page!.click(bigRow));
      runs.push(round1(r.ms));
      await settle(page, 600);
      // A small conversation in between (reached through the URL: it need not be on screen).
      await page.evaluate((id) => {
        location.hash = `#/conversation/${id}`;
      }, small.id);
      await page.locator('h2.conversation__title', { hasText: small.clientName }).waitFor();
      await settle(page, 300);
      await page.evaluate(() => {
        location.hash = '#/';
      });
      await settle(page, 300);
      // …and a click on a small conversation of the list, for comparison.
      const other = await page.locator(`${tabSelector('mine')}:not(${bigRow})`).nth(2).getAttribute('data-conversation-id');
      const otherName = seeded.conversations.find((c) => c.id === Number(other))?.clientName ?? '';
      const s = await timed(page, 'click', timelineOf(otherName), () => page!.click(`[data-conversation-id="${other}"]`));
      smallRuns.push(round1(s.ms));
      await settle(page, 300);
    }
    const items = await page.evaluate(() => document.querySelectorAll('.timeline__list > li').length);
    const med = median(runs);
    say(`  open the ${fmt(SHAPE.bigConversationMessages)}-message conversation (click → first frame with its timeline): ${runs.map((x) => fmt(x)).join(', ')} ms; median ${fmt(med)} ms (first after the load ${fmt(runs[0])} ms); a small conversation: median ${fmt(median(smallRuns))} ms`);
    if (profiler) for (const line of await profiler.stop('open')) say(line);
    results.openConversation = { messages: SHAPE.bigConversationMessages, runsMs: runs, medianMs: round1(med), firstMs: runs[0], smallConversationMedianMs: round1(median(smallRuns)), timelineItemsInDomOfLastOpened: items };
    verdict('open conversation', med <= TARGETS.openConversationMs, `median ${fmt(med)} ms, first ${fmt(runs[0])} ms (target ≤ ${TARGETS.openConversationMs} ms)`);
    await page.evaluate(() => {
      location.hash = '#/';
    });
    await settle(page);
  }

  // ---- search ----
  if (ONLY.has('search')) {
    const profiler = PROFILE.has('search') ? await ClientProfiler.attach(page, built.dir, PROFILE_DIR) : null;
    const queries = ['refund', 'late delivery', 'warranty repair', 'Maria'];
    const out: Record<string, unknown> = {};
    const medians: number[] = [];
    const field = page.getByRole('searchbox');
    for (const q of queries) {
      const runs: number[] = [];
      let resultCount = 0;
      for (let i = 0; i < Math.max(3, RUNS - 2); i++) {
        await field.fill('');
        await settle(page, 300);
        await field.focus();
        const r = await timed(page, 'input', [{ selector: '.list__summary' }, { selector: 'section[role="tabpanel"] [data-conversation-id]' }], () => field.fill(q));
        runs.push(round1(r.ms));
        resultCount = await page.locator('section[role="tabpanel"] [role="option"]').count();
        await settle(page, 300);
      }
      const med = median(runs);
      medians.push(med);
      out[q] = { runsMs: runs, medianMs: round1(med), rowsOnScreen: resultCount };
      say(`  search "${q}" (input → first frame with results): ${runs.map((x) => fmt(x)).join(', ')} ms; median ${fmt(med)} ms`);
    }
    await field.fill('');
    await settle(page);
    const worst = Math.max(...medians);
    if (profiler) for (const line of await profiler.stop('search')) say(line);
    results.search = { ...out, worstMedianMs: round1(worst) };
    verdict('search', worst <= TARGETS.searchMs, `slowest query median ${fmt(worst)} ms (target ≤ ${TARGETS.searchMs} ms)`);
  }

  // ---- catch-up ----
  if (ONLY.has('catchup')) {
    await page.close();
    const changed = seeded.conversations.filter((_, i) => i % 10 === 5).slice(0, 1000);
    const prefix = `While you were away ${Date.now().toString(36)}`;
    const t0 = Date.now();
    await sendChanges(url, seeded, changed, prefix);
    say(`  catch-up set-up: ${changed.length} conversations got a client message on the server while the page was closed (${fmt((Date.now() - t0) / 1000, 1)} s)`);
    await sleep(500);
    const probe = await probePage(context, url);
    page = await newAppPage(context);
    const profiler = PROFILE.has('catchup') ? await ClientProfiler.attach(page, built.dir, PROFILE_DIR) : null;
    const navStart = Date.now();
    const cpu0 = cpuSnapshot(profileDir, server.child.pid);
    let socketAt = NaN;
    page.on('websocket', () => {
      if (Number.isNaN(socketAt)) socketAt = Date.now();
    });
    await page.goto(url);
    const navWall = await page.evaluate(() => performance.timeOrigin);
    const online = page.evaluate(() => (window as unknown as BenchWindow).__bench.waitPainted([{ selector: '.connection--online' }], 120_000));
    const shown = page.evaluate((text) => (window as unknown as BenchWindow).__bench.waitPainted([{ selector: '[data-conversation-id] .row__preview', text }], 120_000), prefix);
    let storedAt = NaN;
    for (;;) {
      const n = await rowsWithPreview(probe, dbName, changed.map((c) => c.id), prefix);
      if (n === changed.length) {
        storedAt = Date.now() - navWall;
        break;
      }
      if (Date.now() - navStart > 120_000) throw new Error(`catch-up: only ${n}/${changed.length} rows updated after 120 s`);
      await sleep(50);
    }
    const [o, s] = await Promise.all([online, shown]);
    const caughtUp = Math.max(o.painted, s.painted, storedAt);
    const cpu1 = cpuSnapshot(profileDir, server.child.pid);
    const cpu = { chromiumS: round1(cpu1.chromium - cpu0.chromium), serverS: round1(cpu1.server - cpu0.server) };
    if (profiler) for (const line of await profiler.stop('catchup')) say(line);
    await sleep(1000);
    const longTasks = await page.evaluate(() => (window as unknown as BenchWindow).__bench.longTasks.slice());
    const during = longTasks.filter((t) => t.start <= caughtUp);
    if (process.env.BENCH_FRAMES) {
      const frames = await page.evaluate(() => (window as unknown as BenchWindow).__bench.frames.slice());
      for (const f of frames.filter((x) => x.start <= caughtUp)) say(`    long frame at ${fmt(f.start)} ms: ${fmt(f.duration)} ms (blocking ${fmt(f.blocking)}): ${f.scripts.join('; ')}`);
    }
    const longest = Math.max(0, ...during.map((t) => t.duration));
    say(`  catch-up after 1,000 changed conversations (navigation start → Online, all 1,000 rows stored and the list showing them): ${fmt(caughtUp)} ms (sync socket opened at ${fmt(socketAt - navWall)} ms, Online painted at ${fmt(o.painted)} ms, rows stored by ${fmt(storedAt)} ms, list showing them at ${fmt(s.painted)} ms); UI-thread long tasks until then: ${during.length}${during.length ? ` (${during.map((t) => `${fmt(t.duration)} ms at ${fmt(t.start)}`).join(', ')})` : ''}; CPU: Chromium ${fmt(cpu.chromiumS, 1)} s (${cpuDelta(cpu0, cpu1)}), server ${fmt(cpu.serverS, 1)} s`);
    results.catchUp = {
      conversations: changed.length, ms: round1(caughtUp), socketOpenedMs: round1(socketAt - navWall), onlinePaintedMs: round1(o.painted), rowsStoredMs: round1(storedAt), listShowsThemMs: round1(s.painted),
      longTasks: during.map((t) => ({ startMs: round1(t.start), durationMs: round1(t.duration) })), longestTaskMs: round1(longest), cpu,
    };
    verdict('catch-up', caughtUp <= TARGETS.catchUpMs && longest <= TARGETS.longTaskMs, `${fmt(caughtUp)} ms, longest UI-thread task ${fmt(longest)} ms (targets ≤ ${TARGETS.catchUpMs} ms, no task over ${TARGETS.longTaskMs} ms)`);
    await probe.close();
    await settle(page, 1000);
  }

  // ---- heap after scrolling the whole list ----
  if (ONLY.has('heap')) {
    await page.click('#tab-all');
    await page.locator(tabSelector('all')).first().waitFor();
    await settle(page);
    const t0 = Date.now();
    const scrolled = await page.evaluate(async () => {
      const el = document.querySelector('.list__scroll') as HTMLElement;
      const frame = () => new Promise((r) => requestAnimationFrame(r));
      let steps = 0;
      for (let y = 0; y <= el.scrollHeight; y += el.clientHeight) {
        el.scrollTop = y;
        steps++;
        await frame();
        // Until the window's rows are read (placeholders replaced), at most 500 ms.
        const until = performance.now() + 500;
        while (document.querySelector('.row--placeholder') && performance.now() < until) await frame();
      }
      return { steps, height: el.scrollHeight };
    });
    const session = await context.newCDPSession(page);
    const pageHeap = await heapMB(session);
    await session.send('Performance.enable');
    const metrics = await session.send('Performance.getMetrics');
    const jsHeapUsed = (metrics.metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN) / 1024 / 1024;
    const worker = await workerHeapMB(session).catch(() => null);
    const total = pageHeap + (worker ?? 0);
    say(`  JS heap after scrolling the whole All list (${fmt(scrolled.steps)} screens, ${fmt((Date.now() - t0) / 1000, 1)} s) and a forced GC: page ${fmt(pageHeap, 1)} MB (Performance.getMetrics JSHeapUsedSize ${fmt(jsHeapUsed, 1)} MB), sync worker ${worker === null ? 'not measured' : `${fmt(worker, 1)} MB`}; together ${fmt(total, 1)} MB`);
    results.heap = { pageMB: round1(pageHeap), jsHeapUsedSizeMB: round1(jsHeapUsed), workerMB: worker === null ? null : round1(worker), totalMB: round1(total), screensScrolled: scrolled.steps };
    verdict('heap', total <= TARGETS.heapMB, `page + worker ${fmt(total, 1)} MB after GC (target ≤ ${TARGETS.heapMB} MB)`);
  }

  const file = path.join(ROOT, 'bench-results', 'client.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const previous = fs.existsSync(file) && ONLY.size < ALL_STEPS.length ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  const written = {
    ...previous,
    environment: { node: process.version, cores: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadAverageAtStart: os.loadavg(), commit, startedAt, chromium: browserVersion },
    ...results,
    verdicts: [...(previous.verdicts ?? []).filter((v: { name: string }) => !verdicts.some((n) => n.name === v.name)), ...verdicts],
  };
  fs.writeFileSync(file, `${JSON.stringify(written, null, 2)}\n`);
  say(`  results: ${path.relative(ROOT, file)}`);
  const missed = verdicts.filter((v) => !v.met);
  say(`client benchmark: ${verdicts.length - missed.length} targets met, ${missed.length} missed`);
}

/** A client message in each conversation, through its Custom app's webhook (the app's 50/s limit respected). */
async function sendChanges(baseUrl: string, seeded: SeedResult, changed: SeedResult['conversations'], prefix: string): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < changed.length) {
      const i = next++;
      const c = changed[i];
      const app = seeded.apps[c.appIndex];
      const body = { token: app.token, custom_channel_id: app.customAppId, client_id: c.clientId, type: 'text', data: `${prefix} ${i}`, message_id: `${prefix}-${i}` };
      for (let attempt = 0; ; attempt++) {
        const res = await fetch(baseUrl + new URL(app.inboundUrl).pathname, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token}` }, body: JSON.stringify(body) });
        await res.arrayBuffer();
        if (res.status === 200) break;
        if (res.status !== 429 || attempt > 50) throw new Error(`inbound message refused: ${res.status}`);
        await sleep(100);
      }
    }
  }));
}

main().then(
  async () => {
    await cleanUp();
    process.exit(0);
  },
  async (err) => {
    if (process.env.BENCH_DEBUG_SHOT) {
      for (const p of context?.pages() ?? []) await p.screenshot({ path: path.join(os.tmpdir(), `sb-bench-fail-${Date.now()}.png`) }).catch(() => undefined);
    }
    process.stderr.write(`client benchmark failed: ${(err as Error).stack ?? err}\n`);
    await cleanUp();
    process.exit(1);
  },
);
