import type { Random } from '../random.ts';
import { INTERRUPTED, TIMED_OUT, type ToxicDefinition } from './types.ts';

/**
 * Split offsets of one chunk, as toxics/slicer.go `chunk()`: keep a piece whole when it is within
 * `variation` of `average`, else split near the middle (± variation) and recurse. Guarded where the
 * Go code recurses forever (average_size <= 0 crashes the real server): the average is at least 1,
 * the variation at least 0, and a piece of one byte is never split.
 */
export function sliceOffsets(length: number, average: number, variation: number, random: Random): number[] {
  const avg = Math.max(1, average);
  const vary = Math.max(0, variation);
  const cuts: number[] = [];
  const split = (start: number, end: number): void => {
    if (end - start - avg <= vary || end - start <= 1) return void cuts.push(start, end);
    let mid = start + Math.floor((end - start) / 2);
    if (vary > 0) mid += random.int(vary * 2) - vary;
    mid = Math.min(end - 1, Math.max(start + 1, mid));
    split(start, mid);
    split(mid, end);
  };
  split(0, length);
  return cuts;
}

/** Splits each chunk into pieces of about `average_size` bytes, waiting `delay` µs after each. */
export const slicer: ToxicDefinition = {
  type: 'slicer',
  attributes: ['average_size', 'size_variation', 'delay'],
  bufferSize: 0,
  async pipe(stub, { average_size = 0, size_variation = 0, delay = 0 }) {
    for (;;) {
      const chunk = await stub.read();
      if (chunk === INTERRUPTED) return;
      if (chunk === null) {
        stub.close();
        return;
      }
      if (chunk === TIMED_OUT) continue;
      const cuts = sliceOffsets(chunk.data.length, average_size, size_variation, stub.random);
      for (let i = 1; i < cuts.length; i += 2) {
        stub.write({ data: chunk.data.subarray(cuts[i - 1], cuts[i]), time: chunk.time });
        const slept = delay > 0 ? await stub.sleep(delay / 1000) : true;
        if (!slept) {
          if (cuts[i]! < chunk.data.length) stub.write({ data: chunk.data.subarray(cuts[i]), time: chunk.time });
          return;
        }
      }
    }
  },
};
