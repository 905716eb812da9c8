/**
 * `oya report [--report-dir DIR] [--merge DIR…]`: renders every journal under the report
 * directory into HTML (<dir>/<kind>/<scenario>.html, <dir>/index.html) and junit.xml; with
 * --merge, first joins the journals and trends of other report directories (CI shards'
 * artifacts) into it, so one index, one JUnit file and one history cover them all.
 */
import { resolve } from 'node:path';
import { hasCode } from '../../../system/errors.ts';
import type { CliCommand } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { parseFlags } from '../flags.ts';

const HELP = `Usage: oya report [--report-dir <dir>] [--merge <dir>…]

Renders the HTML reports from the JSON journals the scenario runs wrote: one page per
<dir>/<kind>/<scenario>.json (written next to it as .html), <dir>/index.html (failures first,
trends from <dir>/history/) and <dir>/junit.xml. Pages are self-contained (inline SVG charts,
no script, nothing loaded from the network): open them from disk.

Flags:
  --report-dir <dir>   the report directory (default: reports); with --merge, the destination,
                       created when missing
  --merge <dir>…       first join these report directories into --report-dir: every journal
                       with the files beside it (orchestrator log …) and every scenario's
                       history. The same run found twice is kept once; two runs of one scenario
                       keep the later one, and the clash is printed. Repeatable, or several
                       directories after one --merge.

Exit codes: 0 written, 2 a directory does not exist or bad usage.

Examples:
  oya report && xdg-open reports/index.html
  oya report --report-dir merged --merge shard-1/reports shard-2/reports shard-3/reports
`;

/** Where the command writes; swappable so tests read the output. */
export interface ReportOutput {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** `--merge a b --merge c` → [a, b, c]: the directories after each --merge up to the next flag. */
function splitMergeArgs(argv: readonly string[]): { rest: string[]; merge: string[] | undefined } {
  const rest: string[] = [];
  let merge: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--merge=')) {
      (merge ??= []).push(arg.slice('--merge='.length));
      continue;
    }
    if (arg !== '--merge') {
      rest.push(arg);
      continue;
    }
    merge ??= [];
    const before = merge.length;
    while (i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) merge.push(argv[++i]!);
    if (merge.length === before) throw new CliUsageError('--merge takes one or more report directories', { flag: '--merge' });
  }
  if (merge?.some((dir) => dir === '')) throw new CliUsageError('--merge takes one or more report directories', { flag: '--merge' });
  return { rest, merge };
}

/** Runs `oya report` with `argv`, writing to `out`; resolves to the exit code. */
export async function runReport(argv: string[], out: ReportOutput = process): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    out.stdout.write(HELP);
    return 0;
  }
  const { rest, merge } = splitMergeArgs(argv);
  // --merge was taken out above (it takes several values); it is declared so a typo of it is suggested.
  const { values } = parseFlags('report', rest, { 'report-dir': { type: 'string' }, merge: { type: 'string', multiple: true } });
  if (values['report-dir'] === '') throw new CliUsageError('--report-dir takes a directory', { flag: '--report-dir' });
  const reportDir = resolve(values['report-dir'] ?? 'reports');
  // Loaded here: `oya --help` lists this command without loading the renderer.
  const { refreshReports } = await import('../../report/refresh.ts');
  const { mergeReportDirs } = await import('../../report/merge.ts');
  try {
    if (merge) {
      const merged = await mergeReportDirs(
        merge.map((d) => resolve(d)),
        reportDir,
      );
      for (const dir of merged.empty) out.stderr.write(`no journals in ${dir} (did that shard run?)\n`);
      for (const c of merged.clashes) out.stderr.write(`two runs of ${c.journal}: kept the later one from ${c.kept}, dropped ${c.dropped}\n`);
      const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
      const twice = merged.duplicates.length > 0 ? ` (${merged.duplicates.length} seen twice, kept once)` : '';
      out.stdout.write(
        `merged ${plural(merge.length, 'report directory', 'report directories')} into ${reportDir}: ` +
          `${plural(merged.copied.length, 'journal', 'journals')}${twice}, ${plural(merged.trends, 'scenario history', 'scenario histories')}\n`,
      );
    }
    const result = await refreshReports(reportDir);
    for (const page of result.pages) out.stdout.write(`wrote ${page}\n`);
    for (const skipped of result.skipped) out.stderr.write(`skipped ${skipped.file}: ${skipped.reason}\n`);
    out.stdout.write(`wrote ${result.index} (${result.pages.length} scenario page${result.pages.length === 1 ? '' : 's'})\nwrote ${result.junit}\n`);
    return 0;
  } catch (err) {
    if (hasCode(err, 'HARN_REPORT_DIR_MISSING')) {
      out.stderr.write(`oya report: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
}

/** The `oya report` command. */
export const command: CliCommand = {
  name: 'report',
  summary: 'Render the HTML reports and junit.xml from the JSON journals; --merge joins CI shards first',
  help: HELP,
  run: (argv) => runReport(argv),
};
