/** The lane's decisions that need no run: which scenarios an environment skips, and run names per environment. */
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../scenario/index.ts';
import { discoverScenarios, inEnvironment, laneSeeds, laneSkipReason } from './lane.ts';
import { isScenarioFile, scenarioTestModule } from './scenario-tests.ts';

describe('lane', () => {
  it('skips the container-only chaos scenarios in local, with the reason, and none in containers', async () => {
    const skipped: Record<string, string> = {};
    for (const file of discoverScenarios('chaos')) {
      const scenario = await loadScenarioFile(file, { profile: 'ci' });
      expect(laneSkipReason(scenario, 'containers'), file).toBeUndefined();
      const why = laneSkipReason(scenario, 'local');
      if (why) skipped[scenario.name] = why;
    }
    const lacks = (kind: string) =>
      `skipped in local: faults[0] ${kind} needs the ${kind} capability, which the local environment lacks; the containers environment has it`;
    expect(skipped).toEqual({ 'db-partition': lacks('db.partition'), 'db-pause': lacks('db.pause') });
  });

  it('names a containers run <name>.containers so its journal does not overwrite the local one', async () => {
    const [file] = discoverScenarios('chaos');
    const scenario = await loadScenarioFile(file!, { profile: 'ci' });
    expect(inEnvironment(scenario, 'local')).toBe(scenario);
    const there = inEnvironment(scenario, 'containers');
    expect(there.name).toBe(`${scenario.name}.containers`);
    expect({ ...there, name: scenario.name }).toEqual(scenario);
  });
});

describe('scenario files as test files', () => {
  it('rewrites only YAML under scenarios/, into a module that registers that file with the lane options', () => {
    const [file] = discoverScenarios('chaos');
    expect(isScenarioFile(file!)).toBe(true);
    expect(isScenarioFile(`${file}?v=1`)).toBe(true);
    expect(isScenarioFile(file!.replace(/\.yaml$/, '.ts'))).toBe(false);
    expect(isScenarioFile('/elsewhere/scenarios/chaos/x.yaml')).toBe(false);
    expect(isScenarioFile('scenarios/chaos/x.yaml')).toBe(false);
    const module = scenarioTestModule(file!, { ciSeeds: 2, env: 'local' });
    expect(module).toContain(`defineScenarioFile(${JSON.stringify(file)}, {"ciSeeds":2,"env":"local"})`);
    expect(module).toMatch(/from ".*harness\/lanes\/lane\.ts"/);
  });

  it('gives a lane consecutive seeds from the offset, one run in the full profile', () => {
    expect(laneSeeds(81, 'ci', 2)).toEqual([81, 82]);
    expect(laneSeeds(81, 'ci', 1, 2)).toEqual([83]);
    expect(laneSeeds(81, 'full', 3, 2)).toEqual([83]);
  });
});
