/**
 * Regression gating against a baseline run (grammar in README.md):
 *
 *   rule   := key ":" change          e.g. latency.p99: "+10%", throughput.mean: "-5%"
 *   key    := metric "." stat         latency | overhead | dispatch | recovery . p50 | p95 | p99 | max | mean
 *                                     throughput . mean
 *   change := dir amount              dir: "+" may rise by at most, "-" may fall by at most, "±" / "+-" both
 *   amount := percent | duration | rate   "10%" of the baseline; "50ms" (latency metrics); "30/m" (throughput)
 *
 * `evaluateRegression` is pure: it reads the runs' stored histograms (decoded and merged, never
 * the summary numbers) and returns gates in the journal's `gates` shape with kind `regression`.
 * Missing data on either side never passes (an unknown is not a pass).
 */
import { hasCode } from '../../../system/errors.ts';
import { readableDuration } from '../../scenario/threshold-grammar.ts';
import { UnitSyntaxError, parseDuration, parsePercent, parseRate } from '../../scenario/units.ts';
import type { RunJournal } from '../journal.ts';
import { RegressionRuleInvalidError } from './errors.ts';
import { COMPARED_METRICS, loadJournalFile, mergeSide, type ComparedMetric, type JournalInput, type SideMetrics } from './journal-metrics.ts';

/** Stats a rule may gate on a latency metric. */
export const REGRESSION_LATENCY_STATS = ['p50', 'p95', 'p99', 'max', 'mean'] as const;

/** A rule after parsing. */
export interface RegressionRule {
  /** The key as written, e.g. `latency.p99`. */
  key: string;
  metric: ComparedMetric | 'throughput';
  stat: (typeof REGRESSION_LATENCY_STATS)[number];
  /** Which ways the current value may move away from the baseline by at most `amount`. */
  direction: 'up' | 'down' | 'both';
  /** `relative`: a fraction of the baseline; `absolute`: ms for latency metrics, per second for throughput. */
  amount: { kind: 'relative' | 'absolute'; value: number };
  /** The rule as written, for reports. */
  source: string;
}

/** A gate in the journal's shape. */
export type RegressionGate = RunJournal['gates'][number] & { kind: 'regression' };

/** Parses one rule; throws HARN_COMPARE_RULE_INVALID naming the key and what to write instead. */
export function parseRegressionRule(key: string, rule: unknown): RegressionRule {
  const [metric, stat, ...rest] = key.split('.');
  const latencyMetrics = Object.keys(COMPARED_METRICS);
  if (metric === undefined || stat === undefined || rest.length > 0 || !(latencyMetrics.includes(metric) || metric === 'throughput')) {
    throw new RegressionRuleInvalidError(key, rule, `the key must be <metric>.<stat> with metric one of ${[...latencyMetrics, 'throughput'].join(', ')}`);
  }
  const stats: readonly string[] = metric === 'throughput' ? ['mean'] : REGRESSION_LATENCY_STATS;
  if (!stats.includes(stat)) throw new RegressionRuleInvalidError(key, rule, `${metric} takes the stats ${stats.join(', ')}`);
  if (typeof rule !== 'string') throw new RegressionRuleInvalidError(key, rule, 'write the allowed change as text, e.g. "+10%" or "+50ms"');
  const match = /^\s*(\+-|±|\+|-)\s*(\S+)\s*$/.exec(rule);
  if (!match) throw new RegressionRuleInvalidError(key, rule, 'start with + (may rise by), - (may fall by) or ± (either way), then an amount, e.g. "+10%"');
  const direction = match[1] === '+' ? 'up' : match[1] === '-' ? 'down' : 'both';
  const text = match[2]!;
  let amount: RegressionRule['amount'];
  try {
    if (text.endsWith('%')) amount = { kind: 'relative', value: parsePercent(text) };
    else if (metric === 'throughput') amount = { kind: 'absolute', value: parseRate(text) };
    else amount = { kind: 'absolute', value: parseDuration(text) };
  } catch (err) {
    if (!(err instanceof UnitSyntaxError)) throw err;
    const unit = metric === 'throughput' ? 'a rate such as 30/m' : 'a duration such as 50ms';
    throw new RegressionRuleInvalidError(key, rule, `"${text}" is neither a percentage such as 10% nor ${unit}`);
  }
  return { key, metric: metric as RegressionRule['metric'], stat: stat as RegressionRule['stat'], direction, amount, source: rule.trim() };
}

/** Parses every rule of a `baseline:` section (call at scenario load, so typos fail before a run). */
export function parseRegressionRules(rules: Readonly<Record<string, unknown>>): RegressionRule[] {
  return Object.entries(rules).map(([key, rule]) => parseRegressionRule(key, rule));
}

/**
 * Gates the `current` run(s) against the `baseline` run(s) with `rules` (text or parsed).
 * Several journals per side are merged. Throws HARN_COMPARE_RULE_INVALID for a bad rule and
 * HARN_COMPARE_JOURNAL_INVALID for a journal that cannot be read.
 */
export function evaluateRegression(
  current: JournalInput | readonly JournalInput[],
  baseline: JournalInput | readonly JournalInput[],
  rules: Readonly<Record<string, unknown>> | readonly RegressionRule[],
): RegressionGate[] {
  const parsed = Array.isArray(rules) ? (rules as readonly RegressionRule[]) : parseRegressionRules(rules as Record<string, unknown>);
  const now = mergeSide(
    asList(current),
    asList(current).map((_, i) => `current[${i}]`),
  );
  const base = mergeSide(
    asList(baseline),
    asList(baseline).map((_, i) => `baseline[${i}]`),
  );
  return parsed.map((rule) => gateOf(rule, valueOf(now, rule), valueOf(base, rule)));
}

/**
 * {@link evaluateRegression} against baseline journal FILES. A baseline that is missing or not a
 * journal does not throw: every rule becomes a failing gate saying why (a run with no baseline
 * to compare with has not shown it did not regress). Rules are still checked first (throws).
 */
export async function evaluateRegressionFromFiles(
  current: JournalInput | readonly JournalInput[],
  baselineFiles: string | readonly string[],
  rules: Readonly<Record<string, unknown>> | readonly RegressionRule[],
): Promise<RegressionGate[]> {
  const parsed = Array.isArray(rules) ? (rules as readonly RegressionRule[]) : parseRegressionRules(rules as Record<string, unknown>);
  const files = typeof baselineFiles === 'string' ? [baselineFiles] : baselineFiles;
  let baseline: JournalInput[];
  try {
    baseline = (await Promise.all(files.map(loadJournalFile))).map((loaded) => loaded.journal);
  } catch (err) {
    if (!hasCode(err, 'HARN_COMPARE_JOURNAL_UNREADABLE') && !hasCode(err, 'HARN_COMPARE_JOURNAL_INVALID')) throw err;
    const reason = (err as Error).message;
    return parsed.map((rule) => ({
      kind: 'regression',
      name: `regression.${rule.key}`,
      pass: false,
      expected: `${rule.key} within ${rule.source} of baseline`,
      actual: `no baseline: ${reason}`,
    }));
  }
  return evaluateRegression(current, baseline, parsed);
}

function asList(input: JournalInput | readonly JournalInput[]): readonly JournalInput[] {
  return Array.isArray(input) ? (input as readonly JournalInput[]) : [input as JournalInput];
}

/** The rule's value on one side in canonical units (ms, or per second), or undefined for no data. */
function valueOf(side: SideMetrics, rule: RegressionRule): number | undefined {
  if (rule.metric === 'throughput') return side.throughputPerSecond;
  const summary = side.summaries[rule.metric];
  return summary === undefined ? undefined : summary[rule.stat] / 1000;
}

function gateOf(rule: RegressionRule, current: number | undefined, baseline: number | undefined): RegressionGate {
  const show = (v: number): string => (rule.metric === 'throughput' ? readableRate(v) : readableDuration(v));
  const name = `regression.${rule.key}`;
  const allowed = rule.amount.kind === 'relative' && baseline !== undefined ? baseline * rule.amount.value : rule.amount.value;
  const low = baseline === undefined ? undefined : baseline - allowed;
  const high = baseline === undefined ? undefined : baseline + allowed;
  const bounds = [
    rule.direction !== 'up' && low !== undefined ? `>= ${show(Math.max(0, low))}` : '',
    rule.direction !== 'down' && high !== undefined ? `<= ${show(high)}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const expected = `${rule.key} within ${rule.source} of baseline${baseline === undefined ? '' : ` ${show(baseline)} (${bounds})`}`;
  if (baseline === undefined || current === undefined) {
    const missing = [baseline === undefined ? 'the baseline' : '', current === undefined ? 'the current run' : ''].filter(Boolean).join(' and ');
    return { kind: 'regression', name, pass: false, expected, actual: `no data: ${missing} recorded no ${rule.metric}` };
  }
  // A tiny epsilon: HDR values are exact integers of µs, but ms arithmetic is floating point.
  const epsilon = 1e-9;
  const pass = (rule.direction === 'down' || current <= high! + epsilon) && (rule.direction === 'up' || current >= low! - epsilon);
  const change = baseline === 0 ? '' : ` (${current >= baseline ? '+' : ''}${Number((((current - baseline) / baseline) * 100).toFixed(1))}%)`;
  return { kind: 'regression', name, pass, expected, actual: `${show(current)}${change}` };
}

/** A per-second rate for people, three significant figures in the unit that reads best ("16.7/s", "45/m"). */
function readableRate(perSecond: number): string {
  const [value, unit] = perSecond >= 1 ? [perSecond, 's'] : perSecond * 60 >= 1 ? [perSecond * 60, 'm'] : [perSecond * 3600, 'h'];
  return `${Number(value.toPrecision(3))}/${unit}`;
}
