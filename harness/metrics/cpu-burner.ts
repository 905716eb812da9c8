/**
 * A CPU burner: keeps N cores busy (one worker thread spinning per core) until closed, so a lane
 * can be run "under a busy core" on purpose (`oya burn --cores 1`), the way a shared CI runner is
 * busy by accident. A harness tool, not a benchmark: it reports nothing, it only takes the CPU.
 */
import { Worker } from 'node:worker_threads';
// The burner shapes the test environment (a busy machine), so a bad core count is a bad
// environment option: HARN_ENV_CONFIG, already in system/ERRORS.md.
import { EnvConfigError } from '../env/providers/errors.ts';

/** A running burner. */
export interface CpuBurner {
  readonly cores: number;
  /** Thread ids of the spinning workers. */
  readonly threadIds: readonly number[];
  /** Stops every spinning thread; resolves once all have exited. Idempotent. */
  close(): Promise<void>;
}

/** Most cores one burner takes (a typo like `--cores 100` must not fork a hundred threads). */
export const MAX_BURN_CORES = 64;

// Spins in slices so `terminate()` (which interrupts JS at a safe point) lands at once.
const SPIN = 'for (;;) { const end = Date.now() + 50; while (Date.now() < end) {} }';

/** Starts spinning `cores` threads now. */
export async function startCpuBurner(options: { cores: number }): Promise<CpuBurner> {
  const { cores } = options;
  if (!Number.isInteger(cores) || cores < 1 || cores > MAX_BURN_CORES) {
    throw new EnvConfigError(`burner cores must be an integer from 1 to ${MAX_BURN_CORES}, got ${cores}`, { cores });
  }
  const workers = Array.from({ length: cores }, () => new Worker(SPIN, { eval: true }));
  // Resolved when the thread runs, so the caller knows the cores are taken when this returns.
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          w.once('online', resolve);
          w.once('error', reject);
        }),
    ),
  );
  let closing: Promise<void> | undefined;
  return {
    cores,
    threadIds: workers.map((w) => w.threadId),
    close() {
      closing ??= Promise.all(workers.map((w) => w.terminate())).then(() => undefined);
      return closing;
    },
  };
}
