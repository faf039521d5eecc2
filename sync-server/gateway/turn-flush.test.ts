/** One turn's batches are encoded once per distinct list of frames and shared by every reader. */
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '../../src-core/protocol/wire';
import { batchOf } from './multiplex';
import { TurnFlush, TurnMemo } from './turn-flush';

const update = (doc: string, seq: number) => encodeFrame({ type: 'update', doc, ref: 0, seq, update: new Uint8Array([0, 0]) });

describe('batches of one turn', () => {
  it('returns the same buffer for the same frames in the same order, and a decodable batch', () => {
    const a = update('conv/1', 1);
    const b = update('conv/2', 2);
    const memo = new TurnMemo();
    const first = batchOf([a, b], memo);
    expect(batchOf([a, b], memo)).toBe(first);
    expect(batchOf([b, a], memo)).not.toBe(first);
    // Equal bytes in a different buffer are a different frame: identity, not content, is the key.
    expect(batchOf([a, update('conv/2', 2)], memo)).not.toBe(first);
    const decoded = decodeFrame(first);
    expect(decoded.type).toBe('batch');
    expect((decoded as { frames: Array<{ doc: string; seq: number }> }).frames.map((f) => [f.doc, f.seq])).toEqual([['conv/1', 1], ['conv/2', 2]]);
    // A single frame is sent as it is.
    expect(batchOf([a], memo)).toBe(a);
    // A new turn starts with nothing kept.
    expect(batchOf([a, b], new TurnMemo())).not.toBe(first);
  });

  it('flushes each connection added during a turn once, at its end, all with one memo', async () => {
    const flushed: Array<{ conn: string; memo: TurnMemo }> = [];
    const flush = new TurnFlush<string>((conn, memo) => flushed.push({ conn, memo }));
    flush.add('a');
    flush.add('b');
    flush.add('a');
    expect(flushed).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed.map((f) => f.conn)).toEqual(['a', 'b']);
    expect(flushed[0].memo).toBe(flushed[1].memo);
    flush.add('a');
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed.map((f) => f.conn)).toEqual(['a', 'b', 'a']);
    expect(flushed[2].memo).not.toBe(flushed[0].memo);
  });
});
