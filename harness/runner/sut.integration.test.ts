/**
 * The orchestrator as a real child process: start (URL from stdout), graceful stop (SIGTERM →
 * exit 0), SIGKILL, restart on the same port and data dir (state survives), log capture, and
 * destroy() leaving no process behind — workers included.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from './api-client.ts';
import { workerProcesses } from './faults/index.ts';
import { startSut, type SutHandle } from './sut.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(): Promise<{ sut: SutHandle; api: ApiClient; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'oya-sut-test-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  // No dbUrl: the embedded engine in the data dir, so this test needs no environment.
  const sut = await startSut({ dataDir: join(dir, 'data'), workers: 2, seed: 1, logFile: join(dir, 'orchestrator.log'), adminToken: 'a'.repeat(32) });
  cleanups.push(() => sut.destroy());
  const api = new ApiClient({ baseUrl: () => sut.url });
  cleanups.push(() => api.destroy());
  return { sut, api, dir };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitFor(check: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('startSut', () => {
  it('starts on a free port, stops gracefully with exit 0, and restarts on the same port with its state', async () => {
    const { sut, api, dir } = await setup();
    expect(sut.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await api.health()).status).toBe(200);
    const submit = await api.submit({ id: 'sut-1', title: 'one', input: { agent: { steps: 2, stepTime: 20 } } }, 'k-sut-1');
    expect(submit.status).toBe(201);
    await waitFor(async () => ((await api.getBead('sut-1')).body as { bead: { status: string } }).bead.status === 'succeeded');

    const port = sut.port;
    const exit = await sut.stop();
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(sut.state).toBe('down');
    await expect(api.health()).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    await sut.restart();
    expect(sut.port).toBe(port);
    expect(((await api.getBead('sut-1')).body as { bead: { status: string } }).bead.status).toBe('succeeded');
    const log = readFileSync(join(dir, 'orchestrator.log'), 'utf8');
    expect(log.match(/^--- oya start/gm)).toHaveLength(2);
    expect(log).toContain('orchestrator ready');
  }, 120_000);

  it('kill() SIGKILLs the orchestrator alone; destroy() then leaves no process of any start behind', async () => {
    const { sut } = await setup();
    const firstPid = sut.pid!;
    const workers = workerProcesses(firstPid).map((w) => w.pid);
    expect(workers).toHaveLength(2);
    const exit = await sut.kill();
    expect(exit).toMatchObject({ pid: firstPid, signal: 'SIGKILL' });
    await sut.restart();
    const secondPid = sut.pid!;
    expect(secondPid).not.toBe(firstPid);
    await expect(sut.restart()).rejects.toMatchObject({ code: 'HARN_RUNNER_SUT_STATE' });
    sut.destroy();
    await waitFor(() => ![firstPid, secondPid, ...workers].some(alive));
    expect(sut.state).toBe('closed');
    await expect(sut.restart()).rejects.toMatchObject({ code: 'HARN_RUNNER_SUT_STATE' });
  }, 120_000);

  it('fails with HARN_RUNNER_SUT_START and the log path when the orchestrator exits before it is ready', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oya-sut-test-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const logFile = join(dir, 'orchestrator.log');
    // A DB URL the orchestrator's config refuses: it exits (code 2) before it ever listens.
    await expect(startSut({ dataDir: join(dir, 'data'), dbUrl: 'ws://127.0.0.1:1/not/rpc', workers: 1, seed: 1, logFile })).rejects.toMatchObject({
      code: 'HARN_RUNNER_SUT_START',
      details: { logFile },
    });
    expect(readFileSync(logFile, 'utf8')).toMatch(/exited code=/);
  }, 120_000);
});
