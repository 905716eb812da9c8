import { describe, expect, it } from 'vitest';
import { hasCode } from '../../system/errors.ts';
import { startCpuBurner } from './cpu-burner.ts';

/** CPU seconds this process used (all its threads) over `ms` of wall time. */
async function cpuOver(ms: number): Promise<number> {
  const before = process.cpuUsage();
  await new Promise((r) => setTimeout(r, ms));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

describe('startCpuBurner', () => {
  it('keeps a core busy until closed, then gives it back', async () => {
    const idle = await cpuOver(1_000);
    const burner = await startCpuBurner({ cores: 1 });
    let busy: number;
    try {
      expect(burner.threadIds).toHaveLength(1);
      busy = await cpuOver(2_000);
    } finally {
      await burner.close();
    }
    // Generous on a shared machine (2 cores, other runs): the spinning thread gets some share of a
    // core, an idle test process next to nothing; what matters is the difference, not a number.
    expect(busy).toBeGreaterThan(0.15);
    expect(busy).toBeGreaterThan(idle * 3);
    // Closed: back to (nearly) idle, per second well under what the burner took.
    expect(await cpuOver(1_000)).toBeLessThan(busy / 4);
    await burner.close(); // idempotent
  });

  it('refuses a core count that is not a positive integer, with a stable code', async () => {
    for (const cores of [0, -1, 1.5, 1000]) {
      const err = await startCpuBurner({ cores }).catch((e: unknown) => e);
      expect(hasCode(err, 'HARN_METRICS_BURNER_OPTIONS')).toBe(true);
    }
  });
});
