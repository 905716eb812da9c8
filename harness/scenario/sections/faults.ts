/**
 * `faults`: a timeline. Each entry says when (`at`, from the run start), what (`do`), for how
 * long (`for`, where the fault has a window) and the fault's own parameters, written flat:
 *
 *   - { at: 5s, do: db.latency, for: 10s, latency: 300ms, jitter: 50ms }
 *
 * Every fault is healed at `at + for` and, whatever happens, at the end of the run.
 */
import { z } from 'zod';
import { FAULT_KINDS } from '../../runner/faults/registry.ts';
import type { RawIssue } from './issue.ts';
import type { WorkloadIndex } from './workload.ts';

import type { FaultKind } from '../../runner/faults/kind.ts';

export { TARGET_PATTERN } from '../../runner/faults/kind.ts';

// Generic, so TypeScript maps the registry's tuple to a tuple (a discriminated union needs one).
type SchemasOf<T> = { [K in keyof T]: T[K] extends { schema: infer S } ? S : never };
type Schemas = SchemasOf<typeof FAULT_KINDS>;
/** One schema per fault kind, declared in that kind's file (harness/runner/faults/<do>.ts). */
export const FAULT_SCHEMAS = FAULT_KINDS.map((k) => k.schema) as unknown as Schemas;

export const FAULT_NAMES = FAULT_KINDS.map((k) => k.do);

export const faultSchema = z.discriminatedUnion('do', FAULT_SCHEMAS, {
  // Typed as any issue: zod also reports `invalid_type` here (the entry is not an object), though its types
  // promise `invalid_union` only.
  error: (iss: z.core.$ZodRawIssue) => {
    if (iss.code !== 'invalid_union') return undefined;
    const kinds = FAULT_NAMES.join(', ');
    const named = (iss.input as { do?: unknown } | undefined)?.do;
    // A missing `do` is the common slip (a fault written with `at:` and `target:` only): say so, not "unknown fault undefined".
    if (named === undefined) return `"do" is missing: say which fault, one of ${kinds}`;
    return `unknown fault ${JSON.stringify(named)}; "do" must be one of ${kinds}`;
  },
});

export const faultsSchema = z.array(faultSchema).default([]).meta({ id: 'Faults', description: 'Fault timeline.' });

export type Fault = z.output<typeof faultSchema>;
export type Faults = z.output<typeof faultsSchema>;

/** The moment a fault is healed (ms from run start). Instant faults end when they start. */
export function faultEnd(f: Fault): number {
  return f.at + ('for' in f && f.for !== undefined ? f.for : 0);
}

/**
 * The process each fault kind acts on, where two faults on one process can collide: an
 * `agent.crash` needs the orchestrator's workers, which are gone while the orchestrator is killed.
 */
export const PROCESS_GROUPS: Readonly<Record<string, string>> = Object.freeze({
  'orchestrator.kill': 'orchestrator',
  'orchestrator.restart': 'orchestrator',
  'actors.kill': 'orchestrator',
  'agent.crash': 'orchestrator',
  'agent.partition': 'orchestrator',
  'db.kill': 'db',
  'db.diskFull': 'db',
});

/** Faults that stop or restart their process: nothing else may act on it until it is back. */
export const LIFECYCLE_FAULTS: ReadonlySet<string> = new Set(['orchestrator.kill', 'orchestrator.restart', 'db.kill']);

/** Time after a process fault's window during which the process is still coming back (ms). */
export const PROCESS_SETTLE_MS = 2_500;

/**
 * A fault that acts on a process while a kill or restart of that process is still in effect
 * (its window plus PROCESS_SETTLE_MS) cannot be carried out (a restart during a kill, a crash
 * of a worker that does not exist yet): the run would end in a harness error, not a verdict.
 * Two faults that do not stop the process (two agent.crash) may overlap.
 */
function checkLifecycleOverlaps(faults: Faults): RawIssue[] {
  const issues: RawIssue[] = [];
  faults.forEach((later, j) => {
    const group = PROCESS_GROUPS[later.do];
    if (group === undefined) return;
    faults.forEach((earlier, i) => {
      if (i === j || PROCESS_GROUPS[earlier.do] !== group || !LIFECYCLE_FAULTS.has(earlier.do)) return;
      const until = faultEnd(earlier) + PROCESS_SETTLE_MS;
      // `later` starts while `earlier` is in effect (ties: the one listed first acts first).
      const startsInside = later.at > earlier.at || (later.at === earlier.at && j > i);
      if (!startsInside || later.at >= until) return;
      issues.push({
        path: ['faults', j, 'at'],
        message:
          `${later.do} at ${later.at}ms acts on the ${group} while faults[${i}] (${earlier.do} at ${earlier.at}ms) still has it down or restarting ` +
          `(until ${until}ms: its window plus ${PROCESS_SETTLE_MS} ms to come back); start it at ${until}ms or later`,
      });
    });
  });
  return issues;
}

/** Faults must end inside the run, name known targets, not collide on a process, and have what their kind needs. */
export function checkFaults(
  faults: Faults,
  ctx: { totalMs: number; drainMs?: number | undefined; admin: boolean; workload: WorkloadIndex | undefined; kind?: string | undefined },
): RawIssue[] {
  const issues: RawIssue[] = [];
  // A chaos scenario without faults would pass while proving nothing.
  if (ctx.kind === 'chaos' && faults.length === 0) issues.push({ path: ['faults'], message: 'a chaos scenario needs at least one fault' });
  faults.forEach((f, i) => {
    const path = ['faults', i];
    const field = 'for' in f && f.for !== undefined ? 'for' : 'at';
    const end = faultEnd(f);
    if (end > ctx.totalMs) {
      issues.push({ path: [...path, field], message: `fault ends at ${end}ms, after the end of the run (timeouts.total = ${ctx.totalMs}ms)` });
    } else if (ctx.drainMs !== undefined && end > ctx.totalMs - ctx.drainMs) {
      // After the last heal the run still waits for /health and drains, each bounded by timeouts.drain:
      // a fault ending later than that before the end runs out of the run's time, a harness error instead of a verdict.
      issues.push({
        path: [...path, field],
        message:
          `fault ends at ${end}ms, but the recovery after its heal and the drain (timeouts.drain = ${ctx.drainMs}ms) come after it, inside ` +
          `timeouts.total = ${ctx.totalMs}ms: end it by ${ctx.totalMs - ctx.drainMs}ms or raise timeouts.total to at least ${end + ctx.drainMs}ms`,
      });
    }
    // Seen as a kind of any entry: the registry is a tuple, so find() alone yields a union whose validate takes no entry.
    const kind: FaultKind | undefined = FAULT_KINDS.find((k) => k.do === f.do);
    for (const issue of kind?.validate?.(f, ctx) ?? []) {
      issues.push({ path: [...path, ...issue.path], message: issue.message });
    }
  });
  issues.push(...checkLifecycleOverlaps(faults));
  return issues;
}
