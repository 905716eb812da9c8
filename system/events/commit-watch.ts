/**
 * Wakes readers that wait for the log to grow: `GET /events?wait=` (a long-poll) parks on
 * {@link CommitWatch.after} instead of polling the DB, and the writer calls {@link CommitWatch.record}
 * with each committed position, on the same thread, before the append's promise resolves.
 *
 * The watch never reads the DB, so its position starts at 0 and only means "the highest position
 * committed since open". That is enough for a race-free long-poll: take `position` BEFORE reading,
 * read, and if the page was empty wait for a commit after the position taken — a commit that lands
 * between the read and the wait has already moved the position, and the wait returns at once.
 */

/** Why a wait returned. */
export type CommitWaitOutcome = 'committed' | 'timeout' | 'aborted';

interface Waiter {
  after: number;
  done: (outcome: CommitWaitOutcome) => void;
}

export class CommitWatch {
  #position = 0;
  readonly #waiters = new Set<Waiter>();

  /** The highest position committed since open (0 before the first commit). */
  get position(): number {
    return this.#position;
  }

  /** Readers parked now (for tests and metrics). */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** Notes a committed position and wakes every wait for a commit before it. Cheap when nobody waits. */
  record(position: number): void {
    if (position <= this.#position) return;
    this.#position = position;
    for (const waiter of this.#waiters) if (position > waiter.after) waiter.done('committed');
  }

  /**
   * Resolves once a position above `after` is committed (at once if it already is), after `ms`,
   * or when `signal` aborts — whichever comes first. Never rejects.
   */
  after(after: number, ms: number, signal?: AbortSignal): Promise<CommitWaitOutcome> {
    if (this.#position > after) return Promise.resolve('committed');
    if (signal?.aborted) return Promise.resolve('aborted');
    if (!(ms > 0)) return Promise.resolve('timeout');
    return new Promise((resolve) => {
      const onAbort = (): void => waiter.done('aborted');
      const timer = setTimeout(() => waiter.done('timeout'), ms);
      // A parked reader must not keep a stopping process alive.
      timer.unref();
      const waiter: Waiter = {
        after,
        done: (outcome) => {
          if (!this.#waiters.delete(waiter)) return;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(outcome);
        },
      };
      this.#waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Ends every wait (as aborted): the store is closing. */
  abortAll(): void {
    for (const waiter of this.#waiters) waiter.done('aborted');
  }
}
