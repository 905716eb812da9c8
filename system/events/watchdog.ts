/**
 * A periodic health check that never overlaps itself: the next tick is scheduled only after the
 * previous one finished, so a ping stuck until its timeout cannot pile up behind it.
 */

export interface WatchdogHandle {
  /** Stops scheduling and waits for a tick in progress. Idempotent. */
  close(): Promise<void>;
  /** Stops scheduling at once. Idempotent. */
  destroy(): void;
  /** Runs a tick now (or waits for the running one); used after an outage to flush sooner. */
  poke(): Promise<void>;
}

/** Starts calling `tick` every `intervalMs` (after the previous tick settled). Errors are reported to `onError`. */
export function startWatchdog(options: { intervalMs: number; tick: () => Promise<void>; onError?: (err: unknown) => void }): WatchdogHandle {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;

  const runTick = (): Promise<void> => {
    if (running !== null) return running;
    clearTimeout(timer);
    running = options
      .tick()
      .catch((err: unknown) => options.onError?.(err))
      .finally(() => {
        running = null;
        schedule();
      });
    return running;
  };
  const schedule = (): void => {
    if (stopped) return;
    clearTimeout(timer);
    // A tick's failure goes to onError inside runTick; its promise is for poke() and close().
    timer = setTimeout(() => void runTick(), options.intervalMs);
    // The watchdog alone must not keep a process alive.
    timer.unref();
  };
  schedule();

  return {
    async close() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
    destroy() {
      stopped = true;
      clearTimeout(timer);
    },
    poke() {
      return stopped ? Promise.resolve() : runTick();
    },
  };
}
