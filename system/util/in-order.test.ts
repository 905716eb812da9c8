import { describe, expect, it } from 'vitest';
import { eachInOrder } from './in-order.ts';

/** A call that stays in flight until the test releases it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('eachInOrder', () => {
  it('takes items in order with never more than `concurrency` calls in flight', async () => {
    const started: number[] = [];
    let inFlight = 0;
    let most = 0;
    const taken = await eachInOrder(
      Array.from({ length: 20 }, (_, i) => i),
      3,
      async (item, index) => {
        expect(index).toBe(item);
        started.push(item);
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, (item * 7) % 5));
        inFlight--;
      },
    );
    expect(taken).toBe(20);
    expect(started).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(most).toBe(3);
  });

  it('stops taking items after `false`, letting the calls in flight finish', async () => {
    const slow = gate();
    const finished: number[] = [];
    const run = eachInOrder([0, 1, 2, 3, 4, 5], 2, async (item) => {
      if (item === 0) await slow.promise; // still in flight when item 1 says stop
      finished.push(item);
      return item !== 1;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(finished).toEqual([1]);
    slow.open();
    await expect(run).resolves.toBe(2);
    expect(finished).toEqual([1, 0]);
  });

  it('rethrows the first error only after every call in flight has settled', async () => {
    const slow = gate();
    let slowSettled = false;
    const run = eachInOrder([0, 1, 2, 3], 2, async (item) => {
      if (item === 0) {
        await slow.promise;
        slowSettled = true;
        throw new Error('second failure');
      }
      throw new Error('first failure');
    });
    let outcome: unknown;
    void run.catch((err: unknown) => (outcome = err));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(outcome).toBeUndefined(); // item 0 is still running
    slow.open();
    await expect(run).rejects.toThrow('first failure');
    expect(slowSettled).toBe(true);
  });

  it('does nothing for no items and refuses a concurrency that is not a positive integer', async () => {
    await expect(eachInOrder([], 4, () => Promise.reject(new Error('never called')))).resolves.toBe(0);
    await expect(eachInOrder([1], 0, () => Promise.resolve())).rejects.toThrow(RangeError);
    await expect(eachInOrder([1], 1.5, () => Promise.resolve())).rejects.toThrow('positive integer');
  });
});
