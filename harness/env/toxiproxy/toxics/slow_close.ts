import { INTERRUPTED, TIMED_OUT, type ToxicDefinition } from './types.ts';

/** Passes data unchanged; when the source closes, waits `delay` ms before closing (toxics/slow_close.go). */
export const slowClose: ToxicDefinition = {
  type: 'slow_close',
  attributes: ['delay'],
  bufferSize: 0,
  async pipe(stub, { delay = 0 }) {
    for (;;) {
      const chunk = await stub.read();
      if (chunk === INTERRUPTED) return;
      if (chunk === TIMED_OUT) continue;
      if (chunk === null) {
        // Go sleeps here without watching for interrupts; so do we.
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, delay)));
        stub.close();
        return;
      }
      stub.write(chunk);
    }
  },
};
