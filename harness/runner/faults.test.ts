import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenarioText } from '../scenario/index.ts';
import { assertFaultsSupported, workerProcesses } from './faults.ts';

const children: { kill(signal: NodeJS.Signals): boolean }[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

describe('assertFaultsSupported', () => {
  it('refuses agent.partition before anything starts, and accepts the faults it can inject', () => {
    const load = (faults: string) =>
      loadScenarioText(`name: f\nkind: integration\nworkload: [{ beads: 1 }]\nfaults:\n${faults}\n`, 'scenarios/integration/f.yaml').faults;
    expect(() => assertFaultsSupported(load('  - { at: 1s, do: agent.partition, for: 1s }'))).toThrow(
      expect.objectContaining({ code: 'HARN_RUNNER_FAULT_UNSUPPORTED' }),
    );
    expect(() =>
      assertFaultsSupported(load('  - { at: 1s, do: db.outage, for: 1s }\n  - { at: 1s, do: orchestrator.kill }\n  - { at: 1s, do: agent.crash }')),
    ).not.toThrow();
  });
});

describe('workerProcesses', () => {
  it('finds the children of a pid that carry OYA_WORKER_ID, and only those', async () => {
    const spawnChild = (env: Record<string, string>) => {
      const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { env: { ...process.env, ...env }, stdio: 'ignore' });
      children.push(child);
      return child;
    };
    const worker = spawnChild({ OYA_WORKER_ID: 'w-test-7' });
    spawnChild({});
    await new Promise((r) => setTimeout(r, 200));
    const found = workerProcesses(process.pid).filter((w) => w.workerId === 'w-test-7');
    expect(found).toEqual([{ pid: worker.pid, workerId: 'w-test-7' }]);
    expect(workerProcesses(undefined)).toEqual([]);
  });
});
