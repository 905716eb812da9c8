/**
 * The faults only containers can make, each against a real container: a partition by
 * `docker network disconnect`, a hang by `docker pause`, and how restart() heals both. (docker kill
 * and the tmpfs disk-full are in containers.integration.test.ts.) Needs a Docker engine with the
 * local images (built when stale); else each test reports itself skipped with the reason.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { RecordId } from 'surrealdb';
import { dockerAvailable, startEnvironment, type Environment } from './index.ts';
import { docker } from '../images/docker.ts';
import { hostPort, surrealClient, within } from './env.test-helper.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  // Bounded: closing a client of a DB still partitioned (a failed test) would wait forever.
  while (cleanups.length > 0) await within(cleanups.pop()!(), 15_000).catch(() => undefined);
});

const engine = await dockerAvailable();
const needsDocker = (name: string): string => (engine ? name : `${name} [skipped: no Docker engine answered /_ping within 2 s]`);

async function containersEnv(label: string, extra: Partial<Parameters<typeof startEnvironment>[0]> = {}): Promise<Environment> {
  const env = await startEnvironment({ kind: 'containers', seed: 9, label: `${label}-${process.pid}`, ...extra });
  cleanups.push(() => env.stop());
  return env;
}

/** How a TCP connect to host:port ends within ms: connected, an error code (ECONNREFUSED, EHOSTUNREACH, …), or silence. */
function connectOutcome(address: string, ms: number): Promise<string> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('silence');
    }, ms);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(err.code ?? 'error');
    });
  });
}

/** Settles as 'answered' / 'failed', or 'pending' when `promise` is still open after ms. */
async function stateAfter(promise: Promise<unknown>, ms: number): Promise<'answered' | 'failed' | 'pending'> {
  return within(
    promise.then(
      () => 'answered' as const,
      () => 'failed' as const,
    ),
    ms,
  ).catch(() => 'pending' as const);
}

describe('container-only faults', () => {
  it('the local environment has none of them, and says so in its capabilities', async () => {
    const env = await startEnvironment({ kind: 'local', seed: 9, label: `caps-local-${process.pid}` });
    cleanups.push(() => env.stop());
    expect([...env.capabilities].sort()).toEqual(['db.kill', 'db.restart']);
    expect(env.db.partition).toBeUndefined();
    expect(env.db.freeze).toBeUndefined();
  });

  it.skipIf(!engine)(needsDocker('declares what it can do: every lever, disk-full with dataDiskBytes'), async () => {
    const env = await containersEnv('caps', { dataDiskBytes: 8 * 1024 * 1024 });
    expect([...env.capabilities].sort()).toEqual(['db.diskFull', 'db.kill', 'db.partition', 'db.pause', 'db.restart']);
    expect(env.db.partition).toBeDefined();
    expect(env.db.freeze).toBeDefined();
    await env.stop();
    await expect(env.db.partition!.isolate()).rejects.toMatchObject({ code: 'HARN_ENV_STOPPED' });
    await expect(env.db.freeze!.pause()).rejects.toMatchObject({ code: 'HARN_ENV_STOPPED' });
  });

  it.skipIf(!engine)(needsDocker('partition: the DB container detached from its network goes silent, keeps running, and rejoins with its data'), async () => {
    const env = await containersEnv('part');
    const db = await surrealClient(env.dbUrl, env.dbCredentials, cleanups);
    await db.create(new RecordId('event', 1)).content({ seq: 1 });
    await env.db.partition!.isolate();
    await env.db.partition!.isolate(); // idempotent
    // Not a refusal: the query through the proxy gets no answer at all, and a new connection to
    // the DB's address gets no SYN-ACK and no RST — silence, or, once ARP has given up on the
    // address (~3 s, cached afterwards), the kernel's own EHOSTUNREACH.
    expect(await stateAfter(db.query('RETURN 1'), 3_000)).toBe('pending');
    expect(['silence', 'EHOSTUNREACH']).toContain(await connectOutcome(hostPort(env.dbDirectUrl), 2_000));
    const running = await docker(['ps', '--filter', `label=oya.env.label=${env.label}`, '--filter', 'status=running', '--format', '{{.Image}}']);
    expect(running.stdout.trim().split('\n').sort()).toEqual(['oya/surrealdb:local', 'oya/toxiproxy:local']);
    await env.db.partition!.rejoin();
    const again = await surrealClient(env.dbUrl, env.dbCredentials, cleanups);
    expect(await within(again.query<[number[]]>('SELECT VALUE seq FROM event'), 30_000)).toEqual([[1]]);
    const direct = await surrealClient(env.dbDirectUrl, env.dbCredentials, cleanups);
    expect(await within(direct.query<[number[]]>('SELECT VALUE seq FROM event'), 30_000)).toEqual([[1]]);
  });

  it.skipIf(!engine)(needsDocker('pause: TCP still connects, nothing answers; unpause answers the query that was waiting'), async () => {
    const env = await containersEnv('pause');
    const db = await surrealClient(env.dbUrl, env.dbCredentials, cleanups);
    await db.create(new RecordId('event', 1)).content({ seq: 1 });
    await env.db.freeze!.pause();
    const waiting = db.query<[number[]]>('SELECT VALUE seq FROM event');
    expect(await stateAfter(waiting, 3_000)).toBe('pending');
    // The kernel still completes the handshake (it is not frozen); the frozen server never reads.
    expect(await connectOutcome(hostPort(env.dbDirectUrl), 2_000)).toBe('connected');
    const health = fetch(`http://${hostPort(env.dbDirectUrl)}/health`, { signal: AbortSignal.timeout(2_000) });
    expect(await stateAfter(health, 3_000)).toBe('failed');
    await env.db.freeze!.unpause();
    expect(await within(waiting, 30_000)).toEqual([[1]]);
  });

  it.skipIf(!engine)(needsDocker('restart() heals a pause and a partition first, then restarts with the data'), async () => {
    const env = await containersEnv('heal');
    const db = await surrealClient(env.dbUrl, env.dbCredentials, cleanups);
    await db.create(new RecordId('event', 7)).content({ seq: 7 });
    await env.db.freeze!.pause();
    await env.db.partition!.isolate();
    await env.db.restart();
    const again = await surrealClient(env.dbUrl, env.dbCredentials, cleanups);
    expect(await within(again.query<[number[]]>('SELECT VALUE seq FROM event'), 30_000)).toEqual([[7]]);
  });
});
