/**
 * Offline search (product §4.5) over the device's IndexedDB: client names through the
 * conversations' `clientNameLower` index, message text through the `search` table's multiEntry
 * `words` index. The worker fills `search` in the same transaction that stores a conversation
 * update; the UI thread queries it with `searchLocal` without decoding any document.
 */
import * as Y from 'yjs';
import { parseDocName } from '../../src-core/conversation/doc';
import type { MessageEntry } from '../../src-core/conversation/types';
import type { SwitchboardDb } from './db';
import type { ConversationRecord, SearchRecord } from './schema';

// ---- words ---------------------------------------------------------------------------------------

/** Letters (with their combining marks) and digits; everything else separates words. */
const WORD = /[\p{L}\p{M}\p{N}]+/gu;
/** Scripts written without spaces between words: indexed as character bigrams. */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
/** Longer words are cut: a prefix search never needs more, and index keys stay small. */
const MAX_WORD = 64;

export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

function clip(word: string): string {
  return word.length <= MAX_WORD ? word : Array.from(word).slice(0, MAX_WORD).join('');
}

/** Splits one letter/digit run into its Latin-like words and CJK bigrams. */
function addToken(token: string, out: Set<string>, forQuery: boolean): void {
  // Most text has no CJK at all: one test per word instead of one per character.
  if (!CJK.test(token)) {
    out.add(clip(token));
    return;
  }
  let run: string[] = [];
  let runIsCjk = false;
  const flush = () => {
    if (run.length === 0) return;
    if (!runIsCjk) out.add(clip(run.join('')));
    else if (run.length === 1) out.add(run[0]);
    else {
      for (let i = 0; i < run.length - 1; i++) out.add(run[i] + run[i + 1]);
      // A one-character query must also find the last character of a run, which starts no bigram.
      if (!forQuery) out.add(run[run.length - 1]);
    }
    run = [];
  };
  for (const ch of token) {
    const cjk = CJK.test(ch);
    if (run.length > 0 && cjk !== runIsCjk) flush();
    runIsCjk = cjk;
    run.push(ch);
  }
  flush();
}

/** The words a text is found by: NFKC, lower case, split on non-letters/digits, CJK as bigrams. */
export function searchWords(text: string): string[] {
  const out = new Set<string>();
  for (const m of normalizeText(text).matchAll(WORD)) addToken(m[0], out, false);
  return [...out];
}

/** The words of a query; each must be the start of one of a message's words. */
export function queryWords(query: string): string[] {
  const out = new Set<string>();
  for (const m of normalizeText(query).matchAll(WORD)) addToken(m[0], out, true);
  return [...out];
}

// ---- indexing ------------------------------------------------------------------------------------

/** A message's search record, or null for what search does not cover (system lines, empty text). */
export function searchRecordOf(conversationId: number, m: MessageEntry, at = m.createdAt): SearchRecord | null {
  if (m.kind !== 'in' && m.kind !== 'out' && m.kind !== 'note') return null;
  const text = m.text ?? '';
  const attachmentName = m.attachment?.name ?? '';
  const words = searchWords(attachmentName ? `${text} ${attachmentName}` : text);
  if (words.length === 0) return null;
  return { id: m.id, conversationId, kind: m.kind, text: text || attachmentName, at, words };
}

const MESSAGE_KINDS = new Set(['in', 'out', 'note', 'system']);

/** Only `messages` entries have a `kind` and a `senderType` (ARCHITECTURE, conversation document). */
function isMessageEntry(v: unknown): v is MessageEntry {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const m = v as Record<string, unknown>;
  return typeof m.id === 'string' && MESSAGE_KINDS.has(m.kind as string) && typeof m.senderType === 'string' && typeof m.createdAt === 'number';
}

/**
 * The messages a conversation update brings, read from the update itself (no document needed, so
 * the store can index them in the transaction that stores the update). Items whose parent the
 * update names are taken only from `messages`; items placed by origin are recognised by shape.
 */
export function messagesInUpdate(update: Uint8Array): MessageEntry[] {
  let structs: Array<Y.Item | Y.GC | Y.Skip>;
  try {
    structs = Y.decodeUpdate(update).structs;
  } catch {
    return [];
  }
  const out: MessageEntry[] = [];
  for (const s of structs) {
    if (!(s instanceof Y.Item) || !(s.content instanceof Y.ContentAny)) continue;
    const parent = s.parent as unknown;
    if (typeof parent === 'string' && parent !== 'messages') continue;
    if (s.parentSub !== null) continue;
    for (const v of s.content.arr) if (isMessageEntry(v)) out.push(v);
  }
  return out;
}

/** Search records for every message that a batch of document updates brings. */
export function searchRecordsFromUpdates(updates: ReadonlyArray<{ doc: string; update: Uint8Array }>): SearchRecord[] {
  const byId = new Map<string, SearchRecord>();
  for (const u of updates) {
    const parsed = parseDocName(u.doc);
    if (parsed?.kind !== 'conv') continue;
    for (const m of messagesInUpdate(u.update)) {
      if (byId.has(m.id)) continue;
      const record = searchRecordOf(parsed.id, m);
      if (record) byId.set(m.id, record);
    }
  }
  return [...byId.values()];
}

// ---- querying ------------------------------------------------------------------------------------

/** `[start, end)` UTF-16 offsets into a string, for highlighting. */
export interface MatchRange {
  start: number;
  end: number;
}

export interface SearchHit {
  messageId: string;
  kind: SearchRecord['kind'];
  at: number;
  /** Part of the message around the first match ("…" where cut). */
  snippet: string;
  /** Matches inside `snippet`. */
  matches: MatchRange[];
}

export interface ConversationSearchResult {
  conversationId: number;
  clientName: string;
  /** Matches inside `clientName` when the name matched. */
  nameMatches: MatchRange[] | null;
  /** Matching messages, newest first (at most `hitsPerConversation`). */
  hits: SearchHit[];
  /** Newest matching message, or the conversation's last activity for a name match. */
  latestAt: number;
}

export interface SearchOptions {
  /** Conversations returned at most (default 50). */
  limit?: number;
  /** Messages listed per conversation at most (default 3). */
  hitsPerConversation?: number;
  /** Tuning: a lead word with at least this many index entries is walked newest-first (default 2,000). */
  denseThreshold?: number;
  /** Tuning: messages scanned newest-first before falling back to the word's key range (default 20,000). */
  denseScanLimit?: number;
}

const SNIPPET_BEFORE = 40;
const SNIPPET_LENGTH = 160;
const CHUNK = 100;
/** A lead word with this many index entries counts as common. */
const DENSE = 2000;
/** Messages scanned newest-first for a common word before falling back to its full key range. */
const DENSE_SCAN = 20_000;

/**
 * Searches client names (prefix of the whole name) and messages whose words start with every
 * query word. Names come first, then conversations by their newest matching message.
 * Reads IndexedDB only, so it works offline and on the UI thread.
 */
export async function searchLocal(db: SwitchboardDb, query: string, opts: SearchOptions = {}): Promise<ConversationSearchResult[]> {
  const limit = Math.max(1, opts.limit ?? 50);
  const perConversation = Math.max(1, opts.hitsPerConversation ?? 3);
  const phrase = normalizeText(query).trim().replace(/\s+/g, ' ');
  const words = queryWords(query);
  if (phrase === '') return [];

  const results = new Map<number, ConversationSearchResult>();
  const names = await db.conversations.where('clientNameLower').startsWith(phrase).limit(limit).toArray();
  names.sort((a, b) => b.lastActivityAt - a.lastActivityAt);
  for (const row of names) {
    results.set(row.id, { conversationId: row.id, clientName: row.clientName, nameMatches: highlight(row.clientName, words), hits: [], latestAt: row.lastActivityAt });
  }
  if (words.length === 0) return [...results.values()];

  const messageResults = new Map<number, ConversationSearchResult>();
  const full = () => results.size + messageResults.size >= limit;
  /** Adds a matching message; returns false once no new conversation fits. */
  const collect = (r: SearchRecord): boolean => {
    let group = results.get(r.conversationId) ?? messageResults.get(r.conversationId);
    if (!group) {
      if (full()) return false;
      group = { conversationId: r.conversationId, clientName: '', nameMatches: null, hits: [], latestAt: r.at };
      messageResults.set(r.conversationId, group);
    }
    group.latestAt = Math.max(group.latestAt, r.at);
    if (group.hits.length < perConversation) group.hits.push(hitOf(r, words));
    return true;
  };
  const matchesAll = (r: SearchRecord) => words.every((w) => r.words.some((rw) => rw.startsWith(w)));

  // The longest word is the likeliest to be rare: its index range is the one to walk.
  const lead = words.reduce((best, w) => (w.length > best.length ? w : best), words[0]);
  const range = db.search.where('words').startsWith(lead);
  const dense = Math.max(1, opts.denseThreshold ?? DENSE);
  const scanLimit = Math.max(1, opts.denseScanLimit ?? DENSE_SCAN);
  const sample = await range.clone().limit(dense).primaryKeys();
  let done = false;
  if (sample.length >= dense) {
    // A common word (a short prefix): newest messages first, until enough conversations matched.
    let below: string | null = null;
    let scanned = 0;
    let exhausted = false;
    while (!full() && scanned < scanLimit) {
      const size = Math.min(CHUNK * 5, scanLimit - scanned);
      const newestFirst = below === null ? db.search.toCollection() : db.search.where(':id').below(below);
      const page: SearchRecord[] = await newestFirst.reverse().limit(size).toArray();
      for (const r of page) if (matchesAll(r) && !collect(r)) break;
      scanned += page.length;
      if (page.length < size) {
        exhausted = true;
        break;
      }
      below = page[page.length - 1].id;
    }
    done = full() || exhausted;
    if (!done) {
      // Many matches in few conversations: start over the exact way.
      messageResults.clear();
      for (const group of results.values()) group.hits = [];
    }
  }
  if (!done) {
    const keys = sample.length < dense ? [...new Set(sample)] : [...new Set(await range.primaryKeys())];
    // Message ids are ULIDs: descending key order is newest first.
    keys.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    for (let i = 0; i < keys.length && !full(); i += CHUNK) {
      const records = await db.search.bulkGet(keys.slice(i, i + CHUNK));
      for (const r of records) if (r && matchesAll(r) && !collect(r)) break;
    }
  }
  for (const group of results.values()) group.hits.sort((a, b) => b.at - a.at);
  if (messageResults.size > 0) {
    const rows = await db.conversations.bulkGet([...messageResults.keys()]);
    // A message of a conversation the device no longer holds is not a result.
    for (const row of rows) {
      if (!row) continue;
      const group = messageResults.get(row.id)!;
      group.clientName = row.clientName;
      group.hits.sort((a, b) => b.at - a.at);
      results.set(row.id, group);
    }
  }
  const nameIds = new Set(names.map((n) => n.id));
  const ordered = [...results.values()];
  ordered.sort((a, b) => Number(nameIds.has(b.conversationId)) - Number(nameIds.has(a.conversationId)) || b.latestAt - a.latestAt);
  return ordered.slice(0, limit);
}

function hitOf(r: SearchRecord, words: string[]): SearchHit {
  const ranges = highlight(r.text, words);
  const first = ranges[0]?.start ?? 0;
  let start = Math.max(0, first - SNIPPET_BEFORE);
  if (start > 0) {
    // Start at a word boundary.
    const space = r.text.lastIndexOf(' ', first);
    if (space >= start) start = space + 1;
  }
  const end = Math.min(r.text.length, start + SNIPPET_LENGTH);
  const prefix = start > 0 ? '…' : '';
  const suffix = end < r.text.length ? '…' : '';
  const snippet = prefix + r.text.slice(start, end) + suffix;
  const shift = prefix.length - start;
  const matches: MatchRange[] = [];
  for (const { start: a, end: b } of ranges) {
    if (b <= start || a >= end) continue;
    matches.push({ start: Math.max(a, start) + shift, end: Math.min(b, end) + shift });
  }
  return { messageId: r.id, kind: r.kind, at: r.at, snippet, matches };
}

/**
 * Where the query words occur in the original text: each word that starts with a query word is
 * highlighted for the length of that query word; CJK query bigrams where they occur. Ranges are
 * sorted and merged.
 */
export function highlight(text: string, words: string[]): MatchRange[] {
  if (words.length === 0) return [];
  const cjkWords = words.filter((w) => CJK.test(w));
  const plainWords = words.filter((w) => !CJK.test(w));
  const ranges: Array<[number, number]> = [];
  for (const m of text.matchAll(WORD)) {
    const token = m[0];
    const at = m.index!;
    const norm = normalizeText(token);
    for (const w of plainWords) {
      if (!norm.startsWith(w)) continue;
      // The shortest prefix of the original token that normalises to at least the query word.
      let length = 0;
      for (const ch of token) {
        length += ch.length;
        if (normalizeText(token.slice(0, length)).length >= w.length) break;
      }
      ranges.push([at, at + length]);
    }
    for (const w of cjkWords) {
      let from = 0;
      for (;;) {
        const i = token.indexOf(w, from);
        if (i < 0) break;
        ranges.push([at + i, at + i + w.length]);
        from = i + 1;
      }
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: MatchRange[] = [];
  for (const [start, end] of ranges) {
    const last = merged[merged.length - 1];
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else merged.push({ start, end });
  }
  return merged;
}

/** The name index key of a conversation row. */
export function clientNameKey(row: Pick<ConversationRecord, 'clientName'>): string {
  return normalizeText(row.clientName).trim().replace(/\s+/g, ' ');
}
