import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arrivalSchedule } from './arrival.ts';

describe('arrivalSchedule', () => {
  it('constant: evenly spaced from startAt', () => {
    expect(arrivalSchedule({ count: 4, rate: 10, startAt: 500 })).toEqual([500, 600, 700, 800]);
  });

  it('poisson: deterministic per seed, different across seeds, non-decreasing (property)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 200 }), fc.double({ min: 0.1, max: 1000, noNaN: true }), (seed, count, rate) => {
        const a = arrivalSchedule({ count, rate, arrival: 'poisson', seed, startAt: 0 });
        expect(arrivalSchedule({ count, rate, arrival: 'poisson', seed, startAt: 0 })).toEqual(a);
        expect(a).toHaveLength(count);
        for (let i = 1; i < a.length; i++) expect(a[i]!).toBeGreaterThanOrEqual(a[i - 1]!);
        expect(a[0]!).toBeGreaterThan(0);
        if (count >= 5) expect(arrivalSchedule({ count, rate, arrival: 'poisson', seed: seed + 1 })).not.toEqual(a);
      }),
    );
  });

  it('poisson: mean rate is right and gaps look exponential (coefficient of variation ≈ 1)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom(1, 10, 250), (seed, rate) => {
        const count = 4000;
        const times = arrivalSchedule({ count, rate, arrival: 'poisson', seed, startAt: 1000 });
        const gaps = times.map((t, i) => t - (i === 0 ? 1000 : times[i - 1]!));
        const mean = gaps.reduce((s, g) => s + g, 0) / count;
        const sd = Math.sqrt(gaps.reduce((s, g) => s + (g - mean) ** 2, 0) / count);
        // Standard error of the mean is 1/sqrt(4000) ≈ 1.6 %: a 7 % bound fails only on a real bug.
        expect(Math.abs(1000 / mean / rate - 1)).toBeLessThan(0.07);
        expect(Math.abs(sd / mean - 1)).toBeLessThan(0.1);
      }),
      { numRuns: 30 },
    );
  });

  it.each([
    [{ count: -1, rate: 1 }, 'count'],
    [{ count: 1.5, rate: 1 }, 'count'],
    [{ count: 1, rate: 0 }, 'rate'],
    [{ count: 1, rate: Number.POSITIVE_INFINITY }, 'rate'],
    [{ count: 1, rate: 1, arrival: 'burst' as 'poisson' }, 'arrival'],
    [{ count: 1, rate: 1, seed: 0.5 }, 'seed'],
  ])('rejects %o with HARN_ARRIVAL_INVALID naming %s', (options, field) => {
    expect(() => arrivalSchedule(options)).toThrow(expect.objectContaining({ code: 'HARN_ARRIVAL_INVALID', details: expect.objectContaining({ field }) }));
  });
});
