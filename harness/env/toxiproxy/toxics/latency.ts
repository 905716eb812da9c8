import { INTERRUPTED, TIMED_OUT, type ToxicDefinition } from './types.ts';

/**
 * Delays each chunk by `latency ± jitter` ms, measured from when the chunk was read, so it adds delay
 * without capping throughput; chunks stay in order (toxics/latency.go). On interrupt the held chunk
 * is forwarded at once without the remaining delay.
 */
export const latency: ToxicDefinition = {
  type: 'latency',
  attributes: ['latency', 'jitter'],
  bufferSize: 1024,
  async pipe(stub, { latency: base = 0, jitter = 0 }) {
    for (;;) {
      const chunk = await stub.read();
      if (chunk === INTERRUPTED) return;
      if (chunk === null) {
        stub.close();
        return;
      }
      if (chunk === TIMED_OUT) continue;
      const delay = base + (jitter > 0 ? stub.random.int(2 * jitter) - jitter : 0);
      const wait = delay - (performance.now() - chunk.time);
      if (wait > 0) {
        const slept = await stub.sleep(wait);
        if (!slept) {
          stub.write(chunk);
          return;
        }
        // Advance the timestamp so a second latency toxic adds on top of this one.
        chunk.time += wait;
      }
      stub.write(chunk);
    }
  },
};
