/**
 * `npm run soak -- [--duration 1h]`: the leak soak from the command line, with progress.
 *
 * Runs scenarios/leak/orchestrator-soak.yaml (or `--scenario FILE`) with its `full` profile — the
 * seed plan's one-hour sustained load, RSS/heap sampled every 10 s, heap snapshots and memlab —
 * through the ordinary runner, so the journal, gates and exit code are those of `oya run`:
 * 0 pass, 1 a gate failed, 2 invalid input or the run could not be judged.
 *
 * `--duration` rescales the soak: the (single, rate-driven) workload phase gets rate × duration
 * beads, and `timeouts.total` grows to fit. Everything else comes from the scenario file.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CliCommand } from '../cli/command.ts';
import { CliUsageError } from '../cli/errors.ts';
import { parseFlags } from '../cli/flags.ts';
import { formatDuration, loadScenarioFile, parseDuration, type ResolvedScenario } from '../scenario/index.ts';

/** The soak scenario `npm run soak` runs by default. */
export const DEFAULT_SOAK_SCENARIO = fileURLToPath(new URL('../../scenarios/leak/orchestrator-soak.yaml', import.meta.url));

/** Head-room on top of soak + drain for set-up, the final snapshot and memlab (ms). @default 600000 */
export const SOAK_TOTAL_MARGIN_MS = 10 * 60_000;

const HELP = `Usage: npm run soak -- [--duration 1h] [--profile full|ci] [--scenario FILE] [--report-dir DIR]

Runs the leak soak: sustained load on the orchestrator while its RSS and V8 heap (and every
worker's RSS) are sampled; heap snapshots after warm-up, half way and at the end go through
memlab. Gates: RSS stable after warm-up (rss.variance), heap slope near zero (heap.slope), no
leak cluster retained by our code. Prints one progress line per sample.

  --duration D     soak length, e.g. 30m, 1h (default: the scenario's, 1h in the full profile)
  --profile NAME   the scenario profile to merge                      (default: full)
  --scenario FILE  a kind: leak scenario          (default: scenarios/leak/orchestrator-soak.yaml)
  --report-dir DIR where the journal goes                              (default: reports)
  -h, --help       this text

Exit codes: 0 pass, 1 a gate failed, 2 invalid input or the run could not be judged.
Then: oya report && open reports/index.html (the memory chart of the leak scenario).`;

/**
 * The scenario with its soak rescaled to `durationMs`: its one workload phase (which must have a
 * `rate`) gets `rate × duration` beads, and `timeouts.total` grows to the soak + drain + margin.
 */
export function withSoakDuration(scenario: ResolvedScenario, durationMs: number): ResolvedScenario {
  const phases = scenario.workload;
  const phase = phases[0];
  if (phases.length !== 1 || phase === undefined || phase.rate === undefined || phase.beads === undefined) {
    const why = `${scenario.name} has ${phases.length} phase(s)`;
    throw new CliUsageError(`--duration needs a scenario with exactly one workload phase of beads at a rate; ${why}`, { flag: 'duration' });
  }
  const warmup = scenario.leak?.warmup ?? 60_000;
  if (!(durationMs > warmup)) {
    throw new CliUsageError(`--duration ${formatDuration(durationMs)} must be longer than the warm-up (${formatDuration(warmup)})`, { flag: 'duration' });
  }
  const beads = Math.max(1, Math.round(phase.rate * (durationMs / 1000)));
  const total = Math.max(scenario.timeouts.total, durationMs + scenario.timeouts.drain + SOAK_TOTAL_MARGIN_MS);
  return { ...scenario, workload: [{ ...phase, beads }], timeouts: { ...scenario.timeouts, total } };
}

export const command: CliCommand = {
  name: 'soak',
  summary: 'Run the leak soak (RSS/heap sampling, heap snapshots, memlab) with progress',
  help: HELP,
  async run(argv) {
    const { values } = parseFlags('soak', argv, {
      duration: { type: 'string' },
      profile: { type: 'string' },
      scenario: { type: 'string' },
      'report-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    const profile = values.profile ?? 'full';
    if (profile !== 'ci' && profile !== 'full') throw new CliUsageError(`--profile must be ci or full, got "${profile}"`, { flag: 'profile' });
    let scenario = await loadScenarioFile(values.scenario ?? DEFAULT_SOAK_SCENARIO, { profile });
    if (scenario.kind !== 'leak') {
      throw new CliUsageError(`${scenario.file} is kind: ${scenario.kind}; the soak runs kind: leak scenarios`, { flag: 'scenario' });
    }
    if (values.duration !== undefined) {
      let ms: number;
      try {
        ms = parseDuration(values.duration);
      } catch (err) {
        throw new CliUsageError(`--duration: ${(err as Error).message}`, { flag: 'duration' });
      }
      scenario = withSoakDuration(scenario, ms);
    }
    const phase = scenario.workload[0]!;
    const soakMs = phase.rate !== undefined && phase.beads !== undefined ? (phase.beads / phase.rate) * 1000 : undefined;
    process.stdout.write(
      `soak ${scenario.name} [${profile}]: ${soakMs === undefined ? '' : `${formatDuration(Math.round(soakMs))} of `}load, ` +
        `warm-up ${formatDuration(scenario.leak?.warmup ?? 60_000)}, a sample every ${formatDuration(scenario.leak?.sampleEvery ?? 10_000)}, ` +
        `${scenario.system.workers} workers\n`,
    );
    const { runScenario } = await import('../runner/run.ts');
    const { formatFailedGates } = await import('../runner/gates.ts');
    const t0 = Date.now();
    const elapsed = (): string => formatDuration(Math.floor((Date.now() - t0) / 1000) * 1000);
    const result = await runScenario(scenario, {
      ...(values['report-dir'] ? { reportDir: values['report-dir'] } : {}),
      log: (line) => {
        const of = soakMs !== undefined && line.includes(' leak t=') ? ` / ${formatDuration(Math.round(soakMs))}` : '';
        process.stdout.write(`${elapsed().padStart(7)} ${line}${of}\n`);
      },
    });
    process.stdout.write(`${result.verdict.toUpperCase()} ${scenario.name} (${elapsed()}) → ${result.journalPath}\n`);
    for (const gate of result.gates.filter((g) => g.name.startsWith('rss.') || g.name.startsWith('heap.') || g.name.startsWith('leak.'))) {
      process.stdout.write(`  ${gate.pass ? 'ok  ' : 'FAIL'} ${gate.name}: ${gate.actual}\n`);
    }
    if (result.verdict === 'fail') process.stdout.write(`${formatFailedGates(scenario.name, result.gates)}\n`);
    if (result.verdict === 'error') {
      const e = result.journal.error;
      process.stderr.write(`error${e?.phase ? ` in ${e.phase}` : ''}: ${e?.code ? `[${e.code}] ` : ''}${e?.message}\n`);
      return 2;
    }
    return result.verdict === 'pass' ? 0 : 1;
  },
};

// Run directly (`tsx harness/leak/soak.ts`, which `npm run soak` does).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    process.exitCode = await command.run(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${(err as { code?: string }).code === 'HARN_CLI_USAGE' ? 'Run with --help for the flags.\n' : ''}`);
    process.exitCode = 2;
  }
}
