import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RecordId } from 'surrealdb';
import { classifySurrealError, DbDiskFullError } from '../surreal/errors.ts';
import { createServer as createUnixServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerAvailable, listHarnessResources, startEnvironment, type Environment } from './index.ts';
import { ownerLabels } from './sweep.ts';
import { hostPort, refused, surrealClient, timed, within } from './env.test-helper.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

const docker = await dockerAvailable();
// Vitest prints skipped test names: the reason travels in the name.
const needsDocker = (name: string): string => (docker ? name : `${name} [skipped: no Docker engine answered /_ping within 2 s]`);

async function containersEnv(extra: Partial<Parameters<typeof startEnvironment>[0]> = {}): Promise<Environment> {
  const env = await startEnvironment({ kind: 'containers', seed: 5, label: `ctr-${process.pid}`, ...extra });
  cleanups.push(() => env.stop());
  return env;
}

describe('containers environment', () => {
  it.skipIf(docker)('forcing containers without a Docker engine fails with HARN_ENV_NO_DOCKER', async () => {
    await expect(startEnvironment({ kind: 'containers', seed: 1, label: 'nodocker' })).rejects.toMatchObject({ code: 'HARN_ENV_NO_DOCKER' });
    await expect(startEnvironment({ seed: 1, label: 'nodocker', env: { ...process.env, OYA_ENV: 'containers' } })).rejects.toMatchObject({
      code: 'HARN_ENV_NO_DOCKER',
    });
  });

  it('an engine that answers but has no images and no registry: local, with one line saying why', async () => {
    // A stand-in engine: answers /_ping, fails everything else (as a daemon with no registry fails a pull).
    const dir = await mkdtemp(join(tmpdir(), 'oya-fake-engine-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const engine = createUnixServer((req, res) => {
      res.statusCode = req.url?.endsWith('/_ping') ? 200 : 500;
      res.end(req.url?.endsWith('/_ping') ? 'OK' : '{"message":"Get https://registry-1.docker.io/v2/: dial tcp: lookup registry-1.docker.io: no such host"}');
    });
    await new Promise<void>((resolve) => engine.listen(join(dir, 'docker.sock'), resolve));
    cleanups.push(
      () =>
        new Promise((resolve) => {
          engine.closeAllConnections();
          engine.close(resolve);
        }),
    );
    const lines: string[] = [];
    const env = await startEnvironment({
      seed: 5,
      label: `ctr-fallback-${process.pid}`,
      log: (l) => lines.push(l),
      env: { ...process.env, OYA_ENV: '', DOCKER_HOST: `unix://${join(dir, 'docker.sock')}`, OYA_SURREAL_IMAGE: 'example.invalid/surrealdb:none' },
    });
    cleanups.push(() => env.stop());
    expect(env.kind).toBe('local');
    const why = lines.filter((l) => l.startsWith('oya env: using local'));
    expect(why).toEqual([
      expect.stringMatching(/^oya env: using local, not containers: .*example\.invalid\/surrealdb:none is not on this machine and docker pull failed/),
    ]);
  });

  it.skipIf(!docker)(needsDocker('is chosen automatically and routes the SDK through the Toxiproxy container'), async () => {
    const env = await startEnvironment({ seed: 5, label: `ctr-auto-${process.pid}`, env: { ...process.env, OYA_ENV: '' } });
    cleanups.push(() => env.stop());
    expect(env.kind).toBe('containers');
    const viaProxy = await surrealClient(env.dbUrl, env.dbCredentials, cleanups);
    const direct = await surrealClient(env.dbDirectUrl, env.dbCredentials, cleanups);
    await viaProxy.create(new RecordId('bead', 'one')).content({ state: 'queued' });
    expect(await direct.query<[string[]]>('SELECT VALUE state FROM bead')).toEqual([['queued']]);
    await env.proxies.db.addToxic({ name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 1000, jitter: 0 } });
    expect(await timed(() => viaProxy.query('RETURN 1'))).toBeGreaterThanOrEqual(950);
    expect(await timed(() => direct.query('RETURN 1'))).toBeLessThan(500);
  });

  it.skipIf(!docker)(needsDocker('a DB container that exits at start fails the start at once, with its output, and leaves nothing'), async () => {
    // The Toxiproxy image given the SurrealDB command line: its entry point refuses it (exit 2).
    const started = Date.now();
    const label = `ctr-bad-${process.pid}`;
    await expect(
      startEnvironment({ kind: 'containers', seed: 5, label, env: { ...process.env, OYA_SURREAL_IMAGE: 'oya/toxiproxy:local' } }),
    ).rejects.toMatchObject({
      code: 'HARN_ENV_START',
      message: expect.stringMatching(/exited \(code 2\) before answering.*HARN_CLI_USAGE unsupported toxiproxy flag "start"/s),
    });
    expect(Date.now() - started).toBeLessThan(60_000); // not the 120 s readiness bound
    const left = listHarnessResources();
    expect([...left.containers, ...left.networks].filter((r) => r.labels['oya.env.label'] === label)).toEqual([]);
  });

  it.skipIf(!docker)(needsDocker('reaches an agent on this machine through an agent proxy, and blackholes it'), async () => {
    const agent = createServer((_req, res) => res.end('pong'));
    await new Promise<void>((resolve) => agent.listen(0, '0.0.0.0', resolve));
    cleanups.push(
      () =>
        new Promise((resolve) => {
          agent.closeAllConnections();
          agent.close(resolve);
        }),
    );
    const env = await containersEnv();
    const { listen, proxy } = await env.addAgentProxy('a1', `127.0.0.1:${(agent.address() as AddressInfo).port}`);
    expect(await (await fetch(`http://${listen}/`)).text()).toBe('pong');
    await proxy.addToxic({ name: 'blackhole', type: 'timeout', stream: 'upstream', toxicity: 1, attributes: { timeout: 0 } });
    await expect(fetch(`http://${listen}/`, { signal: AbortSignal.timeout(1_000) })).rejects.toThrow();
  });

  it.skipIf(!docker)(needsDocker('db.kill() + restart() keep committed data; stop() removes the containers'), async () => {
    const env = await containersEnv();
    const db = await surrealClient(env.dbUrl, env.dbCredentials, cleanups);
    for (let i = 0; i < 20; i++) await db.create(new RecordId('event', i)).content({ seq: i });
    await env.db.kill();
    expect(await refused(hostPort(env.dbDirectUrl))).toBe(true);
    await env.db.restart();
    const again = await surrealClient(env.dbUrl, env.dbCredentials, cleanups);
    expect(await again.query<[number[]]>('SELECT VALUE seq FROM event ORDER BY seq')).toEqual([Array.from({ length: 20 }, (_, i) => i)]);
    // Not dbDirectUrl: once its network is gone, a container IP may route anywhere (e.g. a sandbox's egress proxy).
    const addresses = [hostPort(env.dbUrl), hostPort(env.toxiproxyUrl)];
    const mine = (items: Array<{ labels: Record<string, string> }>) =>
      items.filter((i) => i.labels['oya.owner.pid'] === ownerLabels()['oya.owner.pid'] && i.labels['oya.env.label'] === env.label);
    expect(mine(listHarnessResources().containers)).toHaveLength(2);
    expect(mine(listHarnessResources().networks)).toHaveLength(1);
    await env.stop();
    for (const address of addresses) expect(await refused(address)).toBe(true);
    expect(mine(listHarnessResources().containers)).toEqual([]);
    expect(mine(listHarnessResources().networks)).toEqual([]);
  });

  it.skipIf(!docker)(needsDocker('fills the /data tmpfs to ENOSPC and frees it'), async () => {
    const env = await containersEnv({ dataDiskBytes: 16 * 1024 * 1024 });
    const db = await surrealClient(env.dbUrl, env.dbCredentials, cleanups);
    await env.db.diskFull!.fill();
    let failure: unknown;
    for (let seq = 0; seq < 50 && failure === undefined; seq++) {
      await within(db.create(new RecordId('event', seq)).content({ seq, pad: 'x'.repeat(2000) }), 5_000).catch((err: unknown) => {
        failure = classifySurrealError(err);
      });
    }
    expect(failure).toBeInstanceOf(DbDiskFullError);
    await env.db.diskFull!.free();
  });
});
