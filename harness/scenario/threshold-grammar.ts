/**
 * Threshold grammar (k6-like), documented for users in harness/scenario/README.md:
 *
 *   key       := metric "." stat [ "@" window ]
 *   condition := op value            e.g. "< 10s", "<= 250ms", ">= 500/m", "< 5%", "< 2"
 *   op        := "<" | "<=" | ">" | ">=" | "=="
 *   value     := duration | rate | size | size "/" ("s"|"m"|"h") | percent | number
 *
 * The value's unit must fit what the metric.stat measures (a duration on latency.p99, a rate on
 * throughput.mean, ...). Conditions are parsed once at load; the source text is kept so reports
 * quote what the user wrote. `evaluateThreshold` is pure: the runner passes canonical numbers
 * (ms, per second, bytes, bytes per second, fraction 0..1, count).
 */
import { UnitSyntaxError, formatBytes, formatPercent, formatRate, parseBytes, parseDuration, parsePercent, parseRate } from './units.ts';

/** What a number means, so "< 10s" on a byte metric is refused before anything runs. */
export type ValueKind = 'duration' | 'rate' | 'bytes' | 'bytesRate' | 'percent' | 'count';

/** Metrics the harness records, and the kind of value their distribution stats have. */
export const METRICS = {
  /** End-to-end: scheduled submit time → durable completion (no coordinated omission). */
  latency: 'duration',
  /** Orchestration overhead: end-to-end minus agent time. */
  overhead: 'duration',
  /** Ready → dispatched to a worker. */
  dispatch: 'duration',
  /** Fault healed → system back to steady state. */
  recovery: 'duration',
  /** Completed beads per unit of time. */
  throughput: 'rate',
  /** Resident set size of the orchestrator process. */
  rss: 'bytes',
  /** V8 heap used by the orchestrator process. */
  heap: 'bytes',
  /** Requests that failed (not counting the deliberately invalid ones). */
  errors: 'count',
  /** Arrivals the load generator could not send on time (open model back-pressure). */
  dropped: 'count',
  /**
   * Fairness between workflows: a workflow's mean dispatch wait over the median workflow's (the
   * median floored at 10 ms, so microsecond waits on an idle pool are not "unfair"). Only `max`
   * (the worst workflow) is gated: 1 is perfectly fair, a starved workflow shows as a large factor.
   */
  fairness: 'count',
} as const satisfies Record<string, ValueKind>;
export type MetricName = keyof typeof METRICS;

export const STATS = ['p50', 'p95', 'p99', 'max', 'mean', 'count', 'slope', 'variance', 'ratio'] as const;
export type StatName = (typeof STATS)[number];

/**
 * Metrics harness/runner/measure.ts does not cut into windows (`metricValue` ignores the window
 * for them), each with what it is instead: a window on them would quietly gate the whole run.
 */
const UNWINDOWED: Readonly<Partial<Record<MetricName, string>>> = {
  recovery: 'is measured once per healed fault (heal → /health 200)',
  dropped: "counts the whole run's late arrivals",
};

/** Measurement windows: the whole run (default), before the first fault, while faults are active, after they heal. */
export const WINDOWS = ['all', 'baseline', 'fault', 'recovery'] as const;
export type WindowName = (typeof WINDOWS)[number];

export const THRESHOLD_OPS = ['<=', '>=', '==', '<', '>'] as const;
export type ThresholdOp = (typeof THRESHOLD_OPS)[number];

export const THRESHOLD_KEY_PATTERN = `^(${Object.keys(METRICS).join('|')})\\.(${STATS.join('|')})(@(${WINDOWS.join('|')}))?$`;

/** A threshold after parsing: everything the runner and the report need. */
export interface ParsedThreshold {
  /** The key as written, e.g. `latency.p99@fault`. */
  key: string;
  metric: MetricName;
  stat: StatName;
  window: WindowName;
  op: ThresholdOp;
  /** The limit in canonical units of `kind`. */
  limit: number;
  kind: ValueKind;
  /** The condition as written, e.g. `< 10s`: reports quote it. */
  source: string;
}

/** Raised for a bad key or condition; the loader turns it into an issue at `thresholds.<key>`. */
export class ThresholdSyntaxError extends Error {}

/** The kind of value `metric.stat` yields, or why the pair makes no sense. */
export function statKind(metric: MetricName, stat: StatName): { kind: ValueKind } | { invalid: string } {
  const base = METRICS[metric];
  if (stat === 'count') return { kind: 'count' };
  if (stat === 'variance') return { kind: 'percent' }; // coefficient of variation: unitless, so it compares across runs
  if (stat === 'ratio') {
    return base === 'count' ? { kind: 'percent' } : { invalid: `ratio applies to counted metrics (errors, dropped), not ${metric}` };
  }
  if (stat === 'slope') {
    return base === 'bytes' ? { kind: 'bytesRate' } : { invalid: `slope applies to memory metrics (rss, heap), not ${metric}` };
  }
  if (metric === 'fairness') {
    const invalid = 'fairness takes max: the worst workflow\'s mean dispatch wait over the median workflow\'s, e.g. fairness.max: "< 2"';
    return stat === 'max' ? { kind: 'count' } : { invalid };
  }
  if (base === 'count') return { invalid: `${metric} is a count: use ${metric}.count or ${metric}.ratio` };
  return { kind: base };
}

/** Parses a threshold key and condition. Throws ThresholdSyntaxError with a message fit for users. */
export function parseThreshold(key: string, condition: string): ParsedThreshold {
  const keyMatch = new RegExp(THRESHOLD_KEY_PATTERN).exec(key);
  if (!keyMatch) {
    throw new ThresholdSyntaxError(
      `"${key}" is not a threshold key; write <metric>.<stat>[@window] with metric one of ${Object.keys(METRICS).join(', ')}; ` +
        `stat one of ${STATS.join(', ')}; window one of ${WINDOWS.join(', ')}`,
    );
  }
  const metric = keyMatch[1] as MetricName;
  const stat = keyMatch[2] as StatName;
  const window = (keyMatch[4] ?? 'all') as WindowName;
  const found = statKind(metric, stat);
  if ('invalid' in found) throw new ThresholdSyntaxError(found.invalid);
  const { kind } = found;
  const unwindowed = UNWINDOWED[metric];
  if (window !== 'all' && unwindowed !== undefined) {
    throw new ThresholdSyntaxError(`${metric} ${unwindowed}, not in a window: ${metric}.${stat}@${window} would gate ${metric}.${stat}; drop @${window}`);
  }

  const condMatch = /^\s*(<=|>=|==|<|>)\s*(\S+)\s*$/.exec(condition);
  if (!condMatch) {
    throw new ThresholdSyntaxError(`"${condition}" is not a condition; write an operator (<, <=, >, >=, ==) and a value, e.g. "< 10s"`);
  }
  const op = condMatch[1] as ThresholdOp;
  const limit = parseValue(condMatch[2]!, kind, `${metric}.${stat}`);
  return { key, metric, stat, window, op, limit, kind, source: condition.trim() };
}

const KIND_EXAMPLE: Record<ValueKind, string> = {
  duration: 'a duration such as "< 10s" or "<= 250ms"',
  rate: 'a rate such as ">= 500/m" or "> 10/s"',
  bytes: 'a size such as "< 512MB"',
  bytesRate: 'a growth rate such as "< 1MB/m"',
  percent: 'a percentage such as "< 5%"',
  count: 'a plain number such as "< 3" or "== 0"',
};

function parseValue(text: string, kind: ValueKind, what: string): number {
  try {
    switch (kind) {
      case 'duration':
        return parseDuration(text);
      case 'rate':
        return parseRate(text);
      case 'bytes':
        return parseBytes(text);
      case 'percent':
        return parsePercent(text);
      case 'bytesRate': {
        const [size, per] = text.split('/');
        if (size === undefined || per === undefined) throw new UnitSyntaxError(text);
        return parseBytes(size) * parseRate(`1/${per}`);
      }
      case 'count': {
        if (!/^\d+(\.\d+)?$/.test(text)) throw new UnitSyntaxError(text);
        return Number(text);
      }
    }
  } catch (err) {
    if (!(err instanceof UnitSyntaxError)) throw err;
    throw new ThresholdSyntaxError(`"${text}" does not fit ${what}, which needs ${KIND_EXAMPLE[kind]}`);
  }
}

/** Formats a canonical number in the unit of `kind`, the way reports show it. */
export function formatValue(value: number, kind: ValueKind): string {
  switch (kind) {
    case 'duration':
      return readableDuration(Math.max(0, value));
    case 'rate':
      return formatRate(value);
    case 'bytes':
      return formatBytes(value);
    case 'bytesRate':
      return `${formatBytes(value * 60)}/m`;
    case 'percent':
      return formatPercent(value);
    case 'count':
      return String(Number(value.toFixed(3)));
  }
}

/**
 * A measured duration for people: one unit, three significant figures ("10.99s", "250ms", "4m 2s")
 * — not the canonical round-trip form formatDuration writes ("10s985.471ms").
 */
export function readableDuration(ms: number): string {
  if (ms < 1) return `${Number(ms.toFixed(3))}ms`;
  if (ms < 1000) return `${Number(ms.toPrecision(3))}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toPrecision(3))}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms - minutes * 60_000) / 1000);
  return seconds === 0 ? `${minutes}m` : `${minutes}m ${seconds}s`;
}

/** The verdict on one threshold: `expected` quotes the source, `actual` is in the same unit. */
export interface ThresholdResult {
  pass: boolean;
  expected: string;
  actual: string;
}

/** Pure: compares a measured value (canonical units) with a parsed threshold. NaN never passes. */
export function evaluateThreshold(parsed: ParsedThreshold, actualValue: number): ThresholdResult {
  const pass = Number.isNaN(actualValue) ? false : compare(actualValue, parsed.op, parsed.limit);
  const actual = Number.isNaN(actualValue) ? 'no data' : formatValue(actualValue, parsed.kind);
  return { pass, expected: `${parsed.key} ${parsed.source}`, actual };
}

function compare(actual: number, op: ThresholdOp, limit: number): boolean {
  switch (op) {
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
    case '==':
      return actual === limit;
  }
}
