/**
 * The server's write guard over real Yjs updates: a desktop app edits its copy of a server-made
 * conversation document, and the server decides from the update alone, before applying it.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { monotonicUlid } from '../ids';
import { analyzeUpdate, type Analysis, type TouchedItem } from '../sync/update-analysis';
import { requestTransition, renameClient, setTag, setTopic, writeMessage } from './actions';
import { ConversationDoc } from './doc';
import { MAX_TEXT_LENGTH, guardConversationWrite, type GuardVerdict } from './guard';
import type { MessageEntry, TransitionRequest } from './types';

const T0 = 1_700_000_000_000;
const MIA = 10;
const LEO = 11;
const newId = monotonicUlid();

/** A conversation document as the server makes it, with one accepted client message. */
function serverDoc(): { doc: Y.Doc; conv: ConversationDoc; clientMessage: MessageEntry } {
  const doc = new Y.Doc();
  const conv = new ConversationDoc(doc);
  const clientMessage: MessageEntry = {
    id: newId(T0), kind: 'in', senderType: 'client', authorId: null, text: 'hello', attachment: null, createdAt: T0,
    seenMessageId: null, externalId: 'tg-1',
  };
  doc.transact(() => {
    conv.setMeta({
      id: 7, companyId: 9, clientId: 3, accountChannelId: 2, application: 'telegrambot', clientName: 'Ann Lee', status: 'inbox',
      assigneeId: MIA, groupId: 1, distributing: false, locked: false, queryId: 100, createdAt: T0, unassignedAt: T0, closedAt: null,
      closeGroupId: null, previousAssigneeId: null, queryOrigin: 'client',
    });
    conv.queries.set('100', {
      id: 100, origin: 'client', startedAt: T0, startGroupId: 1, clockAt: T0, firstResponseAt: null, closedAt: null, closerId: null, closeGroupId: null,
    });
    conv.messages.push([clientMessage]);
    conv.delivery.set(clientMessage.id, { acceptedAt: T0, serverId: 1, status: null, error: null });
    conv.events.push([{ id: newId(T0), type: 'created', at: T0, actorId: null, queryId: 100, from: null, to: null, requestId: null, reason: null }]);
  });
  return { doc, conv, clientMessage };
}

/** A device's copy of `server`, and the update one local transaction on it produces. */
function deviceCopy(server: Y.Doc): { doc: Y.Doc; conv: ConversationDoc; edit: (fn: (conv: ConversationDoc, doc: Y.Doc) => void) => Uint8Array } {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(server));
  const conv = new ConversationDoc(doc);
  return {
    doc,
    conv,
    edit(fn) {
      const captured: Uint8Array[] = [];
      const capture = (u: Uint8Array) => captured.push(u);
      doc.on('update', capture);
      Y.transact(doc, () => fn(conv, doc), 'local');
      doc.off('update', capture);
      return captured.length === 1 ? captured[0] : Y.mergeUpdates(captured);
    },
  };
}

function judge(server: ConversationDoc, update: Uint8Array, actorId = MIA): GuardVerdict | Extract<Analysis, { ok: false }> {
  const analysis = analyzeUpdate(server.doc, update);
  if (!analysis.ok) return analysis;
  const known = new Set([...server.messages.toArray().map((m) => m.id), ...server.requests.toArray().map((r) => r.id)]);
  return guardConversationWrite(analysis.touched, { actorId, hasId: (id) => known.has(id) });
}

function touched(server: Y.Doc, update: Uint8Array): TouchedItem[] {
  const analysis = analyzeUpdate(server, update);
  if (!analysis.ok) throw new Error(`analysis failed: ${analysis.reason} ${analysis.detail}`);
  return analysis.touched;
}

const refusedWith = (pattern: RegExp) => expect.objectContaining({ ok: false, reason: expect.stringMatching(pattern) });

describe('what an operator may write to a conversation', () => {
  it('a reply and a note are accepted, and the verdict lists them as new messages', () => {
    const server = serverDoc();
    const device = deviceCopy(server.doc);
    let reply!: MessageEntry;
    let note!: MessageEntry;
    const update = device.edit((conv) => {
      reply = writeMessage(conv, MIA, 'out', 'Happy to help', { now: T0 + 1_000, ulid: newId });
      note = writeMessage(conv, MIA, 'note', 'VIP client', { now: T0 + 1_001, ulid: newId });
    });
    expect(judge(server.conv, update)).toEqual({ ok: true, messages: [reply, note], requests: [] });
    expect(reply.seenMessageId).toBe(server.clientMessage.id);
  });

  it('a transition request is accepted and listed', () => {
    const server = serverDoc();
    const device = deviceCopy(server.doc);
    let req!: TransitionRequest;
    const update = device.edit((conv) => {
      req = requestTransition(conv, MIA, 'transfer_group', { groupId: 2 }, { now: T0 + 1_000, ulid: newId });
    });
    expect(judge(server.conv, update)).toEqual({ ok: true, messages: [], requests: [req] });
  });

  it('topics, tags, the custom name and the read watermark are accepted', () => {
    const server = serverDoc();
    const device = deviceCopy(server.doc);
    const update = device.edit((conv) => {
      setTopic(conv, 5, true);
      setTag(conv, 'vip', true);
      renameClient(conv, 'Ann (VIP)');
      conv.meta.set('readWatermark', server.clientMessage.id);
    });
    expect(judge(server.conv, update)).toEqual({ ok: true, messages: [], requests: [] });
    expect(touched(server.doc, update).map((t) => [t.root, t.key, t.op]).sort()).toEqual([
      ['meta', 'customName', 'insert'], ['meta', 'readWatermark', 'insert'], ['tags', 'vip', 'insert'], ['topics', '5', 'insert'],
    ]);
  });

  it('removing a topic and clearing the custom name are accepted', () => {
    const server = serverDoc();
    server.doc.transact(() => {
      server.conv.topics.set('5', true);
      server.conv.meta.set('customName', 'Ann');
    });
    const device = deviceCopy(server.doc);
    const update = device.edit((conv) => {
      setTopic(conv, 5, false);
      renameClient(conv, '');
    });
    expect(judge(server.conv, update)).toMatchObject({ ok: true });
  });

  it('only topics of the company list that are not archived may be attached; any may be removed', () => {
    const server = serverDoc();
    server.doc.transact(() => server.conv.topics.set('6', true));
    const list = new Map([[5, { archived: false }], [6, { archived: true }]]);
    const attachableTopic = (id: number) => list.get(id)?.archived === false;
    const verdict = (fn: (conv: ConversationDoc) => void) => {
      const update = deviceCopy(server.doc).edit(fn);
      const analysis = analyzeUpdate(server.doc, update);
      if (!analysis.ok) throw new Error(analysis.detail);
      return guardConversationWrite(analysis.touched, { actorId: MIA, attachableTopic });
    };
    expect(verdict((conv) => setTopic(conv, 5, true))).toMatchObject({ ok: true });
    expect(verdict((conv) => setTopic(conv, 7, true))).toEqual({ ok: false, reason: "topic 7 is not in the company's list or is archived" });
    expect(verdict((conv) => conv.topics.set('6', true))).toMatchObject({ ok: false });
    // An archived topic stays on the query until someone removes it.
    expect(verdict((conv) => setTopic(conv, 6, false))).toMatchObject({ ok: true });
  });

  it('analysing an update does not apply it', () => {
    const server = serverDoc();
    const before = Y.encodeStateVector(server.doc);
    const update = deviceCopy(server.doc).edit((conv) => writeMessage(conv, MIA, 'out', 'hi', { now: T0 + 1, ulid: newId }));
    judge(server.conv, update);
    expect(Y.encodeStateVector(server.doc)).toEqual(before);
    expect(server.conv.listMessages()).toHaveLength(1);
  });
});

describe('what an operator may not write', () => {
  it('server-owned meta keys (status, assignee, group…) are refused', () => {
    const server = serverDoc();
    for (const [key, value] of [['status', 'closed'], ['assigneeId', LEO], ['groupId', 2], ['distributing', true], ['clientName', 'Eve']] as const) {
      const update = deviceCopy(server.doc).edit((conv) => conv.meta.set(key, value));
      expect(judge(server.conv, update), key).toEqual(refusedWith(new RegExp(`meta\\.${key} is server-owned`)));
    }
  });

  it('delivery states, queries and audit events are refused', () => {
    const server = serverDoc();
    const delivery = deviceCopy(server.doc).edit((conv) => conv.delivery.set(server.clientMessage.id, { acceptedAt: 0, serverId: 1, status: 'read', error: null }));
    expect(judge(server.conv, delivery)).toEqual(refusedWith(/delivery is server-owned/));
    const queries = deviceCopy(server.doc).edit((conv) => conv.queries.set('100', { ...conv.queries.get('100')!, closedAt: T0 }));
    expect(judge(server.conv, queries)).toEqual(refusedWith(/queries is server-owned/));
    const events = deviceCopy(server.doc).edit((conv) => conv.events.push([{ ...conv.events.get(0), id: newId(T0) }]));
    expect(judge(server.conv, events)).toEqual(refusedWith(/events is server-owned/));
  });

  it('deleting a message is refused', () => {
    const server = serverDoc();
    const update = deviceCopy(server.doc).edit((conv) => conv.messages.delete(0, 1));
    expect(judge(server.conv, update)).toEqual(refusedWith(/messages entries cannot be removed/));
    expect(touched(server.doc, update)).toEqual([{ root: 'messages', key: null, op: 'delete', values: [server.clientMessage], content: 'json' }]);
  });

  it('a message posing as the client (kind in) is refused', () => {
    const server = serverDoc();
    const update = deviceCopy(server.doc).edit((conv) => conv.messages.push([{ ...server.clientMessage, id: newId(T0 + 5), externalId: null }]));
    expect(judge(server.conv, update)).toEqual(refusedWith(/only write replies and notes/));
  });

  it('a message in another user’s name is refused', () => {
    const server = serverDoc();
    const update = deviceCopy(server.doc).edit((conv) => writeMessage(conv, LEO, 'out', 'signed by Leo', { now: T0 + 5, ulid: newId }));
    expect(judge(server.conv, update, MIA)).toEqual(refusedWith(/written by its author/));
  });

  it('a request in another user’s name is refused', () => {
    const server = serverDoc();
    const update = deviceCopy(server.doc).edit((conv) => requestTransition(conv, LEO, 'close', {}, { now: T0 + 5, ulid: newId }));
    expect(judge(server.conv, update, MIA)).toEqual(refusedWith(/made by its actor/));
  });

  it('a root type the conversation does not have is refused', () => {
    const server = serverDoc();
    const update = deviceCopy(server.doc).edit((_conv, doc) => doc.getMap('secrets').set('x', 1));
    expect(judge(server.conv, update)).toEqual(refusedWith(/secrets is server-owned/));
  });

  it('a nested Yjs type instead of a plain JSON value is refused', () => {
    const server = serverDoc();
    const empty = deviceCopy(server.doc).edit((conv) => conv.meta.set('customName', new Y.Map()));
    expect(judge(server.conv, empty)).toEqual(refusedWith(/only plain JSON values/));
    const filled = deviceCopy(server.doc).edit((conv) => {
      const inner = new Y.Map<unknown>();
      conv.meta.set('customName', inner);
      inner.set('status', 'closed');
    });
    expect(analyzeUpdate(server.doc, filled)).toMatchObject({ ok: false, reason: 'nested_type' });
    const emptyInList = deviceCopy(server.doc).edit((conv) => (conv.messages as unknown as Y.Array<unknown>).push([new Y.Array()]));
    expect(judge(server.conv, emptyInList)).toEqual(refusedWith(/only plain JSON values/));
    const textInList = deviceCopy(server.doc).edit((conv) => (conv.messages as unknown as Y.Array<unknown>).push([new Y.Text('hi')]));
    expect(analyzeUpdate(server.doc, textInList)).toMatchObject({ ok: false, reason: 'nested_type' });
  });

  it('a text longer than 10,000 characters is refused; exactly 10,000 is accepted', () => {
    const server = serverDoc();
    const tooLong = deviceCopy(server.doc).edit((conv) => writeMessage(conv, MIA, 'out', 'x'.repeat(MAX_TEXT_LENGTH + 1), { now: T0 + 5, ulid: newId }));
    expect(judge(server.conv, tooLong)).toEqual(refusedWith(/Text is too long/));
    const longest = deviceCopy(server.doc).edit((conv) => writeMessage(conv, MIA, 'out', 'x'.repeat(MAX_TEXT_LENGTH), { now: T0 + 5, ulid: newId }));
    expect(judge(server.conv, longest)).toMatchObject({ ok: true });
  });

  it('a message id the document already holds, or one used twice in an update, is refused', () => {
    const server = serverDoc();
    const reused = deviceCopy(server.doc).edit((conv) => writeMessage(conv, MIA, 'note', 'n', { now: T0 + 5, id: server.clientMessage.id }));
    expect(judge(server.conv, reused)).toEqual(refusedWith(/duplicate id/));
    const id = newId(T0 + 6);
    const twice = deviceCopy(server.doc).edit((conv) => {
      writeMessage(conv, MIA, 'note', 'one', { now: T0 + 6, id });
      writeMessage(conv, MIA, 'note', 'two', { now: T0 + 6, id });
    });
    expect(judge(server.conv, twice)).toEqual(refusedWith(/duplicate id/));
  });

  it('malformed operator-owned values are refused: topic keys, tag length, custom name length, watermark', () => {
    const server = serverDoc();
    const cases: Array<[string, (conv: ConversationDoc) => void, RegExp]> = [
      ['topic key', (c) => c.topics.set('urgent', true), /topic keys are topic ids/],
      ['topic value', (c) => (c.topics as Y.Map<unknown>).set('5', 'yes'), /topic values must be true/],
      ['tag length', (c) => c.tags.set('t'.repeat(51), true), /tags must be 1 to 50/],
      ['custom name length', (c) => c.meta.set('customName', 'n'.repeat(101)), /custom name/],
      ['watermark', (c) => c.meta.set('readWatermark', 'not-a-message-id'), /read watermark/],
    ];
    for (const [name, fn, pattern] of cases) expect(judge(server.conv, deviceCopy(server.doc).edit(fn)), name).toEqual(refusedWith(pattern));
  });
});

describe('updates the server cannot judge', () => {
  it('an update whose earlier edits the server never received is refused as missing dependencies', () => {
    const server = serverDoc();
    const device = deviceCopy(server.doc);
    device.edit((conv) => writeMessage(conv, MIA, 'note', 'first', { now: T0 + 1, ulid: newId }));
    const second = device.edit((conv) => writeMessage(conv, MIA, 'note', 'second', { now: T0 + 2, ulid: newId }));
    expect(analyzeUpdate(server.doc, second)).toMatchObject({ ok: false, reason: 'missing_dependencies' });
  });

  it('a delete of items the server never received is refused as missing dependencies', () => {
    const server = serverDoc();
    const device = deviceCopy(server.doc);
    device.edit((conv) => conv.tags.set('vip', true));
    const removal = device.edit((conv) => conv.tags.delete('vip'));
    expect(analyzeUpdate(server.doc, removal)).toMatchObject({ ok: false, reason: 'missing_dependencies' });
  });

  it('garbage bytes are refused as malformed', () => {
    const server = serverDoc();
    for (const bytes of [[], [1, 2, 3], [255, 255, 255, 255], [5, 200, 1, 7]]) {
      expect(analyzeUpdate(server.doc, new Uint8Array(bytes)), JSON.stringify(bytes)).toMatchObject({ ok: false, reason: 'malformed' });
    }
  });

  it('an update the document already contains touches nothing', () => {
    const server = serverDoc();
    const update = deviceCopy(server.doc).edit((conv) => {
      writeMessage(conv, MIA, 'out', 'hi', { now: T0 + 1, ulid: newId });
      conv.tags.set('vip', true);
      conv.tags.delete('vip');
    });
    Y.applyUpdate(server.doc, update);
    expect(touched(server.doc, update)).toEqual([]);
    expect(touched(server.doc, Y.encodeStateAsUpdate(server.doc))).toEqual([]);
  });
});

describe('map overwrites are attributed through their origins', () => {
  it('renaming a client the server already knows a custom name for touches meta.customName: the new value in, the old one out', () => {
    const server = serverDoc();
    const first = deviceCopy(server.doc).edit((conv) => renameClient(conv, 'Ann'));
    Y.applyUpdate(server.doc, first);
    const second = deviceCopy(server.doc).edit((conv) => renameClient(conv, 'Ann (VIP)'));
    const items = touched(server.doc, second);
    expect(items).toContainEqual({ root: 'meta', key: 'customName', op: 'insert', values: ['Ann (VIP)'], content: 'json' });
    expect(items).toContainEqual({ root: 'meta', key: 'customName', op: 'delete', values: ['Ann'], content: 'json' });
    expect(items.every((t) => t.root === 'meta' && t.key === 'customName')).toBe(true);
    expect(judge(server.conv, second)).toMatchObject({ ok: true });
  });

  it('an overwrite of a server-owned key is still recognised as that key', () => {
    const server = serverDoc();
    const update = deviceCopy(server.doc).edit((conv) => conv.meta.set('assigneeId', LEO));
    const items = touched(server.doc, update);
    expect(items).toContainEqual(expect.objectContaining({ root: 'meta', key: 'assigneeId', op: 'insert', values: [LEO] }));
    expect(items).toContainEqual(expect.objectContaining({ root: 'meta', key: 'assigneeId', op: 'delete', values: [MIA] }));
  });

  it('two renames merged into one offline update both resolve to meta.customName', () => {
    const server = serverDoc();
    const device = deviceCopy(server.doc);
    const a = device.edit((conv) => renameClient(conv, 'Ann'));
    const b = device.edit((conv) => renameClient(conv, 'Ann Lee-Smith'));
    const items = touched(server.doc, Y.mergeUpdates([a, b]));
    expect(items.filter((t) => t.op === 'insert').map((t) => [t.root, t.key, t.values])).toEqual([
      ['meta', 'customName', ['Ann']], ['meta', 'customName', ['Ann Lee-Smith']],
    ]);
    expect(judge(server.conv, Y.mergeUpdates([a, b]))).toMatchObject({ ok: true });
  });

  it('two renames in one transaction resolve to meta.customName', () => {
    const server = serverDoc();
    const update = deviceCopy(server.doc).edit((conv) => {
      renameClient(conv, 'first');
      renameClient(conv, 'second');
    });
    const items = touched(server.doc, update);
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((t) => t.root === 'meta' && t.key === 'customName')).toBe(true);
    expect(items).toContainEqual({ root: 'meta', key: 'customName', op: 'insert', values: ['second'], content: 'json' });
  });

  it('a message appended after existing ones is attributed to the messages list through its origin', () => {
    const server = serverDoc();
    const update = deviceCopy(server.doc).edit((conv) => writeMessage(conv, MIA, 'note', 'n', { now: T0 + 1, ulid: newId }));
    expect(touched(server.doc, update).map((t) => [t.root, t.key, t.op])).toEqual([['messages', null, 'insert']]);
  });
});
