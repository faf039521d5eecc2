/**
 * A fake Custom app for tests (channels.md §18): its Webhook URL on 127.0.0.1, built on node:http.
 * It checks what it receives as a careful receiver would (Bearer token, Standard Webhooks
 * signature, body token and fields), records every call, answers scripted failures, deduplicates
 * on `webhook-id`, and emits inbound messages to Switchboard's incoming address.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../signing';

export interface FakeCall {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  parsed: unknown;
  /** Bearer token, signature and body all checked out. */
  verified: boolean;
  /** Why it was refused, when it was. */
  problem: string | null;
  /** The status the fake answered (null if the sender hung up first). */
  status: number | null;
  webhookId: string | null;
  receivedAt: number;
}

export interface ScriptedFailure {
  /** Answer status; default 200 (with `delayMs`, a slow success). */
  status?: number;
  /** How many upcoming calls get this answer; default 1. */
  times?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Holds the socket this long before answering (timeouts). */
  delayMs?: number;
}

export interface EmitResult {
  status: number;
  headers: Headers;
  body: any;
}

export interface FakeCustomApp {
  baseUrl: string;
  /** The address to give Switchboard as the app's Webhook URL. */
  webhookUrl: string;
  calls: FakeCall[];
  /** Tells the fake the app's credentials (Switchboard generates them when the app is added). */
  configure(app: { token: string; signingSecret: string; inboundUrl?: string }): void;
  failNext(failure: ScriptedFailure): void;
  /** Drops scripted answers not used yet. */
  clearFailures(): void;
  /** Distinct `webhook-id`s answered with a 2xx: what the app's users actually received. */
  acceptedIds(): string[];
  /** Resolves once `count` calls were recorded. */
  waitForCalls(count: number, timeoutMs?: number): Promise<FakeCall[]>;
  /** POSTs a message to Switchboard's incoming address with the app's token. */
  emit(payload: Record<string, unknown>, opts?: { token?: string | null; bodyToken?: string | null; url?: string; raw?: string }): Promise<EmitResult>;
  close(): Promise<void>;
}

const REQUIRED_FIELDS = ['token', 'custom_channel_id', 'client_id', 'type', 'data', 'message_id', 'conversation_id', 'timestamp'];

export async function startFakeCustomApp(): Promise<FakeCustomApp> {
  let token: string | null = null;
  let signingSecret: string | null = null;
  let inboundUrl: string | null = null;
  const calls: FakeCall[] = [];
  const script: Array<Required<Pick<ScriptedFailure, 'times'>> & ScriptedFailure> = [];
  const accepted = new Set<string>();
  const waiters = new Set<() => void>();
  const holds = new Set<NodeJS.Timeout>();

  function check(req: http.IncomingMessage, body: string): { parsed: unknown; problem: string | null } {
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(body);
    } catch {
      return { parsed, problem: 'body is not JSON' };
    }
    if (!token || !signingSecret) return { parsed, problem: 'fake is not configured with the app token and secret' };
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return { parsed, problem: 'content-type is not application/json' };
    if (req.headers.authorization !== `Bearer ${token}`) return { parsed, problem: 'Bearer token does not match' };
    const verdict = verifyWebhook(signingSecret, req.headers, body);
    if (!verdict.ok) return { parsed, problem: `signature: ${verdict.reason}` };
    const p = parsed as Record<string, unknown>;
    if (!p || typeof p !== 'object') return { parsed, problem: 'body is not an object' };
    for (const f of REQUIRED_FIELDS) if (p[f] === undefined || p[f] === null) return { parsed, problem: `missing ${f}` };
    if (p.token !== token) return { parsed, problem: 'body token does not match' };
    if (p.message_id !== req.headers['webhook-id']) return { parsed, problem: 'message_id differs from webhook-id' };
    return { parsed, problem: null };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const { parsed, problem } = check(req, body);
      const webhookId = typeof req.headers['webhook-id'] === 'string' ? req.headers['webhook-id'] : null;
      const call: FakeCall = {
        method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, parsed, verified: problem === null, problem, status: null,
        webhookId, receivedAt: Date.now(),
      };
      calls.push(call);
      const answer = (status: number, headers: Record<string, string> = {}, text = '') => {
        call.status = status;
        // A receiver that processed the message keeps it even if the sender hung up meanwhile.
        if (status >= 200 && status < 300 && call.verified && webhookId) accepted.add(webhookId);
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(text);
      };
      for (const w of [...waiters]) w();
      if (problem !== null) return answer(401, {}, JSON.stringify({ error: problem }));
      const next = script[0];
      if (next) {
        if (--next.times <= 0) script.shift();
        const respond = () => answer(next.status ?? 200, next.headers, next.body ?? JSON.stringify({ scripted: next.status ?? 200 }));
        if (next.delayMs) {
          const t = setTimeout(() => {
            holds.delete(t);
            respond();
          }, next.delayMs);
          holds.add(t);
        } else respond();
        return;
      }
      answer(200, {}, JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    baseUrl,
    webhookUrl: `${baseUrl}/webhook`,
    calls,
    configure(app) {
      token = app.token;
      signingSecret = app.signingSecret;
      if (app.inboundUrl) inboundUrl = app.inboundUrl;
    },
    failNext(failure) {
      script.push({ ...failure, times: failure.times ?? 1 });
    },
    clearFailures() {
      script.length = 0;
    },
    acceptedIds() {
      return [...accepted];
    },
    waitForCalls(count, timeoutMs = 10_000) {
      if (calls.length >= count) return Promise.resolve(calls);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(onCall);
          reject(new Error(`expected ${count} calls, got ${calls.length} within ${timeoutMs} ms`));
        }, timeoutMs);
        const onCall = () => {
          if (calls.length < count) return;
          clearTimeout(timer);
          waiters.delete(onCall);
          resolve(calls);
        };
        waiters.add(onCall);
      });
    },
    async emit(payload, opts = {}) {
      const url = opts.url ?? inboundUrl;
      if (!url) throw new Error('emit needs the inbound URL: configure({ inboundUrl }) or pass { url }');
      const bearer = opts.token === undefined ? token : opts.token;
      const bodyToken = opts.bodyToken === undefined ? token : opts.bodyToken;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
      const body = opts.raw ?? JSON.stringify(bodyToken === null ? payload : { token: bodyToken, ...payload });
      const res = await fetch(url, { method: 'POST', headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* keep the text */
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },
    async close() {
      for (const t of holds) clearTimeout(t);
      holds.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
