import { describe, expect, it } from 'vitest';
import { mulberry32 } from './random.ts';
import { sleep } from './sleep.ts';
import { withDeadline } from './deadline.ts';

describe('mulberry32', () => {
  it('replays the same sequence for a seed, a different one for another, always in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    // Known first value of the reference implementation for seed 42 (guards the constants).
    expect(mulberry32(42)()).toBeCloseTo(0.6011037519201636, 12);
  });
});

describe('sleep', () => {
  it('resolves after the time, or at once (without throwing) when aborted, before or during', async () => {
    const t0 = performance.now();
    await sleep(30);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort();
    await expect(pending).resolves.toBeUndefined();
    await expect(sleep(60_000, controller.signal)).resolves.toBeUndefined();
    await expect(sleep(0)).resolves.toBeUndefined();
  });
});

describe('withDeadline', () => {
  it('answers like the work when it is in time, else with the expired error', async () => {
    await expect(withDeadline(Promise.resolve(7), 1_000, () => new Error('late'))).resolves.toBe(7);
    await expect(withDeadline(Promise.reject(new Error('own')), 1_000, () => new Error('late'))).rejects.toThrow('own');
    const never = new Promise<never>(() => undefined);
    await expect(withDeadline(never, 20, () => new Error('the heal did not finish within 20 ms'))).rejects.toThrow('the heal did not finish within 20 ms');
  });

  it('swallows a rejection that comes after the deadline', async () => {
    let rejectLate!: (err: Error) => void;
    const late = new Promise<never>((_, reject) => (rejectLate = reject));
    await expect(withDeadline(late, 10, () => new Error('expired'))).rejects.toThrow('expired');
    rejectLate(new Error('after the deadline'));
    await new Promise((resolve) => setImmediate(resolve));
  });
});
