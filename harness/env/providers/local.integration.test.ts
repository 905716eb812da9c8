import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RecordId } from 'surrealdb';
import { Client } from 'undici';
import { classifySurrealError, DbDiskFullError } from '../surreal/errors.ts';
import { findSurrealBinary } from '../surreal/spawn.ts';
import { startEnvironment, type Environment } from './index.ts';
import { alive, envMounts, envTempDirs, hostPort, refused, surrealClient, timed, within } from './env.test-helper.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

async function localEnv(label: string, extra: Partial<Parameters<typeof startEnvironment>[0]> = {}): Promise<Environment> {
  const env = await startEnvironment({ kind: 'local', seed: 7, label: `${label}-${process.pid}`, ...extra });
  cleanups.push(() => env.stop());
  return env;
}

async function httpGet(listen: string, headersTimeout = 5_000): Promise<string> {
  // A fresh client per call, so a toxic is met on a new connection and no pool hides it.
  const client = new Client(`http://${listen}`, { headersTimeout, bodyTimeout: headersTimeout });
  try {
    const res = await client.request({ path: '/', method: 'GET' });
    return await res.body.text();
  } finally {
    await client.destroy();
  }
}

describe('local environment', () => {
  it('routes the stock SDK through the DB proxy; toxics hit that path only, dbDirectUrl is unaffected', async () => {
    const env = await localEnv('proxy');
    expect(env.kind).toBe('local');
    expect(env.db.pid).not.toBe(process.pid);
    expect(hostPort(env.dbUrl)).toBe(env.proxies.db.listen);
    expect(hostPort(env.dbUrl)).not.toBe(hostPort(env.dbDirectUrl));

    const viaProxy = await surrealClient(env.dbUrl, env.dbCredentials, cleanups);
    const direct = await surrealClient(env.dbDirectUrl, env.dbCredentials, cleanups);
    await viaProxy.create(new RecordId('bead', 'one')).content({ state: 'queued' });
    const [states] = await direct.query<[string[]]>('SELECT VALUE state FROM bead');
    expect(states).toEqual(['queued']);

    await env.proxies.db.addToxic({ name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 1000, jitter: 0 } });
    const proxied = await timed(() => viaProxy.query('RETURN 1'));
    const directRuns = [await timed(() => direct.query('RETURN 1')), await timed(() => direct.query('RETURN 1')), await timed(() => direct.query('RETURN 1'))];
    const directMs = directRuns.sort((a, b) => a - b)[1]!;
    expect(proxied).toBeGreaterThanOrEqual(950);
    expect(directMs).toBeLessThan(500);
    await (await env.proxies.db.getToxic('slow')).remove();
    expect(await timed(() => viaProxy.query('RETURN 1'))).toBeLessThan(900);

    // Disabling the proxy is a real outage: the open connection dies and new ones are refused.
    await env.proxies.db.update({ enabled: false, listen: env.proxies.db.listen, upstream: env.proxies.db.upstream });
    await expect(within(viaProxy.query('RETURN 1'), 5_000)).rejects.toThrow();
    expect(await refused(hostPort(env.dbUrl))).toBe(true);
    expect(await direct.query<[number]>('RETURN 41 + 1')).toEqual([42]);

    // stop() heals (reset) and removes the proxies before stopping Toxiproxy.
    await env.stop();
    expect(await refused(hostPort(env.dbDirectUrl))).toBe(true);
    expect(await refused(hostPort(env.toxiproxyUrl))).toBe(true);
  });

  it('puts agent proxies in front of an HTTP server and blackholes them with a timeout toxic', async () => {
    const agent = createServer((_req, res) => res.end('pong'));
    await new Promise<void>((resolve) => agent.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise((resolve) => {
          agent.closeAllConnections();
          agent.close(resolve);
        }),
    );
    const upstream = `127.0.0.1:${(agent.address() as AddressInfo).port}`;

    const env = await localEnv('agents', { agents: [{ name: 'a1', upstream }] });
    const a1 = env.proxies.agents.get('a1')!;
    expect(a1.name).toBe('agent-a1');
    expect(await httpGet(a1.listen)).toBe('pong');
    const a2 = await env.addAgentProxy('a2', upstream);
    expect(a2.listen).not.toBe(a1.listen);
    expect(await httpGet(a2.listen)).toBe('pong');

    await a1.addToxic({ name: 'blackhole', type: 'timeout', stream: 'upstream', toxicity: 1, attributes: { timeout: 0 } });
    const started = Date.now();
    await expect(httpGet(a1.listen, 1_000)).rejects.toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await httpGet(a2.listen)).toBe('pong'); // the other agent's path is untouched
    await (await a1.getToxic('blackhole')).remove();
    expect(await httpGet(a1.listen)).toBe('pong');
  });

  it('db.kill() SIGKILLs the DB process; restart() brings it back with the committed data, same dbUrl', async () => {
    const env = await localEnv('kill');
    const db = await surrealClient(env.dbUrl, env.dbCredentials, cleanups);
    for (let i = 0; i < 50; i++) await db.create(new RecordId('event', i)).content({ seq: i });
    const firstPid = env.db.pid!;
    const directBefore = env.dbDirectUrl;

    await env.db.kill();
    expect(alive(firstPid)).toBe(false);
    await expect(within(db.query('RETURN 1'), 5_000)).rejects.toThrow();
    expect(await refused(hostPort(env.dbDirectUrl))).toBe(true);

    await env.db.restart();
    expect(env.db.pid).not.toBe(firstPid);
    expect(alive(env.db.pid!)).toBe(true);
    expect(env.dbDirectUrl).toBe(directBefore);
    const again = await surrealClient(env.dbUrl, env.dbCredentials, cleanups);
    const [seqs] = await again.query<[number[]]>('SELECT VALUE seq FROM event ORDER BY seq');
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('fills the DB data disk to ENOSPC and frees it (dataDiskBytes)', async () => {
    const label = `disk-${process.pid}`;
    const env = await localEnv('disk', { dataDiskBytes: 8 * 1024 * 1024 });
    if (process.getuid?.() === 0) expect(envMounts(label)).toHaveLength(1);
    let db = await surrealClient(env.dbUrl, env.dbCredentials, cleanups);
    const pad = 'x'.repeat(2000);
    const write = (seq: number) => within(db.create(new RecordId('event', seq)).content({ seq, pad }), 5_000);
    let seq = 0;
    for (; seq < 20; seq++) await write(seq);
    const committed = new Set(Array.from({ length: seq }, (_, i) => i));
    const firstPid = env.db.pid;

    expect(await env.db.diskFull!.fill()).toBeGreaterThan(4 * 1024 * 1024);
    let failure: unknown;
    // A write or two may still fit in the WAL's partly used last page.
    for (let attempt = 0; attempt < 50 && failure === undefined; attempt++, seq++) {
      await write(seq).then(
        () => committed.add(seq),
        (err: unknown) => {
          failure = classifySurrealError(err);
        },
      );
    }
    expect(failure).toBeInstanceOf(DbDiskFullError);

    await env.db.diskFull!.free();
    // The data path is a new directory, so RocksDB: once space is back the embedded server's
    // process restarts on the same port (harness/env/surreal/README.md "Disk full"); the open
    // connection drops with it, and a client connects again through the same DB proxy.
    const freedAt = Date.now();
    for (;;) {
      const outcome = await write(seq).then(
        () => 'ok' as const,
        (err: unknown) => (classifySurrealError(err) instanceof DbDiskFullError ? ('refused' as const) : ('dropped' as const)),
      );
      if (outcome === 'ok') {
        committed.add(seq++);
        break;
      }
      seq++;
      if (outcome === 'dropped') db = await within(surrealClient(env.dbUrl, env.dbCredentials, cleanups), 5_000).catch(() => db);
      expect(Date.now() - freedAt).toBeLessThan(20_000);
      await new Promise((r) => setTimeout(r, 200));
    }
    if (findSurrealBinary() === undefined) expect(env.db.pid).not.toBe(firstPid);
    const [stored] = await db.query<[number[]]>('SELECT VALUE seq FROM event ORDER BY seq');
    for (const s of committed) expect(stored).toContain(s);
    expect(stored.every((s) => s < seq)).toBe(true);
    await env.stop();
    expect(envMounts(label)).toEqual([]);
    expect(envTempDirs(label)).toEqual([]);
  });

  it('stop() leaves no process, port, mount or temp dir; is idempotent; later calls are refused', async () => {
    const label = `stop-${process.pid}`;
    const env = await localEnv('stop', { dataDiskBytes: 4 * 1024 * 1024, agents: [{ name: 'a', upstream: '127.0.0.1:9' }] });
    const pid = env.db.pid!;
    const addresses = [hostPort(env.dbUrl), hostPort(env.dbDirectUrl), hostPort(env.toxiproxyUrl), env.proxies.agents.get('a')!.listen];
    expect(envTempDirs(label)).toHaveLength(1);

    await Promise.all([env.stop(), env.stop()]);
    await env.stop();
    expect(alive(pid)).toBe(false);
    for (const address of addresses) expect(await refused(address)).toBe(true);
    expect(envMounts(label)).toEqual([]);
    expect(envTempDirs(label)).toEqual([]);
    await expect(env.addAgentProxy('b', '127.0.0.1:9')).rejects.toMatchObject({ code: 'HARN_ENV_STOPPED' });
    await expect(env.db.restart()).rejects.toMatchObject({ code: 'HARN_ENV_STOPPED' });
  });
});
