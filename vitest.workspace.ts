/**
 * The test lanes. Each lane is one Vitest project; `npx vitest --project <name>` runs one.
 *
 * - unit:        fast, in-process tests next to the code (`*.test.ts`).
 * - integration: real processes and sockets (`*.integration.test.ts`) and scenarios/integration/*.yaml.
 * - chaos:       scenarios/chaos/*.yaml, faults injected on a timeline (profile from OYA_PROFILE).
 * - load:        scenarios/load/*.yaml, throughput and latency percentiles.
 * - leak:        scenarios/leak/*.yaml, RSS/heap soak and memlab analysis.
 * - chaos-containers: scenarios/chaos/*.yaml again, one seed each, in the containers environment
 *                (OYA_ENV=containers; skipped with the reason when no Docker engine answers).
 *                The local chaos lane skips the container-only scenarios (db-partition, db-pause)
 *                with the reason; this one runs them, each run named `<name>.containers`.
 *
 * Lanes that start real processes run their files one at a time (fileParallelism: false): two
 * scenario runs on 2 cores would measure each other, and the ports and data dirs they use are
 * per run anyway. For the same reason the lanes themselves run one after the other when several
 * are selected (`sequence.groupOrder`), never side by side: the chaos and load lanes measure
 * recovery times and latencies that a parallel unit run would distort.
 */
import type { TestProjectInlineConfiguration } from 'vitest/config';

const slowLane = (name: string, include: string[], timeoutMs: number, groupOrder: number): TestProjectInlineConfiguration => ({
  test: {
    name,
    sequence: { groupOrder },
    include,
    testTimeout: timeoutMs,
    hookTimeout: 120_000,
    fileParallelism: false,
    maxWorkers: 1,
    pool: 'forks',
  },
});

export const projects: TestProjectInlineConfiguration[] = [
  {
    test: {
      name: 'unit',
      include: ['system/**/*.test.ts', 'harness/**/*.test.ts'],
      // The lane files run scenarios (their own projects below); lane.unit.test.ts is a unit test.
      exclude: ['**/*.integration.test.ts', 'harness/lanes/{integration,chaos,chaos-containers,load,leak}.test.ts', '**/node_modules/**'],
      testTimeout: 30_000,
      pool: 'forks',
      sequence: { groupOrder: 0 },
    },
  },
  slowLane('integration', ['system/**/*.integration.test.ts', 'harness/**/*.integration.test.ts', 'harness/lanes/integration.test.ts'], 180_000, 1),
  slowLane('chaos', ['harness/lanes/chaos.test.ts'], 600_000, 2),
  slowLane('load', ['harness/lanes/load.test.ts'], 600_000, 3),
  slowLane('leak', ['harness/lanes/leak.test.ts'], 900_000, 4),
  slowLane('chaos-containers', ['harness/lanes/chaos-containers.test.ts'], 600_000, 5),
];
