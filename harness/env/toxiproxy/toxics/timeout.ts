import { INTERRUPTED, TIMED_OUT, type ToxicDefinition } from './types.ts';

/**
 * Drops all data in its direction (never delivered later). With `timeout > 0` it closes the
 * connection after that many ms without incoming data (the timer restarts on every chunk);
 * `timeout: 0` holds the connection open forever. Removing the toxic closes every connection that
 * had it in its chain (the cleanup hook of toxics/timeout.go, applied by the link).
 */
export const timeout: ToxicDefinition = {
  type: 'timeout',
  attributes: ['timeout'],
  bufferSize: 0,
  async pipe(stub, { timeout: ms = 0 }) {
    for (;;) {
      const chunk = await stub.read(ms > 0 ? ms : undefined);
      if (chunk === INTERRUPTED) return;
      if (chunk === null || chunk === TIMED_OUT) {
        stub.close();
        return;
      }
      // A data chunk: dropped on the floor.
    }
  },
};
