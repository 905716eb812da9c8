/**
 * The reporter: what happens on a terminal and under the report dir around one scenario run. Both
 * callers — `oya run` (harness/cli/commands/run.ts) and the Vitest lanes (harness/lanes/lane.ts) —
 * create one and call it the same way, so a run reports identically wherever it ran:
 *
 *   const reporter = createRunReporter({ reportDir, stream });
 *   const progress = await reporter.start(scenario);        // progress line while it runs
 *   const result = await runScenario(scenario, { onProgress: progress.update }).finally(progress.stop);
 *   await reporter.finish(result.journal);                  // summary table, trend, HTML, index, JUnit
 *
 * A report that cannot be written is said on `errors` (stderr); it never changes the run's verdict.
 */
import type { LoadSummary } from '../runner/measure.ts';
import type { ResolvedScenario } from '../scenario/index.ts';
import type { RunJournal } from './journal.ts';
import type { Progress } from './terminal/index.ts';

/** A stream the terminal reports write to. */
export type ReportStream = Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean; columns?: number };

/** The progress sink of one run in progress. */
export interface RunProgress {
  update: (progress: Progress) => void;
  stop: () => void;
}

export interface RunReporter {
  /**
   * A run of `scenario` is about to start: a progress line on the stream — elapsed vs the planned
   * arrival time, beads finished of those planned, the runner's phase (a line per phase and every
   * 10 s off a TTY).
   */
  start(scenario: ResolvedScenario): Promise<RunProgress>;
  /**
   * The run wrote its journal: the summary table (and the load line) on the stream, the run
   * appended to its scenario's trend (reports/history/, the index's sparklines), then every
   * journal's HTML page, index.html and junit.xml refreshed (report/refresh.ts).
   */
  finish(journal: RunJournal): Promise<void>;
}

export interface RunReporterOptions {
  reportDir: string;
  stream: ReportStream;
  /** Where a report that could not be written is said. @default process.stderr */
  errors?: Pick<NodeJS.WriteStream, 'write'>;
}

export function createRunReporter(options: RunReporterOptions): RunReporter {
  const errors = options.errors ?? process.stderr;
  return {
    async start(scenario) {
      const { planWorkload } = await import('../runner/plan.ts');
      const { createProgressReporter } = await import('./terminal/index.ts');
      const plan = planWorkload(scenario);
      const line = createProgressReporter({
        stream: options.stream,
        label: `${scenario.kind}/${scenario.name}`,
        totalBeads: plan.beadIds.length,
        // A burst has no planned duration (0 = unknown); a rate-driven phase ends at its last arrival.
        // Under a second the m:ss clock would show "0:00 / 0:00": say nothing instead.
        plannedMs: plan.lastArrivalAt >= 1_000 ? plan.lastArrivalAt : 0,
      });
      return {
        update: (p) => {
          line.update(p);
        },
        stop: () => {
          line.stop();
        },
      };
    },
    async finish(journal) {
      const { renderSummaryTable } = await import('./terminal/index.ts');
      const { appendTrend } = await import('./trends/index.ts');
      const { refreshReports } = await import('./refresh.ts');
      options.stream.write(renderSummaryTable(journal, { stream: options.stream }));
      const load = loadLine(journal);
      if (load !== undefined) options.stream.write(`${load}\n`);
      try {
        await appendTrend(options.reportDir, journal);
      } catch (err) {
        errors.write(`run not added to reports/history: ${(err as Error).message}\n`);
      }
      try {
        await refreshReports(options.reportDir);
      } catch (err) {
        errors.write(`reports not refreshed: ${(err as Error).message}\n`);
      }
    },
  };
}

/** `load  1,234 beads/min  fairness 1.08 (10 workflows)  cpu 0.62 mean / 1.1 max cores  rss max 140 MB`, or undefined (no load measured). */
export function loadLine(journal: { metrics?: unknown }): string | undefined {
  const load = (journal.metrics as { load?: LoadSummary } | undefined)?.load;
  if (!load) return undefined;
  const parts = [`${Number.isFinite(load.beadsPerMinute) ? Math.round(load.beadsPerMinute).toLocaleString('en-US') : '–'} beads/min`];
  const f = load.fairness;
  if (f.workflows >= 2) {
    const waits = `worst mean wait ${Math.round(f.maxMeanWaitMs)}ms vs median ${Math.round(f.medianMeanWaitMs)}ms`;
    parts.push(`fairness ${f.ratio.toFixed(2)} (${f.workflows} workflows, ${waits})`);
  }
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
