/**
 * `baseline`: regression gating against a stored run. The scenario names a journal of an earlier
 * run (any run journal; copy a passing one to refresh it) and the change it tolerates per metric:
 *
 *   baseline:
 *     file: reports/baseline/load/concurrent-100.json   # relative to the working directory
 *     rules:
 *       latency.p99: "+10%"        # may rise by at most 10 % of the baseline's p99
 *       throughput.mean: "-5%"     # may fall by at most 5 %
 *
 * The rule grammar lives in harness/report/compare/README.md; rules are parsed here, at load, so
 * a typo fails before anything runs (at `baseline.rules.<key>`). The gates phase evaluates them
 * with evaluateRegressionFromFiles; a missing baseline file fails every rule (not an error).
 */
import { z } from 'zod';
import { hasCode } from '../../../system/errors.ts';
import { parseRegressionRule } from '../../report/compare/regression.ts';

export const baselineSchema = z
  .strictObject({
    file: z.string().min(1, { error: 'baseline.file is the path of a run journal, e.g. reports/baseline/load/concurrent-100.json' }).meta({
      description: 'A run journal to compare with (relative paths from the working directory, usually the repo root).',
    }),
    rules: z
      .record(z.string(), z.string({ error: 'a rule is a quoted change such as "+10%" or "+50ms"' }).meta({ examples: ['+10%', '+50ms', '-5%', '±20%'] }))
      .superRefine((rules, ctx) => {
        if (Object.keys(rules).length === 0) ctx.addIssue({ code: 'custom', message: 'baseline.rules needs at least one rule, e.g. latency.p99: "+10%"' });
        for (const [key, rule] of Object.entries(rules)) {
          try {
            parseRegressionRule(key, rule);
          } catch (err) {
            if (!hasCode(err, 'HARN_COMPARE_RULE_INVALID')) throw err;
            ctx.addIssue({ code: 'custom', path: [key], message: (err as Error).message });
          }
        }
      })
      .meta({ description: '<metric>.<stat>: "<+|-|±><percent|duration|rate>" (harness/report/compare/README.md).' }),
  })
  .optional()
  .meta({ id: 'Baseline', description: 'Regression gates against a stored run journal.' });

export type Baseline = z.output<typeof baselineSchema>;
