/**
 * `leak`: how a `kind: leak` scenario watches the orchestrator's memory while the workload runs —
 * warm-up before the judged window, sampling period, whether to take heap snapshots for
 * memlab, and how many leak clusters attributed to our code are tolerated. The RSS and heap bars
 * themselves are ordinary thresholds (`rss.variance`, `heap.slope`), judged over the samples after
 * warm-up (see harness/runner/leak-phase.ts).
 */
import { z } from 'zod';
import { BYTES_FORMS, durationSchema, parseBytes } from '../units.ts';
import type { RawIssue } from './issue.ts';

export const leakSchema = z
  .strictObject({
    warmup: durationSchema.prefault('1m').meta({ description: 'Warm-up from the first arrival: the gates ignore earlier samples.' }),
    sampleEvery: durationSchema.prefault('10s').meta({ description: 'Period of the RSS / heap / worker RSS samples.' }),
    snapshots: z
      .boolean()
      .default(true)
      .meta({
        description:
          'Take heap snapshots in the second half of the soak ' +
          '(after the window the gates judge) and count the memlab clusters that grew in both intervals between them; false skips the clusters gate.',
      }),
    ourClusters: z.int().min(0).default(0).meta({ description: 'Most memlab leak clusters attributed to our code (system/, harness/) that still pass.' }),
    minClusterSize: z
      .string({ error: `expected a size such as ${BYTES_FORMS}` })
      .default('0B')
      .transform((text, ctx) => {
        try {
          return parseBytes(text);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
          return z.NEVER;
        }
      })
      .meta({
        description:
          'Clusters of ours whose innermost scope or object of our code retains less than this are listed but not counted: in a short run, ' +
          'one-time lazy allocations after the baseline look like leaks; a real leak grows past any floor.',
        examples: ['64KB', '1MB'],
      }),
    allow: z
      .array(
        z.strictObject({
          retainer: z
            .string()
            .min(3)
            .meta({
              description:
                'Text of a retainer trace, as the report prints it, e.g. "[IdempotencyCache] → #records". ' +
                'A cluster whose trace contains it is listed as allowed and does not count.',
            }),
          reason: z.string().min(10).meta({ description: 'Why this retention is expected (a bounded cache, state kept by design, a known issue to fix).' }),
        }),
      )
      .default([])
      .meta({
        description:
          "Suppressions, like LeakSanitizer's: retention that is known and accepted, each with its reason. " + 'Matched clusters stay in the report.',
      }),
  })
  .optional()
  .meta({ id: 'Leak', description: 'Leak watch of kind: leak scenarios: warm-up, sampling, heap snapshots. See harness/leak/README.md.' });

export type LeakConfig = NonNullable<z.output<typeof leakSchema>>;

/** A `leak` section only means something in the leak lane; elsewhere it would be silently ignored. */
export function checkLeak(leak: LeakConfig | undefined, kind: string): RawIssue[] {
  if (leak === undefined || kind === 'leak') return [];
  return [{ path: ['leak'], message: `a leak section needs kind: leak (this scenario is kind: ${kind}); remove it or move the file to scenarios/leak/` }];
}
