import { describe, expect, it } from 'vitest';
import { createRandom } from './random.ts';
import { sliceOffsets } from './toxics/slicer.ts';

describe('seeded randomness', () => {
  it('replays the same sequence for the same seed, and differs for another', () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const c = createRandom(8);
    const seqA = Array.from({ length: 20 }, () => a.float());
    expect(Array.from({ length: 20 }, () => b.float())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.float())).not.toEqual(seqA);
    for (const x of seqA) expect(x >= 0 && x < 1).toBe(true);
  });

  it('slices 480 KB at 1024 ± 512 into 240–720 contiguous pieces, the same for the same seed', () => {
    const cuts = sliceOffsets(480 * 1024, 1024, 512, createRandom(1));
    const pieces = cuts.length / 2;
    expect(pieces).toBeGreaterThanOrEqual(240);
    expect(pieces).toBeLessThanOrEqual(720);
    for (let i = 2; i < cuts.length; i += 2) expect(cuts[i]).toBe(cuts[i - 1]);
    expect(cuts.at(-1)).toBe(480 * 1024);
    expect(sliceOffsets(480 * 1024, 1024, 512, createRandom(1))).toEqual(cuts);
  });

  it('guards the inputs that crash the real slicer (average 0, negative variation)', () => {
    expect(sliceOffsets(24, 1, 0, createRandom(1)).length / 2).toBe(24);
    expect(sliceOffsets(10, 0, 0, createRandom(1)).length / 2).toBe(10);
    expect(sliceOffsets(10, 1, -5, createRandom(1)).length / 2).toBe(10);
  });
});
