/**
 * Teardown always happens: a run that throws midway (a named fault point after a phase) or hits
 * `timeouts.total` still ends with no orchestrator or worker process, no DB process, no listening
 * API port, no mount and no temp dir left behind — and a journal with verdict `error`.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../checks/index.ts';
import { loadScenarioText } from '../scenario/index.ts';
import { workerProcesses } from './faults/index.ts';
import { runScenario, type RunResources } from './run.ts';

let reportDir: string;
beforeAll(async () => {
  reportDir = await mkdtemp(join(tmpdir(), 'oya-teardown-reports-'));
});
afterAll(async () => {
  await rm(reportDir, { recursive: true, force: true });
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const portOpen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** Waits (bounded) for SIGKILLed processes to be reaped by the kernel. */
async function eventually(check: () => boolean, ms = 5_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

async function expectNothingLeft(seen: RunResources & { workerPids: number[] }): Promise<void> {
  const pids = [...seen.sutPids, ...seen.workerPids, ...(seen.dbPid !== undefined ? [seen.dbPid] : [])];
  expect(pids.length).toBeGreaterThan(1);
  expect(await eventually(() => pids.every((p) => !alive(p))), `still alive: ${pids.filter(alive).join(', ')}`).toBe(true);
  expect(await portOpen(seen.sutPort!)).toBe(false);
  expect(existsSync(seen.runDir!)).toBe(false);
  expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(seen.runDir!);
  const leftovers = readdirSync(tmpdir()).filter((n) => n.startsWith(`oya-env-${seen.envLabel}-`) || n.startsWith(`oya-run-${seen.envLabel}-`));
  expect(leftovers).toEqual([]);
}

const SCENARIO = (name: string, extra: string) =>
  loadScenarioText(
    `
name: ${name}
kind: integration
system: { workers: 2, agent: { steps: 20, stepTime: 200ms } }
workload:
  - beads: 2
${extra}
`,
    `scenarios/integration/${name}.yaml`,
  );

describe('teardown', () => {
  it('releases every process, port and dir when a phase throws midway, and journals the error', async () => {
    let seen: (RunResources & { workerPids: number[] }) | undefined;
    const result = await runScenario(
      SCENARIO('teardown-throws', 'faults: [{ at: 200ms, do: db.latency, for: 20s, latency: 50ms }]\ntimeouts: { drain: 30s, total: 1m }'),
      {
        reportDir,
        afterPhase: (phase, resources) => {
          if (phase !== 'orchestrator') return;
          seen = { ...resources, sutPids: [...resources.sutPids], workerPids: workerProcesses(resources.sutPids[0]).map((w) => w.pid) };
          throw new Error('boom: thrown after the orchestrator phase');
        },
      },
    );
    expect(result.verdict).toBe('error');
    expect(result.journal.error).toMatchObject({ message: 'boom: thrown after the orchestrator phase', phase: 'orchestrator' });
    expect(result.journal.teardown).toEqual([]);
    expect(seen!.workerPids).toHaveLength(2);
    await expectNothingLeft(seen!);
  });

  it('aborts at timeouts.total with HARN_RUNNER_TIMEOUT, heals its fault and releases everything', async () => {
    let seen: (RunResources & { workerPids: number[] }) | undefined;
    // A second phase whose arrivals (50 at 10/s: 5 s) outlast total: the run is cut in the workload phase.
    // `oya validate` refuses arrivals past total, so the file is valid with 10 s and total shortened to
    // 3 s after validation: the bound is the backstop for a run that outlasts it anyway (a slow machine, a stuck call).
    const valid = SCENARIO(
      'teardown-timeout',
      '  - { beads: 50, rate: 10/s }\nfaults: [{ at: 200ms, do: db.latency, for: 1800ms, latency: 50ms }]\ntimeouts: { drain: 1s, total: 10s }',
    );
    const result = await runScenario(
      { ...valid, timeouts: { ...valid.timeouts, total: 3000 } },
      {
        reportDir,
        afterPhase: (phase, resources) => {
          if (phase === 'orchestrator')
            seen = { ...resources, sutPids: [...resources.sutPids], workerPids: workerProcesses(resources.sutPids[0]).map((w) => w.pid) };
        },
      },
    );
    expect(result.verdict).toBe('error');
    expect(result.journal.error).toMatchObject({ code: 'HARN_RUNNER_TIMEOUT', phase: 'workload' });
    expect(result.journal.error!.message).toMatch(/^the run exceeded timeouts.total \(3000 ms\) during the workload phase/);
    // The latency fault ran inside the cut-short run: it was recorded and healed.
    expect(result.journal.faults).toHaveLength(1);
    expect(result.journal.faults[0]).toMatchObject({ do: 'db.latency', startedAt: expect.any(Number) });
    // The harness broke (timeout), yet every check that could run did, on what could be read.
    expect(result.journal.salvaged).toBe(true);
    expect(result.journal.checks).toBeDefined();
    // Its beads (4 s each) were all still running when it broke: in flight, not lost.
    const checks = result.journal.checks as CheckReport;
    expect(checks.counts.lost).toBe(0);
    expect(checks.unfinished?.length).toBeGreaterThan(0);
    expect(result.journal.phases.find((p) => p.name === ('salvage-checks' as string))).toMatchObject({ ms: expect.any(Number) });
    expect(result.journal.submissions).toMatchObject({ submitted: expect.any(Number) });
    expect(result.journal.teardown).toEqual([]);
    await expectNothingLeft(seen!);
  });

  it('reaches a verdict when timeouts.total cuts the drain short: the open beads are findings, not a harness error', async () => {
    let seen: (RunResources & { workerPids: number[] }) | undefined;
    // 4 s beads; the last arrives at 1 s, so a 2.9 s drain would end past the 3 s total: it gets what is left (≤ 2 s), then the checks run.
    const result = await runScenario(SCENARIO('teardown-drain-cut', '  - { beads: 1, start: 1s }\ntimeouts: { drain: 2900ms, total: 3s }'), {
      reportDir,
      afterPhase: (phase, resources) => {
        if (phase === 'orchestrator')
          seen = { ...resources, sutPids: [...resources.sutPids], workerPids: workerProcesses(resources.sutPids[0]).map((w) => w.pid) };
      },
    });
    expect(result.journal.error).toBeUndefined();
    expect(result.verdict).toBe('fail');
    expect(result.journal.salvaged).toBeFalsy(); // the checks ran in their own phase, not as a salvage
    expect(result.journal.waits).toEqual([
      expect.objectContaining({
        what: 'drain',
        message: expect.stringMatching(/^3 bead\(s\) not terminal after \d+ ms \(timeouts.drain 2900 ms, cut to \d+ ms by timeouts.total\)/),
      }),
    ]);
    // The open beads were in flight at the final read (Jepsen's :info): unfinished, a failed drain, not lost.
    const failed = result.gates.filter((g) => !g.pass).map((g) => g.name);
    expect(failed).toContain('drain.drained');
    expect(failed).not.toContain('expect.lost');
    expect((result.journal.checks as CheckReport | undefined)?.unfinished).toHaveLength(3);
    expect(result.journal.teardown).toEqual([]);
    await expectNothingLeft(seen!);
  });

  it('cancels through RunOptions.signal with HARN_RUNNER_CANCELLED, skips the salvage and releases everything', async () => {
    let seen: (RunResources & { workerPids: number[] }) | undefined;
    const cancel = new AbortController();
    const result = await runScenario(
      SCENARIO('teardown-cancel', 'faults: [{ at: 200ms, do: db.latency, for: 20s, latency: 50ms }]\ntimeouts: { drain: 30s, total: 1m }'),
      {
        reportDir,
        signal: cancel.signal,
        afterPhase: (phase, resources) => {
          if (phase !== 'orchestrator') return;
          seen = { ...resources, sutPids: [...resources.sutPids], workerPids: workerProcesses(resources.sutPids[0]).map((w) => w.pid) };
          // oya explore's budget ending mid-run: cancelled a second into the workload.
          setTimeout(() => cancel.abort(new Error('the exploration budget ended')), 1_000);
        },
      },
    );
    expect(result.verdict).toBe('error');
    expect(result.journal.error).toMatchObject({ code: 'HARN_RUNNER_CANCELLED', phase: 'workload' });
    expect(result.journal.error!.message).toContain('the exploration budget ended');
    expect(result.journal.salvaged).toBeUndefined();
    expect(result.journal.teardown).toEqual([]);
    await expectNothingLeft(seen!);
  });
});
