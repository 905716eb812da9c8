/**
 * The workload plan: every request the run will send, and WHEN, fixed before anything starts.
 *
 * Pure and deterministic per seed (arrival times, which beads get cancelled, which submissions
 * are re-sent as duplicates), so a failing run replays with the same requests. The workload phase
 * (workload.ts) only executes this list; the checks and gates use the bead references it records
 * (`<workflow>.<bead>` → the bead ids of every instance).
 */
import { arrivalSchedule } from '../metrics/index.ts';
import { mulberry32 } from '../../system/util/index.ts';
import type { ResolvedScenario } from '../scenario/index.ts';
import { RETRY_DEFAULT, RETRY_MAX_BACKOFF_MS } from '../scenario/sections/workload.ts';

type Phase = ResolvedScenario['workload'][number];
type Script = NonNullable<Phase['agent']>;
type InvalidSend = NonNullable<Phase['invalid']>[number];

/** The simulated agent's input (system/agent/input.ts), as the bead's `input.agent`. */
export interface AgentInput {
  steps: number;
  stepTime: number;
  failAt?: number;
  failTimes?: number;
  crashAt?: number;
  crashTimes?: number;
  hangAt?: number;
  slowSteps?: Record<string, number>;
  payloadBytes?: number;
}

/** One bead as POST /beads takes it (system/api/README.md). */
export interface BeadBody {
  id: string;
  title: string;
  priority?: number;
  dependsOn?: string[];
  timeoutMs?: number;
  input: { agent: AgentInput };
}

/**
 * How a submission is retried (scenario `retry`, else RETRY_DEFAULT): `backoffs[n]` is the sleep
 * before attempt n + 2, drawn now (full jitter, seeded), so a seed replays the same retries.
 */
export interface PlannedRetry {
  attempts: number;
  on: readonly ('unknown' | 'refused' | number)[];
  backoffs: number[];
}

/** One request of the plan. `at` is ms from the run start (the intended send time). */
export type PlannedAction =
  | {
      type: 'submit';
      at: number;
      phase: string;
      beadId: string;
      body: BeadBody;
      idempotencyKey: string;
      resend: boolean;
      resendAfter: number;
      retry: PlannedRetry;
    }
  | {
      type: 'submitWorkflow';
      at: number;
      phase: string;
      workflowId: string;
      beadIds: string[];
      body: { workflow: { id: string; title: string; beads: BeadBody[] } };
      idempotencyKey: string;
      resend: boolean;
      /** ms after the first answer that the duplicate is sent (0: at once). */
      resendAfter: number;
      retry: PlannedRetry;
    }
  | { type: 'invalid'; at: number; phase: string; index: number; send: InvalidSend['send']; expect: InvalidSend['expect'] }
  | { type: 'cancel'; at: number; phase: string; beadId: string; afterStart?: number };

/** The whole plan: actions in intended-time order, and what the checks need to know about them. */
export interface WorkloadPlan {
  actions: PlannedAction[];
  /** Every bead id the plan submits (duplicates counted once). */
  beadIds: string[];
  /** `<workflow>.<bead>` → the ids of that bead in every instance of the workflow. */
  beadRefs: Map<string, string[]>;
  /** Nominal agent time per bead (ms): steps × step time, slow steps included, one attempt. */
  nominalAgentMs: Map<string, number>;
  /** When the last arrival is due (ms from run start). */
  lastArrivalAt: number;
}

/** Builds the plan of a resolved scenario. */
export function planWorkload(scenario: ResolvedScenario): WorkloadPlan {
  const actions: PlannedAction[] = [];
  const beadIds: string[] = [];
  const beadRefs = new Map<string, string[]>();
  const nominalAgentMs = new Map<string, number>();
  const random = mulberry32(scenario.seed);
  const defaults = scenario.system.agent;
  const timeoutDefault = scenario.system.timeouts.bead;
  let previousEnd = 0;

  scenario.workload.forEach((phase, i) => {
    const label = phase.name ?? `phase${i + 1}`;
    const startAt = phase.start ?? previousEnd;
    const units = phase.beads ?? (phase.workflow ? (phase.count ?? 1) : 0);
    const times =
      phase.rate !== undefined && units > 0
        ? arrivalSchedule({ count: units, rate: phase.rate, arrival: phase.arrival ?? 'constant', seed: scenario.seed + i, startAt })
        : Array.from({ length: units }, () => startAt);
    previousEnd = times.length > 0 ? Math.max(startAt, times[times.length - 1]!) : startAt;
    const resend = () => phase.duplicates !== undefined && random() < phase.duplicates;
    const resendAfter = phase.duplicateAfter ?? 0;
    // Its own stream: adding retries to a phase must not move its arrivals or its cancels.
    const jitter = mulberry32((scenario.seed ^ 0xbac0ff) + Math.imul(i + 1, 0x9e3779b1));
    const policy = phase.retry ?? RETRY_DEFAULT;
    const retry = (): PlannedRetry => ({
      attempts: policy.attempts,
      on: policy.on,
      backoffs: Array.from({ length: policy.attempts - 1 }, (_, n) => Math.round(jitter() * Math.min(RETRY_MAX_BACKOFF_MS, policy.backoff * 2 ** n))),
    });

    if (phase.invalid) {
      phase.invalid.forEach((inv, index) => actions.push({ type: 'invalid', at: startAt, phase: label, index, send: inv.send, expect: inv.expect }));
      return;
    }
    const phaseBeads: { id: string; at: number; ref?: string }[] = [];
    if (phase.beads !== undefined) {
      times.forEach((at, n) => {
        const id = `${label}-${n + 1}`;
        const script = { ...phase.agent };
        const body = beadBody(id, `${scenario.name} ${id}`, defaults, script, phase.priority, timeoutDefault);
        nominalAgentMs.set(id, nominalMs(body.input.agent));
        actions.push({ type: 'submit', at, phase: label, beadId: id, body, idempotencyKey: `submit:${id}`, resend: resend(), resendAfter, retry: retry() });
        beadIds.push(id);
        phaseBeads.push({ id, at });
      });
    }
    if (phase.workflow) {
      const wf = phase.workflow;
      times.forEach((at, k) => {
        const workflowId = `${wf.name}-${k + 1}`;
        const beads = wf.beads.map((b) => {
          const id = `${workflowId}.${b.id}`;
          const ref = `${wf.name}.${b.id}`;
          beadRefs.set(ref, [...(beadRefs.get(ref) ?? []), id]);
          const body = beadBody(id, `${scenario.name} ${id}`, defaults, { ...phase.agent, ...b.agent }, phase.priority, timeoutDefault);
          if (b.dependsOn.length > 0) body.dependsOn = b.dependsOn.map((d) => `${workflowId}.${d}`);
          nominalAgentMs.set(id, nominalMs(body.input.agent));
          phaseBeads.push({ id, at, ref });
          return body;
        });
        beadIds.push(...beads.map((b) => b.id));
        actions.push({
          type: 'submitWorkflow',
          at,
          phase: label,
          workflowId,
          beadIds: beads.map((b) => b.id),
          body: { workflow: { id: workflowId, title: `${scenario.name} ${workflowId}`, beads } },
          idempotencyKey: `workflow:${workflowId}`,
          resend: resend(),
          resendAfter,
          retry: retry(),
        });
      });
    }
    if (phase.cancel) {
      const cancel = phase.cancel;
      const chosen =
        cancel.bead !== undefined
          ? phaseBeads.filter((b) => b.ref === `${phase.workflow!.name}.${cancel.bead}`)
          : pickFraction(phaseBeads, cancel.fraction ?? 0, random);
      for (const bead of chosen) {
        actions.push(
          cancel.at !== undefined
            ? { type: 'cancel', at: cancel.at, phase: label, beadId: bead.id }
            : { type: 'cancel', at: bead.at, phase: label, beadId: bead.id, afterStart: cancel.afterStart ?? 0 },
        );
      }
    }
  });
  // Stable: submissions before cancels at the same instant, plan order otherwise.
  const order = { invalid: 0, submit: 1, submitWorkflow: 1, cancel: 2 } as const;
  actions.sort((a, b) => a.at - b.at || order[a.type] - order[b.type]);
  return { actions, beadIds, beadRefs, nominalAgentMs, lastArrivalAt: previousEnd };
}

function beadBody(
  id: string,
  title: string,
  defaults: ResolvedScenario['system']['agent'],
  script: Partial<Script>,
  phasePriority: number | undefined,
  timeoutDefault: number,
): BeadBody {
  const agent: AgentInput = { steps: script.steps ?? defaults.steps, stepTime: script.stepTime ?? defaults.stepTime };
  if (script.failAt !== undefined) {
    agent.failAt = script.failAt;
    agent.failTimes = script.failTimes ?? 1;
  }
  // The scenario format says a scripted crash happens once; the agent's default is every attempt.
  if (script.crashAt !== undefined) Object.assign(agent, { crashAt: script.crashAt, crashTimes: 1 });
  if (script.hangAt !== undefined) agent.hangAt = script.hangAt;
  if (script.slowSteps) agent.slowSteps = Object.fromEntries(script.slowSteps.steps.map((s) => [String(s), script.slowSteps!.stepTime]));
  const payloadBytes = script.payloadBytes ?? defaults.payloadBytes;
  if (payloadBytes > 0) agent.payloadBytes = payloadBytes;
  const body: BeadBody = { id, title, input: { agent } };
  const priority = phasePriority ?? script.priority;
  if (priority !== undefined) body.priority = priority;
  body.timeoutMs = script.timeout ?? timeoutDefault;
  return body;
}

/** Steps × step time, with slow steps at their own time: one attempt's agent time. */
export function nominalMs(agent: AgentInput): number {
  let total = 0;
  for (let step = 1; step <= agent.steps; step++) total += agent.slowSteps?.[String(step)] ?? agent.stepTime;
  return total;
}

/** A seeded choice of round(fraction × n) items (at least one when fraction > 0), in plan order. */
function pickFraction<T>(items: readonly T[], fraction: number, random: () => number): T[] {
  if (fraction <= 0 || items.length === 0) return [];
  const count = Math.min(items.length, Math.max(1, Math.round(fraction * items.length)));
  const indexed = items.map((item, i) => ({ item, i, key: random() }));
  return indexed
    .sort((a, b) => a.key - b.key)
    .slice(0, count)
    .sort((a, b) => a.i - b.i)
    .map((x) => x.item);
}
