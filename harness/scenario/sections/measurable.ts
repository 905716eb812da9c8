/**
 * What a scenario can measure at all, read from its workload and faults the way
 * harness/runner/measure.ts collects the numbers, so `thresholds` can refuse a gate that could
 * never have data (no data never passes: it would fail every run, or gate nothing) before
 * anything runs. Only what no run can change counts here: a seed, a slow machine or a missed
 * fault target may leave a window empty in one run, and that stays the run's verdict.
 *
 * - latency, overhead, dispatch and throughput come from beads that SUCCEEDED (measure.ts skips
 *   the others). A bead whose agent fails at `failAt` on every attempt it gets (failTimes >=
 *   DEFAULT_MAX_ATTEMPTS, the bead default the harness never overrides) never succeeds, nor does a
 *   workflow bead that depends on one: it ends blocked. Overhead also needs the bead's agent time,
 *   which the plan states for every bead it submits (plan.ts nominalAgentMs), so it adds nothing.
 * - fairness groups those beads by phase when several phases submit, else by workflow instance
 *   (measure.ts), and needs two groups to compare.
 * - recovery is one number per healed fault; requests (errors) and arrivals (dropped) come from
 *   submissions — deliberately invalid requests are not counted.
 */
import { DEFAULT_MAX_ATTEMPTS } from '../../../system/scheduler/index.ts';
import type { AgentScript } from './agent-script.ts';
import type { Phase, Workload } from './workload.ts';

/** What the workload can produce, with the reason when it cannot. */
export interface Measurable {
  /** Phases that submit beads (a `beads:` or `workflow:` phase). */
  submitting: number;
  /** Why no bead can succeed; undefined when one can. */
  noSuccess: string | undefined;
  /** Most groups fairness can compare, and how they are counted. */
  fairness: { groups: number; why: string };
}

const failsForGood = (script: AgentScript | undefined): boolean => script?.failAt !== undefined && (script.failTimes ?? 1) >= DEFAULT_MAX_ATTEMPTS;

/** Beads of a phase that can succeed (its own count, or per workflow instance), by the agent scripts alone. */
function succeedable(phase: Phase): number {
  if (phase.beads !== undefined) return failsForGood(phase.agent) ? 0 : phase.beads;
  const beads = phase.workflow?.beads ?? [];
  const byId = new Map(beads.map((b) => [b.id, b]));
  const doomed = new Map<string, boolean>();
  // A bead never succeeds when its own script fails for good or a dependency never succeeds (it ends blocked).
  const never = (id: string, path: ReadonlySet<string>): boolean => {
    const known = doomed.get(id);
    if (known !== undefined) return known;
    const bead = byId.get(id);
    if (bead === undefined || path.has(id)) return false; // an unknown id or a cycle: the workload check reports it
    const next = new Set(path).add(id);
    const result = failsForGood({ ...phase.agent, ...bead.agent }) || bead.dependsOn.some((d) => never(d, next));
    doomed.set(id, result);
    return result;
  };
  return beads.filter((b) => !never(b.id, new Set())).length;
}

/** The phase as a user names it in messages. */
const phaseName = (phase: Phase, i: number): string => (phase.name !== undefined ? `phase "${phase.name}"` : `workload[${i}]`);

export function measurable(workload: Workload): Measurable {
  const submitting = workload.map((phase, i) => ({ phase, i })).filter(({ phase }) => phase.beads !== undefined || phase.workflow !== undefined);
  const able = submitting.filter(({ phase }) => succeedable(phase) > 0);
  const noSuccess =
    submitting.length === 0
      ? 'the workload submits no beads (only deliberately invalid requests)'
      : able.length === 0
        ? `no bead can succeed: every bead fails at failAt on each of its ${DEFAULT_MAX_ATTEMPTS} attempts (failTimes >= ${DEFAULT_MAX_ATTEMPTS}), or depends on one that does`
        : undefined;
  return { submitting: submitting.length, noSuccess, fairness: fairnessGroups(submitting, able) };
}

/** measure.ts: with several submitting phases each phase is one group, else each workflow instance of the one phase. */
function fairnessGroups(submitting: readonly { phase: Phase; i: number }[], able: readonly { phase: Phase; i: number }[]): Measurable['fairness'] {
  if (submitting.length > 1) {
    const which = able.length === 1 ? `only ${phaseName(able[0]!.phase, able[0]!.i)} has` : 'none has';
    return { groups: able.length, why: `of its ${submitting.length} phases that submit beads, ${which} beads that can succeed` };
  }
  const only = submitting[0];
  if (only === undefined) return { groups: 0, why: 'the workload submits no beads' };
  const name = phaseName(only.phase, only.i);
  if (able.length === 0) return { groups: 0, why: `no bead of ${name}, the one phase that submits beads, can succeed` };
  if (only.phase.workflow === undefined) return { groups: 1, why: `only ${name} submits beads, and independent beads count as one workflow` };
  const count = only.phase.count ?? 1;
  return { groups: count, why: `only ${name} submits beads: ${count} instance${count === 1 ? '' : 's'} of workflow ${only.phase.workflow.name}` };
}
