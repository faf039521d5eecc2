/**
 * Playwright fixtures for the end-to-end tests: every test gets a REAL sync server, started as a
 * child process from an EMPTY temporary data folder and serving the built client (`out/renderer`)
 * at `/`, and `baseURL` pointing at it, so `page.goto('/')` opens the web client. A fake Custom
 * app (the webhook receiver of the channel tests) is there for tests that ask for `fakeApp`.
 * After each test the server is stopped and its folder deleted; on failure its log is attached.
 *
 *   import { expect, test } from './support/server';
 *   test('…', async ({ page, server, fakeApp }) => {
 *     const owner = await server.signup();
 *     const app = await createCustomApp(server, owner.accessToken, fakeApp);
 *     await sendClientMessage(app, { clientId: 'c-1', text: 'Hello' });
 *     await page.goto('/');
 *   });
 */
import { test as base, expect } from '@playwright/test';
import fs from 'node:fs';
import { startFakeCustomApp, type FakeCustomApp } from '../../sync-server/channels/custom/fake-custom-app';
import { addOperator, http, signup, spawnServer, tempDataDir, type HttpResult, type Operator, type ServerProcess, type SignedUp } from '../../sync-server/test/harness';
import { WEB_ROOT, assertWebClientBuilt } from './paths';

export { expect };
export { http, type HttpResult, type Operator, type SignedUp };

export interface E2EServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  port: number;
  dataDir: string;
  /** Everything the server printed so far. */
  output(): string;
  /** A new company and its owner (super-admin), signed up through `POST /auth/signup`. */
  signup(overrides?: Parameters<typeof signup>[1]): Promise<SignedUp>;
  /** Signs in through `POST /auth/login`. */
  login(email: string, password: string): Promise<LoginResult>;
  /** Invites an operator as the owner and completes the invitation. */
  addOperator(ownerToken: string, opts?: Parameters<typeof addOperator>[2]): Promise<Operator>;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s), keeping its data: the "server down" case. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data after `stop()`. */
  start(): Promise<void>;
}

export interface LoginResult {
  accessToken: string;
  accessExpiresAt: number;
  refreshToken: string;
  userId: number;
  companyId: number;
}

export interface CustomAppRecord {
  id: number;
  name: string;
  customAppId: string;
  webhookUrl: string;
  /** `POST` address for the app's inbound messages (`/channels/custom/<id>/messages`). */
  inboundUrl: string;
  token: string;
  signingSecret: string;
  fake: FakeCustomApp;
}

export interface SentClientMessage {
  /** The server's integer id of the stored message. */
  messageId: number;
  conversationId: number;
  duplicate: boolean;
}

interface Fixtures {
  server: E2EServer;
  fakeApp: FakeCustomApp;
}

const STOP_GRACE_MS = 10_000;

async function stopProcess(proc: ServerProcess): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), STOP_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

export const test = base.extend<Fixtures>({
  server: async ({}, use, testInfo) => {
    assertWebClientBuilt();
    const dataDir = tempDataDir('sb-e2e-');
    const spawn = (port?: number) => spawnServer({ dataDir, port, env: { SWITCHBOARD_WEB_ROOT: WEB_ROOT }, logLevel: 'warn' });
    let proc: ServerProcess | null = null;
    const log: string[] = [];
    try {
      proc = await spawn();
      const port = proc.port;
      const url = proc.url;
      const server: E2EServer = {
        url,
        port,
        dataDir,
        output: () => [...log, ...(proc?.output ?? [])].join(''),
        signup: (overrides) => signup(url, overrides),
        async login(email, password) {
          const res = await http(url, 'POST', '/auth/login', { body: { email, password } });
          if (res.status !== 200) throw new Error(`login of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
          return res.body.data as LoginResult;
        },
        addOperator: (ownerToken, opts) => addOperator(url, ownerToken, opts),
        async stop() {
          if (!proc) return;
          await stopProcess(proc);
          log.push(...proc.output);
          proc = null;
        },
        async start() {
          if (proc) return;
          proc = await spawn(port);
        },
      };
      await use(server);
    } finally {
      if (proc) {
        await stopProcess(proc);
        log.push(...proc.output);
      }
      if (testInfo.status !== testInfo.expectedStatus && log.length > 0) {
        await testInfo.attach('sync-server.log', { body: log.join(''), contentType: 'text/plain' });
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },

  // page.goto('/') opens the web client of this test's server.
  baseURL: async ({ server }, use) => {
    await use(server.url);
  },

  fakeApp: async ({}, use) => {
    const fake = await startFakeCustomApp();
    try {
      await use(fake);
    } finally {
      await fake.close();
    }
  },
});

let appCounter = 0;

/**
 * Adds a Custom app through `POST /admin/apps` as `ownerToken` (an access token of a user allowed
 * to manage apps), with the fake receiver as its Webhook URL, and tells the fake the app's
 * credentials so it verifies what Switchboard sends it.
 */
export async function createCustomApp(
  server: Pick<E2EServer, 'url'>,
  ownerToken: string,
  fake: FakeCustomApp,
  opts: { name?: string; customAppId?: string } = {},
): Promise<CustomAppRecord> {
  appCounter++;
  const body = {
    application: 'custom',
    name: opts.name ?? `Shop chat ${appCounter}`,
    customAppId: opts.customAppId ?? `shop-chat-${appCounter}-${Date.now().toString(36)}`,
    webhookUrl: fake.webhookUrl,
  };
  const res = await http(server.url, 'POST', '/admin/apps', { token: ownerToken, body });
  if (res.status !== 200) throw new Error(`POST /admin/apps failed: ${res.status} ${JSON.stringify(res.body)}`);
  const data = res.body.data;
  fake.configure({ token: data.token, signingSecret: data.signingSecret, inboundUrl: data.inboundUrl });
  return {
    id: data.id, name: data.name, customAppId: data.customAppId, webhookUrl: data.webhookUrl, inboundUrl: data.inboundUrl,
    token: data.token, signingSecret: data.signingSecret, fake,
  };
}

/**
 * A client writes in: the app posts an inbound text message to its incoming address
 * (`POST /channels/custom/<id>/messages`, Bearer token and body token), as a real app would.
 */
export async function sendClientMessage(
  app: CustomAppRecord,
  msg: { clientId: string; text: string; clientName?: string; clientPhone?: string; messageId?: string; timestamp?: number },
): Promise<SentClientMessage> {
  const payload: Record<string, unknown> = {
    custom_channel_id: app.customAppId,
    client_id: msg.clientId,
    type: 'text',
    data: msg.text,
  };
  if (msg.clientName !== undefined) payload.client_name = msg.clientName;
  if (msg.clientPhone !== undefined) payload.client_phone = msg.clientPhone;
  if (msg.messageId !== undefined) payload.message_id = msg.messageId;
  if (msg.timestamp !== undefined) payload.timestamp = msg.timestamp;
  const res = await app.fake.emit(payload, { url: app.inboundUrl, token: app.token, bodyToken: app.token });
  if (res.status !== 200) throw new Error(`inbound message refused: ${res.status} ${JSON.stringify(res.body)}`);
  return { messageId: res.body.data.id, conversationId: res.body.data.conversation_id, duplicate: res.body.data.duplicate };
}
