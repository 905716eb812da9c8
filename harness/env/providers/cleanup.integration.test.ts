import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { childPids } from './local.ts';
import { startEnvironment } from './index.ts';
import { alive, envMounts, envTempDirs, listeningPortsOfThisProcess, refused } from './env.test-helper.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

const INDEX = fileURLToPath(new URL('./index.ts', import.meta.url));

/**
 * Runs a program that starts an environment, prints what it started, then dies the given way
 * without calling stop(): only the exit/signal hooks can clean up.
 */
async function runDyingProgram(label: string, death: 'throw' | 'SIGTERM' | 'SIGINT') {
  const script = `
    const { startEnvironment } = await import(${JSON.stringify(INDEX)});
    const env = await startEnvironment({
      kind: 'local', seed: 1, label: ${JSON.stringify(label)}, dataDiskBytes: 4 * 1024 * 1024, agents: [{ name: 'a', upstream: '127.0.0.1:9' }],
    });
    const hp = (u) => new URL(u).host;
    console.log(JSON.stringify({ pid: env.db.pid, addresses: [hp(env.dbUrl), hp(env.dbDirectUrl), hp(env.toxiproxyUrl), env.proxies.agents.get('a').listen] }));
    // It dies only when the test says so: on a busy machine a timer could fire before the test had looked.
    if (${JSON.stringify(death)} === 'throw') process.stdin.once('data', () => { throw new Error('the test body failed'); });
    else setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  cleanups.push(() => Promise.resolve(child.kill('SIGKILL')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const started = await new Promise<{ pid: number; addresses: string[] }>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as { pid: number; addresses: string[] });
    });
    void exited.then(() => reject(new Error(`program ended before starting: ${stderr}`)));
  });
  expect(alive(started.pid)).toBe(true);
  expect(envTempDirs(label)).toHaveLength(1);
  if (death === 'throw') child.stdin.write('go\n');
  else child.kill(death);
  return { started, exit: await exited, stderr };
}

describe('environment clean-up when things go wrong', () => {
  for (const death of ['throw', 'SIGTERM', 'SIGINT'] as const) {
    it(`leaves nothing behind when the process ends by ${death === 'throw' ? 'an uncaught error' : death} without stop()`, async () => {
      const label = `die-${death}-${process.pid}`;
      const { started, exit, stderr } = await runDyingProgram(label, death);
      if (death === 'throw') {
        expect(exit.code).toBe(1);
        expect(stderr).toMatch(/the test body failed/);
      } else {
        // The hook re-raises the signal, so the program still ends the way an unhandled signal would.
        expect(exit).toEqual({ code: null, signal: death });
      }
      // SIGKILL delivery to the DB child is immediate, its reaping by init may take a moment (bounded: 5 s).
      for (let i = 0; i < 50 && alive(started.pid); i++) await new Promise((r) => setTimeout(r, 100));
      expect(alive(started.pid)).toBe(false);
      // Toxiproxy got the same SIGKILL from the emergency step; on a busy machine its listeners can
      // outlive the signal by a moment (nothing waits for that process: the program that spawned it is gone).
      for (const address of started.addresses) {
        for (let i = 0; i < 50 && !(await refused(address)); i++) await new Promise((r) => setTimeout(r, 100));
        expect(await refused(address), `${address} still accepts connections 5 s after the program died`).toBe(true);
      }
      expect(envMounts(label)).toEqual([]);
      expect(envTempDirs(label)).toEqual([]);
    });
  }

  it('a start that fails halfway (after DB, disk and Toxiproxy are up) stops everything it started', async () => {
    const label = `halfway-${process.pid}`;
    const childrenBefore = childPids();
    const portsBefore = listeningPortsOfThisProcess();
    // The second proxy of the same name is refused by Toxiproxy (409) — after everything else is up.
    const agents = [
      { name: 'twin', upstream: '127.0.0.1:9' },
      { name: 'twin', upstream: '127.0.0.1:10' },
    ];
    const start = startEnvironment({ kind: 'local', seed: 3, label, dataDiskBytes: 4 * 1024 * 1024, agents });
    await expect(start).rejects.toMatchObject({ code: 'HARN_ENV_START', details: { cleanupErrors: [] } });
    await expect(start).rejects.toThrow(/creating proxy agent-twin → 127.0.0.1:10: .*409/);
    expect(childPids()).toEqual(childrenBefore);
    expect(listeningPortsOfThisProcess()).toEqual(portsBefore);
    expect(envMounts(label)).toEqual([]);
    expect(envTempDirs(label)).toEqual([]);
  });

  it('rejects bad options before starting anything (HARN_ENV_CONFIG)', async () => {
    const base = { kind: 'local' as const, seed: 1, label: 'ok' };
    await expect(startEnvironment({ ...base, label: 'has space' })).rejects.toMatchObject({ code: 'HARN_ENV_CONFIG' });
    await expect(startEnvironment({ ...base, dataDiskBytes: 1024 })).rejects.toMatchObject({ code: 'HARN_ENV_CONFIG' });
    await expect(startEnvironment({ ...base, agents: [{ name: 'a/b', upstream: '127.0.0.1:9' }] })).rejects.toMatchObject({ code: 'HARN_ENV_CONFIG' });
    expect(envTempDirs('ok')).toEqual([]);
  });
});
