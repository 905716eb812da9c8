import { INTERRUPTED, TIMED_OUT, type ToxicDefinition } from './types.ts';

/**
 * Forwards at most `bytes` bytes on this link, truncating the chunk that crosses the limit, then
 * closes the connection; `bytes: 0` closes on the first chunk. The count is per link and survives
 * interrupts and updates (toxics/limit_data.go).
 */
export const limitData: ToxicDefinition = {
  type: 'limit_data',
  attributes: ['bytes'],
  bufferSize: 0,
  async pipe(stub, { bytes = 0 }) {
    const state = stub.state;
    state['sent'] ??= 0;
    for (;;) {
      const chunk = await stub.read();
      if (chunk === INTERRUPTED) return;
      if (chunk === null) {
        stub.close();
        return;
      }
      if (chunk === TIMED_OUT) continue;
      const remaining = Math.max(0, bytes - state['sent']);
      if (remaining < chunk.data.length) chunk.data = chunk.data.subarray(0, remaining);
      if (chunk.data.length > 0) {
        stub.write(chunk);
        state['sent'] += chunk.data.length;
      }
      if (state['sent'] >= bytes) {
        stub.close();
        return;
      }
    }
  },
};
