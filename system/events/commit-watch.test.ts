import { describe, expect, it } from 'vitest';
import { CommitWatch } from './commit-watch.ts';

describe('CommitWatch', () => {
  it('wakes a wait when a position above its mark is committed, not before', async () => {
    const watch = new CommitWatch();
    let outcome: string | undefined;
    const waiting = watch.after(5, 10_000).then((o) => (outcome = o));
    watch.record(3);
    watch.record(5);
    await Promise.resolve();
    expect(outcome).toBeUndefined();
    expect(watch.waiting).toBe(1);
    watch.record(6);
    await waiting;
    expect(outcome).toBe('committed');
    expect(watch.waiting).toBe(0);
    expect(watch.position).toBe(6);
  });

  it('answers at once when the position is already past the mark (a commit between read and wait)', async () => {
    const watch = new CommitWatch();
    watch.record(9);
    expect(await watch.after(8, 10_000)).toBe('committed');
    expect(watch.waiting).toBe(0);
  });

  it('times out, aborts, and ends every wait on abortAll, leaving no waiter behind', async () => {
    const watch = new CommitWatch();
    expect(await watch.after(0, 20)).toBe('timeout');
    expect(await watch.after(0, 0)).toBe('timeout');
    const controller = new AbortController();
    const aborted = watch.after(0, 10_000, controller.signal);
    controller.abort();
    expect(await aborted).toBe('aborted');
    expect(await watch.after(0, 10_000, controller.signal)).toBe('aborted');
    const closing = [watch.after(0, 10_000), watch.after(4, 10_000)];
    watch.abortAll();
    expect(await Promise.all(closing)).toEqual(['aborted', 'aborted']);
    expect(watch.waiting).toBe(0);
  });

  it('ignores positions at or below the one it holds', () => {
    const watch = new CommitWatch();
    watch.record(4);
    watch.record(2);
    expect(watch.position).toBe(4);
  });
});
