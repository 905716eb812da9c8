/**
 * A lane runs scenario files as Vitest test files: every scenarios/<kind>/*.yaml is one (the
 * project's plugin, scenario-tests.ts, turns it into a module calling defineScenarioFile) —
 * adding a file is all a user does. The profile comes from OYA_PROFILE (default ci). A failed gate
 * fails the test with every gate, expected vs actual; an invalid scenario or a harness error
 * fails it with the error.
 *
 * Reports after every scenario, pass or not (the same as `oya run`, through report/reporter.ts): the
 * summary table on stderr, the run added to its trend in reports/history/, the scenario's HTML
 * page, reports/index.html and reports/junit.xml refreshed; a progress line
 * on stderr while it runs (every 10 s and on each phase change).
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chooseKind, dockerAvailable, prepareImages } from '../env/providers/select.ts';
import type { EnvironmentKind } from '../env/providers/types.ts';
import { unsupportedFaults } from '../runner/faults/index.ts';
import { formatFailedGates } from '../runner/gates.ts';
import { writeJournal } from '../report/journal.ts';
import { createRunReporter } from '../report/reporter.ts';
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
  return names
    .filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))
    .sort()
    .map((n) => join(dir, n));
}

/** How a lane runs its scenario files (one Vitest project per lane; see scenario-tests.ts). */
export interface LaneOptions {
  /**
   * With the ci profile, run each scenario with this many seeds: its own (plus seedOffset), then
   * the next ones (all but the first named `<name>-seed<N>`, so each keeps its own journal). The
   * runs go ONE AFTER ANOTHER: two runs on 2 cores measure each other (recovery times,
   * latencies, a starved heartbeat read as a dead worker). @default 1
   */
  ciSeeds?: number;
  /**
   * Added to the scenario's seed for the lane's first run. The local chaos lane runs seed and
   * seed+1 and the containers lane seed+2, so CI sees three fault schedules per scenario without
   * running any of them twice. @default 0
   */
  seedOffset?: number;
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
  const reporter = createRunReporter({ reportDir: DEFAULT_REPORT_DIR, stream: process.stderr });
  const progress = await reporter.start(scenario);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const result = await runScenario(scenario, { envKind, log, onProgress: progress.update }).finally(() => progress.stop());
  result.journal.environment = { kind: envKind };
  await writeJournal(DEFAULT_REPORT_DIR, result.journal);
  await reporter.finish(result.journal);
  if (result.verdict === 'error') {
    const e = result.journal.error;
    const code = e?.code ? `[${e.code}] ` : '';
    const why = `(${e?.phase ?? 'run'}): ${code}${e?.message}`;
    throw new Error(`scenario ${scenario.name} could not be judged ${why}\njournal: ${result.journalPath}`, { cause: result.error });
  }
  expect(result.verdict, `${formatFailedGates(scenario.name, result.gates)}\njournal: ${result.journalPath}`).toBe('pass');
}

/**
 * A containers lane needs an engine and the images before any scenario's clock starts. Without
 * an engine the file is skipped with the reason (`npm run env:docker` brings one up); images are
 * built or found current once per process (prepareImages memoises; a build is locked across
 * processes), a failure to get them is the test's error, never a silent fallback to local.
 */
async function containersReady(name: string): Promise<boolean> {
  if (!(await dockerAvailable())) {
    it.skip(`${name}: no Docker engine answered /_ping within 2 s — run \`npm run env:docker\` (as root) to install/start one`, () => {});
    return false;
  }
  await prepareImages(process.env, (line) => process.stderr.write(`containers lane: ${line}\n`));
  return true;
}

/** The seeds a scenario runs with in a lane: its own plus the offset, then the next ones (see LaneOptions). */
export function laneSeeds(seed: number, profile: ProfileName, ciSeeds = 1, seedOffset = 0): number[] {
  const count = profile === 'ci' ? Math.max(1, ciSeeds) : 1;
  return Array.from({ length: count }, (_, i) => seed + seedOffset + i);
}

/**
 * Registers the tests of one scenario file: one per seed, one after another. Called by the module
 * scenario-tests.ts makes of each scenarios/<kind>/*.yaml, so the scenario FILE is the unit Vitest
 * runs, filters (`npx vitest --project chaos db-kill`) and shards (`--shard=1/3`). An invalid file
 * is a failing test with the error (file:line and field path); a fault the environment cannot
 * inject is a skipped test with the reason.
 */
export async function defineScenarioFile(file: string, options: LaneOptions = {}): Promise<void> {
  const name = relative(ROOT, file);
  const profile = laneProfile();
  if (options.env === 'containers' && !(await containersReady(name))) return;
  const envKind = options.env ?? (await chooseKind(undefined, process.env));
  let loaded: ResolvedScenario;
  try {
    loaded = await loadScenarioFile(file, { profile });
  } catch (err) {
    it(`${name} [${profile}]`, () => {
      throw err;
    });
    return;
  }
  const skip = laneSkipReason(loaded, envKind);
  if (skip) {
    it.skip(`${loaded.name} [${profile}] — ${skip}`, () => {});
    return;
  }
  const seeds = laneSeeds(loaded.seed, profile, options.ciSeeds, options.seedOffset);
  describe(`${loaded.name} [${profile}${envKind === 'local' ? '' : `, ${envKind}`}]`, { concurrent: false }, () => {
    // The lane's first run keeps the scenario's name (its journal is the one the index compares
    // across environments); the others are `<name>-seed<N>`, each with its own journal.
    for (const [i, seed] of seeds.entries()) {
      const scenario = i === 0 ? { ...loaded, seed } : { ...loaded, seed, name: `${loaded.name}-seed${seed}` };
      it(`seed ${seed}`, () => runInLane(inEnvironment(scenario, envKind), envKind), scenario.timeouts.total + SETUP_MARGIN_MS);
    }
  });
}
