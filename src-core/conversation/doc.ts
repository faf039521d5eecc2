/**
 * Typed accessors over a conversation's Yjs document. Every root type is top level (no nested Yjs
 * types), which keeps each write attributable to a root and key for the server's write guard.
 */
import * as Y from 'yjs';
import type {
  AuditEvent, ConversationMeta, ConversationRequest, DeliveryEntry, MessageEntry, QueryEpisode,
} from './types';

export const CONV_ROOTS = {
  meta: 'meta',
  topics: 'topics',
  tags: 'tags',
  requests: 'requests',
  messages: 'messages',
  delivery: 'delivery',
  queries: 'queries',
  events: 'events',
} as const;
export type ConvRoot = keyof typeof CONV_ROOTS;

export function conversationDocName(conversationId: number): string {
  return `conv/${conversationId}`;
}
export function companyDocName(companyId: number): string {
  return `company/${companyId}`;
}
export function clientDocName(clientId: number): string {
  return `client/${clientId}`;
}

export type DocKind = 'conv' | 'company' | 'client';

export function parseDocName(name: string): { kind: DocKind; id: number } | null {
  const m = /^(conv|company|client)\/([1-9][0-9]{0,15})$/.exec(name);
  if (!m) return null;
  const id = Number(m[2]);
  if (!Number.isSafeInteger(id)) return null;
  return { kind: m[1] as DocKind, id };
}

export class ConversationDoc {
  readonly meta: Y.Map<unknown>;
  readonly topics: Y.Map<boolean>;
  readonly tags: Y.Map<boolean>;
  readonly requests: Y.Array<ConversationRequest>;
  readonly messages: Y.Array<MessageEntry>;
  readonly delivery: Y.Map<DeliveryEntry>;
  readonly queries: Y.Map<QueryEpisode>;
  readonly events: Y.Array<AuditEvent>;

  constructor(readonly doc: Y.Doc) {
    this.meta = doc.getMap('meta');
    this.topics = doc.getMap('topics');
    this.tags = doc.getMap('tags');
    this.requests = doc.getArray('requests');
    this.messages = doc.getArray('messages');
    this.delivery = doc.getMap('delivery');
    this.queries = doc.getMap('queries');
    this.events = doc.getArray('events');
  }

  /** True once the server has written the conversation's identity. */
  get initialized(): boolean {
    return typeof this.meta.get('id') === 'number';
  }

  getMeta(): ConversationMeta {
    const m = this.meta;
    const num = (k: string): number | null => {
      const v = m.get(k);
      return typeof v === 'number' ? v : null;
    };
    return {
      id: num('id') ?? 0,
      companyId: num('companyId') ?? 0,
      clientId: num('clientId') ?? 0,
      accountChannelId: num('accountChannelId') ?? 0,
      application: (m.get('application') as ConversationMeta['application']) ?? 'custom',
      clientName: (m.get('clientName') as string) ?? '',
      status: (m.get('status') as ConversationMeta['status']) ?? 'unassigned',
      assigneeId: num('assigneeId'),
      groupId: num('groupId'),
      distributing: m.get('distributing') === true,
      locked: m.get('locked') === true,
      queryId: num('queryId') ?? 0,
      createdAt: num('createdAt') ?? 0,
      unassignedAt: num('unassignedAt'),
      closedAt: num('closedAt'),
      closeGroupId: num('closeGroupId'),
      previousAssigneeId: num('previousAssigneeId'),
      queryOrigin: (m.get('queryOrigin') as ConversationMeta['queryOrigin']) ?? 'client',
      customName: typeof m.get('customName') === 'string' && m.get('customName') !== '' ? (m.get('customName') as string) : null,
      readWatermark: typeof m.get('readWatermark') === 'string' ? (m.get('readWatermark') as string) : null,
    };
  }

  setMeta(patch: Partial<ConversationMeta>): void {
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) continue;
      if (this.meta.get(k) !== v) this.meta.set(k, v);
    }
  }

  listMessages(): MessageEntry[] {
    return this.messages.toArray();
  }

  listRequests(): ConversationRequest[] {
    return this.requests.toArray();
  }

  listEvents(): AuditEvent[] {
    return this.events.toArray();
  }

  listQueries(): QueryEpisode[] {
    return [...this.queries.values()].sort((a, b) => a.id - b.id);
  }

  topicIds(): number[] {
    return [...this.topics.keys()].map(Number).filter((n) => Number.isSafeInteger(n)).sort((a, b) => a - b);
  }

  tagList(): string[] {
    return [...this.tags.keys()].sort();
  }

  /** Ids of requests that already have an outcome in `events`. */
  decidedRequestIds(): Set<string> {
    const ids = new Set<string>();
    for (const e of this.events.toArray()) if (e.requestId) ids.add(e.requestId);
    return ids;
  }
}

/** The accepted time of a message: the server's time once it has it, the writer's until then. */
export function messageTime(message: MessageEntry, delivery: DeliveryEntry | undefined): number {
  return delivery ? delivery.acceptedAt : message.createdAt;
}

/** Messages in timeline order: by accepted time, then id (ULIDs of one writer sort by creation). */
export function timeline(conv: ConversationDoc): { message: MessageEntry; delivery: DeliveryEntry | undefined }[] {
  const items = conv.listMessages().map((message) => ({ message, delivery: conv.delivery.get(message.id) }));
  items.sort((a, b) => messageTime(a.message, a.delivery) - messageTime(b.message, b.delivery) || (a.message.id < b.message.id ? -1 : a.message.id > b.message.id ? 1 : 0));
  return items;
}
