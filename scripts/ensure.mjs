/**
 * Install steps shared by `npm start`, `npm test` and `npm run bench`, so that one command works
 * on a fresh machine: npm dependencies (when missing or stale) and Debian's Chromium (for the
 * browser tests and benchmarks) when it is not there yet.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function log(message) {
  process.stdout.write(`[switchboard] ${message}\n`);
}

/** Runs `npm ci` when node_modules is missing or older than package-lock.json. */
export function ensureDependencies() {
  const lock = path.join(ROOT, 'package-lock.json');
  const installed = path.join(ROOT, 'node_modules', '.package-lock.json');
  const fresh = fs.existsSync(installed) && fs.statSync(installed).mtimeMs >= fs.statSync(lock).mtimeMs;
  if (fresh && fs.existsSync(path.join(ROOT, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'))) return;
  log('installing npm dependencies (npm ci; better-sqlite3 compiles from source, about a minute)…');
  const res = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
  if (res.status !== 0) throw new Error('npm ci failed');
}

export function chromiumPath() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean);
  return candidates.find((p) => fs.existsSync(p)) ?? null;
}

/** Installs Debian's Chromium when no browser is found (the machines reach Debian's archive). */
export function ensureChromium() {
  const found = chromiumPath();
  if (found) return found;
  log('Chromium not found: installing Debian’s chromium package…');
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const apt = (args) => {
    const cmd = asRoot ? 'apt-get' : 'sudo';
    const argv = asRoot ? args : ['-n', 'apt-get', ...args];
    const res = spawnSync(cmd, argv, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (res.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed`);
  };
  apt(['update']);
  apt(['install', '-y', '--no-install-recommends', 'chromium']);
  const installed = chromiumPath();
  if (!installed) throw new Error('chromium was installed but no binary was found');
  try {
    log(execFileSync(installed, ['--version'], { encoding: 'utf8' }).trim());
  } catch {
    /* version print is informative only */
  }
  return installed;
}
