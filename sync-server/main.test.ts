/** `npm run server`: prints its URL, answers /health, logs JSON lines, stops cleanly on signals. */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { http, signup, spawnServer, tempDataDir } from './test/harness';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('server process', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`flushes and exits 0 on ${signal}; data is there after a restart`, async () => {
      const dataDir = tempDataDir();
      dirs.push(dataDir);
      const first = await spawnServer({ dataDir, logLevel: 'info' });
      expect((await fetch(`${first.url}/health`)).status).toBe(200);
      const owner = await signup(first.url);
      expect(await first.kill(signal)).toBe(0);
      const lines = first.output.join('').split('\n').filter((l) => l.startsWith('{'));
      expect(lines.length).toBeGreaterThan(0);
      for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
      expect(fs.existsSync(`${dataDir}/switchboard.db`)).toBe(true);

      const second = await spawnServer({ dataDir });
      const login = await http(second.url, 'POST', '/auth/login', { body: { email: owner.email, password: owner.password } });
      expect(login.status).toBe(200);
      await second.kill('SIGTERM');
    });
  }

  it('takes the port and data folder from PORT and SWITCHBOARD_DATA', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const probe = await spawnServer({ dataDir });
    const port = probe.port;
    await probe.kill('SIGTERM');
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['--import', 'tsx', 'sync-server/main.ts'], {
      env: { ...process.env, PORT: String(port), SWITCHBOARD_DATA: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: string[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c.toString()));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(out.join(''))), 20_000);
      child.stdout.on('data', () => {
        if (out.join('').includes(`127.0.0.1:${port}`)) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    expect(out.join('')).toContain(`data: ${dataDir}`);
    const code = await new Promise((r) => {
      child.once('exit', r);
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  });
});
