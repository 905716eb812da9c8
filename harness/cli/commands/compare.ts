/**
 * `oya compare a.json b.json`: percentile deltas between runs, from the journals' stored HDR
 * histograms (decoded and merged, never the summary numbers). Several journals per side are
 * merged: `oya compare a1.json a2.json vs b1.json b2.json`. Grammar and semantics:
 * harness/report/compare/README.md.
 */
import { hasCode } from '../../../system/errors.ts';
import { COMPARED_METRICS, compareRuns, formatComparison, loadJournalFile, type ComparedMetric, type LoadedJournal } from '../../report/compare/index.ts';
import { colorEnabled, type TerminalStream } from '../../report/terminal/ansi.ts';
import type { CliCommand } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { parseFlags } from '../flags.ts';

const METRIC_NAMES = Object.keys(COMPARED_METRICS) as ComparedMetric[];

const HELP = `Usage: oya compare <a.json> <b.json> [flags]
       oya compare <a1.json> [a2.json ...] vs <b1.json> [b2.json ...]

Compares run journals: side a (the baseline) against side b (the candidate). For each metric it
prints p50, p95, p99, max, mean and count of a and b, the absolute delta (b - a) and the ratio
(b / a), computed from the stored HDR histograms; then throughput. Several journals on one side
(separated by the word "vs") are merged into one distribution. A row is marked "▲ REGRESSION"
when b is worse than a by more than the tolerance (latency higher, throughput lower).

Flags:
  --metric <list>        comma-separated: ${METRIC_NAMES.join(', ')} (default: all)
  --tolerance <pct>      relative change that counts as a regression (default: 5%)
  --json                 print the comparison as JSON (latencies in microseconds)
  --fail-on-regression   exit 1 when any regression is marked (default: exit 0)

Exit codes: 0 compared, 1 a regression with --fail-on-regression, 2 bad usage or a journal file
that is unreadable or not a run journal.

Examples:
  oya compare reports/baseline/chaos/db-outage.json reports/chaos/db-outage.json
  oya compare --metric latency,overhead run1.json run2.json vs run3.json run4.json
`;

/** Where the command writes; process streams by default, swappable so tests read the output. */
export interface CompareOutput {
  stdout: TerminalStream;
  stderr: { write(text: string): unknown };
}

interface CompareFlags {
  a: string[];
  b: string[];
  metrics: ComparedMetric[];
  tolerance: number;
  json: boolean;
  failOnRegression: boolean;
}

function parseCompareFlags(argv: string[]): CompareFlags {
  const parsed = parseFlags(
    'compare',
    argv,
    {
      metric: { type: 'string' },
      tolerance: { type: 'string' },
      json: { type: 'boolean', default: false },
      'fail-on-regression': { type: 'boolean', default: false },
    },
    true,
  );
  const { values, positionals } = parsed;
  const split = positionals.indexOf('vs');
  const [a, b] = split === -1 ? [positionals.slice(0, 1), positionals.slice(1)] : [positionals.slice(0, split), positionals.slice(split + 1)];
  if (split === -1 && positionals.length !== 2) {
    throw new CliUsageError(
      `give two journal files (a b), or several per side separated by "vs"; got ${positionals.length} file${positionals.length === 1 ? '' : 's'}`,
    );
  }
  if (a.length === 0 || b.length === 0 || b.includes('vs')) throw new CliUsageError('"vs" needs at least one journal file on each side, and only one "vs"');
  const metrics = (values.metric ?? METRIC_NAMES.join(','))
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  const unknown = metrics.filter((m) => !(METRIC_NAMES as string[]).includes(m));
  if (unknown.length > 0 || metrics.length === 0) {
    throw new CliUsageError(`--metric takes a comma-separated list of ${METRIC_NAMES.join(', ')}; got ${JSON.stringify(values.metric)}`, { flag: '--metric' });
  }
  const tolerance = parseTolerance(values.tolerance);
  return { a, b, metrics: [...new Set(metrics)] as ComparedMetric[], tolerance, json: values.json, failOnRegression: values['fail-on-regression'] };
}

function parseTolerance(text: string | undefined): number {
  if (text === undefined) return 0.05;
  const match = /^(\d+(?:\.\d+)?)%$/.exec(text.trim());
  if (!match) throw new CliUsageError(`--tolerance takes a percentage such as 5% or 0.5%; got ${JSON.stringify(text)}`, { flag: '--tolerance' });
  return Number(match[1]) / 100;
}

/** Runs `oya compare` with `argv`, writing to `out`; resolves to the exit code. */
export async function runCompare(argv: string[], out: CompareOutput = process): Promise<number> {
  const flags = parseCompareFlags(argv);
  let a: LoadedJournal[];
  let b: LoadedJournal[];
  try {
    a = await Promise.all(flags.a.map(loadJournalFile));
    b = await Promise.all(flags.b.map(loadJournalFile));
  } catch (err) {
    if (hasCode(err, 'HARN_COMPARE_JOURNAL_UNREADABLE') || hasCode(err, 'HARN_COMPARE_JOURNAL_INVALID')) {
      out.stderr.write(`oya compare: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
  const comparison = compareRuns(
    a.map((j) => j.journal),
    b.map((j) => j.journal),
    { metrics: flags.metrics, tolerance: flags.tolerance, sourcesA: flags.a, sourcesB: flags.b },
  );
  out.stdout.write(flags.json ? JSON.stringify(comparison, null, 2) + '\n' : formatComparison(comparison, { color: colorEnabled(out.stdout) }));
  return flags.failOnRegression && comparison.regressions.length > 0 ? 1 : 0;
}

/** The `oya compare` command. */
export const command: CliCommand = {
  name: 'compare',
  summary: 'Compare run journals: p50/p95/p99/max deltas from the stored HDR histograms',
  help: HELP,
  run: (argv) => runCompare(argv),
};
