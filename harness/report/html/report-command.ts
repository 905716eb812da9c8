/**
 * `oya report [--report-dir DIR]`: renders every journal under the report directory into HTML
 * (reports/<kind>/<scenario>.html and reports/index.html). Lives here, beside the renderer; the
 * CLI's command table (harness/cli/main.ts) registers it as `report`.
 */
import { resolve } from 'node:path';
import { hasCode } from '../../../system/errors.ts';
import type { CliCommand } from '../../cli/command.ts';
import { CliUsageError } from '../../cli/errors.ts';
import { writeReports } from './write-reports.ts';

const HELP = `Usage: oya report [--report-dir <dir>]

Renders the HTML reports from the JSON journals the scenario runs wrote: one page per
<dir>/<kind>/<scenario>.json (written next to it as .html) and <dir>/index.html. Pages are
self-contained (inline SVG charts, no script, nothing loaded from the network): open them from disk.

Flags:
  --report-dir <dir>   the report directory (default: reports)

Exit codes: 0 written, 2 the directory does not exist or bad usage.

Example:
  oya report && xdg-open reports/index.html
`;

/** Where the command writes; swappable so tests read the output. */
export interface ReportOutput {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** Runs `oya report` with `argv`, writing to `out`; resolves to the exit code. */
export async function runReport(argv: string[], out: ReportOutput = process): Promise<number> {
  let reportDir = 'reports';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      out.stdout.write(HELP);
      return 0;
    }
    if (arg === '--report-dir' || arg.startsWith('--report-dir=')) {
      const value = arg.includes('=') ? arg.slice('--report-dir='.length) : argv[++i];
      if (!value) throw new CliUsageError('--report-dir takes a directory', { flag: '--report-dir' });
      reportDir = value;
    } else throw new CliUsageError(`unknown argument ${arg}`, { flag: arg });
  }
  try {
    const result = await writeReports(resolve(reportDir));
    for (const page of result.pages) out.stdout.write(`wrote ${page}\n`);
    for (const skipped of result.skipped) out.stderr.write(`skipped ${skipped.file}: ${skipped.reason}\n`);
    out.stdout.write(`wrote ${result.index} (${result.pages.length} scenario page${result.pages.length === 1 ? '' : 's'})\n`);
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
  summary: 'Render the HTML reports (index + one page per scenario) from the JSON journals',
  help: HELP,
  run: (argv) => runReport(argv),
};
