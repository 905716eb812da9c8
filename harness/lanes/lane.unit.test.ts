/** The lane's decisions that need no run: which scenarios an environment skips, and run names per environment. */
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../scenario/index.ts';
import { discoverScenarios, inEnvironment, laneSkipReason } from './lane.ts';

describe('lane', () => {
  it('skips the container-only chaos scenarios in local, with the reason, and none in containers', async () => {
    const skipped: Record<string, string> = {};
    for (const file of discoverScenarios('chaos')) {
      const scenario = await loadScenarioFile(file, { profile: 'ci' });
      expect(laneSkipReason(scenario, 'containers'), file).toBeUndefined();
      const why = laneSkipReason(scenario, 'local');
      if (why) skipped[scenario.name] = why;
    }
    expect(skipped).toEqual({
      'db-partition': 'skipped in local: faults[0] db.partition needs the db.partition capability, which the local environment lacks; the containers environment has it',
      'db-pause': 'skipped in local: faults[0] db.pause needs the db.pause capability, which the local environment lacks; the containers environment has it',
    });
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
