/**
 * `oya run <files…>`: runs scenario files one after another and exits with the verdict:
 * 0 every scenario passed, 1 a gate failed, 2 an invalid scenario or a harness error.
 *
 * After each scenario it prints the summary table, adds the run to its trend (reports/history/)
 * and refreshes the reports (the scenario's HTML page, reports/index.html, reports/junit.xml over
 * every journal present); while one runs, a progress line (elapsed vs planned arrivals, beads
 * done). The Vitest lanes report the same way
 * through {@link reportRun} and {@link startRunProgress}.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CliCommand } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { parseFlags } from '../flags.ts';
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
    const profile = values.profile ?? (process.env.OYA_PROFILE?.trim() || undefined);
    if (profile !== undefined && profile !== 'ci' && profile !== 'full') throw new CliUsageError(`--profile must be ci or full, got "${profile}"`, { flag: 'profile' });

    // Loaded lazily: `oya run --help` must not pay for the runner's imports.
    const { runScenario } = await import('../../runner/run.ts');
    const { loadScenarioFile } = await import('../../scenario/index.ts');
    const { formatFailedGates } = await import('../../runner/gates.ts');
    const { DEFAULT_REPORT_DIR } = await import('../../runner/run.ts');
    const reportDir = values['report-dir'] ?? DEFAULT_REPORT_DIR;
    const files = await expandScenarioPaths(positionals);
    if (files.length === 0) throw new CliUsageError(`no scenario files in ${positionals.join(', ')}`, { command: 'run' });
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
        scenario = await loadScenarioFile(file, { profile: profile as 'ci' | 'full' | undefined });
      } catch (err) {
        // Invalid or unreadable scenario: nothing ran.
        process.stderr.write(`${file}: ${(err as Error).message}\n`);
        return 2;
      }
      const progress = await startRunProgress(scenario, process.stderr);
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
      await reportRun(result.journal, { reportDir, stream: process.stdout });
      return exit;
    }
  },
};

/** A stream the terminal reports write to. */
type Out = Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean; columns?: number };

/**
 * Progress of one scenario run on `stream`: elapsed vs the planned arrival time, beads finished
 * of those planned, and the runner's phase (a line per phase and every 10 s off a TTY).
 */
export async function startRunProgress(
  scenario: import('../../scenario/index.ts').ResolvedScenario,
  stream: Out,
): Promise<{ update: (p: import('../../report/terminal/index.ts').Progress) => void; stop: () => void }> {
  const { planWorkload } = await import('../../runner/plan.ts');
  const { createProgressReporter } = await import('../../report/terminal/index.ts');
  const plan = planWorkload(scenario);
  const reporter = createProgressReporter({
    stream,
    label: `${scenario.kind}/${scenario.name}`,
    totalBeads: plan.beadIds.length,
    // A burst has no planned duration (0 = unknown); a rate-driven phase ends at its last arrival.
    // Under a second the m:ss clock would show "0:00 / 0:00": say nothing instead.
    plannedMs: plan.lastArrivalAt >= 1_000 ? plan.lastArrivalAt : 0,
  });
  return { update: (p) => reporter.update(p), stop: () => reporter.stop() };
}

/**
 * After a run: prints the summary table (and the load line: beads/min, fairness, CPU, RSS) to
 * `stream`, appends the run to its scenario's trend (reports/history/, for the index's
 * sparklines), then refreshes the reports: every journal's HTML page + index.html and junit.xml
 * over every journal present (report/refresh.ts). The one place both `oya run` and the lanes
 * call after writing a journal. A report that cannot be written is said on stderr; it never
 * changes the run's verdict.
 */
export async function reportRun(journal: import('../../report/journal.ts').Journal, options: { reportDir: string; stream: Out }): Promise<void> {
  const { renderSummaryTable } = await import('../../report/terminal/index.ts');
  const { appendTrend } = await import('../../report/trends/index.ts');
  const { refreshReports } = await import('../../report/refresh.ts');
  options.stream.write(renderSummaryTable(journal, { stream: options.stream }));
  const load = loadLine(journal);
  if (load) options.stream.write(`${load}\n`);
  try {
    await appendTrend(options.reportDir, journal);
  } catch (err) {
    process.stderr.write(`run not added to reports/history: ${(err as Error).message}\n`);
  }
  try {
    await refreshReports(options.reportDir);
  } catch (err) {
    process.stderr.write(`reports not refreshed: ${(err as Error).message}\n`);
  }
}

/** `load  1,234 beads/min  fairness 1.08 (10 workflows)  cpu 0.62 mean / 1.1 max cores  rss max 140 MB`, or undefined. */
export function loadLine(journal: { metrics?: unknown }): string | undefined {
  const load = (journal.metrics as { load?: import('../../runner/measure.ts').LoadSummary } | undefined)?.load;
  if (!load) return undefined;
  const parts = [`${Number.isFinite(load.beadsPerMinute) ? Math.round(load.beadsPerMinute).toLocaleString('en-US') : '–'} beads/min`];
  const f = load.fairness;
  if (f.workflows >= 2) parts.push(`fairness ${f.ratio.toFixed(2)} (${f.workflows} workflows, worst mean wait ${Math.round(f.maxMeanWaitMs)}ms vs median ${Math.round(f.medianMeanWaitMs)}ms)`);
  if (load.cpu) parts.push(`cpu ${load.cpu.mean.toFixed(2)} mean / ${load.cpu.max.toFixed(2)} max cores`);
  if (load.dbCpu) parts.push(`db cpu ${load.dbCpu.mean.toFixed(2)}`);
  if (load.machineCpu) parts.push(`machine ${load.machineCpu.mean.toFixed(2)}/${load.machineCpu.cores} cores`);
  if (load.rss) parts.push(`rss max ${Math.round(load.rss.max / 1024 / 1024)} MB`);
  const perBead = load.cpuMsPerBead;
  if (perBead) {
    const named = (['orchestrator', 'workers', 'db'] as const).filter((k) => perBead[k] !== undefined).map((k) => `${k} ${perBead[k]!.toFixed(2)}`);
    parts.push(`cpu-ms/bead ${named.join(' ')}`);
  }
  return `${'load'.padEnd(12)}${parts.join('  ')}`;
}
