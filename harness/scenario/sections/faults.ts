/**
 * `faults`: a timeline. Each entry says when (`at`, from the run start), what (`do`), for how
 * long (`for`, where the fault has a window) and the fault's own parameters, written flat:
 *
 *   - { at: 5s, do: db.latency, for: 10s, latency: 300ms, jitter: 50ms }
 *
 * Every fault is healed at `at + for` and, whatever happens, at the end of the run.
 */
import { z } from 'zod';
import { durationSchema } from '../units.ts';
import type { RawIssue } from './issue.ts';
import type { WorkloadIndex } from './workload.ts';

const at = durationSchema.meta({ description: 'When the fault starts, from the run start.' });
const windowRequired = durationSchema.meta({ description: 'How long the fault lasts before it is healed.' });
const windowOptional = windowRequired.optional();

/** `random`, `busiest`, or `<workflow>.<bead>`: the worker running that bead. */
export const TARGET_PATTERN = '^(?:random|busiest|[a-z0-9]+(?:-[a-z0-9]+)*\\.[a-z0-9]+(?:-[a-z0-9]+)*)$';
const target = z
  .string()
  .regex(new RegExp(TARGET_PATTERN), { error: (iss) => `${JSON.stringify(iss.input)} is not a target; use random, busiest or <workflow>.<bead>` })
  .default('random')
  .meta({ description: 'Which worker: random (seeded), busiest, or <workflow>.<bead> (the worker running that bead).' });

const fault = <D extends string, S extends z.core.$ZodLooseShape>(name: D, description: string, shape: S) =>
  z.strictObject({ at, do: z.literal(name), ...shape }).meta({ description });

export const FAULT_SCHEMAS = [
  fault('actors.kill', 'Kill supervised actors inside the orchestrator (via /admin hooks); supervisors must restart them.', {
    for: windowOptional,
    count: z.int().min(1).default(1).meta({ description: 'Actors killed each time.' }),
    every: durationSchema.optional().meta({ description: 'Repeat every this long during `for`.' }),
  }),
  fault('db.outage', 'Make SurrealDB unreachable through the proxy.', {
    for: windowRequired,
    mode: z.enum(['refuse', 'hang']).default('refuse').meta({ description: 'refuse: connections fail at once; hang: accepted, then silent.' }),
  }),
  fault('db.latency', 'Delay every DB response.', {
    for: windowRequired,
    latency: durationSchema.meta({ description: 'Added delay.' }),
    jitter: durationSchema.prefault('0s').meta({ description: 'Random ± spread on the delay.' }),
  }),
  fault('db.reset', 'Reset DB connections (TCP RST); with `for`, keep resetting new ones for that long.', { for: windowOptional }),
  fault('db.kill', 'SIGKILL the DB server; restart it after `for` (default at once).', { for: windowOptional }),
  fault('db.diskFull', 'Fill the DB data volume (real ENOSPC) for `for`.', { for: windowRequired }),
  fault('agent.crash', 'Kill worker processes abruptly; the pool respawns them and beads resume.', {
    target,
    count: z.int().min(1).default(1).meta({ description: 'Workers killed.' }),
  }),
  fault('agent.partition', 'Cut the network between the orchestrator and a worker for `for`.', { for: windowRequired, target }),
  fault('orchestrator.kill', 'SIGKILL the orchestrator, then restart it after `for` (default at once).', { for: windowOptional }),
  fault('orchestrator.restart', 'SIGTERM the orchestrator (graceful shutdown), then restart it.', {}),
] as const;

export const FAULT_NAMES = FAULT_SCHEMAS.map((s) => s.shape.do.value);

export const faultSchema = z.discriminatedUnion('do', [...FAULT_SCHEMAS], {
  error: (iss) =>
    iss.code === 'invalid_union' ? `unknown fault ${JSON.stringify((iss.input as { do?: unknown } | undefined)?.do)}; "do" must be one of ${FAULT_NAMES.join(', ')}` : undefined,
});

export const faultsSchema = z.array(faultSchema).default([]).meta({ id: 'Faults', description: 'Fault timeline.' });

export type Fault = z.output<typeof faultSchema>;
export type Faults = z.output<typeof faultsSchema>;

/** The moment a fault is healed (ms from run start). Instant faults end when they start. */
export function faultEnd(f: Fault): number {
  return f.at + ('for' in f && f.for !== undefined ? f.for : 0);
}

/** Faults must end inside the run, name known targets, and have what their kind needs. */
export function checkFaults(
  faults: Faults,
  ctx: { totalMs: number; admin: boolean; workload: WorkloadIndex | undefined; kind?: string | undefined },
): RawIssue[] {
  const issues: RawIssue[] = [];
  // A chaos scenario without faults would pass while proving nothing.
  if (ctx.kind === 'chaos' && faults.length === 0) issues.push({ path: ['faults'], message: 'a chaos scenario needs at least one fault' });
  faults.forEach((f, i) => {
    const path = ['faults', i];
    if (faultEnd(f) > ctx.totalMs) {
      const field = 'for' in f && f.for !== undefined ? 'for' : 'at';
      issues.push({ path: [...path, field], message: `fault ends at ${faultEnd(f)}ms, after the end of the run (timeouts.total = ${ctx.totalMs}ms)` });
    }
    if (f.do === 'actors.kill') {
      if (!ctx.admin) issues.push({ path: [...path, 'do'], message: 'actors.kill uses the /admin hooks: set system.admin: true' });
      if (f.every !== undefined && f.for === undefined) issues.push({ path: [...path, 'every'], message: 'every needs a `for` window to repeat in' });
      if (f.every !== undefined && f.every <= 0) issues.push({ path: [...path, 'every'], message: 'every must be above zero' });
    }
    if ((f.do === 'agent.crash' || f.do === 'agent.partition') && ctx.workload) {
      const ref = /^([^.]+)\.(.+)$/.exec(f.target);
      if (ref) {
        const beads = ctx.workload.workflows.get(ref[1]!);
        if (!beads) issues.push({ path: [...path, 'target'], message: `unknown workflow "${ref[1]}" (workflows: ${[...ctx.workload.workflows.keys()].join(', ') || 'none'})` });
        else if (!beads.has(ref[2]!)) issues.push({ path: [...path, 'target'], message: `unknown bead "${ref[2]}" in workflow "${ref[1]}"` });
      }
    }
  });
  return issues;
}
