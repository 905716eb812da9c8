/**
 * One Vitest test per scenario file: a lane file calls `defineLane('chaos')` and every
 * scenarios/chaos/*.yaml becomes a test — adding a file is all a user does. The profile comes from
 * OYA_PROFILE (default ci). A failed gate fails the test with every gate, expected vs actual; an
 * invalid scenario or a harness error fails it with the error. A lane with no files yet reports
 * itself as skipped, with the reason, instead of failing "no tests found".
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { formatFailedGates } from '../runner/gates.ts';
import { runScenario } from '../runner/run.ts';
import { loadScenarioFile, type ProfileName, type ScenarioKind } from '../scenario/index.ts';

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

/** Registers one test per scenario file of the lane. Call at the top level of a lane file. */
export async function defineLane(kind: ScenarioKind): Promise<void> {
  const files = discoverScenarios(kind);
  if (files.length === 0) {
    it.skip(`no scenarios in scenarios/${kind}/ yet: add a YAML file there to run one`, () => {});
    return;
  }
  const profile = laneProfile();
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
    const scenario = loaded;
    it(`${name} [${profile}]`, async () => {
      const result = await runScenario(scenario, { log: (line) => process.stderr.write(`${line}\n`) });
      if (result.verdict === 'error') {
        const e = result.journal.error;
        throw new Error(`scenario ${scenario.name} could not be judged (${e?.phase ?? 'run'}): ${e?.code ? `[${e.code}] ` : ''}${e?.message}\njournal: ${result.journalPath}`, {
          cause: result.error,
        });
      }
      expect(result.verdict, `${formatFailedGates(scenario.name, result.gates)}\njournal: ${result.journalPath}`).toBe('pass');
    }, scenario.timeouts.total + SETUP_MARGIN_MS);
  }
}
