/**
 * What every self-check case asserts, from the one proof table (harness/checks/proofs.ts): with
 * its defect, each failure case the table credits to the case is RED in the run's own check
 * report (the checker false with a violation of that kind, or the gate failed); without the
 * defect the same scenario passes and each of those checkers is GREEN (valid true, not unknown).
 */
import { expect } from 'vitest';
import { proofsOfCase } from '../checks/proofs.ts';
import type { CheckName, CheckReport } from '../checks/types.ts';
import { loadScenarioText, type ResolvedScenario } from '../scenario/index.ts';
import { formatFailedGates } from './gates.ts';
import type { RunResult } from './run.ts';

/** One self-check case: a scenario (YAML without name/kind) that exposes its defect. */
export interface SelfCheckCase {
  /** The case name in proofs.ts (the scenario is `self-check-<name>`). */
  name: string;
  yaml: string;
  /** More that the defective run must show, beyond the proof rows (e.g. how many beads it lost). */
  redAlso?: (report: CheckReport) => void;
}

/** The scenario of a case, with the defect (or none, for the control) set on the resolved scenario. */
export function selfCheckScenario(name: string, yaml: string, defects: readonly string[]): ResolvedScenario {
  const scenario = loadScenarioText(`name: ${name}\nkind: integration\n${yaml}\n`, `scenarios/integration/${name}.yaml`);
  return { ...scenario, system: { ...scenario.system, defects: [...defects] as ResolvedScenario['system']['defects'] } };
}

/** The defect a case runs (every row of one case names the same one). */
export function defectOfCase(name: string): string {
  const defects = new Set(proofsOfCase(name).map((proof) => proof.defect));
  if (defects.size !== 1)
    throw new Error(`self-check case ${name}: proofs.ts gives ${defects.size} defects (${[...defects].join(', ')}), expected exactly one`);
  return [...defects][0]!;
}

function summaryOf(result: RunResult): string {
  return `${formatFailedGates(result.journal.scenario.name, result.gates)}\njournal: ${result.journalPath}`;
}

function reportOf(result: RunResult): CheckReport {
  const report = result.journal.checks as CheckReport | undefined;
  expect(report, `no check report in the journal\n${summaryOf(result)}`).toBeDefined();
  return report!;
}

/** With the defect: the run failed, and every failure case the table credits to the case is red. */
export function expectProofsRed(caseName: string, result: RunResult, redAlso?: SelfCheckCase['redAlso']): void {
  const summary = summaryOf(result);
  expect(result.error, summary).toBeUndefined();
  expect(result.verdict, summary).toBe('fail');
  const report = reportOf(result);
  const proofs = proofsOfCase(caseName);
  expect(proofs.length, `proofs.ts has no row for self-check case ${caseName}`).toBeGreaterThan(0);
  for (const proof of proofs) {
    if (proof.kind === undefined) {
      const gate = result.gates.find((g) => g.name === proof.check);
      expect(gate?.pass, `gate ${proof.check} must fail\n${summary}`).toBe(false);
      continue;
    }
    const check = report.checks[proof.check as CheckName];
    const kinds = check.violations.map((v) => v.kind);
    expect(check.valid, `${proof.check} must be red\n${summary}`).toBe(false);
    expect(kinds, `${proof.check} must report ${proof.kind}\n${summary}`).toContain(proof.kind);
  }
  redAlso?.(report);
}

/** Without the defect: the run passed, and every checker (or gate) the case proves is green. */
export function expectProofsGreen(caseName: string, result: RunResult): void {
  const summary = summaryOf(result);
  expect(result.verdict, summary).toBe('pass');
  const report = reportOf(result);
  for (const proof of proofsOfCase(caseName)) {
    if (proof.kind === undefined) {
      expect(result.gates.find((g) => g.name === proof.check)?.pass, `gate ${proof.check} must pass\n${summary}`).toBe(true);
    } else {
      expect(report.checks[proof.check as CheckName].valid, `${proof.check} must be green\n${summary}`).toBe(true);
    }
  }
}
