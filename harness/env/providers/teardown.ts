/**
 * Clean-up that always runs: a LIFO stack of async steps (run by stop(), or by a start that fails
 * halfway), each optionally paired with a synchronous emergency step that also runs when this
 * process exits or is ended by SIGINT/SIGTERM/SIGHUP before stop() — so a crashed or timed-out
 * test run leaves no SurrealDB child, no mount and no temp dir behind.
 */
import { EnvStartError, EnvStopError } from './errors.ts';

type SyncStep = () => void;
interface Step {
  name: string;
  run: () => Promise<unknown>;
  emergency?: SyncStep;
}

const emergencySteps = new Set<SyncStep>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let installed = false;

function runEmergencySteps(): void {
  // Newest first, like the stacks they come from; each step must swallow its own errors.
  for (const step of [...emergencySteps].reverse()) {
    emergencySteps.delete(step);
    try {
      step();
    } catch {
      // keep going: the remaining steps matter more than this one's error
    }
  }
}

/**
 * signal-exit (loaded by testcontainers through proper-lockfile and glob) is, like us, a clean-up
 * hook that re-raises a signal only when no OTHER listener is left — so with both installed
 * neither would, and a SIGTERMed runner would clean up and then live on. Its listeners are told
 * apart by their source (v3 compares `emitter.count`, v4 keeps a private `#emitter`).
 */
function isSignalExitListener(listener: (...args: unknown[]) => unknown): boolean {
  return /emitter\.count|#emitter/.test(String(listener));
}

function onSignal(signal: NodeJS.Signals): void {
  runEmergencySteps();
  // If nobody else handles the signal, restore the default so the process still ends with it.
  const others = process.listeners(signal).filter((l) => l !== onSignal);
  if (others.every((l) => isSignalExitListener(l as (...args: unknown[]) => unknown))) {
    uninstall();
    // Re-raised with only signal-exit's listeners (they then end the process) or none (the default does).
    process.kill(process.pid, signal);
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runEmergencySteps);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', runEmergencySteps);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/** Registers a synchronous step for process exit / fatal signals; returns its unregister function. */
export function onProcessExit(step: SyncStep): () => void {
  emergencySteps.add(step);
  install();
  return () => {
    emergencySteps.delete(step);
    // No environment left: stop changing how this process reacts to signals.
    if (emergencySteps.size === 0) uninstall();
  };
}

/** A LIFO clean-up stack; run() is idempotent and runs every step even when some fail. */
export class Teardown {
  readonly #steps: Step[] = [];
  readonly #unregister = new Map<Step, () => void>();
  #running: Promise<void> | undefined;

  /** Adds a step (call right after creating the resource it releases). */
  push(name: string, run: () => Promise<unknown>, emergency?: SyncStep): void {
    const step: Step = { name, run, emergency };
    this.#steps.push(step);
    if (emergency) this.#unregister.set(step, onProcessExit(emergency));
  }

  /** Runs every step newest first; rejects with EnvStopError listing the steps that failed. */
  run(): Promise<void> {
    this.#running ??= (async () => {
      const errors: unknown[] = [];
      while (this.#steps.length > 0) {
        const step = this.#steps.pop()!;
        try {
          await step.run();
        } catch (err) {
          errors.push(new Error(`${step.name}: ${err instanceof Error ? err.message : String(err)}`));
        } finally {
          this.#unregister.get(step)?.();
          this.#unregister.delete(step);
        }
      }
      if (errors.length > 0) throw new EnvStopError(`${errors.length} clean-up step(s) failed`, errors);
    })();
    return this.#running;
  }
}

/**
 * Builds an environment with a fresh Teardown; if building throws, undoes every step already taken
 * and throws EnvStartError (with the cause and any clean-up failures), so a half-started
 * environment never survives its failed start.
 */
export async function startOrUndo<T>(what: string, build: (teardown: Teardown) => Promise<T>): Promise<T> {
  const teardown = new Teardown();
  try {
    return await build(teardown);
  } catch (err) {
    const cleanupErrors = await teardown.run().then(
      () => [],
      (e: unknown) => [e],
    );
    throw new EnvStartError(`${what} failed to start: ${(err as Error).message}`, err, { cleanupErrors });
  }
}
