/**
 * The headline of a run's workload, per bead the plan submits: was it sent, acknowledged (some
 * attempt answered ok), failed (every attempt definitely did not take effect), unknown (no ok,
 * some attempt indeterminate), and how the beads ended (completed, failed, cancelled). So
 * "COMPLETED 6" never hides the two beads whose submissions failed or ended unknown. The journal's
 * `failed` is the submission's (every attempt definitely refused, shown as "refused"); a bead that
 * was taken and then failed is `endedFailed` (shown as "failed").
 */
import { pairOperations, type HistoryEntry } from '../history/index.ts';

/** Counts of beads (not requests), and the submit attempts behind them. */
export interface SubmissionSummary {
  submitted: number;
  acknowledged: number;
  failed: number;
  unknown: number;
  completed: number;
  /** Beads whose final state is failed, or cancelled (absent from journals written before 2026-12-07). */
  endedFailed: number;
  endedCancelled: number;
  /** Submit requests sent, retries and duplicates included. */
  attempts: number;
}

/** Summarises the submissions of a history against the final state (`status` per bead id). */
export function summariseSubmissions(entries: readonly HistoryEntry[], finalBeads: Record<string, { status?: string } | undefined>): SubmissionSummary {
  const outcome = new Map<string, 'ok' | 'unknown' | 'fail'>();
  let attempts = 0;
  for (const op of pairOperations(entries)) {
    if (op.kind !== 'submit' && op.kind !== 'submitWorkflow') continue;
    attempts++;
    const o = op.outcome === 'pending' ? 'unknown' : op.outcome;
    for (const id of op.beadIds) {
      const was = outcome.get(id);
      if (was === 'ok' || (was === 'unknown' && o === 'fail')) continue;
      outcome.set(id, o);
    }
  }
  const values = [...outcome.values()];
  const ended = (status: string): number => Object.values(finalBeads).filter((b) => b?.status === status).length;
  return {
    submitted: outcome.size,
    acknowledged: values.filter((o) => o === 'ok').length,
    failed: values.filter((o) => o === 'fail').length,
    unknown: values.filter((o) => o === 'unknown').length,
    completed: ended('succeeded'),
    endedFailed: ended('failed'),
    endedCancelled: ended('cancelled'),
    attempts,
  };
}
