/**
 * `npm run bench [-- --only=inbound,catchup,relay,rss] [-- --profile] [-- --duration=10]`: the sync
 * server benchmarks (bench/main.ts). Installs dependencies when needed, then runs the TypeScript
 * benchmark with tsx in a child process and passes its exit code on. Results:
 * bench-results/server.json.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ensureDependencies, ROOT } from './ensure.mjs';

ensureDependencies();

const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'main.ts'), ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
  env: process.env,
});

const forward = (signal) => {
  if (child.exitCode === null) child.kill(signal);
};
process.on('SIGINT', () => forward('SIGINT'));
process.on('SIGTERM', () => forward('SIGTERM'));

child.on('exit', (code, signal) => {
  if (signal) {
    process.stderr.write(`bench stopped by ${signal}\n`);
    process.exit(1);
  }
  process.exit(code ?? 1);
});
