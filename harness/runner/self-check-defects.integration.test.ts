/**
 * The self-check for the defects that prove the lifecycle/order checks (issue 15), following
 * self-check.integration.test.ts: each scenario run against a DELIBERATELY broken orchestrator
 * must FAIL on the gate of the check it targets, and the same scenario without the defect must
 * pass (so the failure is the defect's, not the scenario's).
 *
 * | defect          | what it breaks                                              | caught by |
 * |-----------------|-------------------------------------------------------------|-----------|
 * | dependent-early | a join is released when its FIRST dependency succeeds: its  | lifecycle |
 * |                 | BeadStarted comes before the slow dependency's BeadSucceeded | (DAG order) |
 * | start-after-outcome | a BeadStarted appended after the bead's BeadSucceeded   | lifecycle (after-terminal) |
 * | skip-step       | a resumed attempt starts at checkpoint + 2: a step never runs | doubleSideEffects (step accounting) |
 *
 * The scenario schema (harness/scenario/sections/system.ts) does not list the new defects yet,
 * so the scenario is validated without one and the defect is set on the resolved scenario.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioText, type ResolvedScenario } from '../scenario/index.ts';
import { formatFailedGates } from './gates.ts';
import { runScenario } from './run.ts';

let reportDir: string;
beforeAll(async () => {
  reportDir = await mkdtemp(join(tmpdir(), 'oya-self-check-defects-'));
});
afterAll(async () => {
  await rm(reportDir, { recursive: true, force: true });
});

/** defect → the scenario that exposes it and the gate(s) that must fail. */
const CASES: { defect: string; yaml: string; mustFail: string[] }[] = [
  {
    defect: 'dependent-early',
    // quick (1 step) succeeds long before slow (5 × 300 ms): the defect starts join in between.
    yaml: `
system: { workers: 3, agent: { steps: 1, stepTime: 10ms } }
workload:
  - workflow:
      name: j
      beads:
        - id: quick
        - id: slow
          agent: { steps: 5, stepTime: 300ms }
        - id: join
          dependsOn: [quick, slow]
timeouts: { drain: 30s, total: 90s }`,
    mustFail: ['expect.lifecycle'],
  },
  {
    defect: 'start-after-outcome',
    yaml: `
system: { workers: 2, agent: { steps: 2, stepTime: 50ms } }
workload:
  - beads: 2
timeouts: { drain: 30s, total: 90s }`,
    mustFail: ['expect.lifecycle'],
  },
  {
    defect: 'skip-step',
    // The worker crashes at step 4; the resumed attempt starts at step 5 instead of 4.
    yaml: `
system: { workers: 2, agent: { steps: 5, stepTime: 100ms }, reconcileTick: 200ms, timeouts: { heartbeat: 1s } }
workload:
  - beads: 2
    agent: { crashAt: 4 }
timeouts: { drain: 45s, total: 90s }`,
    mustFail: ['expect.doubleSideEffects'],
  },
];

function scenarioFor(name: string, yaml: string, defects: string[]): ResolvedScenario {
  const scenario = loadScenarioText(`name: ${name}\nkind: integration\n${yaml}\n`, `scenarios/integration/${name}.yaml`);
  return { ...scenario, system: { ...scenario.system, defects: defects as ResolvedScenario['system']['defects'] } };
}

describe('self-check: the lifecycle check catches each ordering defect, and passes without it', () => {
  for (const { defect, yaml, mustFail } of CASES) {
    it(`${defect} → the run fails on ${mustFail.join(', ')}`, async () => {
      const name = `self-check-${defect}`;
      const result = await runScenario(scenarioFor(name, yaml, [defect]), { reportDir });
      const summary = `${formatFailedGates(name, result.gates)}\njournal: ${result.journalPath}`;
      expect(result.error, summary).toBeUndefined();
      expect(result.verdict, summary).toBe('fail');
      const failed = result.gates.filter((g) => !g.pass).map((g) => g.name);
      for (const gate of mustFail) expect(failed, summary).toContain(gate);
    }, 150_000);

    it(`control: the ${defect} scenario without the defect passes`, async () => {
      const name = `self-check-${defect}-control`;
      const result = await runScenario(scenarioFor(name, yaml, []), { reportDir });
      expect(result.verdict, `${formatFailedGates(name, result.gates)}\njournal: ${result.journalPath}`).toBe('pass');
    }, 150_000);
  }
});
