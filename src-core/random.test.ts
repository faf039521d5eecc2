import { describe, expect, it } from 'vitest';
import { Random, seededRandom } from './random';

describe('the seeded generator', () => {
  it('replays the same sequence from the same seed, and another from another seed', () => {
    const a = Array.from({ length: 5 }, seededRandom(42));
    expect(Array.from({ length: 5 }, seededRandom(42))).toEqual(a);
    expect(Array.from({ length: 5 }, seededRandom(43))).not.toEqual(a);
    for (const x of a) expect(x >= 0 && x < 1).toBe(true);
  });

  it('int, pick and chance stay in their ranges', () => {
    const r = new Random(7);
    const ints = Array.from({ length: 1_000 }, () => r.int(6));
    expect(new Set(ints)).toEqual(new Set([0, 1, 2, 3, 4, 5]));
    expect(['x', 'y']).toContain(r.pick(['x', 'y']));
    expect(Array.from({ length: 100 }, () => r.chance(0))).not.toContain(true);
    expect(Array.from({ length: 100 }, () => r.chance(1))).not.toContain(false);
  });
});
