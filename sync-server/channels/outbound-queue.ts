/**
 * The durable outbound queue of channels.md §17, for every channel kind. Accepted replies are
 * written to the `outbound` table in the same write section as the message (transactional outbox);
 * this dispatcher sends them through their connector, keeping order inside each thread, and writes
 * the outcome back to the conversation's `delivery` map.
 *
 * Row states: `queued` (waiting, possibly for a retry at `next_attempt_at`) → `sending` (leased by
 * this process; `attempts` already counts the attempt) → `sent` | `failed` | `unknown`. A row found
 * `sending` at start-up was interrupted by a crash and is sent again with the same key.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Selectable } from 'kysely';
import type { Application, DeliveryStatus, FailureReason } from '../../src-core/conversation/types';
import type { ConversationService, OutboundJob, OutboundSink } from '../conversations/service';
import { TokenBuckets } from '../http/rate-limit';
import type { SecretBox } from '../security/crypto';
import type { OutboundTable } from '../storage/schema';
import type { Storage, WriteTx } from '../storage/storage';
import { accountInfoOf, openAccount, readAccountRow } from './accounts';
import { backoffDelay } from './backoff';
import { failureReasonOf, type ChannelCapabilities, type ChannelConnector, type ChannelError, type OutboundMessage, type SendResult } from './connector';

export const MAX_ATTEMPTS = 8;
export const MAX_AGE_MS = 24 * 60 * 60_000;
/** Longest sleep between scans even when nothing is due (covers clock jumps). */
const POLL_MS = 60_000;
/** How often a message of a disabled account channel checks again. */
const ACCOUNT_RECHECK_MS = 60_000;
const ACTIVE_STATES: OutboundTable['state'][] = ['queued', 'sending'];

export interface OutboundQueueOptions {
  storage: Storage;
  conversations: ConversationService;
  secrets: SecretBox;
  log: FastifyBaseLogger;
  connectors: ReadonlyMap<Application, ChannelConnector>;
  backoff: { baseMs: number; capMs: number };
  clock?: () => number;
  random?: () => number;
  maxAttempts?: number;
  maxAgeMs?: number;
  /** Sends in flight at once, all accounts together. */
  concurrency?: number;
}

/** A thread head as the scan reads it: the row plus its account channel's columns (null once removed). */
type OutboundRow = Pick<
  Selectable<OutboundTable>,
  'id' | 'company_id' | 'account_channel_id' | 'conversation_id' | 'key' | 'message_uuid' | 'thread' | 'payload' | 'state' | 'attempts'
  | 'next_attempt_at' | 'created_at'
> & {
  application: string | null;
  account_service_user_id: string | null;
  account_status: 'enabled' | 'disabled' | 'error' | null;
  account_config: string | null;
};

type Final = { state: 'sent'; status: DeliveryStatus } | { state: 'failed'; reason: FailureReason; message: string; error?: ChannelError }
  | { state: 'unknown'; message: string };

export class OutboundQueue implements OutboundSink {
  private readonly storage: Storage;
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly maxAttempts: number;
  private readonly maxAgeMs: number;
  private readonly concurrency: number;
  private readonly inFlight = new Map<number, { controller: AbortController; done: Promise<void> }>();
  private readonly buckets = new Map<number, TokenBuckets>();
  private timer: NodeJS.Timeout | null = null;
  private pumping = false;
  private again = false;
  private pumpDone: Promise<void> = Promise.resolve();
  private started = false;
  private stopped = false;

  constructor(private readonly opts: OutboundQueueOptions) {
    this.storage = opts.storage;
    this.clock = opts.clock ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.maxAttempts = opts.maxAttempts ?? MAX_ATTEMPTS;
    this.maxAgeMs = opts.maxAgeMs ?? MAX_AGE_MS;
    this.concurrency = opts.concurrency ?? 32;
  }

  // ---- writing (inside the caller's write section) ----------------------------------------------

  async enqueue(tx: WriteTx, job: OutboundJob): Promise<void> {
    const db = this.storage.db;
    const now = this.clock();
    const account = await readAccountRow(tx, this.storage, job.accountChannelId);
    const client = await tx.first(db.selectFrom('clients').select('external_id').where('id', '=', job.clientId));
    const connector = this.opts.connectors.get(job.application);
    const a = job.message.attachment;
    let problem: { reason: FailureReason; message: string } | null = null;
    if (!account) problem = { reason: 'account_removed', message: 'The account channel was removed' };
    else if (!connector) problem = { reason: 'unknown', message: `Sending through ${job.application} is not available yet` };
    else if (!client) problem = { reason: 'recipient_unreachable', message: 'The client no longer exists' };
    else if (a && !a.url) problem = { reason: 'invalid_request', message: 'The attachment has no address to send' };
    let payload: Record<string, unknown> = {};
    if (!problem) {
      const message: OutboundMessage = {
        key: job.message.id,
        messageUuid: job.message.id,
        conversationId: job.conversationId,
        ref: { accountId: job.accountChannelId, externalUserId: client!.external_id, externalThreadId: client!.external_id },
        text: job.message.text,
        attachment: a && a.url ? { kind: a.type, url: a.url, fileName: a.name, mimeType: a.mime } : null,
        operator: job.operator,
        createdAt: job.message.createdAt,
      };
      payload = connector!.preparePayload(accountInfoOf(account!), message);
    }
    await tx.run(db.insertInto('outbound').values({
      company_id: job.companyId, account_channel_id: job.accountChannelId, conversation_id: job.conversationId, key: job.message.id,
      message_uuid: job.message.id, thread: `conv:${job.conversationId}`, payload: JSON.stringify(payload),
      state: problem ? 'failed' : 'queued', attempts: 0, next_attempt_at: now, last_error: problem ? JSON.stringify(problem) : null,
      created_at: now, updated_at: now,
    }));
    if (problem) {
      // The message was written `queued` in this same section; its failure follows once it is durable.
      const failure = problem;
      tx.afterCommit(() => {
        this.opts.conversations
          .setDeliveryStatus(job.companyId, job.conversationId, job.message.id, 'failed', failure)
          .catch((err) => this.opts.log.error({ err, key: job.message.id }, 'could not mark an unsendable message failed'));
      });
    }
  }

  // ---- lifecycle --------------------------------------------------------------------------------

  /** Resumes rows a crash left `sending` (same key: receivers deduplicate) and starts dispatching. */
  async start(): Promise<void> {
    const now = this.clock();
    const resumed = await this.storage.write((tx) =>
      tx.run(this.storage.db.updateTable('outbound').set({ state: 'queued', next_attempt_at: now, updated_at: now }).where('state', '=', 'sending')),
    );
    if (resumed.changes > 0) this.opts.log.warn({ rows: resumed.changes }, 'resuming outbound messages interrupted by a restart');
    this.started = true;
    this.wake();
  }

  /** Asks for a scan now (new rows were committed, or a send finished). */
  wake(): void {
    if (!this.started || this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    this.pumpDone = this.pump();
  }

  /** Stops dispatching; sends in flight are aborted and their rows left to retry. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const f of this.inFlight.values()) f.controller.abort(new Error('server shutting down'));
    await this.pumpDone;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()].map((f) => f.done));
  }

  // ---- dispatching ------------------------------------------------------------------------------

  private async pump(): Promise<void> {
    for (;;) {
      this.again = false;
      try {
        await this.dispatchDue();
      } catch (err) {
        this.opts.log.error({ err }, 'outbound dispatch failed');
        this.schedule(this.clock() + 1000);
      }
      if (!this.again || this.stopped) {
        this.pumping = false;
        return;
      }
    }
  }

  /**
   * Sends every due thread head. Only the oldest unfinished row of a thread is a candidate, so a
   * later reply waits while an earlier one is in flight or waiting for its retry.
   */
  private async dispatchDue(): Promise<void> {
    const db = this.storage.db;
    const heads = (await this.storage.all(
      db.selectFrom('outbound as o').leftJoin('account_channels as a', 'a.id', 'o.account_channel_id')
        .select([
          'o.id', 'o.company_id', 'o.account_channel_id', 'o.conversation_id', 'o.key', 'o.message_uuid', 'o.thread', 'o.payload', 'o.state',
          'o.attempts', 'o.next_attempt_at', 'o.created_at', 'a.application', 'a.service_user_id as account_service_user_id',
          'a.status as account_status', 'a.config as account_config',
        ])
        .where('o.state', 'in', ACTIVE_STATES)
        .where('o.id', '=', (eb) =>
          eb.selectFrom('outbound as p').select((e) => e.fn.min('p.id').as('first_id')).whereRef('p.thread', '=', 'o.thread').where('p.state', 'in', ACTIVE_STATES))
        .orderBy('o.next_attempt_at').orderBy('o.id'),
    )) as OutboundRow[];
    let now = this.clock();
    let nextAt = now + POLL_MS;
    for (const head of heads) {
      if (this.stopped) return;
      if (head.state !== 'queued' || this.inFlight.has(head.id)) continue;
      if (head.next_attempt_at > now) {
        nextAt = Math.min(nextAt, head.next_attempt_at);
        continue;
      }
      if (this.inFlight.size >= this.concurrency) break; // a finishing send wakes the scan again
      const wait = this.takeRateToken(head);
      if (wait > 0) {
        nextAt = Math.min(nextAt, now + wait);
        continue;
      }
      const leased = await this.storage.write((tx) =>
        tx.run(db.updateTable('outbound').set((eb) => ({ state: 'sending', attempts: eb('attempts', '+', 1), updated_at: now }))
          .where('id', '=', head.id).where('state', '=', 'queued')),
      );
      now = this.clock();
      if (leased.changes !== 1) continue;
      this.launch({ ...head, state: 'sending', attempts: head.attempts + 1 });
    }
    this.schedule(nextAt);
  }

  private takeRateToken(row: OutboundRow): number {
    const connector = row.application ? this.opts.connectors.get(row.application as Application) : undefined;
    if (!connector) return 0; // the attempt fails it without calling anyone
    const limits = connector.capabilities(accountInfoOf({
      id: row.account_channel_id, company_id: row.company_id, application: row.application!, service_user_id: row.account_service_user_id!,
      status: row.account_status!, config: row.account_config!,
    })).limits;
    const perThread = limits.perThreadPerSec;
    if (perThread !== undefined) {
      const threadWait = this.bucket(perThread).take(`thread:${row.account_channel_id}/${row.thread}`);
      if (threadWait > 0) return threadWait;
    }
    // channels.md §17.2: 5/s per account where the platform publishes nothing.
    return this.bucket(limits.perAccountPerSec ?? 5).take(`account:${row.account_channel_id}`);
  }

  /** One set of buckets per rate, keyed by account or thread. */
  private bucket(ratePerSecond: number): TokenBuckets {
    let b = this.buckets.get(ratePerSecond);
    if (!b) {
      b = new TokenBuckets(ratePerSecond, Math.max(1, ratePerSecond), this.clock);
      this.buckets.set(ratePerSecond, b);
    }
    return b;
  }

  private schedule(at: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const delay = Math.max(0, Math.min(at - this.clock(), POLL_MS));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.wake();
    }, delay);
    this.timer.unref();
  }

  private launch(row: OutboundRow): void {
    const controller = new AbortController();
    const done = this.attempt(row, controller)
      .catch(async (err) => {
        this.opts.log.error({ err, key: row.key }, 'outbound attempt failed unexpectedly');
        // Leave the row retryable within its attempt budget; if even this write fails, the next start-up resumes it.
        const now = this.clock();
        const write = row.attempts >= this.maxAttempts
          ? this.storage.write((tx) => tx.run(this.storage.db.updateTable('outbound')
            .set({ state: 'failed', last_error: JSON.stringify({ code: 'internal', reason: 'unknown', message: String((err as Error)?.message ?? err) }), updated_at: now })
            .where('id', '=', row.id)))
          : this.requeue(row, now + backoffDelay(row.attempts, this.opts.backoff, this.random), false);
        await write.catch(() => undefined);
      })
      .finally(() => {
        this.inFlight.delete(row.id);
        this.wake();
      });
    this.inFlight.set(row.id, { controller, done });
  }

  private async attempt(row: OutboundRow, controller: AbortController): Promise<void> {
    if (this.stopped) return this.requeue(row, this.clock(), true);
    const accountRow = await readAccountRow(this.storage, this.storage, row.account_channel_id);
    if (!accountRow) return this.finish(row, { state: 'failed', reason: 'account_removed', message: 'The account channel was removed' });
    const connector = this.opts.connectors.get(accountRow.application as Application);
    if (!connector) return this.finish(row, { state: 'failed', reason: 'unknown', message: `Sending through ${accountRow.application} is not available yet` });
    if (accountRow.status !== 'enabled') {
      // channels.md §17.1: a disabled account makes its messages wait (up to 24 h), uncounted.
      if (this.clock() - row.created_at >= this.maxAgeMs) {
        return this.finish(row, {
          state: 'failed', reason: accountRow.status === 'error' ? 'auth' : 'unknown',
          message: `The account channel stayed ${accountRow.status} for 24 hours`,
        });
      }
      return this.requeue(row, this.clock() + ACCOUNT_RECHECK_MS, true);
    }
    let account;
    try {
      account = openAccount(accountRow, this.opts.secrets);
    } catch {
      return this.finish(row, { state: 'failed', reason: 'auth', message: 'The account channel\'s credentials cannot be read' });
    }
    const capabilities = connector.capabilities(account);
    const timeout = setTimeout(() => controller.abort(new Error('send timed out')), capabilities.sendTimeoutMs);
    let result: SendResult;
    try {
      result = await connector.send(account, { key: row.key, payload: JSON.parse(row.payload) as Record<string, unknown> }, controller.signal);
    } catch (err) {
      result = { ok: false, error: { code: 'internal', message: `Sending failed: ${(err as Error).message}`, retry: 'now', reason: 'transient' } };
    } finally {
      clearTimeout(timeout);
    }
    if (!result.ok && this.stopped) return this.requeue(row, this.clock(), false);
    return this.settle(row, result, capabilities);
  }

  private async settle(row: OutboundRow, result: SendResult, capabilities: ChannelCapabilities): Promise<void> {
    if (result.ok) return this.finish(row, { state: 'sent', status: result.status });
    const error = result.error;
    if (result.ambiguous && capabilities.idempotency !== 'native') {
      // Sending again could duplicate the message (channels.md §17.4): the author decides.
      return this.finish(row, { state: 'unknown', message: error.message });
    }
    if (error.retry === 'now' || error.retry === 'after') {
      const now = this.clock();
      const at = now + (error.retryAfterMs ?? backoffDelay(row.attempts, this.opts.backoff, this.random));
      if (row.attempts < this.maxAttempts && at - row.created_at <= this.maxAgeMs) {
        await this.storage.write((tx) =>
          tx.run(this.storage.db.updateTable('outbound')
            .set({ state: 'queued', next_attempt_at: at, last_error: JSON.stringify(describe(error)), updated_at: now })
            .where('id', '=', row.id)),
        );
        return;
      }
    }
    const reason = error.retry === 'reauth' ? 'auth' : failureReasonOf(error);
    return this.finish(row, { state: 'failed', reason, message: error.message, error });
  }

  /**
   * Writes a final outcome: the conversation first, then the row. A crash in between leaves the
   * row `sending`, so it is sent again (deduplicated by the receiver) and the status write repeats
   * harmlessly, since statuses only move forward.
   */
  private async finish(row: OutboundRow, outcome: Final): Promise<void> {
    const { company_id: companyId, conversation_id: conversationId, message_uuid: uuid } = row;
    if (outcome.state === 'sent') {
      await this.opts.conversations.setDeliveryStatus(companyId, conversationId, uuid, outcome.status);
    } else if (outcome.state === 'failed') {
      await this.opts.conversations.setDeliveryStatus(companyId, conversationId, uuid, 'failed', { reason: outcome.reason, message: outcome.message });
    } else {
      await this.opts.conversations.setDeliveryStatus(companyId, conversationId, uuid, 'unknown');
    }
    const now = this.clock();
    const lastError = outcome.state === 'sent' ? null : JSON.stringify(
      outcome.state === 'failed' ? { ...(outcome.error ? describe(outcome.error) : {}), reason: outcome.reason, message: outcome.message } : { message: outcome.message },
    );
    await this.storage.write((tx) =>
      tx.run(this.storage.db.updateTable('outbound').set({ state: outcome.state, last_error: lastError, updated_at: now }).where('id', '=', row.id)),
    );
    if (outcome.state === 'failed') this.opts.log.info({ key: row.key, reason: outcome.reason, message: outcome.message }, 'outbound message failed');
  }

  /** Puts a leased row back to `queued`; `uncount` when no request was made for it. */
  private async requeue(row: OutboundRow, at: number, uncount: boolean): Promise<void> {
    const now = this.clock();
    await this.storage.write((tx) =>
      tx.run(this.storage.db.updateTable('outbound')
        .set((eb) => ({ state: 'queued', next_attempt_at: at, updated_at: now, ...(uncount ? { attempts: eb('attempts', '-', 1) } : {}) }))
        .where('id', '=', row.id).where('state', '=', 'sending')),
    );
  }
}

function describe(error: ChannelError): { code: string; reason: string; message: string } {
  return { code: error.code, reason: error.reason, message: error.message };
}
