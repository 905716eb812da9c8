/**
 * `thresholds`: CI gates on metrics, k6-style (`latency.p99: "< 10s"`). The grammar is in
 * ../threshold-grammar.ts and the README; each condition is parsed here, once, at load.
 */
import { z } from 'zod';
import type { RawIssue } from './issue.ts';
import { THRESHOLD_KEY_PATTERN, ThresholdSyntaxError, parseThreshold, type MetricName, type ParsedThreshold } from '../threshold-grammar.ts';
import { measurable, type Measurable } from './measurable.ts';
import type { Workload } from './workload.ts';

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
 * Every threshold that could never have data in this scenario, with why (one issue per key, the
 * most basic reason first). The data each metric rests on is harness/runner/measure.ts's
 * (`metricValue`); what the workload can produce is measurable.ts's. A `count` stat always has a
 * value (0 is data), so only the stats of a sample (p50 … max, mean, variance) and the ratios
 * are judged.
 *
 * Windows other than `all` are cut at fault times: without faults they would be empty (baseline
 * would be the whole run and fault/recovery nothing), and an empty window can never pass. For the
 * same reason `baseline` (before the first fault) needs a first fault after the start.
 */
export function checkThresholds(thresholds: Thresholds, faults: readonly { at: number }[], workload?: Workload): RawIssue[] {
  const facts = workload === undefined ? undefined : measurable(workload);
  const issues: RawIssue[] = [];
  for (const t of Object.values(thresholds)) {
    const why = windowProblem(t, faults) ?? (facts === undefined ? undefined : dataProblem(t, faults, facts));
    if (why !== undefined) issues.push({ path: ['thresholds', t.key], message: why });
  }
  return issues;
}

function windowProblem(t: ParsedThreshold, faults: readonly { at: number }[]): string | undefined {
  if (t.window === 'all') return undefined;
  if (faults.length === 0) return `the ${t.window} window is cut at fault times, but this scenario has no faults; drop @${t.window}`;
  if (t.window === 'baseline' && Math.min(...faults.map((f) => f.at)) <= 0) {
    return 'the baseline window ends at the first fault, which is at 0ms: it is empty; start the first fault later or drop @baseline';
  }
  return undefined;
}

/** Metrics measured on beads that succeeded (measure.ts): their samples, and fairness. */
const FROM_SUCCEEDED: ReadonlySet<MetricName> = new Set(['latency', 'overhead', 'dispatch', 'throughput', 'fairness']);

function dataProblem(t: ParsedThreshold, faults: readonly unknown[], facts: Measurable): string | undefined {
  // `count` is a number in every run; throughput.mean divides by the window's length, never by its beads.
  if (t.stat === 'count' || (t.metric === 'throughput' && t.stat === 'mean')) return undefined;
  const drop = `; drop ${t.key}`;
  if ((t.metric === 'errors' || t.metric === 'dropped') && facts.submitting === 0) {
    const of = t.metric === 'errors' ? 'failed requests over requests sent' : 'late arrivals over arrivals';
    return `${t.key} is ${of}, and this workload sends only deliberately invalid requests, which are not counted: there is nothing to divide by; use ${t.metric}.count or drop ${t.key}`;
  }
  if (t.metric === 'recovery' && faults.length === 0) {
    return `recovery is measured from each fault's heal until /health answers 200, and this scenario has no faults${drop}, or add a fault`;
  }
  if (FROM_SUCCEEDED.has(t.metric) && facts.noSuccess !== undefined) {
    return `${t.metric} is measured on beads that succeed, and ${facts.noSuccess}${drop}`;
  }
  if (t.metric === 'fairness' && facts.fairness.groups < 2) {
    return (
      'fairness compares the mean dispatch wait of two or more workflows (each phase, when several submit beads; else each workflow instance), ' +
      `and this workload has at most ${facts.fairness.groups}: ${facts.fairness.why}${drop}, or add a phase`
    );
  }
  return undefined;
}
