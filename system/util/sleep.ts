/**
 * The one abortable pause of the codebase: resolves after `ms`, or early — without throwing —
 * when `signal` aborts (its timer and listener removed either way). Loops that poll until a
 * deadline or a stop signal use it, so a stop never waits out a sleep. (Where an abort must
 * reject instead, as an agent step does, use node:timers/promises' setTimeout with a signal.)
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted === true) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
