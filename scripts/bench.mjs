/**
 * `npm run bench`: the sync server benchmarks (bench/main.ts, results in
 * bench-results/server.json), then the desktop client benchmarks in Chromium
 * (bench/client/main.ts, results in bench-results/client.json). Each prints its figures and its
 * verdicts against the issue targets.
 *
 *   npm run bench                              both suites, one after the other
 *   npm run bench -- server [--only=inbound,catchup,relay,rss] [--profile] [--duration=10]
 *   npm run bench -- client [--only=cold,tabs,open,search,catchup,heap] [--runs=5] [--cache]
 *
 * Installs dependencies (and Chromium) when needed, then runs each TypeScript benchmark with tsx
 * in a child process; the exit code is the first failing suite's.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ensureChromium, ensureDependencies, ROOT } from './ensure.mjs';

const SUITES = {
  server: path.join(ROOT, 'bench', 'main.ts'),
  client: path.join(ROOT, 'bench', 'client', 'main.ts'),
};

const argv = process.argv.slice(2);
const chosen = argv[0] && !argv[0].startsWith('-') ? argv[0] : null;
if (chosen && !(chosen in SUITES)) {
  process.stderr.write(`unknown benchmark suite "${chosen}": use ${Object.keys(SUITES).join(' or ')}\n`);
  process.exit(2);
}
const rest = chosen ? argv.slice(1) : argv;
if (!chosen && rest.length > 0) {
  process.stderr.write('options apply to one suite: npm run bench -- server|client [options]\n');
  process.exit(2);
}

ensureDependencies();
if (!chosen || chosen === 'client') ensureChromium();

let current = null;
const forward = (signal) => {
  if (current && current.exitCode === null) current.kill(signal);
};
process.on('SIGINT', () => forward('SIGINT'));
process.on('SIGTERM', () => forward('SIGTERM'));

function run(file, args) {
  return new Promise((resolve) => {
    current = spawn(process.execPath, ['--import', 'tsx', file, ...args], { cwd: ROOT, stdio: 'inherit', env: process.env });
    current.on('exit', (code, signal) => {
      current = null;
      if (signal) {
        process.stderr.write(`bench stopped by ${signal}\n`);
        resolve(1);
      } else resolve(code ?? 1);
    });
  });
}

let failed = 0;
for (const name of chosen ? [chosen] : Object.keys(SUITES)) {
  process.stdout.write(`\n== ${name} benchmarks ==\n`);
  const code = await run(SUITES[name], rest);
  if (code !== 0 && failed === 0) failed = code;
}
process.exit(failed);
