/**
 * The fault schedule, fixed before the run: when each fault strikes, when it heals, when a
 * repeating fault acts again, and the seeded draws its choices consume in order (the /admin kill
 * seed of each actors.kill, the pick of a `random` worker). The timeline (timeline.ts) executes
 * exactly this plan. Each fault has its own stream of draws, so faults that overlap cannot steal
 * each other's numbers in a timing-dependent order.
 */
import { mulberry32 } from '../../../system/util/index.ts';
import type { Fault } from '../../scenario/index.ts';
import { faultKind } from './registry.ts';

/** One fault of the schedule. Times are ms from the run start. */
export interface PlannedFault {
  index: number;
  do: Fault['do'];
  fault: Fault;
  at: number;
  healAt: number;
  /** When the fault acts (one entry, or one per `every` inside `for`). */
  actsAt: number[];
  /** Uniform draws in [0, 1), consumed in order by the fault's choices. */
  draws: number[];
}

/** Draws per fault beyond what its acts need (a pick may need a retry when its target vanished). */
const SPARE_DRAWS = 8;

/** The fault schedule of a scenario: pure, deterministic per (faults, seed). */
export function planFaults(faults: readonly Fault[], seed: number): PlannedFault[] {
  return faults.map((fault, index) => {
    const window = 'for' in fault && fault.for !== undefined ? fault.for : 0;
    const kind = faultKind(fault.do);
    const actsAt = kind.actsAt ? kind.actsAt(fault) : [fault.at];
    const random = mulberry32(((seed ^ 0x5eed) + Math.imul(index + 1, 0x9e3779b1)) | 0);
    const perAct = 'count' in fault && typeof fault.count === 'number' ? fault.count : 1;
    const draws = Array.from({ length: actsAt.length * perAct + SPARE_DRAWS }, () => random());
    return { index, do: fault.do, fault, at: fault.at, healAt: fault.at + window, actsAt, draws };
  });
}
