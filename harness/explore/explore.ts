/**
 * The exploration loop: generate a scenario (generator.ts), run it with the scenario runner
 * (harness/runner), and when its verdict is `fail` or `error`, shrink it (shrinker.ts) with the
 * runner as the oracle — a candidate counts only if it fails the same way (signature.ts) — and
 * write the finding (finding.ts). Repeats until `runs` runs or the budget.
 *
 * The budget is a hard bound. A run is started only when the time left covers the longest run so
 * far (or {@link FIRST_RUN_ESTIMATE_MS} before any), and at the deadline the run in progress is
 * cancelled through the runner's signal (teardown still runs: no process, port or temp dir is
 * left). A shrink the budget cut short still writes its smallest failing scenario.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnvironmentKind } from '../env/providers/types.ts';
import type { RunResult } from '../runner/run.ts';
import { createProgressReporter } from '../report/terminal/index.ts';
import { beadCount, checkDraft, describeDraft, draftYaml, withDerivedExpect, type Draft } from './draft.ts';
import { writeFinding, writeFindingsIndex, type Finding } from './finding.ts';
import { generateDraft, type GeneratorOptions } from './generator.ts';
import { shrinkDraft } from './shrinker.ts';
import { formatSignature, reasonOf, sameFailure, signatureOf, type Signature } from './signature.ts';

/** What a run is assumed to cost before any has finished (ms): set-up, a few seconds of work, drain, teardown. */
export const FIRST_RUN_ESTIMATE_MS = 20_000;

/** Options of {@link explore}. */
export interface ExploreOptions {
  seed: number;
  /** Most generated runs (shrink runs not counted). @default unbounded: the budget decides */
  runs?: number;
  /** Hard bound on the whole exploration (ms). */
  budgetMs: number;
  env: EnvironmentKind;
  kinds: GeneratorOptions['kinds'];
  defects: readonly string[];
  base?: Draft;
  /** Findings go to `<reportDir>/explore/`, run journals to `<reportDir>/explore/runs/`. */
  reportDir: string;
  /** Most scenario runs one shrink may make. @default 40 */
  maxShrinkRuns?: number;
  /**
   * Runs of a shrink candidate before it counts as "does not fail": chaos failures depend on
   * timing, and one passing run of a flaky candidate would keep a bigger scenario. @default 1
   */
  shrinkTries?: number;
  /** Progress lines. On a TTY, also a live line per run (beads done, phase), rewritten in place. */
  out: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  /** Aborting it ends the exploration like the budget (Ctrl-C). */
  signal?: AbortSignal;
}

/** One generated run. */
export interface RunRecord {
  run: number;
  name: string;
  draft: string;
  signature: Signature;
  ms: number;
}

/** The exploration's outcome. */
export interface ExploreSummary {
  seed: number;
  runs: RunRecord[];
  findings: (Finding & { yaml: string; html: string })[];
  elapsedMs: number;
  /** Why it stopped. */
  stoppedBy: 'runs' | 'budget' | 'signal';
  /** Scenario runs in all, shrink runs included. */
  scenarioRuns: number;
}

/** Runs the exploration. Resolves with the summary; findings are already written. */
export async function explore(options: ExploreOptions): Promise<ExploreSummary> {
  const { runScenario } = await import('../runner/run.ts');
  const { loadScenarioFile } = await import('../scenario/index.ts');
  const started = performance.now();
  const deadline = started + options.budgetMs;
  const elapsed = () => performance.now() - started;
  const clock = () => formatClock(elapsed()) + '/' + formatClock(options.budgetMs);
  const out = (line: string) => options.out.write(`[${clock()}] ${line}\n`);
  const stop = new AbortController();
  const budgetTimer = setTimeout(() => stop.abort(new Error('the exploration budget ended')), options.budgetMs);
  const onSignal = () => stop.abort(new Error('interrupted'));
  options.signal?.addEventListener('abort', onSignal, { once: true });
  const findingsDir = join(options.reportDir, 'explore');
  const runsDir = join(findingsDir, 'runs');
  const workDir = await mkdtemp(join(tmpdir(), 'oya-explore-'));
  await mkdir(join(workDir, 'chaos'), { recursive: true });
  await mkdir(join(workDir, 'integration'), { recursive: true });
  const generator: GeneratorOptions = { env: options.env, kinds: options.kinds, defects: options.defects, ...(options.base ? { base: options.base } : {}) };
  let longest = 0;
  let scenarioRuns = 0;

  /** Runs one draft; undefined when the budget cannot cover it or ended during it. */
  const runDraft = async (draft: Draft): Promise<RunResult | undefined> => {
    if (stop.signal.aborted || performance.now() + (longest || FIRST_RUN_ESTIMATE_MS) > deadline) return undefined;
    const file = join(workDir, draft.kind, `${draft.name}.yaml`);
    await writeFile(file, draftYaml(draft));
    const scenario = await loadScenarioFile(file);
    const t0 = performance.now();
    scenarioRuns++;
    const live = options.out.isTTY ? createProgressReporter({ stream: options.out, label: draft.name, totalBeads: beadCount(draft) }) : undefined;
    const result = await runScenario(scenario, { reportDir: runsDir, envKind: options.env, signal: stop.signal, onProgress: (p) => live?.update(p) }).finally(
      () => live?.stop(),
    );
    longest = Math.max(longest, performance.now() - t0);
    return result.journal.error?.code === 'HARN_RUNNER_CANCELLED' ? undefined : result;
  };

  const summary: ExploreSummary = { seed: options.seed, runs: [], findings: [], elapsedMs: 0, stoppedBy: 'runs', scenarioRuns: 0 };
  try {
    for (let run = 0; options.runs === undefined || run < options.runs; run++) {
      const draft = generateDraft(generator, options.seed, run);
      out(`run ${run} ${draft.name}: ${describeDraft(draft)}`);
      const t0 = performance.now();
      const result = await runDraft(draft);
      if (result === undefined) {
        summary.stoppedBy = options.signal?.aborted ? 'signal' : 'budget';
        out(
          stop.signal.aborted
            ? 'stopped: the run in progress was cancelled'
            : `stopped: ${formatClock(deadline - performance.now())} left, a run takes up to ${formatClock(longest || FIRST_RUN_ESTIMATE_MS)}`,
        );
        break;
      }
      const signature = signatureOf(result);
      summary.runs.push({ run, name: draft.name, draft: describeDraft(draft), signature, ms: Math.round(performance.now() - t0) });
      out(
        `run ${run} ${formatSignature(signature).toUpperCase()} in ${((performance.now() - t0) / 1000).toFixed(1)} s${signature.verdict === 'pass' ? '' : ` — ${reasonOf(result, 160)}`}`,
      );
      if (signature.verdict === 'pass') continue;
      const finding = await shrinkFailure({
        draft,
        result,
        signature,
        run,
        options,
        runDraft,
        out,
        stopped: () => stop.signal.aborted,
        foundAfterMs: elapsed(),
      });
      const written = await writeFinding(findingsDir, finding);
      summary.findings.push({ ...finding, ...written });
      out(`finding ${finding.id}: ${describeDraft(finding.shrunk)} → ${written.yaml}`);
      if (stop.signal.aborted) {
        summary.stoppedBy = options.signal?.aborted ? 'signal' : 'budget';
        break;
      }
    }
  } finally {
    clearTimeout(budgetTimer);
    options.signal?.removeEventListener('abort', onSignal);
    await rm(workDir, { recursive: true, force: true });
  }
  summary.elapsedMs = Math.round(elapsed());
  summary.scenarioRuns = scenarioRuns;
  await writeFindingsIndex(findingsDir, { seed: options.seed, runs: summary.runs.length, elapsedMs: summary.elapsedMs, findings: summary.findings });
  return summary;
}

/** Shrinks one failing run; the oracle runs each candidate and compares its signature. */
async function shrinkFailure(input: {
  draft: Draft;
  result: RunResult;
  signature: Signature;
  run: number;
  options: ExploreOptions;
  runDraft: (d: Draft) => Promise<RunResult | undefined>;
  out: (line: string) => void;
  stopped: () => boolean;
  foundAfterMs: number;
}): Promise<Finding> {
  const { draft, signature, options, out } = input;
  let smallest = { draft, result: input.result };
  let candidates = 0;
  let outOfTime = false;
  out(`shrinking ${draft.name} (${formatSignature(signature)})`);
  const shrink = await shrinkDraft(draft, {
    isValid: (d) => checkDraft(d, options.env).ok,
    // A generated draft's expect follows its workload (a dropped bead that failed for good, a dropped priority).
    ...(options.base ? {} : { derive: withDerivedExpect }),
    maxTests: options.maxShrinkRuns ?? 40,
    shouldStop: () => outOfTime || input.stopped(),
    stillFails: async (candidate) => {
      for (let attempt = 0; attempt < (options.shrinkTries ?? 1); attempt++) {
        const result = await input.runDraft({ ...candidate, name: `${draft.name}-s${candidates + 1}` });
        if (result === undefined) {
          outOfTime = true;
          return false;
        }
        candidates++;
        if (sameFailure(signature, signatureOf(result))) {
          smallest = { draft: candidate, result };
          return true;
        }
      }
      return false;
    },
    onTest: ({ what, fails, tests }) => out(`  shrink ${tests}: ${what} → ${outOfTime ? 'not run (budget)' : fails ? 'still fails the same way' : 'no'}`),
  });
  return {
    id: draft.name,
    seed: options.seed,
    run: input.run,
    signature,
    reason: reasonOf(smallest.result),
    original: draft,
    shrunk: { ...shrink.draft, name: draft.name },
    accepted: shrink.accepted,
    shrinkRuns: candidates,
    shrinkComplete: shrink.complete && !outOfTime,
    foundAfterMs: Math.round(input.foundAfterMs),
    journal: smallest.result.journal,
  };
}

/** `m:ss`. */
export function formatClock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
