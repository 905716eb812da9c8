/**
 * The `local` provider: SurrealDB as a child process (the `surreal` binary from PATH, else the
 * embedded server under tsx), so db.kill() is a real SIGKILL of a separate process; Toxiproxy from
 * local-toxiproxy.ts; the DB data on a size-limited tmpfs when dataDiskBytes is set.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { makeOwnedTempDir } from '../temp-dirs.ts';
import { childPids as childPidsOf } from '../../../system/util/index.ts';
import { join } from 'node:path';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { startLimitedDisk } from '../disk/limited-disk.ts';
import { spawnSurrealServer, type SpawnedSurrealServer } from '../surreal/spawn.ts';
import { EnvConfigError, EnvStoppedError } from './errors.ts';
import { startLocalToxiproxy } from './local-toxiproxy.ts';
import { startOrUndo, type Teardown } from './teardown.ts';
import {
  agentProxyName,
  DB_CREDENTIALS,
  DB_PROXY_NAME,
  isAgentName,
  type AgentProxy,
  type EnvCapability,
  type Environment,
  type EnvironmentOptions,
} from './types.ts';

/** Smallest data disk: SurrealKV needs room for its manifest and first WAL segment. */
export const MIN_DATA_DISK_BYTES = 4 * 1024 * 1024;
/** Grace between SIGTERM and SIGKILL when stop() ends the DB (ms); SurrealDB syncs within it. */
const DB_STOP_GRACE_MS = 3_000;

/** Starts a local environment; on any failure everything started so far is stopped again. */
export async function startLocalEnvironment(options: EnvironmentOptions): Promise<Environment> {
  validateCommon(options);
  return startOrUndo(`local environment "${options.label}"`, (teardown) => build(options, teardown));
}

/** Checks shared by both providers, before anything starts. */
export function validateCommon(options: EnvironmentOptions): void {
  if (!/^[A-Za-z0-9_.-]{1,40}$/.test(options.label)) {
    throw new EnvConfigError(`label must be 1-40 letters, digits, "_", "-" or ".", got "${options.label}"`, { label: options.label });
  }
  if (options.dataDiskBytes !== undefined && !(Number.isInteger(options.dataDiskBytes) && options.dataDiskBytes >= MIN_DATA_DISK_BYTES)) {
    const { dataDiskBytes } = options;
    throw new EnvConfigError(`dataDiskBytes must be an integer >= ${MIN_DATA_DISK_BYTES}, got ${dataDiskBytes}`, { dataDiskBytes });
  }
  for (const agent of options.agents ?? []) {
    if (!isAgentName(agent.name)) throw new EnvConfigError(`bad agent name "${agent.name}"`, { name: agent.name });
  }
}

async function build(options: EnvironmentOptions, teardown: Teardown): Promise<Environment> {
  const root = await makeOwnedTempDir(`oya-env-${options.label}-`);
  teardown.push(
    'remove temp dir',
    () => rm(root, { recursive: true, force: true }),
    () => rmSync(root, { recursive: true, force: true }),
  );

  let dataPath = join(root, 'db');
  let diskFull: Environment['db']['diskFull'];
  if (options.dataDiskBytes !== undefined) {
    const mountPoint = join(root, 'disk');
    const disk = await startLimitedDisk({ dir: mountPoint, size: `${Math.ceil(options.dataDiskBytes / 1024)}k` });
    teardown.push(
      'unmount data disk',
      () => disk.close(),
      () => {
        if (disk.method === 'mount') execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
        else killChildrenMentioning(mountPoint); // the user-namespace holder process
      },
    );
    dataPath = join(disk.dir, 'db');
    diskFull = { fill: () => disk.fill(), free: () => disk.free() };
  }

  let stopped = false;
  const spawnDb = (port?: number) =>
    spawnSurrealServer({ path: dataPath, port, user: DB_CREDENTIALS.username, pass: DB_CREDENTIALS.password, killGraceMs: DB_STOP_GRACE_MS });
  const exitedServers = new WeakSet<SpawnedSurrealServer>();
  const track = (srv: SpawnedSurrealServer): SpawnedSurrealServer => {
    void srv.exited.then(() => exitedServers.add(srv));
    return srv;
  };
  let server = track(await spawnDb());
  teardown.push(
    'stop SurrealDB',
    () => server.close(),
    () => {
      // Only a live child: a reaped pid may already belong to someone else.
      if (!exitedServers.has(server)) process.kill(server.pid, 'SIGKILL');
    },
  );

  const tp = await startLocalToxiproxy(options.seed);
  teardown.push(
    'stop Toxiproxy',
    () => tp.close(),
    () => tp.destroySync(),
  );
  const toxiproxy = new Toxiproxy(tp.url);
  const agents = new Map<string, Proxy>();
  // Runs before Toxiproxy stops: heals the proxies (a reused toxiproxy-server starts clean).
  teardown.push('reset and remove proxies', async () => {
    await toxiproxy.reset();
    for (const proxy of Object.values(await toxiproxy.getAll())) await proxy.remove();
  });

  const db = await toxiproxy.createProxy({ name: DB_PROXY_NAME, listen: '127.0.0.1:0', upstream: `127.0.0.1:${server.port}` });
  const addAgentProxy = async (name: string, upstream: string): Promise<AgentProxy> => {
    if (stopped) throw new EnvStoppedError(`addAgentProxy(${name})`);
    if (!isAgentName(name)) throw new EnvConfigError(`bad agent name "${name}"`, { name });
    const proxy = await toxiproxy.createProxy({ name: agentProxyName(name), listen: '127.0.0.1:0', upstream });
    agents.set(name, proxy);
    return { listen: proxy.listen, proxy };
  };
  for (const agent of options.agents ?? []) {
    await addAgentProxy(agent.name, agent.upstream).catch((err: unknown) => {
      // toxiproxy-node-client drops the API's error text; at least say which proxy failed.
      throw new Error(`creating proxy ${agentProxyName(agent.name)} → ${agent.upstream}: ${(err as Error).message}`, { cause: err });
    });
  }

  return {
    kind: 'local',
    label: options.label,
    dbUrl: `ws://${db.listen}/rpc`,
    get dbDirectUrl() {
      return server.url;
    },
    dbCredentials: DB_CREDENTIALS,
    toxiproxy,
    toxiproxyUrl: tp.url,
    proxies: { db, agents },
    addAgentProxy,
    capabilities: new Set<EnvCapability>(['db.kill', 'db.restart', ...(diskFull ? ['db.diskFull' as const] : [])]),
    db: {
      get pid() {
        return server.pid;
      },
      diskFull,
      async kill(signal: NodeJS.Signals = 'SIGKILL') {
        if (stopped) throw new EnvStoppedError('db.kill');
        server.kill(signal);
        // A SIGKILL is only done once the process is gone (and its datastore lock released).
        if (signal === 'SIGKILL') await server.exited;
      },
      async restart() {
        if (stopped) throw new EnvStoppedError('db.restart');
        await server.destroy();
        // Same port: the DB proxy's upstream stays valid and dbDirectUrl does not move.
        server = track(await spawnDb(server.port));
      },
    },
    async stop() {
      stopped = true;
      await teardown.run();
    },
  };
}

/**
 * SIGKILLs this process's children whose command line mentions `text` (synchronously, for exit
 * hooks): e.g. the disk helper's namespace holder, whose handle does not expose its pid.
 */
export function killChildrenMentioning(text: string): void {
  for (const pid of childPids()) {
    try {
      const cmdline = readProcText(`/proc/${pid}/cmdline`).replaceAll('\0', ' ');
      if (cmdline.includes(text)) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** PIDs whose parent is this process, read from /proc. */
export function childPids(parent = process.pid): number[] {
  return childPidsOf(parent);
}

function readProcText(path: string): string {
  return readFileSync(path, 'utf8');
}
