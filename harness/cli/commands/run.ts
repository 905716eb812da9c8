/**
 * `oya run <files…>`: runs scenario files one after another and exits with the verdict:
 * 0 every scenario passed, 1 a gate failed, 2 an invalid scenario or a harness error.
 *
 * After each scenario it prints the summary table, adds the run to its trend (reports/history/)
 * and refreshes the reports (the scenario's HTML page, reports/index.html, reports/junit.xml over
 * every journal present); while one runs, a progress line (elapsed vs planned arrivals, beads
 * done). The Vitest lanes report the same way, through the same reporter (harness/report/reporter.ts).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CliCommand } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { choiceFlag, parseFlags } from '../flags.ts';
import { SIGNAL_EXIT, interruptOnSignals } from '../interrupt.ts';

const HELP = `Usage: oya run <file|dir>… [--profile ci|full] [--report-dir DIR]

Runs each scenario file (a directory means every *.yaml in it, sorted) against real processes:
the environment (SurrealDB behind a Toxiproxy fault proxy), the orchestrator, the workload and
the fault timeline; then drains, checks, measures and gates. Writes one JSON journal per
scenario to <report-dir>/<kind>/<name>.json and its HTML page beside it, adds the run to
<report-dir>/history/ (the index's trends), refreshes <report-dir>/index.html and
<report-dir>/junit.xml, and prints one verdict line and a summary
table per scenario (progress goes to stderr while a scenario runs).

  --profile NAME     merge the scenario's ci or full profile (default: OYA_PROFILE, else none)
  --report-dir DIR   where journals, HTML pages, index.html and junit.xml go (default: reports)
  -h, --help         this text

Ctrl-C or SIGTERM cancels the scenario in progress: it is torn down (no process, port or temp
dir left) and journaled as an error (HARN_RUNNER_CANCELLED), the files after it do not run, and
the exit code is 130 (SIGINT) or 143 (SIGTERM). A second signal stops at once.

Exit codes: 0 all passed, 1 a gate failed, 2 an invalid scenario or a harness error,
130/143 interrupted.

Examples:
  oya run scenarios/integration/single-bead.yaml
  oya run scenarios/chaos --profile ci --report-dir /tmp/reports`;

/** Expands directories into their *.yaml files (sorted); files are kept as given. */
export async function expandScenarioPaths(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) {
      const names = (await readdir(path)).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
      files.push(...names.map((n) => join(path, n)));
    } else files.push(path);
  }
  return files;
}

export const command: CliCommand = {
  name: 'run',
  summary: 'Run scenario files and gate on their verdict (0 pass, 1 fail, 2 invalid/error)',
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseFlags('run', argv, { profile: { type: 'string' }, 'report-dir': { type: 'string' } }, true);
    if (positionals.length === 0) throw new CliUsageError('give at least one scenario file or directory', { command: 'run' });
    const { PROFILES } = await import('../../scenario/sections/profiles.ts');
    const profile = choiceFlag('profile', values.profile, PROFILES, { name: 'OYA_PROFILE', value: process.env.OYA_PROFILE });

    // Loaded lazily: `oya run --help` must not pay for the runner's imports.
    const { runScenario } = await import('../../runner/run.ts');
    const { loadScenarioFile } = await import('../../scenario/index.ts');
    const { formatFailedGates } = await import('../../runner/gates.ts');
    const { DEFAULT_REPORT_DIR } = await import('../../runner/run.ts');
    const { createRunReporter } = await import('../../report/reporter.ts');
    const reportDir = values['report-dir'] ?? DEFAULT_REPORT_DIR;
    const files = await expandScenarioPaths(positionals);
    if (files.length === 0) throw new CliUsageError(`no scenario files in ${positionals.join(', ')}`, { command: 'run' });
    const reporter = createRunReporter({ reportDir, stream: process.stdout });
    let exit = 0;
    const interrupt = interruptOnSignals((line) => process.stderr.write(`oya run: ${line}\n`));
    try {
      for (const file of files) {
        if (interrupt.signal.aborted) break;
        exit = Math.max(exit, await runOne(file));
      }
    } finally {
      interrupt.dispose();
    }
    return interrupt.received === undefined ? exit : SIGNAL_EXIT[interrupt.received];

    async function runOne(file: string): Promise<number> {
      let exit = 0;
      let scenario;
      try {
        scenario = await loadScenarioFile(file, { profile });
      } catch (err) {
        // Invalid or unreadable scenario: nothing ran.
        process.stderr.write(`${file}: ${(err as Error).message}\n`);
        return 2;
      }
      const progress = await createRunReporter({ reportDir, stream: process.stderr }).start(scenario);
      const result = await runScenario(scenario, { reportDir, onProgress: progress.update, signal: interrupt.signal }).finally(() => progress.stop());
      const seconds = (result.journal.durationMs / 1000).toFixed(1);
      process.stdout.write(`${result.verdict.toUpperCase().padEnd(5)} ${result.journal.scenario.name} (${seconds}s) → ${result.journalPath}\n`);
      if (result.verdict === 'fail') {
        process.stdout.write(formatFailedGates(result.journal.scenario.name, result.gates) + '\n');
        exit = Math.max(exit, 1);
      }
      if (result.verdict === 'error') {
        const e = result.journal.error;
        process.stderr.write(`  error${e?.phase ? ` in ${e.phase}` : ''}: ${e?.code ? `[${e.code}] ` : ''}${e?.message}\n`);
        exit = 2;
      }
      await reporter.finish(result.journal);
      return exit;
    }
  },
};
