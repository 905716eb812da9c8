import { describe, expect, it } from 'vitest';
import { loadScenarioFile, loadScenarioText } from '../scenario/index.ts';
import { DEFAULT_SOAK_SCENARIO, SOAK_TOTAL_MARGIN_MS, command, withSoakDuration } from './soak.ts';

describe('npm run soak', () => {
  it('rescales the soak workload to --duration (rate × duration beads) and makes timeouts.total fit', async () => {
    const full = await loadScenarioFile(DEFAULT_SOAK_SCENARIO, { profile: 'full' });
    expect(full.workload[0]!.beads! / full.workload[0]!.rate!).toBe(3600); // the seed plan's hour
    const half = withSoakDuration(full, 30 * 60_000);
    expect(half.workload[0]).toMatchObject({ beads: 9000, rate: 5, arrival: 'poisson' });
    expect(half.timeouts.total).toBe(Math.max(full.timeouts.total, 30 * 60_000 + full.timeouts.drain + SOAK_TOTAL_MARGIN_MS));
    expect(withSoakDuration(full, 3 * 3600_000).timeouts.total).toBe(3 * 3600_000 + full.timeouts.drain + SOAK_TOTAL_MARGIN_MS);
  });

  it('refuses a duration not longer than the warm-up, and a workload it cannot rescale', async () => {
    const full = await loadScenarioFile(DEFAULT_SOAK_SCENARIO, { profile: 'full' });
    expect(() => withSoakDuration(full, 60_000)).toThrow(
      expect.objectContaining({ code: 'HARN_CLI_USAGE', message: expect.stringMatching(/longer than the warm-up \(5m\)/) }),
    );
    const twoPhases = loadScenarioText('name: s\nkind: leak\nworkload: [{ beads: 5, rate: 1/s }, { beads: 5 }]\n', 's.yaml');
    expect(() => withSoakDuration(twoPhases, 600_000)).toThrow(/exactly one workload phase/);
  });

  it('rejects bad flags with a usage error before starting anything', async () => {
    await expect(command.run(['--duration', '10'])).rejects.toMatchObject({ code: 'HARN_CLI_USAGE', message: expect.stringMatching(/--duration/) });
    await expect(command.run(['--profile', 'nightly'])).rejects.toMatchObject({ code: 'HARN_CLI_USAGE' });
    await expect(command.run(['--bogus'])).rejects.toMatchObject({ code: 'HARN_CLI_USAGE' });
  });
});
