/** One turn's batches are encoded once per distinct list of frames and shared by every reader. */
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '../../src-core/protocol/wire';
import { BatchEncoder } from './multiplex';

const update = (doc: string, seq: number) => encodeFrame({ type: 'update', doc, ref: 0, seq, update: new Uint8Array([0, 0]) });

describe('BatchEncoder', () => {
  it('returns the same buffer for the same frames in the same order, and a decodable batch', () => {
    const a = update('conv/1', 1);
    const b = update('conv/2', 2);
    const encoder = new BatchEncoder();
    const first = encoder.encode([a, b]);
    expect(encoder.encode([a, b])).toBe(first);
    expect(encoder.encode([b, a])).not.toBe(first);
    // Equal bytes in a different buffer are a different frame: identity, not content, is the key.
    expect(encoder.encode([a, update('conv/2', 2)])).not.toBe(first);
    const decoded = decodeFrame(first);
    expect(decoded.type).toBe('batch');
    expect((decoded as { frames: Array<{ doc: string; seq: number }> }).frames.map((f) => [f.doc, f.seq])).toEqual([['conv/1', 1], ['conv/2', 2]]);
    // A single frame is sent as it is.
    expect(encoder.encode([a])).toBe(a);
    // A new turn starts with nothing kept.
    expect(new BatchEncoder().encode([a, b])).not.toBe(first);
  });
});
