/**
 * Workers run compiled JavaScript: the pool forks the CommonJS bundle with no TypeScript loader,
 * and a bundle older than a source is rebuilt before the next spawn.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, statSync, utimesSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildWorkerBundle, isFresh, WORKER_BUNDLE_PATH, WORKER_NODE_FLAGS, workerEntry } from './bundle.ts';
import { startWorker } from './process.ts';
import { WORKER_ENV } from './protocol.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const step of cleanups.reverse()) await step();
});

describe('the worker bundle', () => {
  it('is what a spawned worker runs: no tsx in its command line or execArgv, and it serves', async () => {
    expect(workerEntry()).toMatchObject({ kind: 'bundle', path: WORKER_BUNDLE_PATH, execArgv: [...WORKER_NODE_FLAGS] });
    const dir = await mkdtemp(join(tmpdir(), 'oya-bundle-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const worker = await startWorker({ id: 'bundle-test', sideEffectsDir: dir });
    cleanups.push(() => worker.destroy());
    const cmdline = readFileSync(`/proc/${worker.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toContain(WORKER_BUNDLE_PATH);
    expect(cmdline.join(' ')).not.toMatch(/tsx|\.ts\b/);
    // The memory flags reach the process (a spawn that dropped them would bring the young-generation growth back).
    for (const flag of WORKER_NODE_FLAGS) expect(cmdline).toContain(flag);
    expect(await worker.client.health()).toMatchObject({ healthy: true, workerId: 'bundle-test' });
    // Nothing in the bundle loads a TypeScript loader at run time.
    expect(readFileSync(WORKER_BUNDLE_PATH, 'utf8')).not.toMatch(/require\("tsx|from "tsx|esbuild/);
  });

  it('starts under its V8 flags without a word on stderr (no flag-conflict warning in every error tail)', async () => {
    workerEntry(); // builds the bundle if stale
    const dir = await mkdtemp(join(tmpdir(), 'oya-bundle-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // Without IPC the worker prints its ready line on stdout (main.ts).
    const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, WORKER_BUNDLE_PATH], {
      env: { ...process.env, [WORKER_ENV.id]: 'quiet', [WORKER_ENV.sideEffectsDir]: dir, [WORKER_ENV.parentPid]: String(process.pid) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit');
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    let stdout = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        if (stdout.includes('\n')) resolve();
      });
      void exited.then(() => reject(new Error(`worker exited before ready: ${stderr}`)));
    });
    expect(JSON.parse(stdout.split('\n')[0]!)).toMatchObject({ kind: 'oya.worker.ready', workerId: 'quiet' });
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });

  it('counts as stale once any source is newer, and fresh again after a build', () => {
    buildWorkerBundle();
    expect(isFresh()).toBe(true);
    // Make the bundle look older than its sources instead of touching a source other tests use.
    const past = new Date(statSync(WORKER_BUNDLE_PATH).mtimeMs - 3_600_000_000);
    utimesSync(WORKER_BUNDLE_PATH, past, past);
    expect(isFresh()).toBe(false);
    buildWorkerBundle();
    expect(isFresh()).toBe(true);
  });
});
