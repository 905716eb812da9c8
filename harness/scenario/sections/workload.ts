/**
 * `workload`: a list of phases. Each phase is exactly one of
 *  - `beads: N`            N independent beads, at `rate` (open model) or all at once;
 *  - `workflow: {...}`     an inline DAG (named, beads with dependsOn), submitted `count` times;
 *  - `invalid: [...]`      requests that are wrong on purpose, with the status/code expected back.
 * Phases may also script the agent, cancel beads and re-send duplicate submissions.
 */
import { z } from 'zod';
import { findCycle } from '../../../system/scheduler/index.ts';
import { durationSchema, fractionSchema, rateSchema } from '../units.ts';
import { agentScriptSchema, checkAgentScript } from './agent-script.ts';
import { unknownBeadId } from './bead-ref.ts';
import { SLUG_HINT, SLUG_RE, type RawIssue } from './issue.ts';

const slug = (what: string) => z.string().regex(SLUG_RE, { error: (iss) => `${JSON.stringify(iss.input)} is not a valid ${what}; use ${SLUG_HINT}` });

export const workflowSchema = z
  .strictObject({
    name: slug('workflow name').meta({ description: 'Referenced as <workflow>.<bead> in expect.beads and fault targets.' }),
    beads: z
      .array(
        z.strictObject({
          id: slug('bead id'),
          dependsOn: z.array(slug('bead id')).default([]).meta({ description: 'Beads that must complete first.' }),
          agent: agentScriptSchema.optional(),
        }),
      )
      .min(1),
  })
  .meta({ description: 'An inline DAG of beads.' });

/** Requests the harness sends wrong on purpose, to check the API refuses them cleanly. */
export const INVALID_REQUESTS = [
  'cycle',
  'unknown-dependency',
  'missing-prompt',
  'bad-priority',
  'unknown-field',
  'oversized-payload',
  'malformed-json',
  'cancel-unknown-bead',
] as const;

export const invalidRequestSchema = z.strictObject({
  send: z.enum(INVALID_REQUESTS).meta({ description: 'Which malformed request to send.' }),
  expect: z.strictObject({
    status: z.int().min(400).max(599).meta({ description: 'Expected HTTP status.' }),
    code: z
      .string()
      .regex(/^ORCH_[A-Z0-9_]+$/, { error: 'code must be an orchestrator error code such as ORCH_DAG_CYCLE' })
      .optional()
      .meta({ description: 'Expected error code in the response body.' }),
  }),
});

export const cancelSchema = z
  .strictObject({
    bead: slug('bead id').optional().meta({ description: "A bead of this phase's workflow (every instance)." }),
    fraction: fractionSchema.optional().meta({ description: "Share of this phase's beads to cancel, chosen by seed." }),
    at: durationSchema.optional().meta({ description: 'Cancel at this time after the run starts.' }),
    afterStart: durationSchema.optional().meta({ description: 'Cancel this long after each chosen bead starts running.' }),
  })
  .meta({ description: 'Cancellations: one of bead|fraction, one of at|afterStart.' });

/**
 * How the workload's client retries a submission, like a real SDK: the AWS SDKs' `standard` mode
 * is the model of the default — 3 attempts in all, exponential backoff from 100 ms with full
 * jitter (capped at 20 s), on transient answers only: an indeterminate outcome (timeout, reset),
 * a refused connection, 429 and 500/502/503/504. Every attempt re-sends the SAME idempotency key,
 * so the orchestrator must make the retries exactly-once.
 */
export const RETRY_ON = ['unknown', 'refused'] as const;
export const RETRY_DEFAULT = Object.freeze({
  attempts: 3,
  backoff: 100,
  on: Object.freeze(['unknown', 'refused', 429, 500, 502, 503, 504] as ((typeof RETRY_ON)[number] | number)[]),
});
/** Upper bound of one backoff sleep (ms), as the AWS SDKs cap theirs. */
export const RETRY_MAX_BACKOFF_MS = 20_000;

export const retrySchema = z
  .strictObject({
    attempts: z.int().min(1).max(100).default(RETRY_DEFAULT.attempts).meta({ description: 'Sends in all, the first included (1 = never retry). Default 3.' }),
    backoff: durationSchema.prefault('100ms').meta({
      description:
        'Base of the exponential backoff: attempt n waits a seeded uniform draw in [0, ' + 'backoff × 2^(n-1)], at most 20s (full jitter). Default 100ms.',
    }),
    on: z
      .array(z.union([z.enum(RETRY_ON), z.int().min(400).max(599)], { error: 'retry.on lists unknown, refused or HTTP statuses (400-599)' }))
      .min(1)
      .default([...RETRY_DEFAULT.on])
      .meta({
        description:
          'What is retried: unknown (timeout, reset), refused (connection refused), or an HTTP status. Default [unknown, refused, 429, ' +
          '500, 502, 503, 504].',
      }),
  })
  .meta({
    description:
      "Client retries of this phase's submissions, with the same idempotency key (default: 3 attempts, 100ms full-jitter backoff, " +
      'on unknown, refused, 429, 500, 502, 503, 504).',
  });

export type Retry = z.output<typeof retrySchema>;

export const phaseSchema = z
  .strictObject({
    name: slug('phase name').optional(),
    start: durationSchema.optional().meta({ description: "Start offset from the run start (default: when the previous phase's arrivals end)." }),
    beads: z.int().min(1).max(1_000_000).optional().meta({ description: 'Submit this many independent beads.' }),
    workflow: workflowSchema.optional(),
    count: z.int().min(1).max(100_000).optional().meta({ description: 'Instances of the workflow to submit (default 1).' }),
    invalid: z.array(invalidRequestSchema).min(1).optional(),
    rate: rateSchema.optional().meta({ description: 'Open-model arrival rate; omit to submit all at once.' }),
    arrival: z.enum(['constant', 'poisson']).optional().meta({ description: 'Inter-arrival times: constant (default) or poisson (seeded).' }),
    agent: agentScriptSchema.optional(),
    priority: z.int().min(0).max(4).optional().meta({ description: 'Priority of every bead in the phase, 0 = highest.' }),
    cancel: cancelSchema.optional(),
    duplicates: fractionSchema.optional().meta({ description: 'Share of submissions re-sent with the same idempotency key.' }),
    duplicateAfter: durationSchema.optional().meta({
      description:
        'How long after the first answer a duplicate is re-sent (default: at once); e.g. past an orchestrator.kill, to prove keys survive a restart.',
    }),
    retry: retrySchema.optional(),
  })
  .meta({ description: 'One workload phase: exactly one of beads, workflow, invalid.' });

export const workloadSchema = z
  .array(phaseSchema, { error: 'workload must be a list of phases, e.g. "- beads: 50"' })
  .min(1, { error: 'workload needs at least one phase' })
  .meta({ id: 'Workload', description: 'Phases of work, submitted in order.' });

export type Phase = z.output<typeof phaseSchema>;
export type Workload = z.output<typeof workloadSchema>;

/** What other sections need to know about the workload: workflows and their beads, and totals. */
export interface WorkloadIndex {
  /** workflow name → bead ids. */
  workflows: Map<string, Set<string>>;
  /** Beads the workload submits (duplicates and invalid requests not counted). */
  totalBeads: number;
  /** True when some phase cancels beads. */
  cancels: boolean;
}

export function indexWorkload(workload: Workload): WorkloadIndex {
  const workflows = new Map<string, Set<string>>();
  let totalBeads = 0;
  for (const phase of workload) {
    totalBeads += phase.beads ?? 0;
    if (phase.workflow) {
      workflows.set(phase.workflow.name, new Set(phase.workflow.beads.map((b) => b.id)));
      totalBeads += (phase.count ?? 1) * phase.workflow.beads.length;
    }
  }
  return { workflows, totalBeads, cancels: workload.some((p) => p.cancel !== undefined) };
}

/** Cross-field checks: phase shape, DAG integrity (unknown deps, cycles), script steps, unique names. */
export function checkWorkload(workload: Workload, defaultSteps: number): RawIssue[] {
  const issues: RawIssue[] = [];
  const seenWorkflows = new Map<string, number>();
  const seenPhases = new Map<string, number>();
  workload.forEach((phase, i) => {
    const at = ['workload', i];
    const kinds = (['beads', 'workflow', 'invalid'] as const).filter((k) => phase[k] !== undefined);
    if (kinds.length !== 1) {
      const found = kinds.length === 0 ? 'none' : kinds.join(' and ');
      issues.push({ path: at, message: `a phase needs exactly one of beads, workflow, invalid (found ${found})` });
    }
    if (phase.count !== undefined && !phase.workflow) {
      issues.push({ path: [...at, 'count'], message: 'count applies to workflow phases; use beads: N for independent beads' });
    }
    if (phase.arrival !== undefined && phase.rate === undefined) {
      issues.push({ path: [...at, 'arrival'], message: 'arrival needs a rate (without a rate the phase is sent all at once)' });
    }
    if (phase.duplicateAfter !== undefined && phase.duplicates === undefined) {
      issues.push({ path: [...at, 'duplicateAfter'], message: 'duplicateAfter needs duplicates (the share of submissions to re-send)' });
    }
    if (phase.name !== undefined) {
      if (seenPhases.has(phase.name)) {
        issues.push({ path: [...at, 'name'], message: `phase name "${phase.name}" is already used by workload[${seenPhases.get(phase.name)}]` });
      }
      seenPhases.set(phase.name, i);
    }
    if (phase.agent) issues.push(...checkAgentScript(phase.agent, defaultSteps, [...at, 'agent']));
    if (phase.cancel) issues.push(...checkCancel(phase, at));
    if (phase.workflow) {
      const name = phase.workflow.name;
      if (seenWorkflows.has(name)) {
        issues.push({ path: [...at, 'workflow', 'name'], message: `workflow "${name}" is already defined in workload[${seenWorkflows.get(name)}]` });
      }
      seenWorkflows.set(name, i);
      issues.push(...checkDag(phase, [...at, 'workflow'], defaultSteps));
    }
  });
  return issues;
}

function checkCancel(phase: Phase, at: (string | number)[]): RawIssue[] {
  const cancel = phase.cancel!;
  const path = [...at, 'cancel'];
  const issues: RawIssue[] = [];
  if ((cancel.bead === undefined) === (cancel.fraction === undefined)) issues.push({ path, message: 'cancel needs exactly one of bead, fraction' });
  if ((cancel.at === undefined) === (cancel.afterStart === undefined)) issues.push({ path, message: 'cancel needs exactly one of at, afterStart' });
  if (cancel.bead !== undefined) {
    if (!phase.workflow) {
      issues.push({ path: [...path, 'bead'], message: "cancel.bead names a bead of this phase's workflow; for independent beads use fraction" });
    } else if (!phase.workflow.beads.some((b) => b.id === cancel.bead)) {
      const beads = phase.workflow.beads.map((b) => b.id);
      issues.push({ path: [...path, 'bead'], message: unknownBeadId(cancel.bead, beads, phase.workflow.name) });
    }
  }
  return issues;
}

function checkDag(phase: Phase, at: (string | number)[], defaultSteps: number): RawIssue[] {
  const beads = phase.workflow!.beads;
  const issues: RawIssue[] = [];
  const ids = new Map<string, number>();
  beads.forEach((bead, j) => {
    if (ids.has(bead.id)) issues.push({ path: [...at, 'beads', j, 'id'], message: `bead id "${bead.id}" is used twice in this workflow` });
    ids.set(bead.id, j);
  });
  beads.forEach((bead, j) => {
    bead.dependsOn.forEach((dep, k) => {
      if (dep === bead.id) issues.push({ path: [...at, 'beads', j, 'dependsOn', k], message: `bead "${bead.id}" depends on itself` });
      else if (!ids.has(dep)) {
        issues.push({ path: [...at, 'beads', j, 'dependsOn', k], message: unknownBeadId(dep, ids.keys()) });
      }
    });
    if (bead.agent) issues.push(...checkAgentScript(bead.agent, phase.agent?.steps ?? defaultSteps, [...at, 'beads', j, 'agent']));
  });
  // The orchestrator's own (iterative) cycle finder: the validator refuses exactly what it would.
  const cycle = findCycle(beads.map((b) => ({ id: b.id, dependsOn: b.dependsOn.filter((d) => d !== b.id && ids.has(d)) })));
  if (cycle) issues.push({ path: [...at, 'beads', ids.get(cycle[0]!)!, 'dependsOn'], message: `dependency cycle: ${cycle.join(' → ')}` });
  return issues;
}
