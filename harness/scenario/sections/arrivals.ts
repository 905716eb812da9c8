/**
 * When the workload's arrivals are due, worked out from the phases' fields as
 * harness/runner/plan.ts schedules them, and the check that they fall inside `timeouts.total`
 * (the runner starts the arrivals' clock and the total's together, when the workload begins).
 */
import { formatDuration, formatRate } from '../units.ts';
import type { RawIssue } from './issue.ts';
import type { Workload } from './workload.ts';

/** When a phase's arrivals are due, in ms from the run start (the clock `timeouts.total` runs on). */
export interface PhaseArrivals {
  start: number;
  /** The last arrival: exact for constant arrivals, the mean for poisson (it depends on the seed). */
  end: number;
  /** Submissions (beads or workflow instances), or invalid requests; all at `start` without a rate. */
  units: number;
  /** True when the phase set its own `start` rather than following the previous phase. */
  ownStart: boolean;
}

/**
 * Each phase's arrival window, as harness/runner/plan.ts schedules it: a phase starts at `start`,
 * else when the previous phase's arrivals end; N submissions at `rate` are 1/rate apart, the first
 * at the start (constant), or exponential gaps after it (poisson: N/rate on average, whichever the
 * seed — the lanes run several); without a rate all are sent at the start.
 */
export function phaseArrivals(workload: Workload): PhaseArrivals[] {
  let previousEnd = 0;
  return workload.map((phase) => {
    const start = phase.start ?? previousEnd;
    const units = phase.beads ?? (phase.workflow ? (phase.count ?? 1) : (phase.invalid?.length ?? 0));
    const gapMs = phase.rate !== undefined && !phase.invalid ? 1000 / phase.rate : 0;
    const gaps = phase.arrival === 'poisson' ? units : Math.max(0, units - 1);
    previousEnd = start + gaps * gapMs;
    return { start, end: previousEnd, units, ownStart: phase.start !== undefined };
  });
}

/**
 * Arrivals due at or after `timeouts.total` are never sent, or leave nothing for their beads:
 * the run would end FAIL on its drain, so refuse the file up front. A phase that only follows
 * one already past the end is not reported again; the first says how far over it is.
 */
export function checkArrivals(workload: Workload, totalMs: number): RawIssue[] {
  const issues: RawIssue[] = [];
  let previousOver = false;
  phaseArrivals(workload).forEach((a, i) => {
    const follows = previousOver && !a.ownStart;
    previousOver = a.end >= totalMs;
    if (!previousOver || follows) return;
    const phase = workload[i]!;
    const what = phase.invalid
      ? count(a.units, 'invalid request')
      : phase.workflow
        ? `${count(a.units, 'instance')} of workflow ${phase.workflow.name}`
        : count(a.units, 'bead');
    const end = formatDuration(Math.round(a.end));
    const shape =
      phase.rate === undefined || phase.invalid
        ? `${what} at once at ${formatDuration(Math.round(a.start))}`
        : `${what} at ${formatRate(phase.rate)}${phase.arrival === 'poisson' ? ' (poisson, on average)' : ''} from ${formatDuration(Math.round(a.start))}`;
    issues.push({
      path: ['workload', i],
      message:
        `arrivals run until ${end} but timeouts.total is ${formatDuration(totalMs)} (${shape}): ` +
        `raise timeouts.total above ${end} plus the time to drain, or end the phase earlier`,
    });
  });
  return issues;
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
