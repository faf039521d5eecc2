/**
 * The multiplexed sync protocol: one WebSocket per operator session, each binary frame naming its
 * document (ARCHITECTURE "Sync"). Frames are lib0-encoded: a type byte, then the fields below.
 * Decoding never throws: a malformed frame yields a `WireError` the gateway answers with an error.
 */
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';

export const PROTOCOL_VERSION = 1;

export const FrameType = {
  Hello: 0,
  Welcome: 1,
  SyncStep1: 2,
  SyncStep2: 3,
  Update: 4,
  Ack: 5,
  Error: 6,
  Awareness: 7,
  Revoke: 8,
  Batch: 9,
  Synced: 10,
} as const;

export interface HelloFrame {
  type: 'hello';
  token: string;
  /** Company cursor: the highest sequence number this device has fully applied (0 = none). */
  cursor: number;
  /** Access epoch the cursor was taken under; a different epoch on the server means a full resync. */
  epoch: number;
  /** The device's awareness client id (its presence entry). */
  awarenessId: number;
  protocol: number;
}

export interface WelcomeFrame {
  type: 'welcome';
  userId: number;
  companyId: number;
  /** Highest sequence number at the time of the answer: the cursor once every listed document is synced. */
  head: number;
  epoch: number;
  /** True when the cursor could not be honoured: `changed` lists every readable document. */
  full: boolean;
  changed: string[];
  revoked: string[];
}

/** Client → server: "here is my state vector"; server → client: the same, for the reverse diff. */
export interface SyncStep1Frame { type: 'sync1'; doc: string; stateVector: Uint8Array }
/**
 * Server → client answer to step 1: what the client lacks, the document's sequence number and the
 * server's state vector, so the client pushes what the server lacks.
 */
export interface SyncStep2Frame { type: 'sync2'; doc: string; seq: number; update: Uint8Array; stateVector: Uint8Array }
/** Client → server with `ref` (the client's outbox id, echoed in the ack); server → client with `seq`. */
export interface UpdateFrame { type: 'update'; doc: string; ref: number; seq: number; update: Uint8Array }
export interface AckFrame { type: 'ack'; doc: string; ref: number; seq: number }
export type ErrorCode =
  | 'bad_frame' | 'bad_json' | 'unauthorized' | 'forbidden' | 'rejected' | 'too_large' | 'not_found'
  | 'missing_dependencies' | 'protocol' | 'rate_limited' | 'internal';
export interface ErrorFrame { type: 'error'; code: ErrorCode; message: string; doc: string | null; ref: number | null }
export interface AwarenessFrame { type: 'awareness'; update: Uint8Array }
export interface RevokeFrame { type: 'revoke'; doc: string }
export interface BatchFrame { type: 'batch'; frames: Frame[] }
/** Server → client: every document of the catch-up has been answered; the cursor may move to `head`. */
export interface SyncedFrame { type: 'synced'; head: number }

export type Frame =
  | HelloFrame | WelcomeFrame | SyncStep1Frame | SyncStep2Frame | UpdateFrame | AckFrame | ErrorFrame
  | AwarenessFrame | RevokeFrame | BatchFrame | SyncedFrame;

export class WireError extends Error {
  constructor(readonly code: 'bad_frame' | 'bad_json', message: string) {
    super(message);
  }
}

function writeFrame(enc: encoding.Encoder, f: Frame): void {
  switch (f.type) {
    case 'hello':
      encoding.writeVarUint(enc, FrameType.Hello);
      encoding.writeVarString(enc, JSON.stringify({ token: f.token, cursor: f.cursor, epoch: f.epoch, awarenessId: f.awarenessId, protocol: f.protocol }));
      return;
    case 'welcome':
      encoding.writeVarUint(enc, FrameType.Welcome);
      encoding.writeVarString(enc, JSON.stringify({
        userId: f.userId, companyId: f.companyId, head: f.head, epoch: f.epoch, full: f.full, changed: f.changed, revoked: f.revoked,
      }));
      return;
    case 'sync1':
      encoding.writeVarUint(enc, FrameType.SyncStep1);
      encoding.writeVarString(enc, f.doc);
      encoding.writeVarUint8Array(enc, f.stateVector);
      return;
    case 'sync2':
      encoding.writeVarUint(enc, FrameType.SyncStep2);
      encoding.writeVarString(enc, f.doc);
      encoding.writeVarUint(enc, f.seq);
      encoding.writeVarUint8Array(enc, f.update);
      encoding.writeVarUint8Array(enc, f.stateVector);
      return;
    case 'update':
      encoding.writeVarUint(enc, FrameType.Update);
      encoding.writeVarString(enc, f.doc);
      encoding.writeVarUint(enc, f.ref);
      encoding.writeVarUint(enc, f.seq);
      encoding.writeVarUint8Array(enc, f.update);
      return;
    case 'ack':
      encoding.writeVarUint(enc, FrameType.Ack);
      encoding.writeVarString(enc, f.doc);
      encoding.writeVarUint(enc, f.ref);
      encoding.writeVarUint(enc, f.seq);
      return;
    case 'error':
      encoding.writeVarUint(enc, FrameType.Error);
      encoding.writeVarString(enc, JSON.stringify({ code: f.code, message: f.message, doc: f.doc, ref: f.ref }));
      return;
    case 'awareness':
      encoding.writeVarUint(enc, FrameType.Awareness);
      encoding.writeVarUint8Array(enc, f.update);
      return;
    case 'revoke':
      encoding.writeVarUint(enc, FrameType.Revoke);
      encoding.writeVarString(enc, f.doc);
      return;
    case 'batch':
      encoding.writeVarUint(enc, FrameType.Batch);
      encoding.writeVarUint(enc, f.frames.length);
      for (const inner of f.frames) encoding.writeVarUint8Array(enc, encodeFrame(inner));
      return;
    case 'synced':
      encoding.writeVarUint(enc, FrameType.Synced);
      encoding.writeVarUint(enc, f.head);
      return;
  }
}

export function encodeFrame(f: Frame): Uint8Array {
  const enc = encoding.createEncoder();
  writeFrame(enc, f);
  return encoding.toUint8Array(enc);
}

/** Wraps already-encoded frames into one batch frame without re-encoding them. */
export function encodeBatch(encodedFrames: readonly Uint8Array[]): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, FrameType.Batch);
  encoding.writeVarUint(enc, encodedFrames.length);
  for (const f of encodedFrames) encoding.writeVarUint8Array(enc, f);
  return encoding.toUint8Array(enc);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isStrArr = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

function parseJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new WireError('bad_json', 'frame body is not valid JSON');
  }
  if (!isObj(value)) throw new WireError('bad_json', 'frame body must be a JSON object');
  return value;
}

const MAX_BATCH = 10_000;

function readFrame(dec: decoding.Decoder, depth: number): Frame {
  const type = decoding.readVarUint(dec);
  switch (type) {
    case FrameType.Hello: {
      const o = parseJson(decoding.readVarString(dec));
      if (typeof o.token !== 'string' || !isNat(o.cursor) || !isNat(o.epoch) || !isNat(o.awarenessId) || !isNat(o.protocol)) {
        throw new WireError('bad_json', 'hello needs token, cursor, epoch, awarenessId and protocol');
      }
      return { type: 'hello', token: o.token, cursor: o.cursor, epoch: o.epoch, awarenessId: o.awarenessId, protocol: o.protocol };
    }
    case FrameType.Welcome: {
      const o = parseJson(decoding.readVarString(dec));
      if (!isNat(o.userId) || !isNat(o.companyId) || !isNat(o.head) || !isNat(o.epoch) || typeof o.full !== 'boolean' || !isStrArr(o.changed) || !isStrArr(o.revoked)) {
        throw new WireError('bad_json', 'malformed welcome');
      }
      return { type: 'welcome', userId: o.userId, companyId: o.companyId, head: o.head, epoch: o.epoch, full: o.full, changed: o.changed, revoked: o.revoked };
    }
    case FrameType.SyncStep1:
      return { type: 'sync1', doc: decoding.readVarString(dec), stateVector: decoding.readVarUint8Array(dec) };
    case FrameType.SyncStep2:
      return {
        type: 'sync2', doc: decoding.readVarString(dec), seq: decoding.readVarUint(dec),
        update: decoding.readVarUint8Array(dec), stateVector: decoding.readVarUint8Array(dec),
      };
    case FrameType.Update:
      return {
        type: 'update', doc: decoding.readVarString(dec), ref: decoding.readVarUint(dec), seq: decoding.readVarUint(dec),
        update: decoding.readVarUint8Array(dec),
      };
    case FrameType.Ack:
      return { type: 'ack', doc: decoding.readVarString(dec), ref: decoding.readVarUint(dec), seq: decoding.readVarUint(dec) };
    case FrameType.Error: {
      const o = parseJson(decoding.readVarString(dec));
      if (typeof o.code !== 'string' || typeof o.message !== 'string') throw new WireError('bad_json', 'malformed error');
      return {
        type: 'error', code: o.code as ErrorCode, message: o.message,
        doc: typeof o.doc === 'string' ? o.doc : null, ref: isNat(o.ref) ? o.ref : null,
      };
    }
    case FrameType.Awareness:
      return { type: 'awareness', update: decoding.readVarUint8Array(dec) };
    case FrameType.Revoke:
      return { type: 'revoke', doc: decoding.readVarString(dec) };
    case FrameType.Batch: {
      if (depth > 0) throw new WireError('bad_frame', 'batches do not nest');
      const n = decoding.readVarUint(dec);
      if (n > MAX_BATCH) throw new WireError('bad_frame', `a batch holds at most ${MAX_BATCH} frames`);
      const frames: Frame[] = [];
      for (let i = 0; i < n; i++) frames.push(decodeInner(decoding.readVarUint8Array(dec), depth + 1));
      return { type: 'batch', frames };
    }
    case FrameType.Synced:
      return { type: 'synced', head: decoding.readVarUint(dec) };
    default:
      throw new WireError('bad_frame', `unknown frame type ${type}`);
  }
}

function decodeInner(bytes: Uint8Array, depth: number): Frame {
  const dec = decoding.createDecoder(bytes);
  const frame = readFrame(dec, depth);
  if (decoding.hasContent(dec)) throw new WireError('bad_frame', 'trailing bytes after frame');
  return frame;
}

/** Decodes one frame; throws `WireError` (never anything else) on malformed input. */
export function decodeFrame(bytes: Uint8Array): Frame {
  try {
    return decodeInner(bytes, 0);
  } catch (err) {
    if (err instanceof WireError) throw err;
    throw new WireError('bad_frame', `malformed frame: ${(err as Error).message}`);
  }
}
