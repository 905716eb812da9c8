/**
 * The test lanes. Each lane is one Vitest project; `npx vitest --project <name>` runs one.
 *
 * - unit:        fast, in-process tests next to the code (`*.test.ts`).
 * - integration: real processes and sockets (`*.integration.test.ts`) and scenarios/integration/*.yaml.
 * - chaos:       scenarios/chaos/*.yaml, faults injected on a timeline, each with 2 seeds (ci).
 * - load:        scenarios/load/*.yaml, throughput and latency percentiles.
 * - leak:        scenarios/leak/*.yaml, RSS/heap soak and memlab analysis.
 * - chaos-containers: scenarios/chaos/*.yaml again, in the containers environment (OYA_ENV=containers;
 *                skipped with the reason when no Docker engine answers), with a third seed: CI sees
 *                three fault schedules per scenario, none run twice. The local chaos lane skips the
 *                container-only scenarios (db-partition, db-pause) with the reason; this one runs
 *                them, each run named `<name>.containers`.
 *
 * A scenario FILE is a test file (scenario-tests.ts turns each YAML into a module), so Vitest's
 * own filters and `--shard=i/n` work on scenarios: `npx vitest run --project chaos db-kill`,
 * `npx vitest run --project chaos --shard=2/3`. The profile comes from OYA_PROFILE (default ci).
 *
 * Lanes that start real processes run their files one at a time (fileParallelism: false): two
 * scenario runs on 2 cores would measure each other, and the ports and data dirs they use are
 * per run anyway. For the same reason the lanes themselves run one after the other when several
 * are selected (`sequence.groupOrder`), never side by side: the chaos and load lanes measure
 * recovery times and latencies that a parallel unit run would distort.
 */
import type { TestProjectInlineConfiguration } from 'vitest/config';
import { scenarioTests } from './harness/lanes/scenario-tests.ts';
import type { LaneOptions } from './harness/lanes/lane.ts';

const scenarioFiles = (kind: string): string => `scenarios/${kind}/*.{yaml,yml}`;

/**
 * `isolate: false` where a lane holds only scenario files: they then share one worker process, as
 * they did when a lane was one file (no module re-import per scenario), and each run still
 * starts and stops its own processes. The integration lane keeps isolation for its TS tests.
 */
const slowLane = (
  name: string,
  include: string[],
  lane: LaneOptions,
  timeoutMs: number,
  groupOrder: number,
  isolate = false,
): TestProjectInlineConfiguration => ({
  plugins: [scenarioTests(lane)],
  test: {
    name,
    sequence: { groupOrder },
    include,
    testTimeout: timeoutMs,
    hookTimeout: 120_000,
    fileParallelism: false,
    maxWorkers: 1,
    pool: 'forks',
    isolate,
  },
});

export const projects: TestProjectInlineConfiguration[] = [
  {
    test: {
      name: 'unit',
      include: ['system/**/*.test.ts', 'harness/**/*.test.ts'],
      exclude: ['**/*.integration.test.ts', '**/node_modules/**'],
      testTimeout: 30_000,
      pool: 'forks',
      sequence: { groupOrder: 0 },
    },
  },
  slowLane('integration', ['system/**/*.integration.test.ts', 'harness/**/*.integration.test.ts', scenarioFiles('integration')], {}, 180_000, 1, true),
  slowLane('chaos', [scenarioFiles('chaos')], { ciSeeds: 2, env: 'local' }, 600_000, 2),
  slowLane('load', [scenarioFiles('load')], {}, 600_000, 3),
  slowLane('leak', [scenarioFiles('leak')], {}, 900_000, 4),
  slowLane('chaos-containers', [scenarioFiles('chaos')], { ciSeeds: 1, seedOffset: 2, env: 'containers' }, 600_000, 5),
];
