import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseKind, DOCKER_PROBE_TIMEOUT_MS, dockerAvailable, dockerEndpoints, selectKind } from './select.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

/** A unix-socket HTTP server standing in for the Docker engine's API (answering or hanging). */
async function engineSocket(behaviour: 'answers' | 'hangs'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'oya-docker-sock-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'docker.sock');
  const server: Server = createServer((req, res) => {
    if (behaviour === 'answers' && req.url === '/_ping') res.end('OK');
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  cleanups.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  );
  return `unix://${path}`;
}

const noProbe = (): Promise<boolean> => Promise.reject(new Error('the Docker probe must not run'));

describe('dockerAvailable', () => {
  it('is true when the engine socket answers /_ping', async () => {
    expect(await dockerAvailable({ env: { DOCKER_HOST: await engineSocket('answers') } })).toBe(true);
  });

  it('is false, within the bound, when the socket accepts but never answers', async () => {
    const env = { DOCKER_HOST: await engineSocket('hangs') };
    const started = Date.now();
    expect(await dockerAvailable({ env, timeoutMs: 300 })).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('is false at once when no socket exists', async () => {
    expect(await dockerAvailable({ env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } })).toBe(false);
    expect(dockerEndpoints({ DOCKER_HOST: 'unix:///x/docker.sock' })).toEqual([{ socketPath: '/x/docker.sock' }]);
  });

  it('answers on this machine within the default bound', async () => {
    const started = Date.now();
    await dockerAvailable();
    expect(Date.now() - started).toBeLessThan(DOCKER_PROBE_TIMEOUT_MS + 1_000);
  });

  it('reads tcp:// DOCKER_HOST', () => {
    expect(dockerEndpoints({ DOCKER_HOST: 'tcp://10.0.0.5:2376' })).toEqual([{ host: '10.0.0.5', port: 2376 }]);
  });
});

describe('selectKind', () => {
  it('picks containers when an engine answers and local when none does', async () => {
    expect(await selectKind(undefined, { DOCKER_HOST: await engineSocket('answers') })).toBe('containers');
    expect(await selectKind(undefined, { DOCKER_HOST: 'unix:///nonexistent/docker.sock' })).toBe('local');
  });

  it('OYA_ENV=local forces local without probing; the kind option beats OYA_ENV', async () => {
    expect(await selectKind(undefined, { OYA_ENV: 'local' }, noProbe)).toBe('local');
    expect(await selectKind('local', { OYA_ENV: 'containers' }, noProbe)).toBe('local');
    expect(await selectKind(undefined, { OYA_ENV: 'containers', DOCKER_HOST: await engineSocket('answers') })).toBe('containers');
  });

  it('forcing containers without an engine is HARN_ENV_NO_DOCKER, not a silent fallback', async () => {
    const env = { OYA_ENV: 'containers', DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
    await expect(selectKind(undefined, env)).rejects.toMatchObject({ code: 'HARN_ENV_NO_DOCKER', message: expect.stringMatching(/OYA_ENV/) });
    await expect(selectKind('containers', { DOCKER_HOST: env.DOCKER_HOST })).rejects.toMatchObject({ code: 'HARN_ENV_NO_DOCKER' });
  });

  it('rejects an unknown OYA_ENV with HARN_ENV_CONFIG', async () => {
    await expect(selectKind(undefined, { OYA_ENV: 'kubernetes' }, noProbe)).rejects.toMatchObject({ code: 'HARN_ENV_CONFIG' });
  });
});

describe('chooseKind (Docker answers; are the images there?)', () => {
  const answers = (): Promise<boolean> => Promise.resolve(true);
  const noImages = (): Promise<void> => Promise.reject(new Error('docker build of oya/surrealdb:local failed (exit 1)'));

  it('falls back to local with ONE line saying why when the images cannot be had', async () => {
    const lines: string[] = [];
    expect(await chooseKind(undefined, {}, { probe: answers, prepare: noImages, log: (l) => lines.push(l) })).toBe('local');
    expect(await chooseKind(undefined, {}, { probe: answers, prepare: noImages, log: (l) => lines.push(l) })).toBe('local');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^oya env: using local, not containers: a Docker engine answers but the images oya\/surrealdb:local and oya\/toxiproxy:local are not available: docker build of oya\/surrealdb:local failed/,
    );
  });

  it('forced containers whose images cannot be had is HARN_ENV_IMAGES, never a silent fallback', async () => {
    await expect(chooseKind('containers', {}, { probe: answers, prepare: noImages, log: () => undefined })).rejects.toMatchObject({
      code: 'HARN_ENV_IMAGES',
      message: expect.stringMatching(/kind option/),
    });
    await expect(
      chooseKind(undefined, { OYA_ENV: 'containers', OYA_SURREAL_IMAGE: 'surrealdb/surrealdb:v3.0.2' }, { probe: answers, prepare: noImages }),
    ).rejects.toMatchObject({ code: 'HARN_ENV_IMAGES', message: expect.stringMatching(/OYA_ENV.*surrealdb\/surrealdb:v3\.0\.2/) });
  });

  it('picks containers once the images are ready, and never prepares them for local', async () => {
    let prepared = 0;
    const prepare = (): Promise<void> => {
      prepared++;
      return Promise.resolve();
    };
    expect(await chooseKind(undefined, {}, { probe: answers, prepare })).toBe('containers');
    expect(await chooseKind(undefined, { OYA_ENV: 'local' }, { probe: noProbe, prepare })).toBe('local');
    expect(await chooseKind(undefined, {}, { probe: () => Promise.resolve(false), prepare })).toBe('local');
    expect(prepared).toBe(1);
  });
});
