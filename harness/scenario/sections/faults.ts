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
    // Seen as a kind of any entry: the registry is a tuple, so find() alone yields a union whose validate takes no entry.
    const kind: FaultKind | undefined = FAULT_KINDS.find((k) => k.do === f.do);
    for (const issue of kind?.validate?.(f, ctx) ?? []) issues.push({ path: [...path, ...issue.path], message: issue.message });
  });
  return issues;
}
