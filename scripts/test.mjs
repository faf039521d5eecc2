/**
 * `npm test`: the whole suite on a fresh machine. Installs what is missing, type-checks, runs the
 * unit and integration tests (vitest: real servers on 127.0.0.1, real SQLite), then the end-to-end
 * tests in Chromium (Playwright) when the suite has them, and ends with one `N passed, N failed` line.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, ensureChromium, ensureDependencies } from './ensure.mjs';

ensureDependencies();

let passed = 0;
let failed = 0;
const steps = [];

function run(name, cmd, args, env = {}) {
  process.stdout.write(`\n=== ${name}: ${cmd} ${args.join(' ')}\n`);
  const res = spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });
  const out = res.stdout?.toString() ?? '';
  process.stdout.write(out);
  steps.push({ name, ok: res.status === 0 });
  return { ok: res.status === 0, out };
}

// 1. Types.
const types = run('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
if (types.ok) passed++;
else failed++;

// 2. Unit and integration tests.
const reportFile = path.join(ROOT, 'test-results', 'vitest.json');
fs.mkdirSync(path.dirname(reportFile), { recursive: true });
const unit = run('unit and integration tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`]);
if (fs.existsSync(reportFile)) {
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += (report.numFailedTests ?? 0) + (unit.ok || report.numFailedTests > 0 ? 0 : 1);
} else if (!unit.ok) failed++;

// 3. End-to-end tests in Chromium.
if (fs.existsSync(path.join(ROOT, 'playwright.config.ts'))) {
  const chromium = ensureChromium();
  const build = run('build the client', 'npx', ['electron-vite', 'build']);
  if (!build.ok) failed++;
  else {
    const e2eReport = path.join(ROOT, 'test-results', 'playwright.json');
    const e2e = run('end-to-end tests', 'npx', ['playwright', 'test'], { CHROMIUM_PATH: chromium, PLAYWRIGHT_JSON_OUTPUT_NAME: e2eReport });
    if (fs.existsSync(e2eReport)) {
      const stats = JSON.parse(fs.readFileSync(e2eReport, 'utf8')).stats ?? {};
      passed += stats.expected ?? 0;
      failed += (stats.unexpected ?? 0) + (e2e.ok || stats.unexpected > 0 ? 0 : 1);
    } else if (!e2e.ok) failed++;
  }
}

process.stdout.write(`\n${steps.map((s) => `${s.ok ? 'ok  ' : 'FAIL'} ${s.name}`).join('\n')}\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 && steps.every((s) => s.ok) ? 0 : 1);
