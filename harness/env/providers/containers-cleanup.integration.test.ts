/**
 * No container, network or volume of ours survives a run that ends badly, without Ryuk: a runner
 * ended by SIGTERM removes its own through the exit hooks; one ended by SIGKILL (no hook runs)
 * leaves them, and the next run's sweep removes them. Needs a Docker engine (else skipped, saying so).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { within } from './env.test-helper.ts';
import { dockerAvailable } from './select.ts';
import { listHarnessResources, sweepOrphans } from './sweep.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

const docker = await dockerAvailable();
const needsDocker = (name: string): string => (docker ? name : `${name} [skipped: no Docker engine answered /_ping within 2 s]`);
const INDEX = fileURLToPath(new URL('./index.ts', import.meta.url));

/** Labelled resources whose owner is `pid`. */
function ownedBy(pid: number): { containers: number; networks: number; volumes: number } {
  const all = listHarnessResources();
  const count = (items: Array<{ labels: Record<string, string> }>) => items.filter((i) => i.labels['oya.owner.pid'] === String(pid)).length;
  return { containers: count(all.containers), networks: count(all.networks), volumes: count(all.volumes) };
}

/** Starts a runner that starts a containers environment and then just waits; resolves once it is up. */
async function startRunner(label: string) {
  const script = `
    const { startEnvironment } = await import(${JSON.stringify(INDEX)});
    await startEnvironment({ kind: 'containers', seed: 1, label: ${JSON.stringify(label)}, dataDiskBytes: 8 * 1024 * 1024 });
    console.log('ready');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(() => Promise.resolve(child.kill('SIGKILL')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      if (c.toString().includes('ready')) resolve();
    });
    void exited.then(() => reject(new Error(`runner ended before its environment was up: ${stderr}`)));
  });
  return { pid: child.pid!, exited };
}

describe('containers clean-up without Ryuk', () => {
  it.skipIf(!docker)(needsDocker('a runner ended by SIGTERM removes its containers and network itself'), async () => {
    const runner = await startRunner(`term-${process.pid}`);
    expect(ownedBy(runner.pid)).toEqual({ containers: 2, networks: 1, volumes: 0 });
    process.kill(runner.pid, 'SIGTERM');
    expect((await within(runner.exited, 60_000)).signal).toBe('SIGTERM');
    expect(ownedBy(runner.pid)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });

  it.skipIf(!docker)(needsDocker('a runner killed by SIGKILL leaves them, and the next sweep removes them all'), async () => {
    const runner = await startRunner(`kill-${process.pid}`);
    process.kill(runner.pid, 'SIGKILL');
    await within(runner.exited, 60_000);
    expect(ownedBy(runner.pid)).toEqual({ containers: 2, networks: 1, volumes: 0 });
    const swept = sweepOrphans();
    expect(swept.error).toBeUndefined();
    expect(swept.containers).toHaveLength(2);
    expect(ownedBy(runner.pid)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });

  it.skipIf(!docker)(needsDocker('the sweep leaves the environments of live processes alone'), async () => {
    const runner = await startRunner(`live-${process.pid}`);
    sweepOrphans();
    expect(ownedBy(runner.pid)).toEqual({ containers: 2, networks: 1, volumes: 0 });
    process.kill(runner.pid, 'SIGINT');
    expect((await within(runner.exited, 60_000)).signal).toBe('SIGINT');
    expect(ownedBy(runner.pid)).toEqual({ containers: 0, networks: 0, volumes: 0 });
  });
});
