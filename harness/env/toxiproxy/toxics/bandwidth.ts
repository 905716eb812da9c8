import { INTERRUPTED, TIMED_OUT, type ToxicDefinition } from './types.ts';

/**
 * Limits throughput to `rate` KB/s (KB = 1000 bytes), as toxics/bandwidth.go: big chunks go out in
 * `rate*100`-byte slices every 100 ms, the rest after `len/rate` ms, carrying over- and under-sleep
 * to the next chunk. `rate <= 0` stalls the stream until the toxic is updated or removed (the real
 * server does the same; it does not mean "unlimited").
 */
export const bandwidth: ToxicDefinition = {
  type: 'bandwidth',
  attributes: ['rate'],
  bufferSize: 0,
  async pipe(stub, { rate = 0 }) {
    let sleep = 0;
    for (;;) {
      const chunk = await stub.read();
      if (chunk === INTERRUPTED) return;
      if (chunk === null) {
        stub.close();
        return;
      }
      if (chunk === TIMED_OUT) continue;
      if (rate <= 0) {
        await stub.untilInterrupted();
        stub.write(chunk);
        return;
      }
      sleep += chunk.data.length / rate;
      const slice = rate * 100;
      while (chunk.data.length > slice) {
        if (!(await stub.sleep(100))) {
          stub.write(chunk);
          return;
        }
        stub.write({ data: chunk.data.subarray(0, slice), time: chunk.time });
        chunk.data = chunk.data.subarray(slice);
        sleep -= 100;
      }
      const start = performance.now();
      const slept = sleep > 0 ? await stub.sleep(sleep) : true;
      if (!slept) {
        stub.write(chunk);
        return;
      }
      sleep -= performance.now() - start;
      stub.write(chunk);
    }
  },
};
