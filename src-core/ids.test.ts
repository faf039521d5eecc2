import { describe, expect, it } from 'vitest';
import { ULID_PATTERN, isUlid, monotonicUlid, ulid, ulidTime } from './ids';

const T = 1_700_000_000_000;

describe('ULID message ids', () => {
  it('are 26 Crockford base-32 characters that isUlid accepts', () => {
    const id = monotonicUlid()(T);
    expect(id).toHaveLength(26);
    expect(id).toMatch(ULID_PATTERN);
    expect(isUlid(id)).toBe(true);
  });

  it('encode the writer time in the first ten characters (the reference ULID example)', () => {
    // From the ULID specification: 1469918176385 ms encodes as 01ARYZ6S41.
    expect(monotonicUlid()(1469918176385).slice(0, 10)).toBe('01ARYZ6S41');
  });

  it('give back their time with ulidTime, from the epoch to the largest 48-bit time', () => {
    for (const t of [0, 1, 31, 32, 1469918176385, T, 2 ** 48 - 1]) {
      expect(ulidTime(monotonicUlid()(t))).toBe(t);
    }
  });

  it('take a fractional clock reading as its whole millisecond, and refuse a time outside 48 bits', () => {
    const id = monotonicUlid()(T + 0.75);
    expect(isUlid(id)).toBe(true);
    expect(ulidTime(id)).toBe(T);
    for (const bad of [-1, 2 ** 48, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => monotonicUlid()(bad)).toThrow(RangeError);
  });

  it('sort in the order they were made within one millisecond, keeping that millisecond', () => {
    const next = monotonicUlid();
    const ids = Array.from({ length: 5_000 }, () => next(T));
    for (let i = 1; i < ids.length; i++) expect(ids[i] > ids[i - 1]).toBe(true);
    expect(new Set(ids.map(ulidTime))).toEqual(new Set([T]));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sort in the order they were made across many calls, even when the device clock steps back', () => {
    const next = monotonicUlid();
    const times = [T, T, T + 1, T + 1, T + 5, T + 2, T - 1_000, T + 5, T + 6, T + 6];
    const ids = times.map((t) => next(t));
    for (let i = 1; i < ids.length; i++) expect(ids[i] > ids[i - 1], `id ${i} after id ${i - 1}`).toBe(true);
    // A step back never moves the encoded time backwards.
    const decoded = ids.map(ulidTime);
    for (let i = 1; i < decoded.length; i++) expect(decoded[i]).toBeGreaterThanOrEqual(decoded[i - 1]);
  });

  it('from the shared generator are unique and increasing over many calls', () => {
    const ids = Array.from({ length: 20_000 }, () => ulid());
    for (let i = 1; i < ids.length; i++) expect(ids[i] > ids[i - 1]).toBe(true);
    expect(ids.every(isUlid)).toBe(true);
  });

  it('differ between two writers in the same millisecond (random part)', () => {
    expect(monotonicUlid()(T)).not.toBe(monotonicUlid()(T));
  });
});

describe('isUlid', () => {
  const valid = '01ARYZ6S41TSV4RRFFQ69G5FAV';

  it('accepts a canonical ULID', () => {
    expect(isUlid(valid)).toBe(true);
  });

  it('rejects lowercase ids', () => {
    expect(isUlid(valid.toLowerCase())).toBe(false);
  });

  it('rejects ids of the wrong length', () => {
    expect(isUlid(valid.slice(0, 25))).toBe(false);
    expect(isUlid(valid + '0')).toBe(false);
    expect(isUlid('')).toBe(false);
  });

  it('rejects the letters Crockford base-32 leaves out (I, L, O, U) and other characters', () => {
    for (const bad of ['I', 'L', 'O', 'U', '-', ' ', '*']) {
      expect(isUlid(bad + valid.slice(1)), bad).toBe(false);
    }
  });

  it('rejects values that are not strings', () => {
    for (const v of [null, undefined, 42, { id: valid }, [valid]]) expect(isUlid(v)).toBe(false);
  });
});
