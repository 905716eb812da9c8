/**
 * Bounded concurrency over a list, in its order: the harness reads thousands of beads from the
 * API (the drain's rounds, the final read) a few at a time, so that reading the system does not
 * load the system it is measuring, and stops early when the answer so far is enough.
 */

/**
 * Calls `work(item, index)` for `items` in their order with at most `concurrency` calls in
 * flight. `work` resolving to `false` stops it (any other value goes on): no new item is taken,
 * calls already in flight finish. A throw stops it the same way and is rethrown once every call in flight has settled, so nothing
 * is still running when this returns or throws. Resolves with how many items were taken.
 */
export async function eachInOrder<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<unknown>): Promise<number> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  let next = 0;
  let stopped = false;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (!stopped && next < items.length) {
      const index = next++;
      try {
        if ((await work(items[index]!, index)) === false) stopped = true;
      } catch (error) {
        stopped = true;
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  if (failure !== undefined) throw failure.error;
  return next;
}
