/**
 * Presence travels as awareness, never in a document (ARCHITECTURE "Yjs documents"). One awareness
 * entry per connection says who it is and what it is viewing or typing in; the server's own entry
 * carries every operator's presence (product §6.2.4), derived from live connections and the
 * operator's Away choice.
 */
import * as decoding from 'lib0/decoding';

export type Presence = 'online' | 'away' | 'offline';

/** A connection's awareness state. */
export interface ConnectionPresence {
  kind: 'operator';
  userId: number;
  /** Conversation open in the foreground, if any. */
  viewing: number | null;
  /** Conversation whose composer had a keystroke in the last 5 seconds (product §4.6). */
  typing: number | null;
  /** The window is in the background or idle for 60 s: the viewer's avatar is dimmed. */
  idle: boolean;
}

/** The server's awareness state: presence of every operator of the company. */
export interface ServerPresence {
  kind: 'server';
  presence: Record<string, Presence>;
}

export type AwarenessState = ConnectionPresence | ServerPresence;

const isConvId = (v: unknown) => v === null || (typeof v === 'number' && Number.isSafeInteger(v) && v > 0);

export function validateConnectionPresence(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) return 'presence must be an object';
  const v = value as Record<string, unknown>;
  if (v.kind !== 'operator') return 'presence kind must be operator';
  if (typeof v.userId !== 'number' || !Number.isSafeInteger(v.userId)) return 'presence userId must be an id';
  if (!isConvId(v.viewing) || !isConvId(v.typing)) return 'viewing and typing must be conversation ids or null';
  if (typeof v.idle !== 'boolean') return 'idle must be a boolean';
  for (const k of Object.keys(v)) if (!['kind', 'userId', 'viewing', 'typing', 'idle'].includes(k)) return `unknown presence field ${k}`;
  return null;
}

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  state: unknown;
}

/** Decodes a y-protocols awareness update; throws on malformed input. */
export function decodeAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  const dec = decoding.createDecoder(update);
  const n = decoding.readVarUint(dec);
  if (n > 1000) throw new Error('too many awareness entries');
  const out: AwarenessEntry[] = [];
  for (let i = 0; i < n; i++) {
    const clientId = decoding.readVarUint(dec);
    const clock = decoding.readVarUint(dec);
    const state = JSON.parse(decoding.readVarString(dec));
    out.push({ clientId, clock, state });
  }
  if (decoding.hasContent(dec)) throw new Error('trailing bytes in awareness update');
  return out;
}
