/**
 * Test harness: a real sync server on 127.0.0.1 with a real SQLite file in a temporary data
 * folder, in-process (fast) or as a child process (to kill it). Plus small HTTP helpers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from '../app';
import { defaultConfig, type ServerConfig } from '../config';

export function tempDataDir(prefix = 'sb-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Polls `pred` every 10 ms until it holds; fails naming `what` after `ms`. */
export async function until(pred: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface HttpResult<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export async function http<T = any>(
  baseUrl: string,
  method: string,
  route: string,
  opts: { body?: unknown; raw?: string | Buffer; token?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | Buffer | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(baseUrl + route, { method, headers, body: body as BodyInit | undefined });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* keep text */
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

export interface SignedUp {
  accessToken: string;
  refreshToken: string;
  userId: number;
  companyId: number;
  apiToken: string;
  email: string;
  password: string;
}

let counter = 0;
export async function signup(baseUrl: string, overrides: Partial<{ companyName: string; name: string; email: string; password: string }> = {}): Promise<SignedUp> {
  counter++;
  const email = overrides.email ?? `owner${counter}-${Date.now()}@example.com`;
  const password = overrides.password ?? 'correct horse battery';
  const res = await http(baseUrl, 'POST', '/auth/signup', {
    body: { companyName: overrides.companyName ?? `Company ${counter}`, name: overrides.name ?? 'Olga Owner', email, phone: '+10000000000', password, timeZone: 'UTC' },
  });
  if (res.status !== 200) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...res.body.data, email, password };
}

export interface Operator {
  accessToken: string;
  refreshToken: string;
  userId: number;
  companyId: number;
  email: string;
}

/** Invites an operator as the owner and completes the invitation. */
export async function addOperator(baseUrl: string, ownerToken: string, opts: { email?: string; name?: string; groupIds?: number[] } = {}): Promise<Operator> {
  counter++;
  const email = opts.email ?? `op${counter}-${Date.now()}@example.com`;
  const inv = await http(baseUrl, 'POST', '/admin/operators/invite', { token: ownerToken, body: { email, groupIds: opts.groupIds ?? [] } });
  if (inv.status !== 200 || inv.body.data.invited.length !== 1) throw new Error(`invite failed: ${JSON.stringify(inv.body)}`);
  const acc = await http(baseUrl, 'POST', '/auth/accept-invite', {
    body: { token: inv.body.data.invited[0].invitationToken, name: opts.name ?? `Operator ${counter}`, password: 'operator password 1' },
  });
  if (acc.status !== 200) throw new Error(`accept failed: ${JSON.stringify(acc.body)}`);
  return { ...acc.body.data, email };
}

export interface TestServer {
  url: string;
  port: number;
  dataDir: string;
  server: RunningServer;
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the server in this process; `restart()` stops it and starts it again on the same port and data. */
export async function startTestServer(overrides: Partial<ServerConfig> = {}): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? tempDataDir();
  const config = defaultConfig({ dataDir, outboundBackoffBaseMs: 50, outboundBackoffCapMs: 400, ...overrides });
  let server = await startServer(config);
  const t: TestServer = {
    url: server.url,
    port: server.port,
    dataDir,
    server,
    async restart() {
      await server.close();
      server = await startServer({ ...config, port: t.port });
      t.server = server;
    },
    async close() {
      await server.close();
      if (!overrides.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  output: string[];
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Starts `sync-server/main.ts` as a child process and waits for /health. */
export async function spawnServer(opts: { dataDir: string; port?: number; env?: Record<string, string>; logLevel?: string }): Promise<ServerProcess> {
  const port = opts.port ?? 0;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'sync-server/main.ts'), '--port', String(port), '--data', opts.dataDir, '--log-level', opts.logLevel ?? 'warn'], {
    cwd: ROOT,
    env: { ...process.env, SWITCHBOARD_WEB_ROOT: '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output.join('')}`)), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());
      const m = /listening on (http:\/\/[^\s]+)/.exec(output.join(''));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output.join('')}`));
    });
  });
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    port: Number(new URL(url).port),
    child,
    output,
    kill(signal = 'SIGKILL') {
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      });
    },
  };
}

/** An account channel row for tests that need conversations without going through a connector. */
export async function insertTestChannel(server: RunningServer, companyId: number, name = 'Test channel'): Promise<number> {
  const { storage, directory } = server.ctx;
  return storage.write(async (tx) => {
    const res = await tx.run(storage.db.insertInto('account_channels').values({
      company_id: companyId, application: 'custom', name, service_user_id: `test-${Date.now()}-${Math.random().toString(36).slice(2)}`,
      status: 'enabled', config: '{}', secrets_enc: server.ctx.secrets.seal('{}'), token_hash: null, created_at: Date.now(),
    }));
    await directory.writeCompanyDoc(tx, companyId);
    return res.insertId!;
  });
}

/** A client message through the same path channels use. */
export async function inbound(server: RunningServer, companyId: number, accountChannelId: number, clientExternalId: string, text: string) {
  return server.ctx.conversations.receiveInbound({
    companyId, accountChannelId, application: 'custom', dedupeKey: `${clientExternalId}:${text}:${Math.random()}`,
    client: { externalId: clientExternalId, name: `Client ${clientExternalId}` }, text,
  });
}
