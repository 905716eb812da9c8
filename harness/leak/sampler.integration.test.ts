/**
 * The sampler and snapshotter against real processes: an inspector found from a bare pid, workers
 * that die mid-run, an orchestrator that restarts under a new pid, one without an inspector, and a
 * snapshot of a process that is gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { connectInspector, discoverInspectorUrl } from './inspector.ts';
import { startProcessSampler } from './sampler.ts';
import { takeHeapSnapshot } from './snapshot.ts';
import { startWorkload } from './fixtures/spawn-workload.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startIdleWorker(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  onTestFinished(() => void child.kill('SIGKILL'));
  return child;
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(50);
  }
}

describe('process sampler on real processes', () => {
  it('samples RSS, CPU and heap (inspector found from the pid), skips dead workers and follows an orchestrator restart', async () => {
    let orchestrator = await startWorkload();
    onTestFinished(() => orchestrator.destroy());
    const workers = [startIdleWorker(), startIdleWorker()];
    const sampler = startProcessSampler({
      pids: () => ({ orchestrator: orchestrator.pid, workers: workers.map((w) => w.pid!) }),
      intervalMs: 200,
    });
    onTestFinished(() => sampler.destroy());

    await until(() => sampler.series.length >= 4, 15_000);
    const first = sampler.series[0]!;
    expect(first.t).toBeGreaterThanOrEqual(0);
    expect(first.rssBytes).toBeGreaterThan(20 * 1024 * 1024);
    expect(first.heapUsedBytes).toBeGreaterThan(1024 * 1024);
    expect(first.workers.map((w) => w.pid)).toEqual(workers.map((w) => w.pid));
    expect(first.workersRssBytes).toBe(first.workers[0]!.rssBytes + first.workers[1]!.rssBytes);

    workers[1]!.kill('SIGKILL');
    await once(workers[1]!, 'exit');
    const afterKill = sampler.series.length;
    await until(() => sampler.series.length >= afterKill + 2, 10_000);
    expect(sampler.series.at(-1)!.workers.map((w) => w.pid)).toEqual([workers[0]!.pid]);

    const oldPid = orchestrator.pid;
    await orchestrator.close();
    orchestrator = await startWorkload();
    const afterRestart = sampler.series.length;
    await until(() => sampler.series.length >= afterRestart + 3 && sampler.series.at(-1)!.heapUsedBytes !== null, 15_000);
    expect(orchestrator.pid).not.toBe(oldPid);
    expect(sampler.problems.some((p) => p.includes(String(oldPid)))).toBe(true);

    const series = await sampler.stop();
    const count = series.length;
    await sleep(500);
    expect(sampler.series.length).toBe(count);
    expect(series.every((s, i) => i === 0 || s.t > series[i - 1]!.t)).toBe(true);
    expect(series.at(-1)!.cpuSeconds).toBeGreaterThanOrEqual(0);
  }, 60_000);

  it('keeps sampling RSS when the orchestrator has no inspector, recording heap as null', async () => {
    const orchestrator = await startWorkload({ inspect: false });
    onTestFinished(() => orchestrator.destroy());
    const sampler = startProcessSampler({ pids: () => ({ orchestrator: orchestrator.pid, workers: [] }), intervalMs: 200 });
    onTestFinished(() => sampler.destroy());
    await until(() => sampler.series.length >= 2, 10_000);
    await sampler.close();
    expect(sampler.series.every((s) => s.heapUsedBytes === null && s.rssBytes > 0)).toBe(true);
    expect(sampler.problems[0]).toMatch(/no reachable Node inspector/);
    await expect(discoverInspectorUrl(orchestrator.pid)).rejects.toMatchObject({ code: 'HARN_LEAK_INSPECTOR_UNAVAILABLE' });
  }, 30_000);
});

describe('heap snapshots through the inspector', () => {
  it('streams a complete, parseable snapshot, and fails cleanly (no file left) when the target is gone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oya-leak-snap-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const workload = await startWorkload();
    onTestFinished(() => workload.destroy());
    const session = await connectInspector(workload.inspectorUrl);
    onTestFinished(() => session.destroy());

    const snap = await takeHeapSnapshot(session, join(dir, 'a.heapsnapshot'), 'a');
    const parsed = JSON.parse(await readFile(snap.path, 'utf8')) as { snapshot: { node_count: number }; nodes: number[] };
    expect(snap.bytes).toBeGreaterThan(1_000_000);
    expect(parsed.snapshot.node_count).toBeGreaterThan(10_000);

    workload.destroy();
    await once(workload.child, 'exit');
    await expect(takeHeapSnapshot(session, join(dir, 'b.heapsnapshot'), 'b')).rejects.toMatchObject({ code: 'HARN_LEAK_SNAPSHOT_FAILED' });
    expect(await readdir(dir)).toEqual(['a.heapsnapshot']);
  }, 30_000);
});
