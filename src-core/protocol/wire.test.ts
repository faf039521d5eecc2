import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import { FrameType, PROTOCOL_VERSION, WireError, decodeFrame, encodeBatch, encodeFrame, type Frame } from './wire';
import { seededRandom } from '../random';

const bytes = (...b: number[]) => new Uint8Array(b);

const samples: Frame[] = [
  { type: 'hello', token: 'tok.en-ü', cursor: 42, epoch: 3, awarenessId: 123456789, protocol: PROTOCOL_VERSION },
  { type: 'welcome', userId: 10, companyId: 9, head: 1_000_000, epoch: 3, full: true, changed: ['conv/1', 'company/9'], revoked: ['conv/2'] },
  { type: 'welcome', userId: 10, companyId: 9, head: 0, epoch: 0, full: false, changed: [], revoked: [] },
  { type: 'sync1', doc: 'conv/1', stateVector: bytes(0) },
  { type: 'sync2', doc: 'conv/1', seq: 2 ** 40, update: bytes(0, 0), stateVector: bytes(1, 200, 1, 3) },
  { type: 'update', doc: 'conv/7', ref: 5, seq: 0, update: bytes(1, 2, 3, 4, 5) },
  { type: 'update', doc: 'conv/7', ref: 0, seq: 99, update: new Uint8Array(0) },
  { type: 'ack', doc: 'conv/7', ref: 5, seq: 1234 },
  { type: 'error', code: 'rejected', message: 'meta.status is server-owned', doc: 'conv/7', ref: 5 },
  { type: 'error', code: 'unauthorized', message: 'token expired', doc: null, ref: null },
  { type: 'awareness', update: bytes(1, 9, 1, 2, 123, 125) },
  { type: 'revoke', doc: 'conv/3' },
  { type: 'synced', head: 77 },
  { type: 'batch', frames: [] },
];
samples.push({ type: 'batch', frames: samples.filter((f) => f.type !== 'batch') });

function expectWireError(input: Uint8Array, code?: 'bad_frame' | 'bad_json'): WireError {
  let thrown: unknown = null;
  try {
    decodeFrame(input);
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `decoding [${[...input].join(',')}] should throw`).toBeInstanceOf(WireError);
  if (code) expect((thrown as WireError).code).toBe(code);
  return thrown as WireError;
}

/** A frame of `type` whose only field is `body` as a string (how hello, welcome and error travel). */
function jsonFrame(type: number, body: string): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, type);
  encoding.writeVarString(enc, body);
  return encoding.toUint8Array(enc);
}

describe('sync frames survive encoding and decoding', () => {
  for (const frame of samples) {
    const label = frame.type === 'batch' ? `batch of ${frame.frames.length}` : frame.type;
    it(`${label} round-trips unchanged`, () => {
      expect(decodeFrame(encodeFrame(frame))).toEqual(frame);
    });
  }

  it('a batch built from already-encoded frames decodes to the same frames', () => {
    const inner = samples.filter((f) => f.type !== 'batch');
    const batch = encodeBatch(inner.map(encodeFrame));
    expect(decodeFrame(batch)).toEqual({ type: 'batch', frames: inner });
    expect(batch).toEqual(encodeFrame({ type: 'batch', frames: inner }));
  });

  it('type bytes are the published numbers', () => {
    expect(encodeFrame({ type: 'synced', head: 1 })[0]).toBe(FrameType.Synced);
    expect(encodeFrame({ type: 'revoke', doc: 'conv/1' })[0]).toBe(FrameType.Revoke);
  });
});

describe('malformed frames are refused with a WireError', () => {
  it('every truncation of every valid frame is refused as bad_frame', () => {
    for (const frame of samples) {
      const full = encodeFrame(frame);
      for (let n = 0; n < full.length; n++) expectWireError(full.slice(0, n), 'bad_frame');
    }
  });

  it('an unknown frame type is refused', () => {
    expect(expectWireError(bytes(11), 'bad_frame').message).toMatch(/unknown frame type 11/);
    expectWireError(bytes(127, 0), 'bad_frame');
  });

  it('trailing bytes after a frame are refused, also inside a batch', () => {
    for (const frame of samples) expectWireError(new Uint8Array([...encodeFrame(frame), 0]), 'bad_frame');
    const inner = new Uint8Array([...encodeFrame({ type: 'synced', head: 1 }), 7]);
    expectWireError(encodeBatch([inner]), 'bad_frame');
  });

  it('a batch inside a batch is refused', () => {
    expect(expectWireError(encodeBatch([encodeBatch([])]), 'bad_frame').message).toMatch(/do not nest/);
    expectWireError(encodeFrame({ type: 'batch', frames: [{ type: 'batch', frames: [] }] }), 'bad_frame');
  });

  it('a batch claiming more than 10,000 frames is refused', () => {
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, FrameType.Batch);
    encoding.writeVarUint(enc, 10_001);
    expectWireError(encoding.toUint8Array(enc), 'bad_frame');
  });

  it('a hello, welcome or error whose body is not a JSON object is refused as bad_json', () => {
    for (const type of [FrameType.Hello, FrameType.Welcome, FrameType.Error]) {
      expectWireError(jsonFrame(type, '{"token": "abc"'), 'bad_json');
      expectWireError(jsonFrame(type, '[1,2]'), 'bad_json');
      expectWireError(jsonFrame(type, 'null'), 'bad_json');
    }
  });

  it('a hello missing a field, or with a negative or fractional number, is refused as bad_json', () => {
    const hello = { token: 't', cursor: 1, epoch: 1, awarenessId: 1, protocol: 1 };
    for (const key of Object.keys(hello)) {
      const { [key]: _dropped, ...rest } = hello as Record<string, unknown>;
      expectWireError(jsonFrame(FrameType.Hello, JSON.stringify(rest)), 'bad_json');
    }
    expectWireError(jsonFrame(FrameType.Hello, JSON.stringify({ ...hello, cursor: -1 })), 'bad_json');
    expectWireError(jsonFrame(FrameType.Hello, JSON.stringify({ ...hello, epoch: 1.5 })), 'bad_json');
    expectWireError(jsonFrame(FrameType.Hello, JSON.stringify({ ...hello, token: 5 })), 'bad_json');
  });

  it('a welcome whose document lists hold something other than names is refused as bad_json', () => {
    const welcome = { userId: 1, companyId: 1, head: 1, epoch: 1, full: false, changed: ['conv/1'], revoked: [] };
    expectWireError(jsonFrame(FrameType.Welcome, JSON.stringify({ ...welcome, changed: ['conv/1', 2] })), 'bad_json');
    expectWireError(jsonFrame(FrameType.Welcome, JSON.stringify({ ...welcome, full: 'yes' })), 'bad_json');
  });

  it('an error frame without code or message is refused as bad_json', () => {
    expectWireError(jsonFrame(FrameType.Error, JSON.stringify({ message: 'x' })), 'bad_json');
    expectWireError(jsonFrame(FrameType.Error, JSON.stringify({ code: 'rejected' })), 'bad_json');
  });

  it('an oversized length prefix is refused instead of reading past the frame', () => {
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, FrameType.Awareness);
    encoding.writeVarUint(enc, 2 ** 31);
    encoding.writeUint8(enc, 1);
    expectWireError(encoding.toUint8Array(enc), 'bad_frame');
  });
});

/** Decoding returns a frame or throws a WireError, never any other exception. */
function decodesOrWireError(input: Uint8Array): 'ok' | 'wire' {
  try {
    decodeFrame(input);
    return 'ok';
  } catch (err) {
    if (err instanceof WireError && (err.code === 'bad_frame' || err.code === 'bad_json')) return 'wire';
    throw new Error(`decodeFrame threw ${String(err)} on [${[...input].join(',')}]`);
  }
}

describe('decodeFrame under fuzzing (seeded)', () => {
  it('2,000 random byte arrays decode or throw WireError, nothing else', () => {
    const rnd = seededRandom(0x5eed);
    const outcomes = { ok: 0, wire: 0 };
    for (let i = 0; i < 2_000; i++) {
      const len = Math.floor(rnd() * 64);
      const input = new Uint8Array(len);
      // Bias the first byte toward real frame types so the decoders behind them get exercised.
      for (let j = 0; j < len; j++) input[j] = Math.floor(rnd() * 256);
      if (len > 0 && rnd() < 0.7) input[0] = Math.floor(rnd() * 12);
      outcomes[decodesOrWireError(input)]++;
    }
    expect(outcomes.wire).toBeGreaterThan(0);
  });

  it('2,000 random mutations of valid frames decode or throw WireError, nothing else', () => {
    const rnd = seededRandom(0xf00d);
    const encoded = samples.map(encodeFrame);
    const outcomes = { ok: 0, wire: 0 };
    for (let i = 0; i < 2_000; i++) {
      const base = [...encoded[Math.floor(rnd() * encoded.length)]];
      const edits = 1 + Math.floor(rnd() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rnd() * (base.length + 1));
        const op = rnd();
        if (op < 0.4 && base.length > 0) base[Math.min(at, base.length - 1)] = Math.floor(rnd() * 256);
        else if (op < 0.6) base.splice(at, 0, Math.floor(rnd() * 256));
        else if (op < 0.8) base.splice(at, 1);
        else base.length = Math.min(base.length, at);
      }
      outcomes[decodesOrWireError(new Uint8Array(base))]++;
    }
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes.wire).toBeGreaterThan(0);
  });
});
