import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { loadScenarioText } from '../../scenario/index.ts';
import { hasCode } from '../../../system/errors.ts';
import { FAULT_NAMES } from '../../scenario/index.ts';
import {
  assertFaultsSupported,
  environmentOptionsFor,
  FAULT_KINDS,
  faultKind,
  planFaults,
  sutEnvForFaults,
  unsupportedFaults,
  whyKindUnsupported,
  whyUnsupported,
  workerProcesses,
} from './index.ts';

const children: { kill(signal: NodeJS.Signals): boolean }[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

const loadFaults = (faults: string, kind = 'integration') =>
  loadScenarioText(
    `name: f\nkind: ${kind}\nsystem: { admin: true }\nworkload: [{ beads: 1 }]\nfaults:\n${faults}\ntimeouts: { total: 10m }\n`,
    `scenarios/${kind}/f.yaml`,
  ).faults;

describe('assertFaultsSupported', () => {
  const all = loadFaults(
    '  - { at: 1s, do: db.outage, for: 1s }\n  - { at: 1s, do: orchestrator.kill }\n  - { at: 5s, do: agent.crash }\n  - { at: 6s, do: agent.partition, for: 2s }\n  - { at: 1s, do: db.diskFull, for: 2s }',
  );

  it('finds nothing unsupported when both providers can inject every kind of the timeline', () => {
    expect(unsupportedFaults(all, { kind: 'local' })).toEqual([]);
    expect(unsupportedFaults(all, { kind: 'containers' })).toEqual([]);
  });

  it('refuses, before a run, a kind needing a capability the environment lacks, naming the entry and why', () => {
    const env = { kind: 'local' as const, capabilities: new Set(['db.kill', 'db.restart'] as const) };
    expect(unsupportedFaults(all, env)).toEqual([
      {
        index: 4,
        do: 'db.diskFull',
        reason: 'needs the db.diskFull capability, which the local environment lacks; the local, containers environments have it',
      },
    ]);
    const err = (() => {
      try {
        assertFaultsSupported(all, env);
      } catch (e) {
        return e;
      }
    })();
    expect(hasCode(err, 'HARN_RUNNER_FAULT_UNSUPPORTED')).toBe(true);
    expect((err as Error).message).toBe(
      'fault db.diskFull cannot be injected here: needs the db.diskFull capability, which the local environment lacks; the local, containers environments have it (faults[4], local environment)',
    );
  });

  it('declares the capability of each container-only kind, refused by the local provider with why', () => {
    expect(faultKind('db.partition').needs).toBe('db.partition');
    expect(faultKind('db.pause').needs).toBe('db.pause');
    const containerOnly = loadFaults('  - { at: 1s, do: db.partition, for: 2s }\n  - { at: 4s, do: db.pause, for: 2s }');
    expect(unsupportedFaults(containerOnly, { kind: 'local' })).toEqual([
      { index: 0, do: 'db.partition', reason: 'needs the db.partition capability, which the local environment lacks; the containers environment has it' },
      { index: 1, do: 'db.pause', reason: 'needs the db.pause capability, which the local environment lacks; the containers environment has it' },
    ]);
    expect(unsupportedFaults(containerOnly, { kind: 'containers' })).toEqual([]);
    // A started containers environment without the lever (none today) is refused all the same.
    expect(whyKindUnsupported(faultKind('db.pause'), { kind: 'containers', capabilities: new Set(['db.kill'] as const) })).toMatch(
      /^needs the db.pause capability/,
    );
    expect(whyUnsupported('db.kill', { kind: 'local' })).toBeUndefined();
    expect(whyUnsupported('db.nuke', { kind: 'local' })).toBe('no such fault kind');
  });

  it('asks the environment for what the timeline needs, and the orchestrator for agent proxies only with a partition', () => {
    expect(environmentOptionsFor(all)).toEqual({ dataDiskBytes: 64 * 1024 * 1024 });
    expect(environmentOptionsFor(loadFaults('  - { at: 1s, do: db.kill }'))).toEqual({});
  });
});

describe('registry', () => {
  it('has one kind per do: name, each with a schema, an inject and a description', () => {
    expect(FAULT_KINDS.map((k) => k.do)).toEqual(FAULT_NAMES);
    for (const kind of FAULT_KINDS) {
      expect(kind.schema.shape.do.value).toBe(kind.do);
      expect(typeof kind.inject).toBe('function');
      expect(kind.description.length).toBeGreaterThan(10);
    }
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

  it("gives each fault its own draws, so overlapping faults cannot change each other's choices", () => {
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
