/**
 * The UI's view of the local store: the tables it reads with indexed live queries, and the one it
 * writes (drafts, on every keystroke). The store and the search index belong to src-renderer/store;
 * this file adapts them to what the screens need.
 */
import { openStore, type SwitchboardDb } from '../store/db';
import { searchLocal } from '../store/search';

export type InboxDb = SwitchboardDb;

export async function openInboxDb(name: string): Promise<InboxDb> {
  const db = openStore(name);
  await db.open();
  return db;
}

/** One highlighted excerpt: `ranges` are [start, end) offsets into `text`. */
export interface Snippet {
  text: string;
  ranges: Array<[number, number]>;
  kind: 'name' | 'in' | 'out' | 'note' | 'system';
}

export interface SearchResult {
  conversationId: number;
  snippets: Snippet[];
}

/** Offline search, grouped by conversation (product §4.5): name matches first, then messages. */
export async function searchConversations(db: InboxDb, query: string, limit: number): Promise<SearchResult[]> {
  const groups = await searchLocal(db, query, { limit });
  return groups.map((g) => ({
    conversationId: g.conversationId,
    snippets: [
      ...(g.nameMatches ? [{ text: g.clientName, ranges: g.nameMatches.map((m) => [m.start, m.end] as [number, number]), kind: 'name' as const }] : []),
      ...g.hits.map((h) => ({
        text: h.snippet,
        ranges: h.matches.map((m) => [m.start, m.end] as [number, number]),
        kind: h.kind,
      })),
    ],
  }));
}
