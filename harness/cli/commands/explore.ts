/**
 * `oya explore`: property-based chaos. Generates valid scenarios, runs each, shrinks every
 * failing run to a minimal scenario that fails the same way, and writes it to
 * reports/explore/<id>.yaml (+ .html). Exit 0 when nothing was found, 1 when something was.
 */
import { readFile } from 'node:fs/promises';
import type { CliCommand } from '../command.ts';
import { errorMessage } from '../../../system/errors.ts';
import { CliUsageError } from '../errors.ts';
import { integerFlag, parseFlags } from '../flags.ts';
import { SIGNAL_EXIT, interruptOnSignals } from '../interrupt.ts';

const HELP = `Usage: oya explore [--seed S] [--runs N] [--budget 10m] [--base FILE] [--kinds chaos]
                   [--defects a,b] [--env local|containers] [--shrink-runs N] [--shrink-tries N]
                   [--report-dir DIR]

Property-based chaos. Generates scenarios from the documented vocabulary (harness/scenario/README.md):
independent beads and DAG workflows with duplicates, cancellations, client retries and scripted
agent failures and crashes, under a random timeline of up to 3 possibly overlapping faults of the
kinds the environment can inject. Every generated scenario passes \`oya validate --env\`. Each one
runs with the scenario runner (a few seconds to ~20 s). A run whose verdict is fail or error is
shrunk by delta debugging — fewer faults, fewer phases and beads, fewer features, shorter fault
windows, earlier times — to a minimal scenario that still fails the same way (the same failing
gates), written to <report-dir>/explore/<id>.yaml with a one-line reason (kind: chaos, ready to
copy into scenarios/chaos/ as a regression test) and <id>.html (the failing run's report page).
<report-dir>/explore/index.html lists the findings; run journals go to <report-dir>/explore/runs/.

  --seed S          exploration seed; the same seed generates the same runs (default: from the clock, printed)
  --runs N          most generated runs (default: as many as the budget allows)
  --budget D        hard time bound, e.g. 90s, 10m (default 10m): no run starts that the time left
                    cannot cover (the longest run so far, 20 s before any), and the run in progress
                    at the deadline is cancelled and torn down
  --base FILE       keep this scenario's system, workload, expect and timeouts; generate only faults
  --kinds LIST      scenario kinds to generate: chaos (at least one fault; default), integration (faults optional)
  --defects LIST    test-only orchestrator defects to run with (system.defects), e.g. double-step
  --env KIND        local or containers (default: OYA_ENV, else local): which faults can be drawn
  --shrink-runs N   most shrink candidates one shrink tries (default 40)
  --shrink-tries N  runs of a candidate before it counts as not failing (default 1; 2 for timing-flaky failures)
  --report-dir DIR  where explore/ goes (default: reports)
  -h, --help        this text

Ctrl-C or SIGTERM cancels the run in progress (torn down, journaled), prints the summary of what
ran and exits 130/143 (1 if something was found); a second signal stops at once.

Exit codes: 0 nothing found, 1 at least one finding, 2 bad usage or an invalid --base,
130/143 interrupted.

Examples:
  oya explore --budget 3m
  oya explore --seed 7 --budget 90s --defects start-after-outcome
  oya explore --base scenarios/chaos/orchestrator-kill.yaml --runs 5`;

const KINDS = ['chaos', 'integration'] as const;
const ENVS = ['local', 'containers'] as const;

export const command: CliCommand = {
  name: 'explore',
  summary: 'Property-based chaos: generate scenarios, run them, shrink every failure to a minimal scenario (0 nothing found, 1 found)',
  help: HELP,
  async run(argv) {
    const { values } = parseFlags('explore', argv, {
      seed: { type: 'string' },
      runs: { type: 'string' },
      budget: { type: 'string' },
      base: { type: 'string' },
      kinds: { type: 'string' },
      defects: { type: 'string' },
      env: { type: 'string' },
      'shrink-runs': { type: 'string' },
      'shrink-tries': { type: 'string' },
      'report-dir': { type: 'string' },
    });
    const { parseDuration } = await import('../../scenario/units.ts');
    const { DEFECTS } = await import('../../scenario/sections/system.ts');
    const seed = integerFlag('seed', values.seed, { min: 0, max: 2 ** 31 - 1 }) ?? Date.now() % 1_000_000;
    const runs = integerFlag('runs', values.runs, { min: 1 });
    const shrinkRuns = integerFlag('shrink-runs', values['shrink-runs'], { min: 0 });
    const shrinkTries = integerFlag('shrink-tries', values['shrink-tries'], { min: 1, max: 10 });
    let budgetMs: number;
    try {
      budgetMs = parseDuration(values.budget ?? '10m');
    } catch (err) {
      throw new CliUsageError(`--budget must be a duration such as 90s or 10m: ${(err as Error).message}`, { flag: 'budget' });
    }
    const kinds = list(values.kinds ?? 'chaos');
    for (const k of kinds)
      if (!(KINDS as readonly string[]).includes(k)) throw new CliUsageError(`--kinds takes ${KINDS.join(', ')}, got "${k}"`, { flag: 'kinds' });
    const defects = list(values.defects ?? '');
    for (const d of defects)
      if (!(DEFECTS as readonly string[]).includes(d)) throw new CliUsageError(`unknown defect "${d}"; known: ${DEFECTS.join(', ')}`, { flag: 'defects' });
    const env = values.env ?? (process.env.OYA_ENV?.trim() || 'local');
    if (!(ENVS as readonly string[]).includes(env)) throw new CliUsageError(`--env takes local or containers, got "${env}"`, { flag: 'env' });

    const { explore, formatClock } = await import('../../explore/explore.ts');
    const { baseDraft } = await import('../../explore/base.ts');
    const { DEFAULT_REPORT_DIR } = await import('../../runner/run.ts');
    const base = values.base === undefined ? undefined : await loadBase(values.base, baseDraft);
    const interrupt = interruptOnSignals((line) => process.stderr.write(`oya explore: ${line}\n`));
    process.stderr.write(
      `oya explore: seed ${seed}, budget ${formatClock(budgetMs)}, env ${env}, kinds ${kinds.join(',')}${defects.length ? `, defects ${defects.join(',')}` : ''}${runs ? `, at most ${runs} runs` : ''}\n`,
    );
    const summary = await explore({
      seed,
      ...(runs !== undefined ? { runs } : {}),
      budgetMs,
      env: env as (typeof ENVS)[number],
      kinds: kinds as (typeof KINDS)[number][],
      defects,
      ...(base ? { base } : {}),
      reportDir: values['report-dir'] ?? DEFAULT_REPORT_DIR,
      ...(shrinkRuns !== undefined ? { maxShrinkRuns: shrinkRuns } : {}),
      ...(shrinkTries !== undefined ? { shrinkTries } : {}),
      out: process.stderr,
      signal: interrupt.signal,
    }).finally(() => interrupt.dispose());
    const { formatSummary } = await import('../../explore/summary.ts');
    process.stdout.write(formatSummary(summary));
    if (summary.findings.length > 0) return 1;
    return interrupt.received === undefined ? 0 : SIGNAL_EXIT[interrupt.received];
  },
};

/** The --base file as a draft; unreadable or invalid is a usage error listing every issue. */
async function loadBase(file: string, baseDraft: typeof import('../../explore/base.ts').baseDraft) {
  const text = await readFile(file, 'utf8').catch((err: unknown) => {
    throw new CliUsageError(`--base ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`, { flag: 'base' });
  });
  const { ScenarioInvalidError, ScenarioSourceError } = await import('../../scenario/index.ts');
  try {
    return baseDraft(file, text);
  } catch (err) {
    if (err instanceof ScenarioInvalidError)
      throw new CliUsageError(
        `--base ${file} is not a valid scenario:\n${err.issues.map((i) => `  ${i.line}:${i.column} ${i.path}: ${i.message}`).join('\n')}`,
        { flag: 'base' },
      );
    if (err instanceof ScenarioSourceError) throw new CliUsageError(`--base ${file}: ${err.message}`, { flag: 'base' });
    throw err;
  }
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
