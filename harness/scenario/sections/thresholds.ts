/**
 * `thresholds`: CI gates on metrics, k6-style (`latency.p99: "< 10s"`). The grammar is in
 * ../threshold-grammar.ts and the README; each condition is parsed here, once, at load.
 */
import { z } from 'zod';
import type { RawIssue } from './issue.ts';
import { THRESHOLD_KEY_PATTERN, ThresholdSyntaxError, parseThreshold, type ParsedThreshold } from '../threshold-grammar.ts';

const keySchema = z.string().regex(new RegExp(THRESHOLD_KEY_PATTERN), {
  error: (iss) => {
    try {
      parseThreshold(String(iss.input), '< 0');
    } catch (err) {
      if (err instanceof ThresholdSyntaxError) return err.message;
    }
    return undefined;
  },
});

export const thresholdsSchema = z
  .record(keySchema, z.string({ error: 'a threshold is a quoted condition such as "< 10s"' }).meta({ examples: ['< 10s', '<= 250ms', '>= 500/m', '< 5%'] }))
  .default({})
  .transform((rec, ctx): Record<string, ParsedThreshold> => {
    const parsed: Record<string, ParsedThreshold> = {};
    for (const [key, condition] of Object.entries(rec)) {
      try {
        parsed[key] = parseThreshold(key, condition);
      } catch (err) {
        if (!(err instanceof ThresholdSyntaxError)) throw err;
        ctx.addIssue({ code: 'custom', path: [key], message: err.message });
      }
    }
    return parsed;
  })
  .meta({ id: 'Thresholds', description: 'Metric gates: <metric>.<stat>[@window]: "<op> <value>". See harness/scenario/README.md.' });

export type Thresholds = z.output<typeof thresholdsSchema>;

/**
 * Windows other than `all` are cut at fault times: without faults they would be empty (baseline
 * would be the whole run and fault/recovery nothing), and an empty window can never pass. For the
 * same reason `baseline` (before the first fault) needs a first fault after the start.
 */
export function checkThresholds(thresholds: Thresholds, faults: readonly { at: number }[]): RawIssue[] {
  const windowed = Object.values(thresholds).filter((t) => t.window !== 'all');
  if (faults.length === 0) {
    return windowed.map((t) => ({
      path: ['thresholds', t.key],
      message: `the ${t.window} window is cut at fault times, but this scenario has no faults; drop @${t.window}`,
    }));
  }
  const first = Math.min(...faults.map((f) => f.at));
  if (first > 0) return [];
  return windowed
    .filter((t) => t.window === 'baseline')
    .map((t) => ({
      path: ['thresholds', t.key],
      message: 'the baseline window ends at the first fault, which is at 0ms: it is empty; start the first fault later or drop @baseline',
    }));
}
