/**
 * The harness self-check: run small scenarios against a DELIBERATELY broken orchestrator
 * (OYA_DEFECTS, test-only) and prove the run FAILS, through the check that should catch the
 * defect, and that the same scenario without the defect passes. A harness that passes a broken
 * system proves nothing. What each case must turn red is harness/checks/proofs.ts.
 *
 * | defect          | what it breaks                                        | caught by            |
 * |-----------------|-------------------------------------------------------|----------------------|
 * | drop-event      | one StepCheckpointed never reaches the log; a restart | doubleSideEffects    |
 * |                 | resumes from the checkpoint before it and redoes it   | checkpoint-missing   |
 * | double-step     | a resumed attempt starts one step too early           | doubleSideEffects applied-twice, resume-not-at-checkpoint |
 * | skip-outbox     | appends are dropped while the DB is away              | apiLogDisagreement status-differs, lost not-terminal |
 * | lose-on-restart | one in-flight bead is forgotten at start-up           | drain.drained (lost: unknown) |
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { defectOfCase, expectProofsGreen, expectProofsRed, selfCheckScenario, type SelfCheckCase } from './self-check.test-helper.ts';
import { runScenario } from './run.ts';

let reportDir: string;
beforeAll(async () => {
  reportDir = await mkdtemp(join(tmpdir(), 'oya-self-check-'));
});
afterAll(async () => {
  await rm(reportDir, { recursive: true, force: true });
});

/** The scenario of each case; what must go red is in harness/checks/proofs.ts. */
const CASES: SelfCheckCase[] = [
  {
    name: 'drop-event',
    // 3 steps of 2 s: step 2's checkpoint is dropped at ~4 s; the kill at 5 s lands before step 3's,
    // so the restart resumes from step 1 and applies step 2's side effect again.
    yaml: `
system: { workers: 2, agent: { steps: 3, stepTime: 2s } }
workload:
  - beads: 1
faults:
  - { at: 5s, do: orchestrator.kill, for: 500ms }
timeouts: { drain: 45s, total: 90s }`,
  },
  {
    name: 'double-step',
    yaml: `
system: { workers: 2, agent: { steps: 5, stepTime: 100ms }, reconcileTick: 200ms, timeouts: { heartbeat: 1s } }
workload:
  - beads: 2
    agent: { crashAt: 4 }
timeouts: { drain: 45s, total: 90s }`,
  },
  {
    name: 'skip-outbox',
    yaml: `
system: { workers: 2, agent: { steps: 4, stepTime: 100ms }, timeouts: { db: 1s } }
workload:
  - beads: 6
    rate: 4/s
faults:
  - { at: 500ms, do: db.outage, for: 2s, mode: refuse }
timeouts: { drain: 20s, total: 90s }`,
  },
  {
    name: 'lose-on-restart',
    yaml: `
system: { workers: 2, agent: { steps: 10, stepTime: 200ms } }
workload:
  - beads: 2
faults:
  - { at: 1s, do: orchestrator.kill, for: 500ms }
timeouts: { drain: 10s, total: 90s }`,
  },
];

describe('self-check: the checks catch each test-only orchestrator defect, and pass without it', () => {
  for (const { name, yaml } of CASES) {
    const defect = defectOfCase(name);
    it(`${name} → red with ${defect}`, async () => {
      const result = await runScenario(selfCheckScenario(`self-check-${name}`, yaml, [defect]), { reportDir });
      expectProofsRed(name, result);
    }, 150_000);

    it(`${name} control → green without ${defect}`, async () => {
      const result = await runScenario(selfCheckScenario(`self-check-${name}-control`, yaml, []), { reportDir });
      expectProofsGreen(name, result);
    }, 150_000);
  }
});
