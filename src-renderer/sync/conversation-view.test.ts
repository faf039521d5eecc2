/**
 * The open conversation's view and its timeline window: a long conversation reaches the UI as its
 * newest page, and every older item stays reachable by widening the window.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ConversationDoc } from '../../src-core/conversation/doc';
import { monotonicUlid } from '../../src-core/ids';
import type { MessageEntry } from '../../src-core/conversation/types';
import { markRead, setTopic } from '../../src-core/conversation/actions';
import { TIMELINE_PAGE, buildConversationView, timelineOf, timelineWindow } from './conversation-view';

const T0 = 1_700_000_000_000;
const USER = 10;
const newId = monotonicUlid();

/** A conversation with `count` messages alternating client/operator, one a minute, all accepted. */
function conversation(count: number): ConversationDoc {
  const conv = new ConversationDoc(new Y.Doc());
  conv.doc.transact(() => {
    conv.setMeta({
      id: 7, companyId: 9, clientId: 3, accountChannelId: 2, application: 'telegrambot', clientName: 'Ann Lee',
      status: 'inbox', assigneeId: USER, groupId: 1, distributing: false, locked: false, queryId: 100, createdAt: T0,
      unassignedAt: null, closedAt: null, closeGroupId: null, previousAssigneeId: null, queryOrigin: 'client', customName: null,
      readWatermark: null,
    });
    for (let i = 0; i < count; i++) {
      const at = T0 + i * 60_000;
      const kind = i % 2 === 0 ? 'in' : 'out';
      const m: MessageEntry = {
        id: newId(at), kind, senderType: kind === 'in' ? 'client' : 'operator', authorId: kind === 'in' ? null : USER,
        text: `message ${i}`, attachment: null, createdAt: at, seenMessageId: null, externalId: null,
      };
      conv.messages.push([m]);
      conv.delivery.set(m.id, { acceptedAt: at, serverId: i + 1, status: kind === 'out' ? 'delivered' : null, error: null });
    }
  });
  return conv;
}

const texts = (items: Array<{ type: string; text?: string | null }>) => items.map((i) => (i.type === 'message' ? i.text : i.type));

describe('the conversation view', () => {
  it('is whole when built, with nothing left out', () => {
    const view = buildConversationView(conversation(5), USER, null)!;
    expect(view.olderCount).toBe(0);
    expect(texts(view.timeline)).toEqual(['message 0', 'message 1', 'message 2', 'message 3', 'message 4']);
    expect(view.timeline[1]).toMatchObject({ kind: 'out', status: 'delivered', pending: false });
  });

  it('windows a long timeline to its newest items, oldest first, and counts the rest', () => {
    const full = buildConversationView(conversation(2_000), USER, null)!;
    const page = timelineWindow(full, TIMELINE_PAGE);
    expect(page.timeline).toHaveLength(TIMELINE_PAGE);
    expect(page.olderCount).toBe(2_000 - TIMELINE_PAGE);
    expect(texts(page.timeline).at(0)).toBe(`message ${2_000 - TIMELINE_PAGE}`);
    expect(texts(page.timeline).at(-1)).toBe('message 1999');
    // Everything else is the full view's.
    expect(page.meta).toEqual(full.meta);
    expect(page.row).toEqual(full.row);
  });

  it('reaches every item by widening the window, page after page', () => {
    const full = buildConversationView(conversation(250), USER, null)!;
    let size = TIMELINE_PAGE;
    let view = timelineWindow(full, size);
    while (view.olderCount > 0) {
      size += 100;
      const wider = timelineWindow(full, size);
      // A wider window only adds older items in front of what was shown.
      expect(wider.timeline.slice(wider.timeline.length - view.timeline.length)).toEqual(view.timeline);
      expect(wider.olderCount + wider.timeline.length).toBe(250);
      view = wider;
    }
    expect(texts(view.timeline)).toEqual(texts(full.timeline));
  });

  it('keeps a short timeline whole and ignores sizes beyond it', () => {
    const full = buildConversationView(conversation(10), USER, null)!;
    expect(timelineWindow(full, TIMELINE_PAGE)).toBe(full);
    expect(timelineWindow(full, 10)).toBe(full);
    const three = timelineWindow(full, 3);
    expect(texts(three.timeline)).toEqual(['message 7', 'message 8', 'message 9']);
    expect(three.olderCount).toBe(7);
    expect(timelineWindow(full, 0)).toMatchObject({ timeline: [], olderCount: 10 });
  });

  it('reuses the built timeline until messages, delivery or events change', () => {
    const conv = conversation(300);
    const before = buildConversationView(conv, USER, null)!;
    // A read watermark or a topic changes the view, not its timeline.
    markRead(conv);
    setTopic(conv, 4, true);
    const after = buildConversationView(conv, USER, null)!;
    expect(after.timeline).toBe(before.timeline);
    expect(after.topicIds).toEqual([4]);
    // The server accepts a failure of the last reply: the timeline is built again and says so.
    const last = before.timeline.at(-1)!;
    conv.delivery.set(last.id, { acceptedAt: last.at, serverId: 300, status: 'failed', error: { reason: 'unknown', message: 'gone' } });
    const failed = timelineOf(conv);
    expect(failed).not.toBe(before.timeline);
    expect(failed.at(-1)).toMatchObject({ id: last.id, status: 'failed', error: { message: 'gone' } });
    // A new message too.
    conv.messages.push([{
      id: newId(T0 + 400 * 60_000), kind: 'note', senderType: 'operator', authorId: USER, text: 'a note', attachment: null,
      createdAt: T0 + 400 * 60_000, seenMessageId: null, externalId: null,
    }]);
    expect(timelineOf(conv).at(-1)).toMatchObject({ kind: 'note', text: 'a note', pending: true, status: null });
    expect(timelineOf(conv)).toHaveLength(301);
  });
});
