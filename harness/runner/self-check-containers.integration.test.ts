/**
 * The self-check of a container-only fault: a db.partition (the DB container detached from its
 * network, harness/runner/faults/db.partition.ts) against an orchestrator started with the
 * test-only defect `skip-outbox` (appends are dropped while the DB is away, instead of going to
 * the outbox) must FAIL through the checks (the step checkpoints written during the cut are
 * missing: expect.doubleSideEffects), and the very same run without the defect must PASS.
 * The pair proves the partition really takes the DB away from the orchestrator (a fault that
 * silently did nothing would pass both) and that the checks see what it costs.
 *
 * Needs a Docker engine with the local images (`npm run env:docker`); without one both tests
 * report themselves skipped with the reason.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerAvailable, prepareImages } from '../env/providers/select.ts';
import { loadScenarioText } from '../scenario/index.ts';
import { formatFailedGates } from './gates.ts';
import { runScenario } from './run.ts';

const engine = await dockerAvailable();
const NO_DOCKER = 'skipped: no Docker engine answered /_ping within 2 s — run `npm run env:docker`';
const title = (name: string): string => (engine ? name : `${name} [${NO_DOCKER}]`);

let reportDir: string;
beforeAll(async () => {
  reportDir = await mkdtemp(join(tmpdir(), 'oya-self-check-containers-'));
  // Built (or found current) before any scenario's clock starts.
  if (engine) await prepareImages(process.env, (line) => process.stderr.write(`self-check-containers: ${line}\n`));
}, 300_000);
afterAll(async () => {
  await rm(reportDir, { recursive: true, force: true });
});

/**
 * Beads of 10 steps × 300 ms, all submitted before the cut at 1.5 s, so their step checkpoints
 * fall inside the 3 s partition: with the defect those appends are dropped for good. (Submits
 * during the partition are refused with 503, so short beads would leave nothing in flight.)
 */
const yaml = (defects: string): string => `
system: { workers: 2, agent: { steps: 10, stepTime: 300ms }, timeouts: { db: 1s }${defects} }
workload:
  - beads: 4
    rate: 4/s
faults:
  - { at: 1500ms, do: db.partition, for: 3s }
expect: { completed: all, lost: 0, duplicated: 0, eventGaps: 0, doubleSideEffects: 0 }
timeouts: { drain: 30s, total: 2m }`;

async function run(name: string, defects: string) {
  const scenario = loadScenarioText(`name: ${name}\nkind: chaos\n${yaml(defects)}\n`, `scenarios/chaos/${name}.yaml`);
  const result = await runScenario(scenario, { reportDir, envKind: 'containers' });
  return { result, summary: `${formatFailedGates(name, result.gates)}\njournal: ${result.journalPath}` };
}

describe('self-check: a container fault catches a defect', () => {
  it.skipIf(!engine)(
    title('skip-outbox + db.partition → the run fails on expect.doubleSideEffects (checkpoints lost)'),
    async () => {
      const { result, summary } = await run('self-check-c-skip-outbox', ', defects: [skip-outbox]');
      expect(result.error, summary).toBeUndefined();
      expect(result.verdict, summary).toBe('fail');
      const failed = result.gates.filter((g) => !g.pass).map((g) => g.name);
      // The dropped StepCheckpointed events: a succeeded bead whose log lacks the checkpoints of the
      // steps it ran during the cut is what the doubleSideEffects check reports.
      expect(failed, summary).toContain('expect.doubleSideEffects');
      expect((result.journal.faults[0] as { healedAt?: number } | undefined)?.healedAt, summary).toBeDefined();
    },
    240_000,
  );

  it.skipIf(!engine)(
    title('control: the same partition without the defect passes'),
    async () => {
      const { result, summary } = await run('self-check-c-control', '');
      expect(result.error, summary).toBeUndefined();
      expect(result.verdict, summary).toBe('pass');
    },
    240_000,
  );
});
