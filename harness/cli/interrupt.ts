/**
 * Ctrl-C and SIGTERM for commands that run scenarios (`oya run`, `oya explore`).
 *
 * Node's default for both signals is to die at once, which skips every clean-up step: the
 * orchestrator (spawned detached, in its own process group) and its workers would be left to
 * their own parent watches, and the run's temp dirs to the next run's sweep. Here the first signal
 * aborts the returned signal — the run in progress is cancelled, torn down and journaled — and a
 * second one means "now": exit at once (process 'exit' hooks still SIGKILL the spawned groups).
 */

/** Exit status of a process stopped by a signal, as a shell reports it (128 + signal number). */
export const SIGNAL_EXIT = Object.freeze({ SIGINT: 130, SIGTERM: 143 });

export type InterruptSignal = keyof typeof SIGNAL_EXIT;

export interface Interrupt {
  /** Aborted (reason: "SIGINT" / "SIGTERM received") by the first signal. */
  readonly signal: AbortSignal;
  /** The first signal received, if any. */
  readonly received: InterruptSignal | undefined;
  /** Removes the handlers (Node's defaults apply again). */
  dispose(): void;
}

/**
 * Installs SIGINT/SIGTERM handlers until dispose(). `say` gets one line per signal, so a user
 * knows the first was heard and teardown is under way. `exit` is injectable for tests.
 */
export function interruptOnSignals(
  say: (line: string) => void,
  exit: (code: number) => void = (code) => process.exit(code),
  emitter: NodeJS.EventEmitter = process,
): Interrupt {
  const controller = new AbortController();
  let received: InterruptSignal | undefined;
  const on = (name: InterruptSignal): void => {
    if (received !== undefined) {
      say(`${name} again: stopping now, without teardown of the run in progress`);
      exit(SIGNAL_EXIT[name]);
      return;
    }
    received = name;
    say(`${name} received: cancelling the run in progress and tearing it down (${name} again to stop now)`);
    controller.abort(new Error(`${name} received`));
  };
  const onInt = (): void => on('SIGINT');
  const onTerm = (): void => on('SIGTERM');
  emitter.on('SIGINT', onInt);
  emitter.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    dispose() {
      emitter.off('SIGINT', onInt);
      emitter.off('SIGTERM', onTerm);
    },
  };
}
