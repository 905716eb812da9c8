/**
 * `oya run` stopped from outside, as CI runners, Ctrl-C and the OOM killer stop it:
 * - SIGTERM: the scenario in progress is cancelled and torn down, journaled as HARN_RUNNER_CANCELLED,
 *   and the process exits 143 with nothing of the run left (processes, dirs, the data-disk mount);
 * - SIGKILL: no hook runs, yet the orchestrator (detached, in its own process group), its workers
 *   and the DB server stop by themselves (each watches its parent), and the next run's sweep
 *   removes the dirs and the tmpfs mount the killed run left.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe as suite, expect, it } from 'vitest';
import { descendantPids } from '../../../system/util/index.ts';
import { sweepDeadOwnersTempDirs } from '../../env/temp-dirs.ts';

const OYA = join(import.meta.dirname, '..', 'oya.mjs');

let dir: string;
const children: ChildProcess[] = [];
/** Every process a run grew: whatever a failing assertion left alive is SIGKILLed after the test. */
const grown: number[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oya-run-interrupt-it-'));
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const pid of grown.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
  await sweepDeadOwnersTempDirs();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Beads long enough (8 × 500 ms steps) that the run is mid-workload when the signal comes; a data disk so there is a mount. */
const scenario = (name: string): string => `
name: ${name}
kind: integration
system: { workers: 2, agent: { steps: 8, stepTime: 500ms } }
workload:
  - beads: 6
    rate: 2/s
faults:
  - { at: 50s, do: db.diskFull, for: 1s }
timeouts: { drain: 2m, total: 3m }
`;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const describeProcess = (pid: number): string => {
  try {
    return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').slice(0, 120)}`;
  } catch {
    return `${pid} (gone)`;
  }
};

async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return check();
}

const leftovers = (label: string): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith(`oya-run-${label}-`) || n.startsWith(`oya-env-${label}-`));
const mounts = (label: string): string[] =>
  readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .filter((l) => l.includes(`/oya-env-${label}-`));

interface StartedRun {
  child: ChildProcess;
  tree: number[];
  stdout: () => string;
  exit: Promise<{ code: number | null; signal: string | null }>;
}

/** Starts `oya run` on the scenario and resolves once its workload is under way, with the process tree it grew. */
async function startRun(name: string): Promise<StartedRun> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, scenario(name));
  const child = spawn(process.execPath, [OYA, 'run', file, '--report-dir', join(dir, 'reports')], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const started = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 90_000);
    const settle = (value: boolean): void => {
      clearTimeout(timer);
      resolve(value);
    };
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      if (/workload/.test(err)) settle(true);
    });
    void exit.then(() => settle(false));
  });
  expect(started, `the run never reached its workload; stderr:\n${err}`).toBe(true);
  // The orchestrator and both workers, the DB server (and the disk's holder where not root).
  const tree = descendantPids(child.pid!);
  grown.push(...tree);
  return { child, tree, stdout: () => out, exit };
}

suite('oya run, stopped from outside', () => {
  it('SIGTERM: cancels and tears down the scenario in progress, journals it, exits 143, leaves nothing', async () => {
    const name = 'interrupt-term';
    const { child, tree, stdout, exit } = await startRun(name);
    expect(tree.length).toBeGreaterThanOrEqual(4);
    child.kill('SIGTERM');
    const result = await Promise.race([exit, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 90_000))]);
    expect(result).toEqual({ code: 143, signal: null });
    expect(stdout()).toMatch(new RegExp(`^ERROR ${name} `, 'm'));
    const journal = JSON.parse(await readFile(join(dir, 'reports', 'integration', `${name}.json`), 'utf8')) as { verdict: string; error?: { code?: string } };
    expect(journal).toMatchObject({ verdict: 'error', error: { code: 'HARN_RUNNER_CANCELLED' } });
    // Teardown SIGKILLs what did not stop; the kernel reaps it a moment later.
    expect(await eventually(() => !tree.some(alive), 10_000), `still alive: ${tree.filter(alive).map(describeProcess).join('; ')}`).toBe(true);
    expect(leftovers(name)).toEqual([]);
    expect(mounts(name)).toEqual([]);
  }, 240_000);

  it('SIGKILL: the orchestrator, its workers and the DB stop by themselves; the next sweep removes the dirs and the mount', async () => {
    const name = 'interrupt-kill';
    const { child, tree, exit } = await startRun(name);
    expect(tree.length).toBeGreaterThanOrEqual(4);
    expect(leftovers(name)).toHaveLength(2); // its run dir and its environment dir, stamped with its pid
    child.kill('SIGKILL');
    await exit;
    // The orchestrator notices within 250 ms and shuts down gracefully (bounded by its 30 s shutdown limit).
    expect(await eventually(() => !tree.some(alive), 60_000), `still alive: ${tree.filter(alive).join(', ')}`).toBe(true);
    // Nothing ran the killed run's teardown; its dirs go in the next sweep — ours here, or that of
    // a run in a parallel test file, which sweeps every dead owner's dirs when it starts.
    await sweepDeadOwnersTempDirs();
    expect(leftovers(name)).toEqual([]);
    expect(mounts(name)).toEqual([]);
  }, 240_000);
});
