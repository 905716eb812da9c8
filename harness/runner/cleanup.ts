/**
 * A LIFO clean-up stack for one run: each resource registers its release right after it is
 * created; run() releases everything, newest first, even when some steps fail, and is idempotent.
 */
import { errorMessage } from '../../system/errors.ts';

/** One clean-up step that failed. */
export interface CleanupFailure {
  step: string;
  error: string;
}

/** A LIFO stack of release steps. */
export class CleanupStack {
  readonly #steps: { name: string; run: () => unknown }[] = [];
  #running: Promise<CleanupFailure[]> | undefined;

  /** Registers a release step (call right after creating the resource). */
  /** `run` may return a promise (awaited) or anything else (ignored). */
  push(name: string, run: () => unknown): void {
    if (this.#running) throw new Error(`cleanup already ran; cannot register "${name}"`);
    this.#steps.push({ name, run });
  }

  /** Runs every step newest first; resolves with the failures (never rejects). Idempotent. */
  run(): Promise<CleanupFailure[]> {
    this.#running ??= (async () => {
      const failures: CleanupFailure[] = [];
      for (const step of this.#steps.reverse()) {
        try {
          await step.run();
        } catch (err) {
          failures.push({ step: step.name, error: errorMessage(err) });
        }
      }
      return failures;
    })();
    return this.#running;
  }
}
