/**
 * `npm start`: installs what is missing, builds the client, starts the sync server with its
 * embedded storage (serving the built web client at `/`), then opens the Electron desktop app on
 * it. Where no Electron binary can be had (Electron fetches it from GitHub on first use, which
 * some machines cannot reach), it says so plainly and keeps serving the same client to the
 * browser. Ctrl-C (or SIGTERM) stops everything and waits for the server to flush its storage.
 *
 * Environment: PORT (8787), SWITCHBOARD_DATA (./.switchboard), ELECTRON_OVERRIDE_DIST_PATH (a
 * folder holding an Electron binary), SWITCHBOARD_ELECTRON_FETCH_TIMEOUT_MS (how long the first
 * fetch of the binary may take, 300000).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, ensureDependencies } from './ensure.mjs';

const log = (message) => process.stdout.write(`[switchboard] ${message}\n`);

const port = process.env.PORT ?? '8787';
const dataDir = path.resolve(ROOT, process.env.SWITCHBOARD_DATA ?? '.switchboard');
const webRoot = path.join(ROOT, 'out', 'renderer');
const fetchTimeoutMs = Number(process.env.SWITCHBOARD_ELECTRON_FETCH_TIMEOUT_MS ?? 300_000);
/** Electron that dies this soon after starting did not start. */
const QUICK_EXIT_MS = 15_000;

let server = null;
let electron = null;
let stopping = false;

// ---- 1. dependencies and build ----

ensureDependencies();
log('building the client (electron-vite build)…');
const build = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) {
  log('the build failed; see the output above.');
  process.exit(build.status ?? 1);
}

// ---- 2. the sync server ----

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'sync-server/main.ts', '--port', port, '--data', dataDir, '--web-root', webRoot], {
      cwd: ROOT,
      env: process.env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    server = child;
    let seen = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      if (seen !== null) {
        seen += chunk.toString();
        const m = /listening on (http:\/\/\S+)/.exec(seen);
        if (m) {
          seen = null;
          resolve(m[1]);
        }
      }
    });
    child.once('exit', (code, signal) => {
      if (seen !== null) reject(new Error(`the sync server exited before it was ready (${signal ?? `code ${code}`})`));
    });
  });
}

async function waitForHealth(url) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the sync server did not answer ${url}/health`);
}

// ---- 3. the desktop app ----

/** Where the electron package would run its binary from, and whether it is there (no download). */
function electronBinary() {
  const pkg = path.join(ROOT, 'node_modules', 'electron');
  let name = null;
  try {
    name = fs.readFileSync(path.join(pkg, 'path.txt'), 'utf8').trim() || null;
  } catch {
    /* not fetched yet */
  }
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const file = override ? path.join(override, name ?? 'electron') : name ? path.join(pkg, 'dist', name) : null;
  return { file, present: file !== null && fs.existsSync(file) };
}

/** The telling line of a failed run: its last error message, not the stack or Node's version banner. */
function lastLine(text) {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('at ') && !/^Node\.js v\d/.test(l));
  const errors = lines.filter((l) => /\b\w*Error\b/.test(l));
  const telling = errors.length > 0 ? [...new Set([errors[0], errors[errors.length - 1]])] : lines.slice(-1);
  return telling.join(' / ').slice(0, 400);
}

function launchElectron(serverUrl, browserUrl) {
  const hadBinary = electronBinary().present;
  if (!hadBinary) log('fetching the Electron binary for the desktop app (first run; it comes from GitHub)…');
  const startedAt = Date.now();
  // Its own process group, so that stopping it also stops the download or the app's helpers.
  const child = spawn('npx', ['electron', '.'], {
    cwd: ROOT,
    env: { ...process.env, SWITCHBOARD_SERVER_URL: serverUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  electron = child;
  // Until the binary is there its output is the fetch's (a stack trace when refused): kept for the
  // failure message. Once the app runs, its output goes straight through.
  let buffered = '';
  let live = hadBinary;
  const onOutput = (stream) => (chunk) => {
    if (live) stream.write(chunk);
    else buffered += chunk.toString();
  };
  child.stdout.on('data', onOutput(process.stdout));
  child.stderr.on('data', onOutput(process.stderr));

  const unavailable = (reason) => {
    log(`Could not start the Electron desktop app here (${reason}). The same client is served in your browser at ${browserUrl}`);
    log('The server keeps running; press Ctrl-C to stop it.');
  };

  const watch = setInterval(() => {
    if (!live && electronBinary().present) {
      live = true;
      process.stdout.write(buffered);
      buffered = '';
    }
    if (!live && Date.now() - startedAt > fetchTimeoutMs) {
      clearInterval(watch);
      killGroup(child, 'SIGKILL');
      child.timedOut = true;
    }
  }, 500);

  child.once('exit', (code, signal) => {
    clearInterval(watch);
    electron = null;
    if (stopping) return;
    const detail = lastLine(buffered);
    if (!electronBinary().present) {
      unavailable(child.timedOut ? 'no Electron binary could be fetched in time' : 'no Electron binary could be fetched');
      if (detail) log(`(electron said: ${detail})`);
    } else if ((code !== 0 || signal) && Date.now() - startedAt < QUICK_EXIT_MS) {
      unavailable(`Electron exited with ${signal ?? `code ${code}`} right after starting`);
      if (detail) log(`(electron said: ${detail})`);
    } else {
      log(`The desktop app closed. The server keeps running at ${browserUrl}; press Ctrl-C to stop it.`);
    }
  });
  child.once('error', (err) => {
    if (!stopping) unavailable(`could not run npx electron: ${err.message}`);
  });
}

function killGroup(child, signal) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

// ---- stopping ----

function waitForExit(child, ms) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function stop(signal) {
  if (stopping) return;
  stopping = true;
  log(`stopping (${signal})…`);
  const app = electron;
  killGroup(app, 'SIGTERM');
  if (server && server.exitCode === null && server.signalCode === null) server.kill(signal);
  await Promise.all([waitForExit(server, 20_000), waitForExit(app, 5_000)]);
  log('stopped.');
  process.exit(0);
}

process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGHUP', () => void stop('SIGTERM'));

// ---- run ----

try {
  const serverUrl = await startServer();
  await waitForHealth(serverUrl);
  const browserUrl = `http://localhost:${new URL(serverUrl).port}/`;
  server.once('exit', (code, sig) => {
    if (stopping) return;
    log(`the sync server stopped unexpectedly (${sig ?? `code ${code}`}).`);
    killGroup(electron, 'SIGTERM');
    process.exit(code || 1);
  });
  log(`Switchboard is running at ${browserUrl} (sync server and web client; data in ${dataDir}). Press Ctrl-C to stop.`);
  launchElectron(serverUrl, browserUrl);
} catch (err) {
  log(String(err?.message ?? err));
  killGroup(server, 'SIGTERM');
  process.exit(1);
}
