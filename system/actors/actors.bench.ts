/**
 * Actor runtime benchmarks for `npm run bench`.
 */
import type { BenchSuite } from '../bench/types.ts';
import { UniverseSupervisor } from './universe.ts';
import { actor } from './types.ts';

export async function benchmarks(): Promise<BenchSuite> {
  const universe = await UniverseSupervisor.start();
  const echo = await universe.startChild(
    'universe/workers',
    actor<number, number>('echo', () => ({ handle: (n) => n + 1 })),
  );
  let n = 0;
  return {
    name: 'actors',
    cases: [
      {
        // One ask: mailbox push, microtask hop into the loop, handler, reply, timer set and cleared.
        name: 'actor message round trip (ask)',
        fn: async () => {
          n = await echo.ask(n);
        },
        target: { p99Ms: 0.05, floorMs: 1 },
      },
    ],
    close: () => universe.close(),
  };
}
