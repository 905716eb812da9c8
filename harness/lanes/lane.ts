/**
 * One Vitest test per scenario file: a lane file calls `defineLane('chaos')` and every
 * scenarios/chaos/*.yaml becomes a test — adding a file is all a user does. The profile comes from
 * OYA_PROFILE (default ci). A failed gate fails the test with every gate, expected vs actual; an
 * invalid scenario or a harness error fails it with the error. A lane with no files yet reports
 * itself as skipped, with the reason, instead of failing "no tests found".
 *
 * Reports after every scenario, pass or not (the same as `oya run`, through reportRun): the
 * summary table on stderr, the run added to its trend in reports/history/, the scenario's HTML
 * page, reports/index.html and reports/junit.xml refreshed; a progress line
 * on stderr while it runs (every 10 s and on each phase change).
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { reportRun, startRunProgress } from '../cli/commands/run.ts';
import { chooseKind } from '../env/providers/select.ts';
import type { EnvironmentKind } from '../env/providers/types.ts';
import { unsupportedFaults } from '../runner/faults/index.ts';
import { formatFailedGates } from '../runner/gates.ts';
import { writeJournal } from '../report/journal.ts';
import { DEFAULT_REPORT_DIR, runScenario } from '../runner/run.ts';
import { loadScenarioFile, type ProfileName, type ResolvedScenario, type ScenarioKind } from '../scenario/index.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Time for set-up and teardown on top of a scenario's timeouts.total (ms). */
const SETUP_MARGIN_MS = 120_000;

/** The profile lanes run with: OYA_PROFILE, else ci. */
export function laneProfile(env: NodeJS.ProcessEnv = process.env): ProfileName {
  const value = env.OYA_PROFILE?.trim() || 'ci';
  if (value !== 'ci' && value !== 'full') throw new Error(`OYA_PROFILE must be ci or full, got "${value}"`);
  return value;
}

/** scenarios/<kind>/*.yaml, sorted. */
export function discoverScenarios(kind: ScenarioKind): string[] {
  const dir = join(ROOT, 'scenarios', kind);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort().map((n) => join(dir, n));
}

/** Options of {@link defineLane}. */
export interface LaneOptions {
  /**
   * With the ci profile, run each scenario with this many seeds: its own, then seed+1, seed+2, …
   * (the extra runs are named `<name>-seed<N>`, so each keeps its own journal). The runs go ONE
   * AFTER ANOTHER: two runs on 2 cores measure each other (recovery times, latencies, a starved
   * heartbeat read as a dead worker), which is what made seeds flake when they ran concurrently.
   * The lane's time budget is kept by short ci profiles, not by fewer seeds. @default 1
   */
  ciSeeds?: number;
  /**
   * The environment every run of the lane uses. A scenario naming a fault kind whose capability
   * that environment lacks (db.partition in local) is SKIPPED, the reason in the test's name,
   * not failed. @default what startEnvironment would choose (OYA_ENV, else Docker when it answers)
   */
  env?: EnvironmentKind;
}

/** Why the scenario cannot run in that environment (its first refused fault), or undefined. */
export function laneSkipReason(scenario: ResolvedScenario, env: EnvironmentKind): string | undefined {
  const [first] = unsupportedFaults(scenario.faults, { kind: env });
  return first && `skipped in ${env}: faults[${first.index}] ${first.do} ${first.reason}`;
}

/** Runs every (scenario, seed) pair as a test of one suite, one after another; see LaneOptions.ciSeeds. */
function defineSeededRuns(kind: ScenarioKind, profile: ProfileName, scenarios: { name: string; scenario: ResolvedScenario }[], ciSeeds: number, envKind: EnvironmentKind): void {
  describe.sequential(`${kind} [${profile}, ${ciSeeds} seeds each]`, () => {
    for (const { name, scenario: base } of scenarios) {
      for (const seed of laneSeeds(base.seed, profile, ciSeeds)) {
        const scenario = seed === base.seed ? base : { ...base, seed, name: `${base.name}-seed${seed}` };
        it(`${name} seed ${seed}`, () => runInLane(inEnvironment(scenario, envKind), envKind), scenario.timeouts.total + SETUP_MARGIN_MS);
      }
    }
  });
}

/**
 * The scenario as a lane runs it there: a containers run is named `<name>.containers`, so its
 * journal, page and log (reports/chaos/<name>.containers.json) sit next to the local run's
 * instead of overwriting it. (A dot, not an `@`: the name also names the Docker containers.)
 */
export function inEnvironment(scenario: ResolvedScenario, env: EnvironmentKind): ResolvedScenario {
  return env === 'local' ? scenario : { ...scenario, name: `${scenario.name}.${env}` };
}

/** One lane test: runs the scenario, records where it ran in its journal, reports, judges. */
async function runInLane(scenario: ResolvedScenario, envKind: EnvironmentKind): Promise<void> {
  const progress = await startRunProgress(scenario, process.stderr);
  const result = await runScenario(scenario, { envKind, log: (line) => process.stderr.write(`${line}\n`), onProgress: progress.update }).finally(() => progress.stop());
  result.journal.environment = { kind: envKind };
  await writeJournal(DEFAULT_REPORT_DIR, result.journal);
  await reportRun(result.journal, { reportDir: DEFAULT_REPORT_DIR, stream: process.stderr });
  if (result.verdict === 'error') {
    const e = result.journal.error;
    throw new Error(`scenario ${scenario.name} could not be judged (${e?.phase ?? 'run'}): ${e?.code ? `[${e.code}] ` : ''}${e?.message}\njournal: ${result.journalPath}`, { cause: result.error });
  }
  expect(result.verdict, `${formatFailedGates(scenario.name, result.gates)}\njournal: ${result.journalPath}`).toBe('pass');
}

/** The seeds a scenario runs with in a lane: its own, then the next ones (see LaneOptions.ciSeeds). */
export function laneSeeds(seed: number, profile: ProfileName, ciSeeds = 1): number[] {
  const count = profile === 'ci' ? Math.max(1, ciSeeds) : 1;
  return Array.from({ length: count }, (_, i) => seed + i);
}

/** Registers one test per scenario file of the lane. Call at the top level of a lane file. */
export async function defineLane(kind: ScenarioKind, options: LaneOptions = {}): Promise<void> {
  const files = discoverScenarios(kind);
  if (files.length === 0) {
    it.skip(`no scenarios in scenarios/${kind}/ yet: add a YAML file there to run one`, () => {});
    return;
  }
  const profile = laneProfile();
  const envKind = options.env ?? (await chooseKind(undefined, process.env));
  const seeded: { name: string; scenario: ResolvedScenario }[] = [];
  for (const file of files) {
    const name = relative(ROOT, file);
    let loaded: Awaited<ReturnType<typeof loadScenarioFile>> | undefined;
    let invalid: Error | undefined;
    try {
      loaded = await loadScenarioFile(file, { profile });
    } catch (err) {
      invalid = err as Error;
    }
    if (!loaded) {
      it(`${name} [${profile}]`, () => {
        throw invalid;
      });
      continue;
    }
    const skip = laneSkipReason(loaded, envKind);
    if (skip) {
      it.skip(`${name} [${profile}] — ${skip}`, () => {});
      continue;
    }
    if (laneSeeds(loaded.seed, profile, options.ciSeeds).length > 1) {
      seeded.push({ name, scenario: loaded });
      continue;
    }
    const scenario = loaded;
    it(`${name} [${profile}]`, () => runInLane(inEnvironment(scenario, envKind), envKind), scenario.timeouts.total + SETUP_MARGIN_MS);
  }
  if (seeded.length > 0) defineSeededRuns(kind, profile, seeded, options.ciSeeds ?? 1, envKind);
}
