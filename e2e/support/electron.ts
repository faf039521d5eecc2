/**
 * The Electron side of the end-to-end tests. No Electron binary can be fetched on the build
 * machines (docs/TOOLCHAIN.md), so Electron specs start with
 *
 *   const electron = electronAvailable();
 *   test.skip(!electron.ok, electron.reason);
 *
 * This module never `require`s the electron package: that alone would try to download the binary.
 * It reads what the package would use instead: `ELECTRON_OVERRIDE_DIST_PATH`, else
 * `node_modules/electron/path.txt` and the `dist` folder next to it.
 */
import { _electron, type ElectronApplication } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './paths';

export interface ElectronAvailability {
  ok: boolean;
  /** Why not (shown as the skip message), or where the binary is. */
  reason: string;
  executablePath: string | null;
}

const ELECTRON_PACKAGE = path.join(ROOT, 'node_modules', 'electron');

export function electronAvailable(env: NodeJS.ProcessEnv = process.env): ElectronAvailability {
  if (!fs.existsSync(path.join(ELECTRON_PACKAGE, 'package.json'))) {
    return { ok: false, reason: 'the electron package is not installed (npm ci)', executablePath: null };
  }
  let binaryName: string | null = null;
  try {
    binaryName = fs.readFileSync(path.join(ELECTRON_PACKAGE, 'path.txt'), 'utf8').trim() || null;
  } catch {
    /* the binary was never fetched */
  }
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const candidates = binaryName ? [binaryName] : ['electron', 'electron.exe', 'Electron.app/Contents/MacOS/Electron'];
    const found = candidates.map((c) => path.join(override, c)).find((p) => fs.existsSync(p));
    return found
      ? { ok: true, reason: `Electron binary at ${found}`, executablePath: found }
      : { ok: false, reason: `no Electron binary in ELECTRON_OVERRIDE_DIST_PATH (${override})`, executablePath: null };
  }
  if (!binaryName) {
    return {
      ok: false,
      reason: 'no Electron binary: it is fetched from GitHub on first use, which this machine cannot reach; set ELECTRON_OVERRIDE_DIST_PATH to a folder holding one',
      executablePath: null,
    };
  }
  const file = path.join(ELECTRON_PACKAGE, 'dist', binaryName);
  return fs.existsSync(file)
    ? { ok: true, reason: `Electron binary at ${file}`, executablePath: file }
    : { ok: false, reason: `the Electron binary is missing (${file})`, executablePath: null };
}

/**
 * Launches the built desktop app (`out/main/index.js`) on a sync server. Call only when available.
 * `userDataDir` gives the run its own profile (stored session, single-instance lock), so tests
 * never see each other's or the developer's app.
 */
export async function launchDesktopApp(opts: { serverUrl: string; env?: Record<string, string>; userDataDir?: string }): Promise<ElectronApplication> {
  const electron = electronAvailable();
  if (!electron.ok || !electron.executablePath) throw new Error(`Electron is not available: ${electron.reason}`);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return _electron.launch({
    executablePath: electron.executablePath,
    // Electron refuses to run as root without --no-sandbox (containers, CI).
    args: [
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      ...(opts.userDataDir ? [`--user-data-dir=${opts.userDataDir}`] : []),
      ROOT,
    ],
    cwd: ROOT,
    env: { ...env, SWITCHBOARD_SERVER_URL: opts.serverUrl, ...opts.env },
    timeout: 60_000,
  });
}
