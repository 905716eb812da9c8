import { describe, expect, it } from 'vitest';
import { startLeakWatch } from './watch.ts';

describe('startLeakWatch options', () => {
  it('rejects a soak that ends before warm-up is over, before starting anything', async () => {
    const pids = () => ({ orchestrator: process.pid, workers: [] });
    await expect(startLeakWatch({ pids, snapshotDir: '/nonexistent/never-created', warmupMs: 10_000, durationMs: 5_000 })).rejects.toMatchObject({
      code: 'HARN_LEAK_GATE_INPUT',
    });
    await expect(startLeakWatch({ pids, snapshotDir: '/nonexistent/never-created', warmupMs: -1 })).rejects.toMatchObject({ code: 'HARN_LEAK_GATE_INPUT' });
  });
});
