/**
 * The harness self-check: run small scenarios against a DELIBERATELY broken orchestrator
 * (OYA_DEFECTS, test-only) and prove the run FAILS, through the check that should catch the
 * defect. A harness that passes a broken system proves nothing.
 *
 * | defect          | what it breaks                                        | caught by            |
 * |-----------------|-------------------------------------------------------|----------------------|
 * | drop-event      | one StepCheckpointed never reaches the log; a restart | doubleSideEffects    |
 * |                 | resumes from the checkpoint before it and redoes it   |                      |
 * | double-step     | a resumed attempt starts one step too early           | doubleSideEffects    |
 * | skip-outbox     | appends are dropped while the DB is away              | apiLogDisagreements  |
 * | lose-on-restart | one in-flight bead is forgotten at start-up           | lost                 |
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioText } from '../scenario/index.ts';
import { formatFailedGates } from './gates.ts';
import { runScenario } from './run.ts';

let reportDir: string;
beforeAll(async () => {
  reportDir = await mkdtemp(join(tmpdir(), 'oya-self-check-'));
});
afterAll(async () => {
  await rm(reportDir, { recursive: true, force: true });
});

/** defect → the scenario that exposes it and the gate(s) that must fail. */
const CASES: { defect: string; yaml: string; mustFail: string[] }[] = [
  {
    defect: 'drop-event',
    // 3 steps of 2 s: step 2's checkpoint is dropped at ~4 s; the kill at 5 s lands before step 3's,
    // so the restart resumes from step 1 and applies step 2's side effect again.
    yaml: `
system: { workers: 2, agent: { steps: 3, stepTime: 2s }, defects: [drop-event] }
workload:
  - beads: 1
faults:
  - { at: 5s, do: orchestrator.kill, for: 500ms }
timeouts: { drain: 45s, total: 90s }`,
    mustFail: ['expect.doubleSideEffects'],
  },
  {
    defect: 'double-step',
    yaml: `
system: { workers: 2, agent: { steps: 5, stepTime: 100ms }, reconcileTick: 200ms, timeouts: { heartbeat: 1s }, defects: [double-step] }
workload:
  - beads: 2
    agent: { crashAt: 4 }
timeouts: { drain: 45s, total: 90s }`,
    mustFail: ['expect.doubleSideEffects'],
  },
  {
    defect: 'skip-outbox',
    yaml: `
system: { workers: 2, agent: { steps: 4, stepTime: 100ms }, timeouts: { db: 1s }, defects: [skip-outbox] }
workload:
  - beads: 6
    rate: 4/s
faults:
  - { at: 500ms, do: db.outage, for: 2s, mode: refuse }
timeouts: { drain: 20s, total: 90s }`,
    mustFail: ['expect.apiLogDisagreements'],
  },
  {
    defect: 'lose-on-restart',
    yaml: `
system: { workers: 2, agent: { steps: 10, stepTime: 200ms }, defects: [lose-on-restart] }
workload:
  - beads: 2
faults:
  - { at: 1s, do: orchestrator.kill, for: 500ms }
timeouts: { drain: 10s, total: 90s }`,
    mustFail: ['expect.lost'],
  },
];

describe('self-check: the checks catch each test-only orchestrator defect', () => {
  for (const { defect, yaml, mustFail } of CASES) {
    it(`${defect} → the run fails on ${mustFail.join(', ')}`, async () => {
      const name = `self-check-${defect}`;
      const scenario = loadScenarioText(`name: ${name}\nkind: integration\n${yaml}\n`, `scenarios/integration/${name}.yaml`);
      const result = await runScenario(scenario, { reportDir });
      const summary = `${formatFailedGates(name, result.gates)}\njournal: ${result.journalPath}`;
      expect(result.error, summary).toBeUndefined();
      expect(result.verdict, summary).toBe('fail');
      const failed = result.gates.filter((g) => !g.pass).map((g) => g.name);
      for (const gate of mustFail) expect(failed, summary).toContain(gate);
    }, 150_000);
  }

  it('control: the drop-event scenario without the defect passes (the failure above is the defect\'s)', async () => {
    const { yaml } = CASES[0]!;
    const name = 'self-check-control';
    const scenario = loadScenarioText(`name: ${name}\nkind: integration\n${yaml.replace(', defects: [drop-event]', '')}\n`, `scenarios/integration/${name}.yaml`);
    expect(scenario.system.defects).toEqual([]);
    const result = await runScenario(scenario, { reportDir });
    expect(result.verdict, `${formatFailedGates(name, result.gates)}\njournal: ${result.journalPath}`).toBe('pass');
  }, 150_000);
});
