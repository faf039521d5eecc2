/**
 * Attributes every change an incoming Yjs update would make to a root type and map key, without
 * applying it. The server uses this to refuse writes to server-owned parts before they touch the
 * document (a Yjs update cannot be taken back once applied).
 */
import * as Y from 'yjs';

export interface TouchedItem {
  root: string;
  /** Map key for Y.Map roots; null for arrays. */
  key: string | null;
  op: 'insert' | 'delete';
  /** JSON values of an insert (ContentAny) or of a deleted item, when the content is plain JSON. */
  values: unknown[] | null;
  /** What kind of content the item holds. */
  content: 'json' | 'deleted' | 'other';
}

export type Analysis =
  | { ok: true; touched: TouchedItem[] }
  | { ok: false; reason: 'malformed' | 'missing_dependencies' | 'nested_type' | 'unsupported'; detail: string };

interface Located { root: string; key: string | null }

class Reject extends Error {
  constructor(readonly reason: Exclude<Analysis, { ok: true }>['reason'], detail: string) {
    super(detail);
  }
}

function contentOf(item: Y.Item, offset: number): Pick<TouchedItem, 'values' | 'content'> {
  const c = item.content;
  if (c instanceof Y.ContentAny) return { values: c.arr.slice(offset), content: 'json' };
  if (c instanceof Y.ContentDeleted) return { values: null, content: 'deleted' };
  return { values: null, content: 'other' };
}

export function analyzeUpdate(doc: Y.Doc, update: Uint8Array): Analysis {
  let decoded: { structs: Array<Y.Item | Y.GC | Y.Skip>; ds: { clients: Map<number, Array<{ clock: number; len: number }>> } };
  try {
    decoded = Y.decodeUpdate(update) as unknown as typeof decoded;
  } catch (err) {
    return { ok: false, reason: 'malformed', detail: `undecodable update: ${(err as Error).message}` };
  }
  try {
    return { ok: true, touched: analyzeDecoded(doc, decoded) };
  } catch (err) {
    if (err instanceof Reject) return { ok: false, reason: err.reason, detail: err.message };
    return { ok: false, reason: 'malformed', detail: (err as Error).message };
  }
}

function analyzeDecoded(
  doc: Y.Doc,
  decoded: { structs: Array<Y.Item | Y.GC | Y.Skip>; ds: { clients: Map<number, Array<{ clock: number; len: number }>> } },
): TouchedItem[] {
  const store = doc.store;
  const rootNames = new Map<unknown, string>();
  for (const [name, type] of doc.share) rootNames.set(type, name);

  // New structs of the update, per client, in clock order.
  const fresh = new Map<number, Y.Item[]>();
  const nextClock = new Map<number, number>();
  for (const struct of decoded.structs) {
    if (struct instanceof Y.Skip) continue;
    const { client, clock } = struct.id;
    const known = Y.getState(store, client);
    if (clock + struct.length <= known) continue; // already applied: no effect
    const expected = nextClock.get(client) ?? known;
    if (clock > expected) throw new Reject('missing_dependencies', `update for client ${client} starts at ${clock}, the document has ${expected}`);
    nextClock.set(client, clock + struct.length);
    if (struct instanceof Y.GC) throw new Reject('unsupported', 'garbage-collected structs are not accepted');
    if (!fresh.has(client)) fresh.set(client, []);
    fresh.get(client)!.push(struct);
  }

  const freshAt = (id: Y.ID): Y.Item | undefined => {
    const list = fresh.get(id.client);
    if (!list) return undefined;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = list[mid];
      if (id.clock < s.id.clock) hi = mid - 1;
      else if (id.clock >= s.id.clock + s.length) lo = mid + 1;
      else return s;
    }
    return undefined;
  };

  const located = new Map<Y.Item, Located>();
  const locateStored = (item: Y.Item): Located => {
    const parent = item.parent as unknown;
    const root = rootNames.get(parent);
    if (root === undefined) throw new Reject('nested_type', 'nested shared types are not accepted');
    return { root, key: item.parentSub };
  };
  const locate = (item: Y.Item, depth = 0): Located => {
    const seen = located.get(item);
    if (seen) return seen;
    if (depth > 10_000) throw new Reject('malformed', 'origin chain too long');
    let result: Located;
    const parent = item.parent as unknown;
    if (typeof parent === 'string') {
      result = { root: parent, key: item.parentSub };
    } else if (parent !== null && parent !== undefined) {
      throw new Reject('nested_type', 'nested shared types are not accepted');
    } else {
      const ref = item.origin ?? item.rightOrigin;
      if (!ref) throw new Reject('malformed', 'item without parent or origin');
      const inUpdate = freshAt(ref);
      if (inUpdate) {
        result = locate(inUpdate, depth + 1);
      } else if (ref.clock < Y.getState(store, ref.client)) {
        const stored = Y.getItem(store, ref) as Y.Item | Y.GC;
        if (!(stored instanceof Y.Item)) throw new Reject('missing_dependencies', 'origin was garbage-collected');
        result = locateStored(stored);
      } else {
        throw new Reject('missing_dependencies', `origin ${ref.client}:${ref.clock} is unknown`);
      }
    }
    located.set(item, result);
    return result;
  };

  const touched: TouchedItem[] = [];
  for (const [client, items] of fresh) {
    const known = Y.getState(store, client);
    for (const item of items) {
      const offset = Math.max(0, known - item.id.clock);
      const where = locate(item);
      touched.push({ ...where, op: 'insert', ...contentOf(item, offset) });
    }
  }

  for (const [client, ranges] of decoded.ds.clients) {
    const known = Y.getState(store, client);
    for (const { clock, len } of ranges) {
      const end = clock + len;
      // Part already in the document.
      if (clock < known) {
        const structs = store.clients.get(client) ?? [];
        let i = Y.findIndexSS(structs as never, clock);
        for (; i < structs.length && structs[i].id.clock < Math.min(end, known); i++) {
          const s = structs[i];
          if (!(s instanceof Y.Item) || s.deleted) continue;
          touched.push({ ...locateStored(s), op: 'delete', ...contentOf(s, 0) });
        }
      }
      // Part introduced by this very update.
      if (end > known) {
        for (const item of fresh.get(client) ?? []) {
          if (item.id.clock + item.length <= Math.max(clock, known) || item.id.clock >= end) continue;
          touched.push({ ...locate(item), op: 'delete', ...contentOf(item, 0) });
        }
        const last = nextClock.get(client) ?? known;
        if (end > last) throw new Reject('missing_dependencies', `delete of unknown items ${client}:${last}..${end}`);
      }
    }
  }
  return touched;
}
