/**
 * `expect`: the verdict on correctness after faults heal and work drains (Jepsen's total-queue
 * checker). Safety invariants default to 0, so a scenario checks them unless it says otherwise.
 */
import { z } from 'zod';
import { unknownBeadRef } from './bead-ref.ts';
import type { RawIssue } from './issue.ts';
import type { WorkloadIndex } from './workload.ts';

const count = (description: string) => z.int().min(0).meta({ description });
const zero = (description: string) => count(description).default(0);

export const BEAD_STATES = ['completed', 'failed', 'cancelled'] as const;
export const BEAD_REF_PATTERN = '^[a-z0-9]+(?:-[a-z0-9]+)*\\.[a-z0-9]+(?:-[a-z0-9]+)*$';

export const expectSchema = z
  .strictObject({
    completed: z
      .union([z.literal('all'), z.int().min(0)], { error: 'completed must be "all" or a number of beads' })
      .default('all')
      .meta({ description: '"all" (every bead without its own line in beads:, not cancelled on request) or how many beads must complete.' }),
    failed: count('How many beads end failed (unchecked when omitted).').optional(),
    cancelled: count('How many beads end cancelled (unchecked when omitted).').optional(),
    lost: zero('Acknowledged beads missing from the final state.'),
    duplicated: zero('Beads that ran to completion more than once.'),
    eventGaps: zero('Gaps in per-stream event sequence numbers.'),
    doubleSideEffects: zero('External side effects applied twice.'),
    apiLogDisagreements: zero('Beads whose API state differs from the event log.'),
    lifecycle: zero(
      'Illegal transitions in the log: events out of the lifecycle order, after a terminal event, ' + 'a bead started before its dependencies succeeded.',
    ),
    priorityOrder: z
      .boolean()
      .default(false)
      .meta({ description: 'The run claims priority order: no bead starts while a higher-priority bead waits queued ' + '(checked by lifecycle).' }),
    beads: z
      .record(
        z.string().regex(new RegExp(BEAD_REF_PATTERN), { error: (iss) => `${JSON.stringify(iss.input)} is not a bead reference; write <workflow>.<bead>` }),
        z.enum(BEAD_STATES),
      )
      .optional()
      .meta({ description: 'Final state per workflow bead, keyed <workflow>.<bead> (applies to every instance).' }),
  })
  .prefault({})
  .meta({ id: 'Expect', description: 'Correctness verdict after drain.' });

export type Expect = z.output<typeof expectSchema>;

/**
 * Bead references must exist; counts must fit the workload. `completed: all` goes with
 * cancellations: it means every bead not cancelled on request completes (the state checker
 * accepts `cancelled` for a bead the workload asked to cancel), which is what a scenario with
 * faults can promise — how many cancels land before their bead finishes is not knowable upfront.
 * It goes with `beads:` too: every bead without its own line there completes. Neither is a count
 * of submissions: a bead whose submission was refused (the orchestrator down) does not exist,
 * and a count would call that a defect.
 */
export function checkExpect(expect: Expect, workload: WorkloadIndex): RawIssue[] {
  const issues: RawIssue[] = [];
  for (const ref of Object.keys(expect.beads ?? {})) {
    const unknown = unknownBeadRef(ref, workload.workflows);
    if (unknown !== undefined) issues.push({ path: ['expect', 'beads', ref], message: unknown });
  }
  const settled = (expect.completed === 'all' ? 0 : expect.completed) + (expect.failed ?? 0) + (expect.cancelled ?? 0);
  if (settled > workload.totalBeads) {
    issues.push({ path: ['expect'], message: `expects ${settled} beads to settle but the workload submits ${workload.totalBeads}` });
  }
  return issues;
}
