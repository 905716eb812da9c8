import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenarioText } from '../scenario/index.ts';
import { assertFaultsSupported, planFaults, sutEnvForFaults, workerProcesses } from './faults.ts';

const children: { kill(signal: NodeJS.Signals): boolean }[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

const loadFaults = (faults: string, kind = 'integration') =>
  loadScenarioText(`name: f\nkind: ${kind}\nsystem: { admin: true }\nworkload: [{ beads: 1 }]\nfaults:\n${faults}\ntimeouts: { total: 10m }\n`, `scenarios/${kind}/f.yaml`).faults;

describe('assertFaultsSupported', () => {
  it('accepts every fault the runner injects, agent.partition included', () => {
    expect(() =>
      assertFaultsSupported(
        loadFaults('  - { at: 1s, do: db.outage, for: 1s }\n  - { at: 1s, do: orchestrator.kill }\n  - { at: 1s, do: agent.crash }\n  - { at: 1s, do: agent.partition, for: 2s }'),
      ),
    ).not.toThrow();
  });
});

describe('planFaults', () => {
  const faults = loadFaults(
    '  - { at: 1s, do: actors.kill, for: 5s, every: 1s, count: 2 }\n  - { at: 2s, do: agent.crash, count: 3 }\n  - { at: 3s, do: db.outage, for: 4s }',
  );

  it('gives the same schedule and the same draws for the same seed, planned twice', () => {
    expect(planFaults(faults, 42)).toEqual(planFaults(faults, 42));
  });

  it('gives other draws for another seed, and the same times', () => {
    const a = planFaults(faults, 42);
    const b = planFaults(faults, 43);
    expect(b.map((f) => [f.at, f.healAt, f.actsAt])).toEqual(a.map((f) => [f.at, f.healAt, f.actsAt]));
    expect(b[0]!.draws).not.toEqual(a[0]!.draws);
  });

  it('lays out repetitions inside the window and heals at at + for', () => {
    const [kill, crash, outage] = planFaults(faults, 7);
    expect(kill!.actsAt).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(kill!.healAt).toBe(6000);
    expect(kill!.draws.length).toBeGreaterThanOrEqual(5 * 2);
    expect(crash!.actsAt).toEqual([2000]);
    expect(crash!.healAt).toBe(2000);
    expect(outage!.healAt).toBe(7000);
    for (const f of [kill!, crash!, outage!]) expect(f.draws.every((d) => d >= 0 && d < 1)).toBe(true);
  });

  it('gives each fault its own draws, so overlapping faults cannot change each other\'s choices', () => {
    const alone = planFaults(faults.slice(0, 1), 42)[0]!;
    expect(planFaults(faults, 42)[0]!.draws).toEqual(alone.draws);
  });
});

describe('sutEnvForFaults', () => {
  it('routes the orchestrator through agent proxies only when a partition is on the timeline', () => {
    const env = { toxiproxyUrl: 'http://127.0.0.1:8474' };
    expect(sutEnvForFaults(loadFaults('  - { at: 1s, do: agent.partition, for: 2s }'), env)).toEqual({ OYA_WORKER_PROXY: 'http://127.0.0.1:8474' });
    expect(sutEnvForFaults(loadFaults('  - { at: 1s, do: db.outage, for: 2s }'), env)).toEqual({});
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
