/** `timeouts`: how long the harness waits for work to drain after faults heal, and for the whole run. */
import { z } from 'zod';
import { durationSchema } from '../units.ts';
import type { RawIssue } from './issue.ts';

export const timeoutsSchema = z
  .strictObject({
    /** After the last fault heals and arrivals end, wait this long for every bead to settle. */
    drain: durationSchema.prefault('2m').meta({ description: 'Wait for in-flight beads to settle after faults heal.' }),
    /** Hard cap on the run, from the first arrival; faults must end before it. */
    total: durationSchema.prefault('10m').meta({ description: 'Hard cap on the whole run; faults must end before it.' }),
  })
  .prefault({})
  .meta({ id: 'Timeouts', description: 'Run time limits.' });

export type Timeouts = z.output<typeof timeoutsSchema>;

/** The drain must fit inside the run, or the run would always time out first. */
export function checkTimeouts(timeouts: Timeouts): RawIssue[] {
  if (timeouts.drain >= timeouts.total) {
    return [{ path: ['timeouts', 'drain'], message: 'drain must be shorter than total (the drain happens inside the run)' }];
  }
  return [];
}
