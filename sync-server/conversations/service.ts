/**
 * Every change to a conversation goes through here: inbound client messages from channels, the
 * desktop apps' updates (validated, then their requests, replies and notes processed in the order
 * they were made), REST calls and delivery-status write-backs. Each runs in one storage write
 * section, so a rejected input changes nothing and an accepted one is durable before anyone hears
 * of it.
 */
import { ulid } from '../../src-core/ids';
import { canWriteConversation, type Actor, type ConversationAccess } from '../../src-core/permissions';
import { ConversationDoc, clientDocName, conversationDocName } from '../../src-core/conversation/doc';
import { guardConversationWrite } from '../../src-core/conversation/guard';
import {
  REJECT, decideClientMessage, decideRequest, decideTransition, lifecycleStateOf, replyDisposition, writeDecision,
  writeRequestOutcome, type Decision, type TransitionIntent,
} from '../../src-core/conversation/lifecycle';
import { projectInboxRow, type InboxRow } from '../../src-core/conversation/projection';
import {
  DELIVERY_STATUSES, isRepairRequest, type Application, type Attachment, type DeliveryEntry, type DeliveryStatus,
  type FailureReason, type MessageEntry, type RepairRequest, type TransitionRequest,
} from '../../src-core/conversation/types';
import { analyzeUpdate } from '../../src-core/sync/update-analysis';
import { chooseGroup } from '../../src-core/routing';
import type { CompanyDirectory, CompanyState } from '../company/directory';
import type { DocManager, LoadedDoc } from '../docs/doc-manager';
import type { Storage, WriteTx } from '../storage/storage';
import * as Y from 'yjs';
import { randomToken } from '../security/crypto';
import { prepare } from '../storage/prepared';

/** A refused input: `code` for the wire, `message` for people and the REST API. */
export class Rejection extends Error {
  constructor(readonly code: 'not_found' | 'forbidden' | 'rejected' | 'missing_dependencies' | 'bad_request', message: string) {
    super(message);
  }
}

export interface OutboundJob {
  companyId: number;
  accountChannelId: number;
  application: Application;
  conversationId: number;
  clientId: number;
  message: MessageEntry;
  /** The sending user; null for autoresponses. */
  operator: { id: number; name: string } | null;
}

/** Where accepted outgoing messages go: the channel relay's durable queue. */
export interface OutboundSink {
  /** Runs inside the write section that accepts the message (transactional outbox). */
  enqueue(tx: WriteTx, job: OutboundJob): Promise<void>;
}

export interface InboundMessage {
  companyId: number;
  accountChannelId: number;
  application: Application;
  dedupeKey: string;
  client: { externalId: string; name?: string | null; phone?: string | null; extraFields?: Record<string, unknown> | null };
  text: string | null;
  attachment?: Attachment | null;
  externalId?: string | null;
  /** Platform time of the message (ms); default: time of receipt. */
  sentAt?: number | null;
  /** A message the app already delivered itself (Custom app `echo`): stored outgoing, never sent. */
  echo?: boolean;
  /** The raw event as the platform sent it, recorded with its dedupe key. */
  rawPayload?: string | null;
}

export interface InboundResult {
  duplicate: boolean;
  messageId: number;
  conversationId: number;
  messageUuid: string;
}

type ClientRow = { id: number; name: string; phone: string | null; extra_fields: string };

export function accessOf(conv: ConversationDoc): ConversationAccess {
  const m = conv.getMeta();
  return { status: m.status, assigneeId: m.assigneeId, groupId: m.groupId, distributing: m.distributing };
}

export class ConversationService {
  private outbound: OutboundSink | null = null;
  private readonly wakeups = new Set<() => void>();
  /** The statements every inbound message runs, compiled once. */
  private readonly q;
  /** Committed client rows by `<account>:<external id>` (only this service writes clients). */
  private readonly clients = new Map<string, ClientRow>();
  /** A client's conversation never changes (one per client and account channel). */
  private readonly conversationOfClient = new Map<number, number>();

  constructor(
    private readonly storage: Storage,
    private readonly docs: DocManager,
    private readonly directory: CompanyDirectory,
    private readonly clock: () => number = Date.now,
  ) {
    const db = storage.db;
    this.q = {
      inboundEvent: prepare((p: { account: number; key: string }) =>
        db.selectFrom('inbound_events').select(['message_id', 'conversation_id']).where('account_channel_id', '=', p.account).where('dedupe_key', '=', p.key)),
      clientByIdentity: prepare((p: { account: number; external: string }) =>
        db.selectFrom('clients').select(['id', 'name', 'phone', 'extra_fields']).where('account_channel_id', '=', p.account).where('external_id', '=', p.external)),
      conversationOfClient: prepare((p: { client: number }) => db.selectFrom('conversations').select(['id']).where('client_id', '=', p.client)),
      conversationCompany: prepare((p: { id: number }) => db.selectFrom('conversations').select(['id', 'company_id']).where('id', '=', p.id)),
      insertMessage: prepare((p: { uuid: string; company: number; conversation: number; at: number }) =>
        db.insertInto('messages').values({ uuid: p.uuid, company_id: p.company, conversation_id: p.conversation, created_at: p.at })),
      insertInboundEvent: prepare((p: { account: number; key: string; message: number; conversation: number; at: number; payload: string | null }) =>
        db.insertInto('inbound_events').values({
          account_channel_id: p.account, dedupe_key: p.key, message_id: p.message, conversation_id: p.conversation, received_at: p.at, payload: p.payload,
        })),
      mirror: prepare((p: { id: number; status: 'unassigned' | 'inbox' | 'closed'; assignee: number | null; group: number | null; distributing: number; locked: number; query: number; row: string; at: number }) =>
        db.updateTable('conversations').set({
          status: p.status, assignee_id: p.assignee, group_id: p.group, distributing: p.distributing, locked: p.locked, query_id: p.query, row: p.row, updated_at: p.at,
        }).where('id', '=', p.id)),
    };
  }

  setOutboundSink(sink: OutboundSink): void {
    this.outbound = sink;
  }

  /** Called after a commit that queued outgoing messages. */
  onOutboundQueued(fn: () => void): void {
    this.wakeups.add(fn);
  }

  async loadConversation(companyId: number, conversationId: number): Promise<{ loaded: LoadedDoc; conv: ConversationDoc } | null> {
    // A loaded document already names its company (conversations never change company).
    const hot = this.docs.peek(conversationDocName(conversationId));
    if (hot) {
      if (hot.companyId !== companyId) return null;
      hot.lastUsed = Date.now();
      return { loaded: hot, conv: new ConversationDoc(hot.doc) };
    }
    const row = await this.storage.first(this.q.conversationCompany({ id: conversationId }));
    if (!row || row.company_id !== companyId) return null;
    const loaded = await this.docs.load(conversationDocName(conversationId), companyId);
    return { loaded, conv: new ConversationDoc(loaded.doc) };
  }

  // ---- inbound ----------------------------------------------------------------------------------

  async receiveInbound(input: InboundMessage): Promise<InboundResult> {
    const db = this.storage.db;
    return this.storage.write(async (tx) => {
      const seen = await tx.first(this.q.inboundEvent({ account: input.accountChannelId, key: input.dedupeKey }));
      if (seen && seen.message_id !== null && seen.conversation_id !== null) {
        const m = await tx.first(db.selectFrom('messages').select('uuid').where('id', '=', seen.message_id));
        return { duplicate: true, messageId: seen.message_id, conversationId: seen.conversation_id, messageUuid: m?.uuid ?? '' };
      }
      const now = this.clock();
      const company = await this.directory.get(input.companyId);
      const client = await this.upsertClient(tx, input, now);
      let convRow = this.conversationOfClient.has(client.id)
        ? { id: this.conversationOfClient.get(client.id)! }
        : await tx.first(this.q.conversationOfClient({ client: client.id }));
      const isNew = !convRow;
      let conversationId: number;
      if (!convRow) {
        const groupId = chooseGroup({ groups: [...company.groups.values()], pinnedGroupIds: [], previousCloseGroupId: null, isNewConversation: true });
        const res = await tx.run(db.insertInto('conversations').values({
          company_id: input.companyId, client_id: client.id, account_channel_id: input.accountChannelId,
          application: input.application, status: 'unassigned', assignee_id: null, group_id: groupId, distributing: 0, locked: 0,
          query_id: 0, row: '{}', token: randomToken(32), created_at: now, updated_at: now,
        }));
        conversationId = res.insertId!;
        convRow = { id: conversationId };
      } else {
        conversationId = convRow.id;
      }
      const clientId = client.id;
      tx.afterCommit(() => {
        if (this.conversationOfClient.size >= 50_000) this.conversationOfClient.clear();
        this.conversationOfClient.set(clientId, conversationId);
      });
      const loaded = await this.docs.load(conversationDocName(conversationId), input.companyId);
      const conv = new ConversationDoc(loaded.doc);
      const message: MessageEntry = {
        id: ulid(now),
        kind: input.echo ? 'out' : 'in',
        senderType: input.echo ? 'app' : 'client',
        authorId: null,
        text: input.text,
        attachment: input.attachment ?? null,
        createdAt: input.sentAt ?? now,
        seenMessageId: null,
        externalId: input.externalId ?? null,
      };
      const serverId = await this.allocateMessageId(tx, input.companyId, conversationId, message.id, now);
      const closeGroup = conv.initialized ? conv.getMeta().closeGroupId : null;
      const routedGroup = chooseGroup({
        groups: [...company.groups.values()], pinnedGroupIds: [], previousCloseGroupId: closeGroup, isNewConversation: false,
      });
      const decision = isNew || input.echo ? null : decideClientMessage(lifecycleStateOf(conv), routedGroup);
      const opensQuery = isNew || decision?.outcome === 'applied';
      const queryId = opensQuery ? await this.allocateQueryId(tx, conversationId, 'client', now) : 0;
      await this.docs.change(tx, loaded, 'server', () => {
        if (isNew) {
          initConversation(conv, {
            id: conversationId, companyId: input.companyId, clientId: client.id, accountChannelId: input.accountChannelId,
            application: input.application, clientName: client.name, groupId: groupIdOf(company), queryId, now,
          });
        } else if (decision?.outcome === 'applied') {
          writeDecision(conv, decision, { now, actorId: null, eventId: ulid(now), allocateQueryId: () => queryId });
        }
        if (conv.getMeta().clientName !== client.name) conv.meta.set('clientName', client.name);
        conv.messages.push([message]);
        conv.delivery.set(message.id, { acceptedAt: now, serverId, status: input.echo ? 'sent' : null, error: null });
      });
      if (client.changed) await this.writeClientDoc(tx, input.companyId, client.id, conversationId);
      await tx.run(this.q.insertInboundEvent({
        account: input.accountChannelId, key: input.dedupeKey, message: serverId, conversation: conversationId, at: now, payload: input.rawPayload ?? null,
      }));
      this.mirror(tx, conv);
      return { duplicate: false, messageId: serverId, conversationId, messageUuid: message.id };
    });
  }

  /** Finds or creates the client; `changed` when its stored data was created or updated. */
  private async upsertClient(tx: WriteTx, input: InboundMessage, now: number): Promise<{ id: number; name: string; changed: boolean }> {
    const db = this.storage.db;
    const key = `${input.accountChannelId}:${input.client.externalId}`;
    const existing = this.clients.get(key)
      ?? (await tx.first(this.q.clientByIdentity({ account: input.accountChannelId, external: input.client.externalId })));
    const remember = (row: ClientRow) => tx.afterCommit(() => {
      // Only committed rows are remembered: a rolled-back section leaves no trace here.
      if (this.clients.size >= 50_000) this.clients.clear();
      this.clients.set(key, row);
    });
    if (!existing) {
      const name = input.client.name?.trim() || input.client.externalId;
      const res = await tx.run(db.insertInto('clients').values({
        company_id: input.companyId, account_channel_id: input.accountChannelId, external_id: input.client.externalId,
        name, phone: input.client.phone ?? null, extra_fields: JSON.stringify(input.client.extraFields ?? {}), created_at: now,
      }));
      remember({ id: res.insertId!, name, phone: input.client.phone ?? null, extra_fields: JSON.stringify(input.client.extraFields ?? {}) });
      return { id: res.insertId!, name, changed: true };
    }
    const patch: { name?: string; phone?: string; extra_fields?: string } = {};
    const name = input.client.name?.trim();
    if (name && name !== existing.name) patch.name = name;
    if (input.client.phone && input.client.phone !== existing.phone) patch.phone = input.client.phone;
    if (input.client.extraFields && Object.keys(input.client.extraFields).length > 0) {
      const merged = { ...JSON.parse(existing.extra_fields), ...input.client.extraFields };
      const text = JSON.stringify(merged);
      if (text !== existing.extra_fields) patch.extra_fields = text;
    }
    const changed = Object.keys(patch).length > 0;
    if (changed) await tx.run(db.updateTable('clients').set(patch).where('id', '=', existing.id));
    remember({ ...existing, ...patch });
    return { id: existing.id, name: patch.name ?? existing.name, changed };
  }

  /** The client's personal data lives in its own document, readable only where allowed. */
  private async writeClientDoc(tx: WriteTx, companyId: number, clientId: number, conversationId: number): Promise<void> {
    const row = await tx.first(this.storage.db.selectFrom('clients').selectAll().where('id', '=', clientId));
    if (!row) return;
    const loaded = await this.docs.load(clientDocName(clientId), companyId);
    await this.docs.change(tx, loaded, 'server', (doc) => {
      const profile = doc.getMap('profile');
      const values: Record<string, unknown> = {
        id: row.id, conversationId, externalId: row.external_id, name: row.name, phone: row.phone,
        extraFields: JSON.parse(row.extra_fields), createdAt: row.created_at,
      };
      for (const [k, v] of Object.entries(values)) {
        if (JSON.stringify(profile.get(k)) !== JSON.stringify(v)) profile.set(k, v);
      }
    });
  }

  private async allocateMessageId(tx: WriteTx, companyId: number, conversationId: number, uuid: string, now: number): Promise<number> {
    const res = await tx.run(this.q.insertMessage({ uuid, company: companyId, conversation: conversationId, at: now }));
    return res.insertId!;
  }

  private async allocateQueryId(tx: WriteTx, conversationId: number, origin: string, now: number): Promise<number> {
    const res = await tx.run(this.storage.db.insertInto('queries').values({ conversation_id: conversationId, origin, started_at: now }));
    return res.insertId!;
  }

  /**
   * Keeps the relational row the REST API lists from in step with the document: once per batch,
   * at its end, however many changes the batch made to the conversation.
   */
  private mirror(tx: WriteTx, conv: ConversationDoc): void {
    const id = conv.getMeta().id;
    tx.beforeCommit(`mirror:${id}`, async () => {
      const row = projectInboxRow(conv);
      await this.storage.run(this.q.mirror({
        id: row.id, status: row.status, assignee: row.assigneeId, group: row.groupId, distributing: row.distributing ? 1 : 0,
        locked: row.locked ? 1 : 0, query: row.queryId, row: JSON.stringify(row), at: this.clock(),
      }));
    });
  }

  // ---- desktop app updates -----------------------------------------------------------------------

  /**
   * Validates an operator's update to a conversation document, applies it, then processes what it
   * added: requests and messages in the order they were made (ULID order).
   */
  async applyOperatorUpdate(actor: Actor, conversationId: number, update: Uint8Array, origin: unknown): Promise<{ seq: number; changed: boolean; durable: Promise<void> }> {
    const found = await this.loadConversation(actor.companyId, conversationId);
    if (!found) throw new Rejection('not_found', 'Conversation not found');
    const { loaded, conv } = found;
    const { applied, durable } = this.storage.writeStaged(async (tx) => {
      if (!conv.initialized) throw new Rejection('not_found', 'Conversation not found');
      if (!canWriteConversation(actor, accessOf(conv))) throw new Rejection('forbidden', 'Access denied');
      const analysis = analyzeUpdate(loaded.doc, update);
      if (!analysis.ok) {
        throw new Rejection(analysis.reason === 'missing_dependencies' ? 'missing_dependencies' : 'rejected', analysis.detail);
      }
      const known = knownIds(conv);
      // The company's topic list is looked up only for an update that attaches a topic.
      const topics = analysis.touched.some((t) => t.root === 'topics' && t.op === 'insert') ? (await this.directory.get(actor.companyId)).topics : null;
      const verdict = guardConversationWrite(analysis.touched, {
        actorId: actor.userId,
        hasId: (id) => known.has(id),
        attachableTopic: topics ? (id) => topics.get(id)?.archived === false : undefined,
      });
      if (!verdict.ok) throw new Rejection('rejected', verdict.reason);
      type Work = { kind: 'request'; request: TransitionRequest | RepairRequest } | { kind: 'message'; message: MessageEntry };
      const work: Work[] = [
        ...verdict.requests.map((request) => ({ kind: 'request' as const, request })),
        ...verdict.messages.map((message) => ({ kind: 'message' as const, message })),
      ].sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
      if (work.length === 0) {
        const applied = await this.docs.apply(tx, loaded, update, origin);
        if (applied) this.mirror(tx, conv);
        return { seq: loaded.seq, changed: applied !== null };
      }
      // The edit and the server's answer to it travel as one update (half the frames and log entries).
      await this.processWork(tx, actor, loaded, conv, work, update, origin);
      return { seq: loaded.seq, changed: true };
    });
    const result = await applied;
    return { ...result, durable: durable.then(() => undefined) };

    function idOf(w: { kind: 'request'; request: { id: string } } | { kind: 'message'; message: { id: string } }): string {
      return w.kind === 'request' ? w.request.id : w.message.id;
    }
  }

  private async processWork(
    tx: WriteTx,
    actor: Actor,
    loaded: LoadedDoc,
    conv: ConversationDoc,
    work: Array<{ kind: 'request'; request: TransitionRequest | RepairRequest } | { kind: 'message'; message: MessageEntry }>,
    /** The operator's validated update, applied first inside the same transaction. */
    update: Uint8Array,
    /** The connection the update came from: it is sent only the server's answer. */
    author?: unknown,
  ): Promise<void> {
    const company = await this.directory.get(actor.companyId);
    const now = this.clock();
    const jobs: OutboundJob[] = [];
    // Allocate ids first: nothing may fail inside the Yjs transaction.
    const serverIds = new Map<string, number>();
    for (const w of work) {
      if (w.kind === 'message') serverIds.set(w.message.id, await this.allocateMessageId(tx, actor.companyId, conv.getMeta().id, w.message.id, now));
    }
    const reopenIds: number[] = [];
    for (const w of work) {
      if (w.kind === 'request' && w.request.action === 'reopen') reopenIds.push(await this.allocateQueryId(tx, conv.getMeta().id, 'reopen', now));
    }
    const retries: Array<{ copy: MessageEntry; serverId: number }> = [];
    for (const w of work) {
      if (w.kind === 'request' && w.request.action === 'retry') {
        const copyId = ulid(now);
        retries.push({ copy: { id: copyId } as MessageEntry, serverId: await this.allocateMessageId(tx, actor.companyId, conv.getMeta().id, copyId, now) });
      }
    }
    await this.docs.applyThenChange(tx, loaded, update, 'server', () => {
      for (const w of work) {
        if (w.kind === 'message') {
          const m = w.message;
          const status = m.kind === 'out' ? replyDisposition(conv, m) : null;
          conv.delivery.set(m.id, { acceptedAt: now, serverId: serverIds.get(m.id)!, status, error: null });
          if (status === 'held') {
            conv.events.push([{
              id: ulid(now), type: 'reply_held', at: now, actorId: actor.userId, queryId: conv.getMeta().queryId, from: null, to: null,
              requestId: null, reason: 'The conversation changed before the reply reached the server',
            }]);
          }
          if (status === 'queued') {
            markFirstResponse(conv, now);
            jobs.push(this.jobFor(conv, m, company, actor.userId));
          }
          continue;
        }
        const request = w.request;
        if (isRepairRequest(request)) {
          this.repair(conv, request, actor, now, jobs, company, retries);
          continue;
        }
        const decision = decideRequest(lifecycleStateOf(conv), request, actor, conv, transitionContext(company));
        this.writeOutcome(conv, decision, request.id, actor.userId, now, () => reopenIds.shift()!);
      }
    }, author);
    for (const job of jobs) await this.enqueue(tx, job);
    this.mirror(tx, conv);
  }

  private repair(
    conv: ConversationDoc, request: RepairRequest, actor: Actor, now: number, jobs: OutboundJob[], company: CompanyState,
    retries: Array<{ copy: MessageEntry; serverId: number }>,
  ): void {
    const message = conv.messages.toArray().find((m) => m.id === request.messageId);
    const delivery = message ? conv.delivery.get(message.id) : undefined;
    const refuse = (reason: string) => conv.events.push([{
      id: ulid(now), type: 'repair_rejected', at: now, actorId: actor.userId, queryId: conv.getMeta().queryId, from: null, to: null,
      requestId: request.id, reason,
    }]);
    if (!message || !delivery || message.authorId !== actor.userId) return void refuse('Message not found');
    const done = (type: 'reply_sent_anyway' | 'reply_discarded' | 'request_noop') => conv.events.push([{
      id: ulid(now), type, at: now, actorId: actor.userId, queryId: conv.getMeta().queryId, from: null, to: null, requestId: request.id, reason: null,
    }]);
    switch (request.action) {
      case 'send_anyway':
        if (delivery.status !== 'held') return void refuse('Only held replies can be sent anyway');
        conv.delivery.set(message.id, { ...delivery, status: 'queued' });
        markFirstResponse(conv, now);
        jobs.push(this.jobFor(conv, message, company, actor.userId));
        return void done('reply_sent_anyway');
      case 'discard':
        if (delivery.status !== 'held') return void refuse('Only held replies can be discarded');
        conv.delivery.set(message.id, { ...delivery, discarded: true });
        return void done('reply_discarded');
      case 'mark_sent':
        if (delivery.status !== 'unknown') return void refuse('Only replies of unknown status can be marked as sent');
        conv.delivery.set(message.id, { ...delivery, status: 'sent' });
        return void done('request_noop');
      case 'retry': {
        const slot = retries.shift()!;
        if (delivery.status !== 'failed' && delivery.status !== 'unknown') return void refuse('Only failed replies can be retried');
        const copy: MessageEntry = { ...message, id: slot.copy.id, createdAt: now };
        conv.messages.push([copy]);
        conv.delivery.set(copy.id, { acceptedAt: now, serverId: slot.serverId, status: 'queued', error: null });
        jobs.push(this.jobFor(conv, copy, company, actor.userId));
        return void done('request_noop');
      }
    }
  }

  private jobFor(conv: ConversationDoc, message: MessageEntry, company: CompanyState, operatorId: number | null): OutboundJob {
    const meta = conv.getMeta();
    const user = operatorId !== null ? company.users.get(operatorId) : undefined;
    return {
      companyId: meta.companyId, accountChannelId: meta.accountChannelId, application: meta.application, conversationId: meta.id,
      clientId: meta.clientId, message, operator: user ? { id: user.id, name: user.name } : null,
    };
  }

  private async enqueue(tx: WriteTx, job: OutboundJob): Promise<void> {
    if (!this.outbound) return;
    await this.outbound.enqueue(tx, job);
    tx.afterCommit(() => {
      for (const w of this.wakeups) w();
    });
  }

  private writeOutcome(conv: ConversationDoc, decision: Decision, requestId: string | null, actorId: number, now: number, queryId: () => number): void {
    if (decision.outcome === 'applied') {
      writeDecision(conv, decision, { now, actorId, eventId: ulid(now), requestId, allocateQueryId: queryId });
    } else if (requestId !== null) {
      writeRequestOutcome(conv, { id: requestId, actorId }, decision.outcome, decision.outcome === 'rejected' ? decision.reason : null, { now, eventId: ulid(now) });
    }
  }

  // ---- REST API and automation ------------------------------------------------------------------

  /** A transition checked against the current state (REST calls and automation, product §2.5). */
  async transition(actor: Actor, conversationId: number, intent: TransitionIntent): Promise<{ decision: Decision; row: InboxRow }> {
    const found = await this.loadConversation(actor.companyId, conversationId);
    if (!found) throw new Rejection('not_found', 'Conversation not found');
    const { loaded, conv } = found;
    return this.storage.write(async (tx) => {
      const company = await this.directory.get(actor.companyId);
      const decision = decideTransition(lifecycleStateOf(conv), intent, actor, transitionContext(company));
      if (decision.outcome !== 'applied') return { decision, row: projectInboxRow(conv) };
      const now = this.clock();
      const queryId = decision.newQuery ? await this.allocateQueryId(tx, conversationId, decision.newQuery, now) : 0;
      await this.docs.change(tx, loaded, 'server', () => this.writeOutcome(conv, decision, null, actor.userId, now, () => queryId));
      this.mirror(tx, conv);
      return { decision, row: projectInboxRow(conv) };
    });
  }

  /** A reply or note written through the REST API (never held: the caller sees the current state). */
  async postMessage(actor: Actor, conversationId: number, kind: 'out' | 'note', text: string): Promise<{ message: MessageEntry; delivery: DeliveryEntry }> {
    const found = await this.loadConversation(actor.companyId, conversationId);
    if (!found) throw new Rejection('not_found', 'Conversation not found');
    const { loaded, conv } = found;
    return this.storage.write(async (tx) => {
      if (!canWriteConversation(actor, accessOf(conv))) throw new Rejection('forbidden', REJECT.accessDenied);
      const company = await this.directory.get(actor.companyId);
      const now = this.clock();
      const message: MessageEntry = {
        id: ulid(now), kind, senderType: 'operator', authorId: actor.userId, text, attachment: null, createdAt: now,
        seenMessageId: null, externalId: null,
      };
      const serverId = await this.allocateMessageId(tx, actor.companyId, conversationId, message.id, now);
      const delivery: DeliveryEntry = { acceptedAt: now, serverId, status: kind === 'out' ? 'queued' : null, error: null };
      await this.docs.change(tx, loaded, 'server', () => {
        conv.messages.push([message]);
        conv.delivery.set(message.id, delivery);
        if (kind === 'out') markFirstResponse(conv, now);
      });
      if (kind === 'out') await this.enqueue(tx, this.jobFor(conv, message, company, actor.userId));
      this.mirror(tx, conv);
      return { message, delivery };
    });
  }

  /**
   * Writes a delivery status back (channel relay, receipts). Statuses only move forward; `failed`
   * may follow `queued` or `sent` and is final (product §2.7). Returns whether anything changed.
   */
  async setDeliveryStatus(
    companyId: number,
    conversationId: number,
    messageUuid: string,
    status: DeliveryStatus,
    error: { reason: FailureReason; message: string } | null = null,
  ): Promise<boolean> {
    const found = await this.loadConversation(companyId, conversationId);
    if (!found) return false;
    const { loaded, conv } = found;
    return this.storage.write(async (tx) => {
      const current = conv.delivery.get(messageUuid);
      if (!current || !advances(current.status, status)) return false;
      await this.docs.change(tx, loaded, 'server', () => {
        conv.delivery.set(messageUuid, { ...current, status, error: status === 'failed' ? error : null });
      });
      this.mirror(tx, conv);
      return true;
    });
  }

  /** T10: every conversation in a deactivated user's My inbox returns to Unassigned. */
  async releaseInboxOf(companyId: number, userId: number): Promise<number> {
    const rows = await this.storage.all(
      this.storage.db.selectFrom('conversations').select('id').where('company_id', '=', companyId)
        .where('status', '=', 'inbox').where('assignee_id', '=', userId),
    );
    let released = 0;
    for (const { id } of rows) {
      const found = await this.loadConversation(companyId, id);
      if (!found) continue;
      const { loaded, conv } = found;
      await this.storage.write(async (tx) => {
        const state = lifecycleStateOf(conv);
        if (state.status !== 'inbox' || state.assigneeId !== userId) return;
        const now = this.clock();
        await this.docs.change(tx, loaded, 'server', () => {
          writeDecision(conv, {
            outcome: 'applied', next: { ...state, status: 'unassigned', assigneeId: null }, event: 'released',
            newQuery: null, closesQuery: false, restartsClock: true,
          }, { now, actorId: null, eventId: ulid(now) });
        });
        this.mirror(tx, conv);
        released++;
      });
    }
    return released;
  }
}

/** Ids of the messages and requests of a loaded document, kept up to date as they arrive. */
const idIndexes = new WeakMap<ConversationDoc['doc'], Set<string>>();
function knownIds(conv: ConversationDoc): Set<string> {
  let ids = idIndexes.get(conv.doc);
  if (!ids) {
    const set = new Set<string>([...conv.messages.toArray().map((m) => m.id), ...conv.requests.toArray().map((r) => r.id)]);
    const track = (e: Y.YArrayEvent<{ id: string }>) => {
      for (const item of e.changes.added) for (const v of item.content.getContent() as Array<{ id?: unknown }>) if (typeof v?.id === 'string') set.add(v.id);
    };
    conv.messages.observe(track as never);
    conv.requests.observe(track as never);
    idIndexes.set(conv.doc, set);
    ids = set;
  }
  return ids;
}

const ORDER: Record<DeliveryStatus, number> = { held: 0, queued: 1, sent: 2, delivered: 3, read: 4, failed: 5, unknown: 5 };

/** Forward-only delivery statuses (channels.md §17.5). */
export function advances(from: DeliveryStatus | null, to: DeliveryStatus): boolean {
  if (!(DELIVERY_STATUSES as readonly string[]).includes(to)) return false;
  if (from === null) return true;
  if (from === to) return false;
  if (from === 'failed') return to === 'queued';
  if (to === 'failed') return from === 'queued' || from === 'sent' || from === 'unknown';
  if (to === 'unknown') return from === 'queued';
  if (from === 'unknown') return to === 'sent' || to === 'delivered' || to === 'read';
  return ORDER[to] > ORDER[from];
}

function markFirstResponse(conv: ConversationDoc, now: number): void {
  const meta = conv.getMeta();
  const q = conv.queries.get(String(meta.queryId));
  if (q && q.firstResponseAt === null) conv.queries.set(String(q.id), { ...q, firstResponseAt: now });
}

function transitionContext(company: CompanyState) {
  return {
    operatorStatus: (id: number) => {
      const u = company.users.get(id);
      return u && !u.deleted ? u.status : undefined;
    },
    groupExists: (id: number) => company.groups.has(id),
  };
}

function groupIdOf(company: CompanyState): number {
  return chooseGroup({ groups: [...company.groups.values()], pinnedGroupIds: [], previousCloseGroupId: null, isNewConversation: true });
}

export function initConversation(
  conv: ConversationDoc,
  init: {
    id: number; companyId: number; clientId: number; accountChannelId: number; application: Application; clientName: string;
    groupId: number; queryId: number; now: number;
  },
): void {
  conv.setMeta({
    id: init.id, companyId: init.companyId, clientId: init.clientId, accountChannelId: init.accountChannelId,
    application: init.application, clientName: init.clientName, status: 'unassigned', assigneeId: null, groupId: init.groupId,
    distributing: false, locked: false, queryId: init.queryId, createdAt: init.now, unassignedAt: init.now, closedAt: null,
    closeGroupId: null, previousAssigneeId: null, queryOrigin: 'client',
  });
  conv.queries.set(String(init.queryId), {
    id: init.queryId, origin: 'client', startedAt: init.now, startGroupId: init.groupId, clockAt: init.now, firstResponseAt: null,
    closedAt: null, closerId: null, closeGroupId: null,
  });
  conv.events.push([{
    id: ulid(init.now), type: 'created', at: init.now, actorId: null, queryId: init.queryId, from: null,
    to: { status: 'unassigned', assigneeId: null, groupId: init.groupId }, requestId: null, reason: null,
  }]);
}

