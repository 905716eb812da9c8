import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

describe('backoffDelay', () => {
  it('grows exponentially and is capped', () => {
    const mid = () => 0.5; // zero jitter
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, { initialMs: 100, factor: 2 }, mid))).toEqual([100, 200, 400, 800]);
    expect(backoffDelay(50, { initialMs: 100, maxMs: 5000 }, mid)).toBe(5000);
  });

  it('jitters within ±jitter and never above the cap', () => {
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(3, { initialMs: 100, jitter: 0.2, maxMs: 10_000 });
      expect(d).toBeGreaterThanOrEqual(320);
      expect(d).toBeLessThanOrEqual(480);
      expect(backoffDelay(40, { maxMs: 1000, jitter: 0.5 })).toBeLessThanOrEqual(1000);
    }
    expect(backoffDelay(3, { initialMs: 100, jitter: 0.2 }, () => 0)).toBe(320);
  });
});
