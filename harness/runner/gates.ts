/**
 * The gates: the scenario's verdict, from its `expect:` (correctness, judged by the checks),
 * its `thresholds:` (metrics) and its deliberately invalid requests (status/code). A gate whose
 * input is unknown never passes (Jepsen's :unknown is not :valid).
 */
import type { CheckName, CheckReport, Expectations } from '../checks/index.ts';
import { evaluateThreshold, type ResolvedScenario } from '../scenario/index.ts';
import { metricValue, type Measured } from './measure.ts';
import type { WorkloadPlan } from './plan.ts';
import type { InvalidResult } from './workload.ts';
import type { DrainResult } from './drain.ts';
import type { FaultRecord } from './faults/index.ts';

/** One gate's verdict. `expected` and `actual` are readable text. */
export interface GateResult {
  /** `regression`: a `baseline:` rule against a stored run (measure.ts baselineGates). */
  kind: 'expect' | 'threshold' | 'invalid' | 'regression';
  name: string;
  pass: boolean;
  expected: string;
  actual: string;
}

/** The scenario's expect: as the checks' Expectations, workflow bead refs expanded to bead ids. */
export function expectationsFor(scenario: ResolvedScenario, plan: WorkloadPlan): Expectations {
  const e = scenario.expect;
  const beads: Record<string, string> = {};
  for (const [ref, status] of Object.entries(e.beads ?? {})) {
    for (const id of plan.beadRefs.get(ref) ?? []) beads[id] = status === 'completed' ? 'succeeded' : status;
  }
  return {
    completed: e.completed,
    ...(e.failed !== undefined ? { failed: e.failed } : {}),
    ...(e.cancelled !== undefined ? { cancelled: e.cancelled } : {}),
    ...(Object.keys(beads).length > 0 ? { beads } : {}),
    ...(e.priorityOrder ? { priorityOrder: true } : {}),
  };
}

/** expect key → the check whose violation count it gates. */
const COUNT_GATES: [keyof ResolvedScenario['expect'], CheckName][] = [
  ['lost', 'lost'],
  ['duplicated', 'duplicated'],
  ['eventGaps', 'eventGaps'],
  ['doubleSideEffects', 'doubleSideEffects'],
  ['apiLogDisagreements', 'apiLogDisagreement'],
  ['lifecycle', 'lifecycle'],
];

/**
 * Every gate of a run, in report order: expect, invalid requests, thresholds. The safety counts
 * of `expect:` (lost, duplicated, eventGaps, doubleSideEffects, apiLogDisagreements, lifecycle) are upper
 * bounds; `completed`/`failed`/`cancelled` are exact (the stateExpectations check).
 */
export function evaluateGates(input: {
  scenario: ResolvedScenario;
  checks: CheckReport;
  measured: Measured;
  invalid: readonly InvalidResult[];
  /** The drain's answer; when given, not draining in time fails the run (a bead still open is not judged). */
  drain?: Pick<DrainResult, 'drained' | 'ms' | 'pending'>;
  /** The fault timeline's records; when one has a `target`, every targeted fault must have found it. */
  faults?: readonly Pick<FaultRecord, 'index' | 'do' | 'spec' | 'targetMissing'>[];
}): GateResult[] {
  const { scenario, checks } = input;
  const gates: GateResult[] = [];
  const targeted = (input.faults ?? []).filter((f) => 'target' in f.spec);
  if (targeted.length > 0) {
    // A crash of `doc.publish` that found no worker running it tested nothing: the scenario's timing missed the system.
    const missed = targeted.filter((f) => f.targetMissing !== undefined);
    gates.push({
      kind: 'expect',
      name: 'faults.targets',
      pass: missed.length === 0,
      expected: 'every targeted fault found its target',
      actual:
        missed.length === 0 ? `${targeted.length} of ${targeted.length} found` : missed.map((f) => `faults[${f.index}] ${f.do}: ${f.targetMissing}`).join('; '),
    });
  }
  if (input.drain !== undefined) {
    const { drained, ms, pending } = input.drain;
    gates.push({
      kind: 'expect',
      name: 'drain.drained',
      pass: drained,
      expected: `every acknowledged bead terminal within ${scenario.timeouts.drain} ms`,
      actual: drained
        ? `drained in ${ms} ms`
        : `${pending.length} still open after ${ms} ms: ${pending.slice(0, 5).join(', ')}${pending.length > 5 ? ', …' : ''}`,
    });
  }
  for (const [key, check] of COUNT_GATES) {
    const expected = scenario.expect[key] as number;
    const result = checks.checks[check];
    const count = checks.counts[check];
    const unknown = result.valid === 'unknown';
    gates.push({
      kind: 'expect',
      name: `expect.${key}`,
      // A count is a ceiling: `doubleSideEffects: 2` allows up to two (e.g. steps in flight at a SIGKILL).
      pass: !unknown && count <= expected,
      expected: expected === 0 ? `${key} == 0` : `${key} <= ${expected}`,
      actual: unknown ? `unknown (the ${check} check had no data)` : `${count}${count > 0 ? `: ${summarize(result.violations)}` : ''}`,
    });
  }
  // Jepsen's set checker: a bead nothing could have created always fails the run.
  const unexpected = checks.checks.unexpected;
  gates.push({
    kind: 'expect',
    name: 'expect.unexpected',
    pass: unexpected.valid === true,
    expected: 'unexpected == 0',
    actual: `${checks.counts.unexpected}${checks.counts.unexpected > 0 ? `: ${summarize(unexpected.violations)}` : ''}`,
  });
  const state = checks.checks.stateExpectations;
  const e = scenario.expect;
  gates.push({
    kind: 'expect',
    name: 'expect.state',
    pass: state.valid === true,
    expected: [
      `completed ${e.completed === 'all' ? 'all' : `== ${e.completed}`}`,
      ...(e.failed !== undefined ? [`failed == ${e.failed}`] : []),
      ...(e.cancelled !== undefined ? [`cancelled == ${e.cancelled}`] : []),
      ...Object.entries(e.beads ?? {}).map(([ref, s]) => `${ref} ${s}`),
    ].join(', '),
    actual: state.valid === true ? 'as expected' : state.valid === 'unknown' ? 'unknown' : summarize(state.violations),
  });
  for (const inv of input.invalid) {
    const exp = `${inv.expected.status}${inv.expected.code ? ` ${inv.expected.code}` : ''}`;
    const act = inv.actual.status !== undefined ? `${inv.actual.status}${inv.actual.code ? ` ${inv.actual.code}` : ''}` : `no response (${inv.actual.error})`;
    gates.push({ kind: 'invalid', name: `invalid.${inv.phase}[${inv.index}].${inv.send}`, pass: inv.pass, expected: exp, actual: act });
  }
  for (const parsed of Object.values(scenario.thresholds)) {
    const result = evaluateThreshold(parsed, metricValue(input.measured, parsed));
    gates.push({ kind: 'threshold', name: (parsed as { key: string }).key, pass: result.pass, expected: result.expected, actual: result.actual });
  }
  return gates;
}

/** A readable, bounded list of violation messages. */
function summarize(violations: readonly { message: string }[]): string {
  const shown = violations.slice(0, 3).map((v) => v.message);
  return shown.join('; ') + (violations.length > 3 ? `; … ${violations.length - 3} more` : '');
}

/** The failure message of a run: every gate, failed ones marked ✗, with expected vs actual. */
export function formatFailedGates(scenarioName: string, gates: readonly GateResult[]): string {
  const failed = gates.filter((g) => !g.pass);
  return [
    `scenario ${scenarioName}: ${failed.length} of ${gates.length} gates failed`,
    ...gates.map((g) => `  ${g.pass ? '✓' : '✗'} ${g.name}: expected ${g.expected}, actual ${g.actual}`),
  ].join('\n');
}
