/**
 * Offline search (product §4.5) over the device's IndexedDB: client names through the
 * conversations' `clientNameLower` index, message text through the `postings` table (per word,
 * the ids of the messages holding it) and the `search` records those ids name. The worker fills
 * both in the same transaction that stores a conversation update; the UI thread queries them
 * with `searchLocal` without decoding any document.
 */
import * as Y from 'yjs';
import { parseDocName } from '../../src-core/conversation/doc';
import type { MessageEntry } from '../../src-core/conversation/types';
import type { SwitchboardDb } from './db';
import type { ConversationRecord, PostingRecord, SearchRecord } from './schema';

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
  return { id: m.id, conversationId, kind: m.kind, text: text || attachmentName, at, terms: words };
}

/** A record's words, also for records written before version 3. */
export function termsOf(r: Pick<SearchRecord, 'terms' | 'words'>): string[] {
  return r.terms ?? r.words ?? [];
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

// ---- postings ------------------------------------------------------------------------------------

/** A merge turns small rows holding at least this many ids into full rows of this size. */
export const POSTING_FULL_ROW = 2000;

let postingCounter = 0;
/**
 * A row key unique on this device (time, a per-session counter and a random part) that ends with
 * the row's id count after a '.', so that readers learn a word's size from keys alone.
 */
export function postingSeq(full: boolean, count: number): string {
  postingCounter = (postingCounter + 1) % 1_679_616;
  const random = Math.floor(Math.random() * 1_679_616);
  return `${full ? 'f' : 's'}${Date.now().toString(36).padStart(9, '0')}${postingCounter.toString(36).padStart(4, '0')}${random.toString(36).padStart(4, '0')}.${count}`;
}

/** The id count a row key names (see `postingSeq`). */
export function postingCount(seq: string): number {
  const n = Number(seq.slice(seq.lastIndexOf('.') + 1));
  // A key without a count is never written; counted as large, it is read last.
  return Number.isFinite(n) ? n : POSTING_FULL_ROW;
}

/** Message ids with their conversations, in two parallel arrays. */
export interface PostingList {
  ids: string[];
  conversations: number[];
}

/** Groups message ids (with their conversations) by the words their records hold. */
export function idsByWord(records: Iterable<Pick<SearchRecord, 'id' | 'conversationId' | 'terms' | 'words'>>, into = new Map<string, PostingList>()): Map<string, PostingList> {
  for (const r of records) {
    for (const w of termsOf(r)) {
      const list = into.get(w);
      if (list) {
        list.ids.push(r.id);
        list.conversations.push(r.conversationId);
      } else into.set(w, { ids: [r.id], conversations: [r.conversationId] });
    }
  }
  return into;
}

/**
 * Posting rows for ids grouped by word: full rows of `POSTING_FULL_ROW` ids, and the rest of
 * each word in one small row (or all of it, with `full` false: a fresh write that merges fold
 * together later).
 */
export function postingRows(byWord: Map<string, PostingList>, full: boolean): PostingRecord[] {
  const rows: PostingRecord[] = [];
  for (const [word, { ids, conversations }] of byWord) {
    let at = 0;
    if (full) {
      for (; ids.length - at >= POSTING_FULL_ROW; at += POSTING_FULL_ROW) {
        rows.push({ word, seq: postingSeq(true, POSTING_FULL_ROW), ids: ids.slice(at, at + POSTING_FULL_ROW), conversations: conversations.slice(at, at + POSTING_FULL_ROW) });
      }
    }
    if (at < ids.length) {
      rows.push({ word, seq: postingSeq(false, ids.length - at), ids: at === 0 ? ids : ids.slice(at), conversations: at === 0 ? conversations : conversations.slice(at) });
    }
  }
  return rows;
}

/**
 * While this row exists the postings do not yet cover every stored message (a store upgraded
 * from version 2 fills them in the background); `ids[0]`, when present, is the last search record
 * covered so far. No word is empty, so no query range includes it.
 */
export const BACKFILL_KEY: [string, string] = ['', 'backfill'];

/** The key range of a word's small rows (the ones a merge folds together). */
export function smallRowRange(word: string): [[string, string], [string, string]] {
  return [[word, 's'], [word, 't']];
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
  /** The conversation's row as the search read it (set in every result returned). */
  row: ConversationRecord | null;
}

export interface SearchOptions {
  /** Conversations returned at most (default 50). */
  limit?: number;
  /** Messages listed per conversation at most (default 3). */
  hitsPerConversation?: number;
  /** Tuning: a query word held by more messages is checked on the records instead of read from its postings (default 50,000). */
  readLimit?: number;
  /** Tuning: messages scanned newest-first, when every query word is that common, before reading the rarest word's postings after all (default 20,000). */
  denseScanLimit?: number;
}

const SNIPPET_BEFORE = 40;
const SNIPPET_LENGTH = 160;
/** Records read per request at least while checking matches on their records. */
const CHUNK = 128;
/**
 * Ids read from one word's postings at most. Reading an id costs well under a microsecond, a
 * record tens of microseconds: a word is read unless it is so common that checking it on the
 * records of the other words' matches is cheaper, or every query word is (then the newest
 * messages hold enough matches).
 */
const READ_LIMIT = 50_000;
/** Row keys looked at per query word: a prefix with more rows counts as too common to read. */
const ROW_KEYS_MAX = 1000;
/** Reading a word's postings pays off when its ids number less than this many per candidate it may rule out. */
const IDS_PER_RECORD = 200;
/** Messages scanned newest-first when every query word is common. */
const DENSE_SCAN = 20_000;

/** The posting rows of every word that starts with `prefix` (one key range: word, then row). */
function postingRange(db: SwitchboardDb, prefix: string) {
  return db.postings.where(':id').between([prefix, ''], [`${prefix}\uffff`, ''], true, false);
}

/** The ids of `rows` that `keep` holds (all of them when `keep` is null), each with its conversation. */
function intersect(keep: Map<string, number> | null, rows: PostingRecord[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const row of rows) {
    const { ids, conversations } = row;
    for (let i = 0; i < ids.length; i++) if (keep === null || keep.has(ids[i])) out.set(ids[i], conversations[i]);
  }
  return out;
}

/**
 * Searches client names (prefix of the whole name) and messages whose words start with every
 * query word. Names come first, then conversations by their newest matching message.
 * Reads IndexedDB only, so it works offline and on the UI thread.
 *
 * Messages: the posting row keys tell how many messages hold each query word (all words that
 * start with it); the words' ids are intersected rarest first. Their conversations come with
 * them, so the newest ids (ids are ULIDs) pick the conversations and hits, and only those records
 * are read. A word too common to read cheaply is checked on the records of the other words'
 * matches instead; when every word is that common, the newest messages are scanned directly,
 * which finds enough of them quickly.
 */
export async function searchLocal(db: SwitchboardDb, query: string, opts: SearchOptions = {}): Promise<ConversationSearchResult[]> {
  const limit = Math.max(1, opts.limit ?? 50);
  const perConversation = Math.max(1, opts.hitsPerConversation ?? 3);
  const phrase = normalizeText(query).trim().replace(/\s+/g, ' ');
  const words = queryWords(query);
  if (phrase === '') return [];
  return db.transaction('r', [db.conversations, db.postings, db.search], () => searchIn(db, phrase, words, limit, perConversation, opts));
}

async function searchIn(db: SwitchboardDb, phrase: string, words: string[], limit: number, perConversation: number, opts: SearchOptions): Promise<ConversationSearchResult[]> {
  const results = new Map<number, ConversationSearchResult>();
  const [names, rowKeys, backfill] = await Promise.all([
    db.conversations.where('clientNameLower').startsWith(phrase).limit(limit).toArray(),
    Promise.all(words.map((w) => postingRange(db, w).limit(ROW_KEYS_MAX + 1).primaryKeys())),
    db.postings.get(BACKFILL_KEY),
  ]);
  names.sort((a, b) => b.lastActivityAt - a.lastActivityAt);
  for (const row of names) {
    results.set(row.id, { conversationId: row.id, clientName: row.clientName, nameMatches: highlight(row.clientName, words), hits: [], latestAt: row.lastActivityAt, row });
  }
  if (words.length === 0) return [...results.values()];

  const messageResults = new Map<number, ConversationSearchResult>();
  /** Conversation rows read for message results (null: the device no longer holds it). */
  const rowsRead = new Map<number, ConversationRecord | null>();
  const full = () => results.size + messageResults.size >= limit;
  /** Adds a matching message; returns false once no new conversation fits. */
  const collect = (r: SearchRecord): boolean => {
    let group = results.get(r.conversationId) ?? messageResults.get(r.conversationId);
    if (!group) {
      if (full()) return false;
      group = { conversationId: r.conversationId, clientName: '', nameMatches: null, hits: [], latestAt: r.at, row: null };
      messageResults.set(r.conversationId, group);
    }
    group.latestAt = Math.max(group.latestAt, r.at);
    if (group.hits.length < perConversation) group.hits.push(hitOf(r, words));
    return true;
  };
  const matchesAll = (r: SearchRecord) => {
    const terms = termsOf(r);
    return words.every((w) => terms.some((rw) => rw.startsWith(w)));
  };

  // How many messages hold each word, from the keys alone (duplicates included: an upper bound).
  const sizes = words.map((w, i) => ({
    word: w,
    size: rowKeys[i].length > ROW_KEYS_MAX ? Infinity : rowKeys[i].reduce((n, key) => n + postingCount((key as [string, string])[1]), 0),
  }));
  sizes.sort((a, b) => a.size - b.size);
  const readLimit = Math.max(1, opts.readLimit ?? READ_LIMIT);
  let candidates: Map<string, number> | null = null;
  let wordsRead = 0;
  if (backfill) {
    // The postings are still being filled: every record is checked, newest first.
  } else if (sizes[0].size === 0) {
    // A word no message starts with.
  } else if (sizes[0].size <= readLimit) {
    // The rarest word bounds the matches: a word far more common than that is cheaper to check on their records.
    const read = sizes.filter(({ size }, i) => i === 0 || (size <= readLimit && size <= sizes[0].size * IDS_PER_RECORD));
    const lists = await Promise.all(read.map(({ word }) => postingRange(db, word).toArray()));
    for (const rows of lists) {
      candidates = intersect(candidates, rows);
      if (candidates.size === 0) break;
    }
    wordsRead = read.length;
  }
  if (backfill || (sizes[0].size > readLimit && candidates === null)) {
    // Every word is common: its matches are among the newest messages.
    const scanLimit = backfill ? Infinity : Math.max(1, opts.denseScanLimit ?? DENSE_SCAN);
    let below: string | null = null;
    let scanned = 0;
    let exhausted = false;
    while (!full() && scanned < scanLimit) {
      const size = Math.min(CHUNK * 4, scanLimit - scanned);
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
    if (!full() && !exhausted) {
      // Many matches in few conversations: start over from the rarest word's postings.
      messageResults.clear();
      for (const group of results.values()) group.hits = [];
      candidates = intersect(null, await postingRange(db, sizes[0].word).toArray());
      wordsRead = 1;
    }
  }
  if (candidates !== null && candidates.size > 0) {
    // Message ids are ULIDs: descending key order is newest first.
    const ids = [...candidates.keys()].sort();
    if (wordsRead === words.length) await pickFromPostings(ids, candidates);
    else await checkRecords(ids);
  }

  /**
   * Every word was read: the postings alone say which messages match and in which conversation.
   * Walks ids newest first, choosing each conversation's newest hits until a conversation no
   * longer fits, then reads those records and the new conversations' rows together; a record or
   * row the device no longer holds frees its place for the next round.
   */
  async function pickFromPostings(ids: string[], conversationOf: Map<string, number>): Promise<void> {
    let end = ids.length;
    while (end > 0 && !full()) {
      const chosen: string[] = [];
      const picked = new Map<number, number>();
      const fresh: number[] = [];
      for (; end > 0; end--) {
        const id = ids[end - 1];
        const conversationId = conversationOf.get(id)!;
        if (rowsRead.get(conversationId) === null) continue;
        const group = results.get(conversationId) ?? messageResults.get(conversationId);
        let n = picked.get(conversationId);
        if (n === undefined) {
          if (!group) {
            if (results.size + messageResults.size + fresh.length >= limit) break;
            fresh.push(conversationId);
          }
          n = group?.hits.length ?? 0;
        }
        if (n < perConversation) {
          chosen.push(id);
          n++;
        }
        picked.set(conversationId, n);
      }
      const [records, rows] = await Promise.all([db.search.bulkGet(chosen), db.conversations.bulkGet(fresh)]);
      fresh.forEach((id, i) => rowsRead.set(id, rows[i] ?? null));
      for (const r of records) {
        if (!r || rowsRead.get(r.conversationId) === null) continue;
        collect(r);
      }
    }
  }

  /** Some word was too common to read: checks every query word on the records, newest first. */
  async function checkRecords(ids: string[]): Promise<void> {
    let end = ids.length;
    let stop = false;
    while (end > 0 && !stop && !full()) {
      // Enough records for the conversations still missing, in one request where possible.
      const size = Math.max(CHUNK, limit - results.size - messageResults.size + 16);
      const chunk = ids.slice(Math.max(0, end - size), end).reverse();
      end -= chunk.length;
      const records = await db.search.bulkGet(chunk);
      for (const r of records) {
        // No record: the message's conversation was forgotten since its id was posted.
        if (!r || !matchesAll(r)) continue;
        if (!collect(r)) {
          stop = true;
          break;
        }
      }
    }
  }
  for (const group of results.values()) group.hits.sort((a, b) => b.at - a.at);
  if (messageResults.size > 0) {
    const unread = [...messageResults.keys()].filter((id) => !rowsRead.has(id));
    const fetched = await db.conversations.bulkGet(unread);
    unread.forEach((id, i) => rowsRead.set(id, fetched[i] ?? null));
    for (const [id, group] of messageResults) {
      const row = rowsRead.get(id);
      // A message of a conversation the device no longer holds is not a result.
      if (!row) continue;
      group.clientName = row.clientName;
      group.row = row;
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
